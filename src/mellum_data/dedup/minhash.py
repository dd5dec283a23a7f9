"""MinHash parameters, presets and the vectorised signature function.

Each of the ``num_buckets * hashes_per_bucket`` hash functions is a random affine map of a
shingle's hash: for 32-bit signatures ``(a * h + b) mod 2^32`` on the top 32 bits of the
shingle hash (numpy multiplies uint32 arrays with SIMD, ~3x faster than uint64), for 64-bit
ones the top 60 bits of ``(a * h + b) mod 2^64`` (datatrove's bucket stage stops reading a
file at the first value >= 2^61 - 1, its Mersenne prime). The minimum over a document's
shingles is its signature. With ``a`` odd each map is a bijection, so it adds no collisions,
and shingle hashes are uniformly random, so P[minima equal] is the Jaccard similarity; this
is datasketch 2.0's ``affine32`` / ``affine64`` scheme. Bands of such maps collide at the
rate ``J^r`` that independent hashes would (``benchmarks/dedup.py`` prints the S-curve).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.utils.hashing import HashConfig

from mellum_data.dedup.shingles import NgramHasher, Tokenizer, random_words

M32 = (1 << 32) - 1
MAX32 = M32 - 1  # datatrove's 32-bit bucket stage drops records that start with 2^32 - 1


@dataclass(frozen=True)
class MinhashParams:
    n_grams: int
    num_buckets: int
    hashes_per_bucket: int
    tokenizer: Tokenizer = "words"
    hash_bits: Literal[32, 64] = 32
    seed: int = 1

    @property
    def num_hashes(self) -> int:
        return self.num_buckets * self.hashes_per_bucket

    @property
    def threshold(self) -> float:
        """Jaccard similarity at which a pair is found with probability ~0.5 ((1/b)^(1/r))."""
        return (1 / self.num_buckets) ** (1 / self.hashes_per_bucket)

    def p_found(self, jaccard: float) -> float:
        """Probability that a pair with this Jaccard similarity shares a bucket."""
        return 1 - (1 - jaccard**self.hashes_per_bucket) ** self.num_buckets

    def datatrove_config(self) -> MinhashConfig:
        """datatrove's config for its bucket, cluster and filter stages on our signatures."""
        return MinhashConfig(
            n_grams=self.n_grams,
            num_buckets=self.num_buckets,
            hashes_per_bucket=self.hashes_per_bucket,
            seed=self.seed,
            hash_config=HashConfig(precision=self.hash_bits),
        )

    def as_dict(self) -> dict:
        return asdict(self)


PRESETS: dict[str, MinhashParams] = {
    # FineWeb (Penedo et al. 2024): word 5-grams, 14 buckets x 8 hashes (threshold ~0.72).
    "fineweb": MinhashParams(n_grams=5, num_buckets=14, hashes_per_bucket=8),
    # StarCoder (Li et al. 2023): 5-grams, 256 permutations, Jaccard 0.7. 25 x 10 is how
    # datasketch's LSH splits 256 permutations for a 0.7 threshold (its _optimal_param).
    "starcoder": MinhashParams(n_grams=5, num_buckets=25, hashes_per_bucket=10),
    # Code tokens include one token per punctuation character: 1.6x as many tokens as the
    # alphanumeric words StarCoder shingles (178 source files of the built-in sample, 8
    # languages, with our tokens' comments removed), so 8-grams span what its 5-grams span.
    # 20 x 8 puts the threshold at ~0.69, StarCoder's 0.7, with 160 hashes instead of 250.
    "code": MinhashParams(n_grams=8, num_buckets=20, hashes_per_bucket=8, tokenizer="code"),
}


def minhash_params(preset: str = "fineweb", **overrides: object) -> MinhashParams:
    """A preset with any field overridden (``None`` keeps the preset's value)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown MinHash preset {preset!r} (choose: {', '.join(PRESETS)})")
    return replace(PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})


class MinHasher:
    """Signatures of texts: ``signature(text)`` is a uint32 (or uint64) array of
    ``num_hashes`` values, or None when the text has fewer than ``n_grams`` tokens."""

    def __init__(self, params: MinhashParams) -> None:
        self.params = params
        self.ngrams = NgramHasher(params.n_grams, params.tokenizer, params.seed)
        k = params.num_hashes
        a = random_words(params.seed, k, salt=0x61)
        b = random_words(params.seed, k, salt=0x62)
        if params.hash_bits == 32:
            a, b = [(x & M32) | 1 for x in a], [x & M32 for x in b]
            dtype = np.uint32
        else:
            a = [x | 1 for x in a]
            dtype = np.uint64
        self.a, self.b = a, b
        # Column vectors: the product with a row of shingles has one contiguous row per hash.
        self._a = np.array(a, dtype=dtype).reshape(-1, 1)
        self._b = np.array(b, dtype=dtype).reshape(-1, 1)

    @property
    def dtype(self) -> type[np.unsignedinteger]:
        return np.uint32 if self.params.hash_bits == 32 else np.uint64

    def signature(self, text: str) -> np.ndarray | None:
        return self.from_shingles(self.ngrams(text))

    def signatures(self, texts: list[str]) -> list[np.ndarray | None]:
        """``[self.signature(t) for t in texts]``, faster for many short texts."""
        return [self.from_shingles(s) for s in self.ngrams.batch(texts)]

    def from_shingles(self, shingles: np.ndarray) -> np.ndarray | None:
        if not len(shingles):
            return None
        if self.params.hash_bits == 32:
            v = self._a * (shingles >> np.uint64(32)).astype(np.uint32)
            v += self._b
            return np.minimum(v.min(axis=1), MAX32)
        v = self._a * shingles
        v += self._b
        v >>= np.uint64(4)
        return v.min(axis=1)

    def reference(self, text: str) -> list[int] | None:
        """The signature computed with Python integers, one shingle and hash at a time."""
        shingles = set(self.ngrams.reference(text))
        if not shingles:
            return None
        if self.params.hash_bits == 32:
            tops = [h >> 32 for h in shingles]
            return [min(min((a * h + b) & M32 for h in tops), MAX32) for a, b in self._ab()]
        return [min(((a * h + b) & (2**64 - 1)) >> 4 for h in shingles) for a, b in self._ab()]

    def _ab(self) -> list[tuple[int, int]]:
        return list(zip(self.a, self.b))

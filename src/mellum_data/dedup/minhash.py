"""MinHash near-deduplication settings: presets, a fast word splitter, and a helper step.

The four stages themselves are datatrove's (``datatrove.pipeline.dedup.minhash``);
``pipelines.dedup`` wires them.
"""

from __future__ import annotations

from dataclasses import dataclass

from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.utils.word_tokenizers import WordTokenizer


@dataclass(frozen=True)
class MinhashPreset:
    n_grams: int
    num_buckets: int
    hashes_per_bucket: int

    @property
    def threshold(self) -> float:
        """Jaccard similarity at which a pair is found with probability ~0.5 ((1/b)^(1/r))."""
        return (1 / self.num_buckets) ** (1 / self.hashes_per_bucket)


PRESETS: dict[str, MinhashPreset] = {
    # FineWeb (Penedo et al. 2024): word 5-grams, 14 buckets x 8 hashes (threshold ~0.72).
    "fineweb": MinhashPreset(n_grams=5, num_buckets=14, hashes_per_bucket=8),
    # StarCoder (Li et al. 2023): 5-grams, 256 permutations, Jaccard 0.7. 25 x 10 is how
    # datasketch's LSH splits 256 permutations for a 0.7 threshold (its _optimal_param).
    "starcoder": MinhashPreset(n_grams=5, num_buckets=25, hashes_per_bucket=10),
}


def minhash_config(
    preset: str = "fineweb",
    *,
    n_grams: int | None = None,
    num_buckets: int | None = None,
    hashes_per_bucket: int | None = None,
    seed: int = 1,
) -> MinhashConfig:
    """datatrove's MinhashConfig from a preset, with any field overridden."""
    base = PRESETS[preset]
    return MinhashConfig(
        n_grams=n_grams or base.n_grams,
        num_buckets=num_buckets or base.num_buckets,
        hashes_per_bucket=hashes_per_bucket or base.hashes_per_bucket,
        seed=seed,
    )


class WhitespaceWordTokenizer(WordTokenizer):
    """Splits on whitespace. MinHash shingles text that datatrove already lowercased and
    stripped of punctuation, so a whitespace split finds spaCy's words (bar its few special
    cases such as "cannot" -> "can not") at a fraction of the cost: the spaCy split is the
    slowest part of the signature stage."""

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return [text]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]


class EnsureRankFiles(PipelineStep):
    """Writes empty ``.remove`` / ``.clusters`` / ``.sizes`` files for filter ranks that have
    none. datatrove's MinhashDedupFilter passes a rank without a ``.remove`` file through
    untouched, so the kept copy of a cluster (whose rank had nothing to remove) would lack
    its cluster metadata."""

    name = "🗂️ MinHash rank files"
    type = "🫂 - DEDUP"

    def __init__(self, folder: DataFolderLike, ranks: int) -> None:
        super().__init__()
        self.folder = get_datafolder(folder)
        self.ranks = ranks

    def run(self, data=None, rank: int = 0, world_size: int = 1) -> None:
        for r in range(self.ranks):
            for ext in (".remove", ".clusters", ".sizes"):
                name = f"{r:06d}{ext}"
                if not self.folder.exists(name):
                    with self.folder.open(name, "wb"):
                        self.stat_update("empty_files_written")

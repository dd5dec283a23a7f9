import random
import string
import struct

import numpy as np
import pytest
from datatrove.data import Document
from datatrove.pipeline.dedup.minhash import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
)

from mellum_data.dedup import PRESETS, MinHasher, MinhashSignature, minhash_params


def words(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 8))) for _ in range(n)]


def corpus(seed: int = 0) -> list[str]:
    """Random pages, two edited copies, a short text and a re-cased, re-punctuated copy."""
    rng = random.Random(seed)
    texts = [" ".join(words(rng, 120)) for _ in range(12)]
    base = texts[3].split()
    for k in (1, 3):
        copy = list(base)
        for i in rng.sample(range(len(copy)), k):
            copy[i] = "edited"
        texts.append(" ".join(copy))
    texts.append("too short")
    texts.append(", ".join(w.upper() for w in base) + ".")
    return texts


def test_presets():
    fineweb = PRESETS["fineweb"]
    assert (fineweb.n_grams, fineweb.num_buckets, fineweb.hashes_per_bucket) == (5, 14, 8)
    assert (fineweb.tokenizer, fineweb.hash_bits) == ("words", 32)
    assert fineweb.threshold == pytest.approx(0.719, abs=1e-3)
    assert PRESETS["starcoder"].threshold == pytest.approx(0.725, abs=1e-3)
    code = PRESETS["code"]
    assert (code.tokenizer, code.n_grams, code.num_hashes) == ("code", 8, 160)
    assert code.threshold == pytest.approx(0.688, abs=1e-3)
    assert fineweb.p_found(0.8) == pytest.approx(0.924, abs=1e-3)
    custom = minhash_params("starcoder", num_buckets=4, seed=7, n_grams=None)
    assert (custom.n_grams, custom.num_buckets, custom.hashes_per_bucket, custom.seed) == (
        5,
        4,
        10,
        7,
    )
    dt = minhash_params("fineweb", hash_bits=64).datatrove_config()
    assert (dt.num_buckets, dt.hashes_per_bucket, dt.hash_config.precision) == (14, 8, 64)
    with pytest.raises(ValueError, match="choose: fineweb, starcoder, code"):
        minhash_params("fast")


@pytest.mark.parametrize("bits", [32, 64])
@pytest.mark.parametrize("tokenizer", ["words", "code"])
def test_signature_matches_the_reference(bits, tokenizer):
    hasher = MinHasher(minhash_params("fineweb", hash_bits=bits, tokenizer=tokenizer, seed=5))
    for text in corpus():
        sig, ref = hasher.signature(text), hasher.reference(text)
        if ref is None:
            assert sig is None
            continue
        assert sig.dtype == (np.uint32 if bits == 32 else np.uint64)
        assert sig.tolist() == ref
        assert int(sig.max()) < (2**32 - 1 if bits == 32 else 2**61 - 1)


def test_signatures_estimate_jaccard():
    hasher = MinHasher(minhash_params("fineweb", num_buckets=64, hashes_per_bucket=8))
    rng = random.Random(1)
    base = words(rng, 400)
    copy = base[:300] + words(rng, 100)
    a, b = (
        set(hasher.ngrams.reference(" ".join(base))),
        set(hasher.ngrams.reference(" ".join(copy))),
    )
    jaccard = len(a & b) / len(a | b)
    est = np.mean(hasher.signature(" ".join(base)) == hasher.signature(" ".join(copy)))
    assert jaccard == pytest.approx(0.59, abs=0.02)
    assert est == pytest.approx(jaccard, abs=0.07)  # 512 hashes: standard error ~0.022


def reference_bucket_files(hasher: MinHasher, texts: list[str]) -> dict[str, bytes]:
    """What datatrove's signature step would write for these signatures, with struct."""
    p = hasher.params
    fmt = f"<{p.hashes_per_bucket}{'I' if p.hash_bits == 32 else 'Q'}I"
    rows: dict[int, list[tuple]] = {b: [] for b in range(p.num_buckets)}
    for idx, text in enumerate(texts):
        sig = hasher.reference(text)
        if sig is None:
            continue
        for b in range(p.num_buckets):
            rows[b].append((*sig[b * p.hashes_per_bucket : (b + 1) * p.hashes_per_bucket], idx))
    return {
        f"bucket_{b:03d}/00001.minhash.sig": b"".join(struct.pack(fmt, *r) for r in sorted(rs))
        for b, rs in rows.items()
    }


@pytest.mark.parametrize("bits", [32, 64])
def test_bucket_files_match_the_reference(tmp_path, bits):
    params = minhash_params("fineweb", num_buckets=4, hashes_per_bucket=3, hash_bits=bits)
    texts = corpus()
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    step = MinhashSignature(str(tmp_path), params)
    step.run(iter(docs), rank=1)
    expected = reference_bucket_files(step.hasher, texts)
    written = {
        str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*.minhash.sig")
    }
    assert written == expected
    assert step.stats["too_short"].total == 1


def test_full_signature_rows(tmp_path):
    params = minhash_params("fineweb")
    texts = corpus()
    step = MinhashSignature(str(tmp_path), params, full=True)
    step.run(iter(Document(text=t, id=str(i)) for i, t in enumerate(texts)), rank=3)
    rows = np.fromfile(tmp_path / "full" / "00003.minhash.full", dtype=np.uint32)
    rows = rows.reshape(len(texts), params.num_hashes)
    for row, text in zip(rows, texts):
        assert row.tolist() == (step.hasher.reference(text) or [0] * params.num_hashes)


def test_datatrove_stages_read_our_bucket_files(tmp_path):
    """Our signature files through datatrove's own bucket, cluster and filter stages."""
    # Threshold 0.35: copies (J >= 0.77) are found with probability > 0.999.
    params = minhash_params("fineweb", num_buckets=8, hashes_per_bucket=2)
    texts = corpus()
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    MinhashSignature(str(tmp_path / "sigs"), params).run(iter(docs), rank=0)
    config = params.datatrove_config()
    for b in range(params.num_buckets):
        MinhashDedupBuckets(str(tmp_path / "sigs"), str(tmp_path / "buckets"), config=config).run(
            rank=b, world_size=params.num_buckets
        )
    MinhashDedupCluster(str(tmp_path / "buckets"), str(tmp_path / "clusters"), config=config).run()
    kept = MinhashDedupFilter(str(tmp_path / "clusters")).run(iter(docs), rank=0)
    # texts[3], its copies with 1 and 3 edited words and its re-cased copy: one kept.
    assert sorted(int(d.id) for d in kept) == [
        i for i in range(len(texts)) if i not in (12, 13, 15)
    ]

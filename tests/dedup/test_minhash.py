import numpy as np
import pytest
from datatrove.data import Document
from datatrove.pipeline.dedup.minhash import MinhashDedupSignature

from mellum_data.dedup import (
    PRESETS,
    EnsureRankFiles,
    WhitespaceWordTokenizer,
    minhash_config,
    normalized_content,
)


def test_presets():
    fineweb = minhash_config()
    assert (fineweb.n_grams, fineweb.num_buckets, fineweb.hashes_per_bucket) == (5, 14, 8)
    assert PRESETS["fineweb"].threshold == pytest.approx(0.719, abs=1e-3)
    assert PRESETS["starcoder"].threshold == pytest.approx(0.725, abs=1e-3)
    custom = minhash_config("starcoder", num_buckets=4, seed=7)
    assert (custom.n_grams, custom.num_buckets, custom.hashes_per_bucket, custom.seed) == (
        5,
        4,
        10,
        7,
    )


def test_whitespace_tokenizer_gives_the_signature_of_text_split():
    sig = MinhashDedupSignature(
        "/tmp/unused", config=minhash_config(), language=WhitespaceWordTokenizer()
    )
    text = "Def Foo(bar):\n    return bar.baz(1, 2)  # a comment with words"
    shingles = sig.get_shingles(text)
    # "def foo bar return bar baz 0 0 a comment with words": 12 words, 8 word 5-grams.
    assert shingles.shape == (8, 1)
    assert np.array_equal(sig.get_shingles(text.upper()), shingles)


def test_normalized_content_ignores_whitespace_layout():
    a = Document(text="def f(x):\n\treturn x\n", id="a")
    b = Document(text="def f(x):\r\n    return x", id="b")
    assert normalized_content(a) == normalized_content(b) == "def f(x): return x"


def test_ensure_rank_files(tmp_path):
    (tmp_path / "000001.remove").write_bytes(b"\x01\x00\x00\x00")
    EnsureRankFiles(str(tmp_path), ranks=3).run()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        f"{r:06d}{e}" for r in range(3) for e in (".remove", ".clusters", ".sizes")
    )
    assert (tmp_path / "000001.remove").read_bytes() == b"\x01\x00\x00\x00"
    assert (tmp_path / "000000.remove").read_bytes() == b""

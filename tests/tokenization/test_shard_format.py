"""The shard format: datatrove compatibility, verification, identity checks."""

import numpy as np
import pytest
from datatrove.utils.dataset import DatatroveFolderDataset

from mellum_data.errors import InputError
from mellum_data.tokenize import shards
from mellum_data.tokenize.manifest import (
    SourceCounts,
    TokenizerInfo,
    verify_folder,
    write_source_counts,
)
from mellum_data.tokenize.shards import ShardReader, ShardWriter, list_shards

TOK = TokenizerInfo(id="sha256:00aa", name="bpe-300", vocab_size=300, token_size=2, eos_id=1)


def write_source(folder, docs, token_size=2):
    w = ShardWriter(folder, "00000_00000", token_size=token_size, tokenizer_id=TOK.id)
    for i, toks in enumerate(docs):
        w.add(toks, id=f"web/{i}", source="web", quality_tier="high" if i % 2 else None)
    info = w.close()
    write_source_counts(
        folder,
        SourceCounts(
            source="web", tokenizer=TOK, documents=len(docs), tokens=info.tokens, shards=[info]
        ),
    )
    return info


def test_round_trip_and_sidecar(tmp_path):
    docs = [[5, 6, 7, 1], [9, 1], list(range(2, 40)) + [1]]
    info = write_source(tmp_path, docs)
    assert (info.tokens, info.documents) == (45, 3)
    assert list_shards(tmp_path) == ["00000_00000"]
    r = ShardReader(str(tmp_path / "00000_00000.ds"), expect_tokenizer_id=TOK.id)
    assert r.token_size == 2 and r.tokenizer_id == TOK.id
    assert [r.document(i).tolist() for i in range(3)] == docs
    assert r.doc_ends.tolist() == [4, 6, 45]
    side = r.docs().to_pylist()
    assert [(d["id"], d["tokens"], d["offset"], d["quality_tier"]) for d in side] == [
        ("web/0", 4, 0, None),
        ("web/1", 2, 4, "high"),
        ("web/2", 39, 6, None),
    ]


def test_datatrove_reader_sees_the_same_tokens(tmp_path):
    docs = [list(range(3, 13)), list(range(20, 30))]
    write_source(tmp_path, docs)
    ds = DatatroveFolderDataset(str(tmp_path), seq_len=4, token_size=2)
    # datatrove windows are seq_len + 1 tokens, consecutive windows overlapping by none
    assert ds[0]["input_ids"].tolist() == [3, 4, 5, 6, 7]
    assert ds[1]["input_ids"].tolist() == [8, 9, 10, 11, 12]


def test_uint32_tokens(tmp_path):
    w = ShardWriter(tmp_path, "big", token_size=4, tokenizer_id="sha256:x")
    w.add([70000, 1], id="a", source="s")
    w.close()
    r = ShardReader(str(tmp_path / "big.ds"))
    assert r.tokens.dtype == np.dtype("<u4") and r.tokens.tolist() == [70000, 1]
    w = ShardWriter(tmp_path, "small", token_size=2, tokenizer_id="sha256:x")
    with pytest.raises(ValueError, match="does not fit in 2 bytes"):
        w.add([70000], id="a", source="s")


def test_wrong_tokenizer_is_refused(tmp_path):
    write_source(tmp_path, [[1, 2, 3]])
    with pytest.raises(InputError, match="differs from the expected 'sha256:other'"):
        ShardReader(str(tmp_path / "00000_00000.ds"), expect_tokenizer_id="sha256:other")
    with pytest.raises(InputError, match="differs from expected 'sha256:other'"):
        verify_folder(tmp_path, tokenizer_id="sha256:other")


def test_abort_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with ShardWriter(tmp_path, "x", token_size=2, tokenizer_id="sha256:x") as w:
            w.add([1, 2], id="a", source="s")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_sidecar_built_in_chunks_keeps_order_and_late_types(tmp_path, monkeypatch):
    """The writer turns sidecar rows into Arrow every SIDECAR_CHUNK documents; a column that
    is null in the first chunks (no FIM yet) takes its type from later ones."""
    monkeypatch.setattr(shards, "SIDECAR_CHUNK", 3)
    w = ShardWriter(tmp_path, "s", token_size=2, tokenizer_id=TOK.id)
    for i in range(8):
        fim = "psm" if i >= 5 else None
        w.add([i + 2, 1], id=f"d{i}", source="s", extra={"fim": fim, "points": [i] * (i % 3)})
    info = w.close()
    side = ShardReader(str(tmp_path / "s.ds")).docs().to_pylist()
    assert [r["id"] for r in side] == [f"d{i}" for i in range(8)]
    assert [r["offset"] for r in side] == list(range(0, 16, 2))
    assert [r["fim"] for r in side] == [None] * 5 + ["psm"] * 3
    assert [r["points"] for r in side][:4] == [[], [1], [2, 2], []]
    assert (info.tokens, info.documents, info.sizes[".ds"]) == (16, 8, 32)

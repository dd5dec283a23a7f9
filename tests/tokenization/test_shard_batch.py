"""``ShardWriter.add_batch`` writes what ``add`` per document writes; block sums are exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mellum_data.tokenize.integrity import BLOCK_BYTES, block_check
from mellum_data.tokenize.shards import ShardReader, ShardWriter


def _docs(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # Long enough documents that the token file crosses several 1 MiB blocks.
    return [rng.integers(0, 65535, int(rng.integers(1, 90_000)), dtype=np.uint16) for _ in range(n)]


def _write(
    path: Path,
    name: str,
    docs: list[np.ndarray],
    batches: list[int] | None,
    *,
    background: bool = False,
    later: bool = False,
) -> dict:
    meta = [
        {"id": f"d{i}", "source": "code" if i % 2 else "web", "tier": [None, "high"][i % 2]}
        for i in range(len(docs))
    ]
    with ShardWriter(
        str(path), name, token_size=2, tokenizer_id="sha256:t", background=background
    ) as w:
        if batches is None:
            for d, m in zip(docs, meta, strict=True):
                w.add(d, id=m["id"], source=m["source"], quality_tier=m["tier"],
                      extra={"epoch": 0, "fim": None})  # fmt: skip
        else:
            # The first document goes through ``add``: mixing both must also work.
            w.add(
                docs[0], id="d0", source="web", quality_tier=None, extra={"epoch": 0, "fim": None}
            )
            lo = 1
            for size in batches:
                part = slice(lo, lo + size)
                w.add_batch(
                    np.concatenate(docs[part]) if size else np.zeros(0, np.uint16),
                    np.array([d.size for d in docs[part]], dtype=np.int64),
                    {
                        "id": pa.array([m["id"] for m in meta[part]], pa.string()),
                        "source": [m["source"] for m in meta[part]],
                        "quality_tier": pa.array([m["tier"] for m in meta[part]], pa.string()),
                        "epoch": np.zeros(size, np.int64),
                        "fim": pa.nulls(size, pa.string()),
                    },
                )
                lo += size
        info = w.close_later().result() if later else w.close()
    return info.to_dict()


def test_batches_write_the_same_shard_as_single_documents(tmp_path: Path) -> None:
    docs = _docs(40)
    one = _write(tmp_path / "a", "s", docs, None)
    many = _write(tmp_path / "b", "s", docs, [1, 0, 20, 18])
    assert one["tokens"] > 3 * BLOCK_BYTES // 2
    assert one["sha256"][".ds"] == many["sha256"][".ds"]
    assert one["sha256"][".ds.index"] == many["sha256"][".ds.index"]
    assert one["blocks"][".ds"] == many["blocks"][".ds"]
    a = ShardReader(str(tmp_path / "a" / "s.ds"))
    b = ShardReader(str(tmp_path / "b" / "s.ds"))
    assert a.docs().to_pylist() == b.docs().to_pylist()
    assert b.docs().column("offset").to_pylist()[:3] == [
        0,
        docs[0].size,
        docs[0].size + docs[1].size,
    ]
    for i in (0, 1, 17, 39):
        assert np.array_equal(b.document(i), docs[i])


@pytest.mark.parametrize("later", [False, True])
def test_background_writes_the_same_shard(tmp_path: Path, later: bool) -> None:
    docs = _docs(40, seed=1)
    one = _write(tmp_path / "a", "s", docs, [5, 0, 30, 4])
    two = _write(tmp_path / "b", "s", docs, [5, 0, 30, 4], background=True, later=later)
    assert one["tokens"] > 3 * BLOCK_BYTES // 2
    assert one == two
    for suffix in (".ds", ".ds.index", ".ds.docs.parquet", ".ds.metadata"):
        assert (tmp_path / "a" / f"s{suffix}").read_bytes() == (
            tmp_path / "b" / f"s{suffix}"
        ).read_bytes()


def test_background_writer_drops_its_shard_after_an_error(tmp_path: Path) -> None:
    docs = _docs(6, seed=2)
    with pytest.raises(RuntimeError, match="stop"):
        with ShardWriter(
            str(tmp_path), "s", token_size=2, tokenizer_id="sha256:t", background=True
        ) as w:
            for d in docs:
                w.add_batch(d, np.array([d.size]), {"id": ["x"], "source": ["web"]})
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
    with ShardWriter(str(tmp_path), "t", token_size=2, tokenizer_id="sha256:t") as w:
        with pytest.raises(RuntimeError, match="background=True"):
            w.close_later()


def test_batch_errors_name_the_mismatch(tmp_path: Path) -> None:
    with ShardWriter(str(tmp_path), "s", token_size=2, tokenizer_id="sha256:t") as w:
        cols = {"id": ["a"], "source": ["web"], "quality_tier": [None]}
        with pytest.raises(ValueError, match="lengths add up to 3, tokens are 2"):
            w.add_batch(np.zeros(2, np.uint16), np.array([3]), cols)
        with pytest.raises(ValueError, match="tokens are int64, this shard stores uint16"):
            w.add_batch(np.zeros(2, np.int64), np.array([2]), cols)
        w.add_batch(np.zeros(2, np.uint16), np.array([2]), {**cols, "fim": ["psm"]})
        with pytest.raises(ValueError, match=r"extra columns \[\] differ from \['fim'\]"):
            w.add_batch(np.zeros(2, np.uint16), np.array([2]), cols)


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 5000, BLOCK_BYTES - 1, BLOCK_BYTES])
def test_block_sums_are_exact(size: int) -> None:
    rng = np.random.default_rng(size)
    for data in (rng.integers(0, 256, size, dtype=np.uint8), np.full(size, 255, np.uint8)):
        wide = data.astype(np.int64)
        crc, total, weighted = block_check(data.tobytes())
        assert total == int(wide.sum())
        assert weighted == int(np.dot(wide, np.arange(1, size + 1, dtype=np.int64)))

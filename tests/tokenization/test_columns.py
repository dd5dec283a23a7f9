"""Sidecar columns built from buffers are what ``pa.table`` infers, without importing pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mellum_data.tokenize import columns
from mellum_data.tokenize.shards import ShardReader


def test_columns_equal_pyarrow_inference() -> None:
    rows = {
        "id": ["a", "ü/€/😀", ""],
        "quality_tier": [None, "high", None],
        "tokens": [3, 0, 2**40],
        "cluster": [None, 7, None],
        "none": [None, None, None],
        "points": [np.array([1, 5], np.int32), np.zeros(0, np.int32), np.array([9], np.int32)],
        "score": [0.5, None, 1.0],  # not a fast path: through pa.array
        "flag": [True, False, None],
    }
    built = columns.table(rows)
    expected = pa.table(rows)
    assert built.schema == expected.schema
    assert built.to_pylist() == expected.to_pylist()
    assert columns.table({"id": [], "tokens": []}).equals(pa.table({"id": [], "tokens": []}))


def test_shard_writer_does_not_import_pandas(tmp_path: Path) -> None:
    script = f"""
import sys
import numpy as np
from mellum_data.tokenize.shards import ShardWriter
with ShardWriter({str(tmp_path)!r}, "s", token_size=2, tokenizer_id="sha256:t") as w:
    for i in range(3):
        w.add(np.arange(i + 1, dtype=np.uint16), id=f"d{{i}}", source="web",
              extra={{"fim_points": np.zeros(i, np.int32), "lang": None}})
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    sidecar = ShardReader(str(tmp_path / "s.ds")).docs()  # reading may import it
    assert sidecar.column("fim_points").to_pylist() == [[], [0], [0, 0]]


SCHEMA = pa.schema(
    [
        ("text", pa.string()),
        ("id", pa.string()),
        (
            "metadata",
            pa.struct(
                [
                    ("url", pa.string()),
                    ("lang_score", pa.float64()),
                    ("rank", pa.int32()),
                    ("size", pa.uint64()),
                    ("ok", pa.bool_()),
                    ("spans", pa.list_(pa.list_(pa.int32()))),
                ]
            ),
        ),
    ]
)


def test_record_batch_equals_from_pylist() -> None:
    rows = [
        {
            "text": "ü😀",
            "id": "1",
            "metadata": {
                "url": "u",
                "lang_score": 0.5,
                "rank": -3,
                "size": 2**63,
                "ok": True,
                "spans": [[1, 2], [3, 4]],
            },
        },
        {"text": "no metadata", "id": "2"},  # a null struct
        {"id": "3", "metadata": {"lang_score": 1, "ok": False, "spans": [], "extra": "x"}},
        {"text": "", "id": "4", "metadata": {"url": None, "rank": None, "spans": [None, [5]]}},
    ]
    built = columns.record_batch(rows, SCHEMA)
    built.validate(full=True)
    assert built.equals(pa.RecordBatch.from_pylist(rows, schema=SCHEMA))
    assert built.column(2).to_pylist()[1] is None


def test_record_batch_raises_as_pyarrow_does() -> None:
    bad = [{"text": "t", "id": "1", "metadata": {"rank": "seven"}}]
    for build in (columns.record_batch, pa.RecordBatch.from_pylist):
        try:
            build(bad, SCHEMA) if build is columns.record_batch else build(bad, schema=SCHEMA)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            assert "seven" in str(e)
        else:
            raise AssertionError(f"{build} accepted a string in an int32 column")
    # A value too large for its column: pyarrow's own error, word for word.
    too_big = [{"id": "1", "metadata": {"rank": 2**40}}]
    with pytest.raises(pa.ArrowInvalid) as ours:
        columns.record_batch(too_big, SCHEMA)
    with pytest.raises(pa.ArrowInvalid) as theirs:
        pa.RecordBatch.from_pylist(too_big, schema=SCHEMA)
    assert (
        str(ours.value)
        == str(theirs.value)
        == ("Value 1099511627776 too large to fit in C integer type")
    )


def test_stage_writers_do_not_import_pandas(tmp_path: Path) -> None:
    script = f"""
import sys
import pyarrow as pa
from datatrove.data import Document
from mellum_data.pipelines.writers import RemovedWriter, schema_kept_writer
spans = pa.list_(pa.list_(pa.int32()))
meta = {{"source": pa.string(), "lang_score": pa.float64(), "spans": spans}}
with schema_kept_writer({str(tmp_path)!r}, meta) as kept:
    row = {{"source": "web", "lang_score": 0.5, "spans": [[0, 1]]}}
    kept.write(Document(text="a", id="1", metadata=row), 0)
with RemovedWriter({str(tmp_path)!r}, "language", meta) as removed:
    removed.write(Document(text="b", id="2", metadata={{"filter_reason": "low"}}), 0)
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    import polars as pl

    removed = pl.read_parquet(tmp_path / "removed" / "language" / "*.parquet")
    assert removed["metadata"].to_list() == [
        {
            "source": None,
            "lang_score": None,
            "spans": None,
            "drop_reason": "low",
            "dropped_by": "language",
        }
    ]
    kept = pl.read_parquet(tmp_path / "web" / "*.parquet")
    assert kept["metadata"].to_list() == [{"source": "web", "lang_score": 0.5, "spans": [[0, 1]]}]

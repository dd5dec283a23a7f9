"""Sidecar columns built from buffers are what ``pa.table`` infers, without importing pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

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

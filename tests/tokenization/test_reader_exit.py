"""Processes that read shard sidecars exit cleanly.

pyarrow 26, decoding parquet from a Python file object on its thread pool, sometimes aborted
the interpreter at exit ("terminate called without an active exception", exit status 134:
about one run in five of a script reading five sidecars). Our readers decode single-threaded;
this test runs ten such processes, one after the other, and fails if any does not exit with
0 (with the threaded read it failed 3 runs out of 3).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mellum_data.tokenize.shards import ShardWriter

SCRIPT = """
import sys
from mellum_data.tokenize.shards import ShardReader
for path in sys.argv[1:]:
    assert ShardReader(path).docs().num_rows == 3000
"""


def test_reading_sidecars_never_aborts_at_exit(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    paths = []
    for s in range(5):
        with ShardWriter(str(tmp_path), f"s{s}", token_size=2, tokenizer_id="sha256:t") as w:
            for i in range(3000):
                n = int(np.clip(rng.lognormal(np.log(800) - 0.5, 1.0), 20, 30_000))
                w.add(
                    rng.integers(10, 30000, n, dtype=np.uint16),
                    id=f"code/{s * 3000 + i}",
                    source="code",
                    quality_tier="high" if i % 3 == 0 else "low",
                    extra={
                        "kind": "code",
                        "lang": "en",
                        "fim_points": np.arange(12, n - 1, 12, dtype=np.int32),
                    },
                )
        paths.append(str(tmp_path / f"s{s}.ds"))
        # The sidecar as this project's writer wrote it before columns.py (pa.table of Python
        # lists, one row group): files in that layout reproduced the abort most often.
        sidecar = tmp_path / f"s{s}.ds.docs.parquet"
        rows = pq.read_table(sidecar).to_pydict()
        pq.write_table(pa.table(rows), sidecar, compression="zstd")
    # One after the other: run side by side on two cores, they aborted less often.
    results = [
        subprocess.run(
            [sys.executable, "-c", SCRIPT, *paths], capture_output=True, text=True, timeout=120
        )
        for _ in range(10)
    ]
    assert [r.returncode for r in results] == [0] * 10, [r.stderr[-300:] for r in results]

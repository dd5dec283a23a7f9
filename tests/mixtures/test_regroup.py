"""``route.PhaseRegrouper``: a group's routed files split into its buckets, flush by flush."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from datatrove.io import get_datafolder

from mellum_data.mixtures.route import (
    SCHEMA,
    PhaseRegrouper,
    group_dir,
    read_records,
    record_dir,
    write_by,
)


def _records(buckets: list[int], first_key: int) -> pa.Table:
    n = len(buckets)
    columns = {f.name: pa.nulls(n, f.type) for f in SCHEMA}
    columns["key"] = pa.array(range(first_key, first_key + n), pa.uint64())
    columns["bucket"] = pa.array(buckets, pa.int32())
    return pa.Table.from_pydict(columns, schema=SCHEMA)


def test_a_group_is_split_per_bucket_every_flush_rows_records(tmp_path: Path) -> None:
    folder = get_datafolder(str(tmp_path))
    group = record_dir("run", "p1", group_dir)
    # Three router files of group 1 (buckets 3, 4, 5), 3 + 2 + 3 records.
    for name, buckets, key in (("a", [3, 5, 3], 0), ("b", [4, 4], 10), ("c", [5, 3, 4], 20)):
        write_by(folder, _records(buckets, key), np.ones(len(buckets), int), group, f"{name}.arrow")
    list(PhaseRegrouper(str(tmp_path), "run", [("p1", 1)], flush_rows=4).run(None))
    got = {}
    for bucket in (3, 4, 5):
        path = f"p1/run/b{bucket:05d}"
        names = sorted(Path(tmp_path, path).iterdir())
        got[bucket] = [
            (p.name, t.column("key").to_pylist())
            for p, t in zip(names, read_records(folder, path), strict=True)
        ]
    # Flush 0 holds files a and b (5 records, past 4), flush 1 file c.
    assert got == {
        3: [("g00001_0000.arrow", [0, 2]), ("g00001_0001.arrow", [21])],
        4: [("g00001_0000.arrow", [10, 11]), ("g00001_0001.arrow", [22])],
        5: [("g00001_0000.arrow", [1]), ("g00001_0001.arrow", [20])],
    }

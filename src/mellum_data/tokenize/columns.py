"""Arrow columns of the shard sidecar, built from buffers.

Any ``pa.array`` / ``pa.table`` call on Python or numpy data makes pyarrow try to import
pandas (to recognise its types), about 0.4 s of CPU in every worker process that did not
inherit it. The sidecar's columns are strings, integers and integer arrays, which are simple
to lay out directly (Arrow's columnar format: validity bitmap, offsets, values); any other
value type falls back to ``pa.array``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def _validity(present: np.ndarray) -> pa.Buffer | None:
    if present.all():
        return None
    return pa.py_buffer(np.packbits(present, bitorder="little"))


def _offsets(lengths: np.ndarray) -> pa.Buffer:
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] > np.iinfo(np.int32).max:
        raise ValueError("sidecar column over 2 GiB")
    return pa.py_buffer(offsets.astype(np.int32))


def strings(values: list[str | None]) -> pa.Array:
    present = np.fromiter((v is not None for v in values), bool, len(values))
    encoded = [v.encode() if v is not None else b"" for v in values]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    buffers = [_validity(present), _offsets(lengths), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def integers(values: list[int | None]) -> pa.Array:
    present = np.fromiter((v is not None for v in values), bool, len(values))
    data = np.fromiter((v if v is not None else 0 for v in values), np.int64, len(values))
    return pa.Array.from_buffers(pa.int64(), len(values), [_validity(present), pa.py_buffer(data)])


def int_lists(values: list[np.ndarray]) -> pa.Array:
    """A ``list<int32>`` column from 1-D int32 arrays (no nulls)."""
    lengths = np.fromiter(map(len, values), np.int64, len(values))
    flat = np.concatenate(values) if values else np.zeros(0, np.int32)
    items = pa.Array.from_buffers(pa.int32(), flat.size, [None, pa.py_buffer(flat)])
    return pa.Array.from_buffers(
        pa.list_(pa.int32()), len(values), [None, _offsets(lengths)], children=[items]
    )


def column(values: list[Any]) -> pa.Array:
    """An Arrow array of ``values``, the type ``pa.array`` would infer: strings, integers,
    int32 arrays, or all None without pandas; anything else through ``pa.array``."""
    kinds = {type(v) for v in values} - {type(None)}
    if not kinds:
        return pa.nulls(len(values))
    if kinds == {str}:
        return strings(values)
    if kinds == {int}:  # bool is a type of its own here
        return integers(values)
    if kinds == {np.ndarray} and all(v.ndim == 1 and v.dtype == np.int32 for v in values):
        return int_lists(values)
    return pa.array(values)


def table(rows: dict[str, list[Any]]) -> pa.Table:
    return pa.Table.from_arrays([column(v) for v in rows.values()], names=list(rows))

"""Arrow arrays to and from numpy through their buffers, without pandas.

pyarrow converts between numpy or Python values and Arrow through its pandas layer:
``Array.to_numpy``, ``pa.array``, ``pa.scalar`` (and so any compute function given a Python
value) import pandas first, about 0.25 s of CPU in a process that has not yet, an eighth of
emitting a 160 MB mixture. The emitter's columns are integers, booleans and strings, simple
to view or lay out directly (Arrow's columnar format: validity bitmap, then values).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from mellum_data.tokenize.columns import strings

_NUMPY = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
    pa.float32(): np.float32,
    pa.float64(): np.float64,
}


def _bits(buffer: pa.Buffer | None, offset: int, n: int) -> np.ndarray:
    if buffer is None or not n:
        return np.zeros(n, dtype=bool)
    packed = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(packed, count=offset + n, bitorder="little")[offset:].view(bool)


def to_numpy(column: pa.Array | pa.ChunkedArray, fill: int | bool | None = None) -> np.ndarray:
    """An integer, float or boolean column as numpy (a read-only view of integers and floats
    in one chunk); nulls become ``fill``, and without a ``fill`` are an error."""
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    n, offset = len(column), column.offset
    validity, data = column.buffers()[:2]
    if pa.types.is_boolean(column.type):
        values = _bits(data, offset, n)
    else:
        dtype = np.dtype(_NUMPY[column.type])
        values = (
            np.frombuffer(data, dtype=dtype, count=n, offset=offset * dtype.itemsize)
            if n
            else np.zeros(0, dtype)
        )
    if column.null_count:
        if fill is None:
            raise ValueError(f"a {column.type} column with {column.null_count} nulls")
        values = np.where(_bits(validity, offset, n), values, fill).astype(values.dtype)
    return values


def from_numpy(values: np.ndarray) -> pa.Array:
    """A 1-D numeric or boolean numpy array as an Arrow array without nulls (integers and
    floats share the array's memory)."""
    values = np.ascontiguousarray(values)
    if values.ndim != 1:
        raise ValueError(f"a 1-D array, not {values.ndim}-D")
    if values.dtype == bool:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), values.size, [None, data])
    kind = pa.from_numpy_dtype(values.dtype)
    if kind not in _NUMPY:
        raise TypeError(f"no buffer layout here for {values.dtype}")
    return pa.Array.from_buffers(kind, values.size, [None, pa.py_buffer(values)])


def string_scalar(value: str) -> pa.Scalar:
    """An Arrow string scalar (for compute functions, which would convert a Python one)."""
    return strings([value])[0]


__all__ = ["from_numpy", "string_scalar", "strings", "to_numpy"]

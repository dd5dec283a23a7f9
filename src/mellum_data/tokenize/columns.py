"""Arrow columns built from buffers: the shard sidecar's, and the stages' document batches.

Any ``pa.array`` / ``pa.table`` / ``RecordBatch.from_pylist`` call on Python or numpy data
makes pyarrow try to import pandas (to recognise its types), about 0.4 s of CPU in every
worker process that did not inherit it. The columns here are strings, numbers, booleans and
lists and structs of them, which are simple to lay out directly (Arrow's columnar format:
validity bitmap, offsets, values); any other value type falls back to ``pa.array``. The
other way, ``to_numpy`` views numeric and boolean columns as numpy (``Array.to_numpy``
imports pandas too), and ``from_numpy`` lays numpy arrays out as Arrow.
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


def _present(values: list[Any]) -> np.ndarray:
    return np.fromiter((v is not None for v in values), bool, len(values))


def _numbers(values: list[Any], dtype: pa.DataType) -> pa.Array:
    """A numeric column of the ``_NUMPY`` types (None for null)."""
    data = np.fromiter((0 if v is None else v for v in values), _NUMPY[dtype], len(values))
    buffers = [_validity(_present(values)), pa.py_buffer(data)]
    return pa.Array.from_buffers(dtype, len(values), buffers)


def strings(values: list[str | None]) -> pa.Array:
    encoded = [v.encode() if v is not None else b"" for v in values]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    buffers = [_validity(_present(values)), _offsets(lengths), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def integers(values: list[int | None]) -> pa.Array:
    return _numbers(values, pa.int64())


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


def _bools(values: list[Any]) -> pa.Array:
    truth = np.fromiter((v is True for v in values), bool, len(values))
    bits = pa.py_buffer(np.packbits(truth, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [_validity(_present(values)), bits])


def _lists(values: list[Any], dtype: pa.DataType) -> pa.Array:
    items = [v if v is not None else () for v in values]
    lengths = np.fromiter(map(len, items), np.int64, len(items))
    flat = [x for item in items for x in item]
    child = typed_column(flat, dtype.value_type)
    buffers = [_validity(_present(values)), _offsets(lengths)]
    return pa.Array.from_buffers(dtype, len(values), buffers, children=[child])


def _structs(values: list[Any], dtype: pa.StructType) -> pa.Array:
    rows = [v if v is not None else {} for v in values]
    children = [typed_column([row.get(f.name) for row in rows], f.type) for f in dtype]
    buffers = [_validity(_present(values))]
    return pa.Array.from_buffers(dtype, len(values), buffers, children=children)


def typed_column(values: list[Any], dtype: pa.DataType) -> pa.Array:
    """``pa.array(values, type=dtype)`` for rows of documents (strings, numbers, lists and
    structs of them, None for null or missing) without the pandas import; a value that is
    not of the column's plain Python type (e.g. a string in a number column) goes through
    ``pa.array`` itself, which converts or raises exactly as it would have."""
    kinds = {type(v) for v in values} - {type(None)}
    if not kinds and not pa.types.is_struct(dtype):
        return pa.nulls(len(values), dtype)
    if dtype == pa.string() and kinds <= {str}:
        return strings(values)
    if dtype == pa.float64() and kinds <= {float, int}:
        return _numbers(values, dtype)
    if pa.types.is_integer(dtype) and kinds <= {int}:
        try:
            return _numbers(values, dtype)
        except OverflowError:
            pass  # pa.array raises its own error for the value that does not fit
    if dtype == pa.bool_() and kinds <= {bool}:
        return _bools(values)
    if pa.types.is_list(dtype) and kinds <= {list, tuple}:
        return _lists(values, dtype)
    if pa.types.is_struct(dtype) and kinds <= {dict}:
        return _structs(values, dtype)
    return pa.array(values, type=dtype)


def record_batch(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    """``pa.RecordBatch.from_pylist(rows, schema=schema)`` through ``typed_column``."""
    columns = [typed_column([row.get(f.name) for row in rows], f.type) for f in schema]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


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

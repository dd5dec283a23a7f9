"""Arrow to and from numpy through buffers: what pyarrow's own conversions give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mellum_data.tokenize.columns import from_numpy, string_scalar, to_numpy


@pytest.mark.parametrize(
    "dtype", [np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint64, np.float64]
)
def test_numbers_round_trip(dtype) -> None:
    values = np.arange(-3, 20).astype(dtype)
    arrow = from_numpy(values)
    assert arrow.equals(pa.array(values))
    assert to_numpy(arrow).dtype == values.dtype
    assert np.array_equal(to_numpy(arrow), values)
    # Slices start past the buffer's first value; chunked columns are combined.
    assert np.array_equal(to_numpy(arrow.slice(5, 7)), values[5:12])
    chunked = pa.chunked_array([arrow.slice(0, 4), arrow.slice(4)])
    assert np.array_equal(to_numpy(chunked), values)
    assert to_numpy(pa.chunked_array([], pa.int32())).size == 0


def test_booleans_and_nulls() -> None:
    flags = np.array([True, False, True, True, False, False, True, False, True, True])
    assert from_numpy(flags).equals(pa.array(flags))
    assert np.array_equal(to_numpy(from_numpy(flags).slice(3, 6)), flags[3:9])
    with_nulls = pa.array([True, None, False, None, True, True, None, False, True])
    assert to_numpy(with_nulls.slice(1), fill=False).tolist() == [
        False, False, False, True, True, False, False, True
    ]  # fmt: skip
    ints = pa.array([4, None, 6, None])
    assert to_numpy(ints, fill=1).tolist() == [4, 1, 6, 1]
    with pytest.raises(ValueError, match="2 nulls"):
        to_numpy(ints)
    with pytest.raises(ValueError, match="1-D"):
        from_numpy(np.zeros((2, 2)))


def test_string_scalar() -> None:
    assert string_scalar("code") == pa.scalar("code")

"""Checksums of shard files that say where a damaged file differs: to the byte when one byte
changed, to the 1 MiB block otherwise.

Every file is cut into blocks of ``BLOCK_BYTES``. For each block a manifest keeps three
numbers: its CRC-32, the sum of its bytes, and the sum of each byte times its 1-based position
in the block. A CRC says *that* a block changed; the two sums say *where* when one byte
changed: if byte ``i`` changed by ``d`` (new minus old), the plain sum moves by ``d`` and the
weighted sum by ``(i + 1) * d``, so ``i = Δweighted / Δsum - 1`` and the old value is
``new - d``. The candidate is confirmed by putting the old value back and recomputing the CRC
(a false match needs a CRC-32 collision); when several bytes changed, that fails and only the
block is known. Both sums are exact integers (below 2**48 for a 1 MiB block).

Cost: three integers per MiB in the manifest, and about 3 ms of CPU per MiB written (CRC,
two sums, sha256; a few ns per token next to ~2 µs to tokenize one), in the pass that writes
the data. Verifying needs only the CRC and sha256; the sums are computed for a bad block.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO

import numpy as np

BLOCK_BYTES = 1 << 20


# Both sums come from one view of the block as rows of ``_ROW`` bytes: per-row sums and
# per-column sums in numpy's own uint32 loops (no float BLAS, which would start a thread pool
# next to busy tokenizer workers), then ``sum((r * _ROW + c + 1) * a[r, c])`` is
# ``_ROW * Σ r * row_r + Σ (c + 1) * col_c``. About 1 ms per MiB, less than half of a
# widening dot product.
_ROW = 1024


@cache
def _weights() -> np.ndarray:
    return np.arange(1, BLOCK_BYTES + 1, dtype=np.int64)


@cache
def _row_weights() -> tuple[np.ndarray, np.ndarray]:
    return np.arange(BLOCK_BYTES // _ROW, dtype=np.int64), np.arange(1, _ROW + 1, dtype=np.int64)


def _sums(a: np.ndarray) -> tuple[int, int]:
    """``(Σ a_i, Σ (i + 1) * a_i)`` of a uint8 array of at most ``BLOCK_BYTES``."""
    rows_n = a.size // _ROW
    head = a[: rows_n * _ROW].reshape(rows_n, _ROW)
    rows = head.sum(axis=1, dtype=np.uint32).astype(np.int64)  # at most 255 * 1024 each
    cols = head.sum(axis=0, dtype=np.uint32).astype(np.int64)  # at most 255 * 1024 each
    r, c = _row_weights()
    total = int(rows.sum())
    weighted = _ROW * int(np.dot(r[:rows_n], rows)) + int(np.dot(c, cols))
    tail = a[rows_n * _ROW :].astype(np.int64)
    if tail.size:
        total += int(tail.sum())
        weighted += int(np.dot(tail, _weights()[rows_n * _ROW : a.size]))
    return total, weighted


def _weighted_sum(a: np.ndarray) -> int:
    return _sums(a)[1]


def block_check(data: bytes | bytearray | memoryview) -> list[int]:
    """``[crc32, byte sum, position-weighted byte sum]`` of one block (at most 1 MiB)."""
    a = np.frombuffer(data, dtype=np.uint8)
    if a.size > BLOCK_BYTES:
        raise ValueError(f"a block holds at most {BLOCK_BYTES} bytes, got {a.size}")
    return [zlib.crc32(data), *_sums(a)]


class FileChecks:
    """sha256, size and per-block checks of a byte stream fed in pieces of any size."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.blocks: list[list[int]] = []
        self._pending = bytearray()

    def update(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        self._sha.update(view)
        self.size += len(view)
        if self._pending:
            take = min(len(view), BLOCK_BYTES - len(self._pending))
            self._pending += view[:take]
            view = view[take:]
            if len(self._pending) == BLOCK_BYTES:
                self.blocks.append(block_check(self._pending))
                self._pending = bytearray()
        while len(view) >= BLOCK_BYTES:
            self.blocks.append(block_check(view[:BLOCK_BYTES]))
            view = view[BLOCK_BYTES:]
        self._pending += view

    def finish(self) -> FileChecks:
        if self._pending:
            self.blocks.append(block_check(self._pending))
            self._pending = bytearray()
        return self

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()


def read_block(fh: BinaryIO, n: int = BLOCK_BYTES) -> bytes:
    """The next ``n`` bytes of ``fh`` (fewer only at its end): remote files may read short."""
    data = fh.read(n)
    while data and len(data) < n:
        more = fh.read(n - len(data))
        if not more:
            break
        data += more
    return data


def file_checks(data: bytes) -> FileChecks:
    checks = FileChecks()
    checks.update(data)
    return checks.finish()


@dataclass(frozen=True)
class BadByte:
    offset: int  # in the file
    now: int
    was: int


def locate_byte(block: bytes, expected: list[int], start: int) -> BadByte | None:
    """The one changed byte of ``block`` (which starts at file offset ``start``), or None when
    the change is not a single byte. ``expected`` is the block's ``block_check`` when written."""
    crc, s0, s1 = expected
    a = np.frombuffer(block, dtype=np.uint8)
    d0 = int(a.sum(dtype=np.int64)) - s0
    d1 = _weighted_sum(a) - s1
    if d0 == 0 or d1 % d0:
        return None
    i = d1 // d0 - 1
    if not 0 <= i < a.size or not 0 <= int(a[i]) - d0 <= 255:
        return None
    fixed = bytearray(block)
    fixed[i] = int(a[i]) - d0
    if zlib.crc32(fixed) != crc:
        return None
    return BadByte(offset=start + i, now=int(a[i]), was=fixed[i])

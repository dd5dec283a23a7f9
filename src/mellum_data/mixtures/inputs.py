"""Reading document tokens from input shards by offset, many documents at a time."""

from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np
from datatrove.io import get_datafolder

from mellum_data.errors import InputError
from mellum_data.tokenize.manifest import TokenizerInfo
from mellum_data.tokenize.shards import ShardReader, dtype_for

# On object stores, reads of one input shard closer than this are merged into one request
# (locally only touching ones are, so that no byte is read that is not written).
MERGE_GAP_BYTES = 1 << 20
MAX_READ_BYTES = 1 << 24
OPEN_FILES = 128


class InputTokens:
    """Reads document tokens from the input shards by offset: ``pread`` on local files (no
    memory map, so reading never grows the resident set), ranged reads elsewhere."""

    def __init__(self, paths: list[str], info: TokenizerInfo) -> None:
        self.paths, self.info = paths, info
        self.dtype = dtype_for(info.token_size)
        self._open: OrderedDict[int, object] = OrderedDict()
        self._remote = np.array([not get_datafolder(p.rsplit("/", 1)[0]).is_local() for p in paths])

    def _handle(self, i: int) -> object:
        if i in self._open:
            self._open.move_to_end(i)
            return self._open[i]
        reader = ShardReader(
            self.paths[i], expect_tokenizer_id=self.info.id, expect_token_size=self.info.token_size
        )
        if reader.folder.is_local():
            handle: object = os.open(reader.folder._join(f"{reader.name}.ds"), os.O_RDONLY)
        else:
            handle = reader.folder.open(f"{reader.name}.ds", "rb", cache_type="none")
        self._open[i] = handle
        if len(self._open) > OPEN_FILES:
            self._close(self._open.popitem(last=False)[1])
        return handle

    def _read(self, i: int, start: int, size: int) -> bytes:
        handle = self._handle(i)
        if isinstance(handle, int):
            data = os.pread(handle, size, start)
        else:
            handle.seek(start)  # type: ignore[attr-defined]
            data = handle.read(size)  # type: ignore[attr-defined]
        if len(data) != size:
            raise InputError(f"{self.paths[i]}: ends before byte {start + size}")
        return data

    def read(self, inputs: np.ndarray, offsets: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
        """The tokens of each document, in the given order. Documents of one input shard are
        read in file order; on object stores, nearby ones in one request."""
        width = self.info.token_size
        order = np.lexsort((offsets, inputs))
        inp = inputs[order]
        start = offsets[order].astype(np.int64) * width
        end = start + counts[order].astype(np.int64) * width
        gap = np.where(self._remote[inp], MERGE_GAP_BYTES, 0)
        new = np.ones(inp.size, dtype=bool)
        new[1:] = (inp[1:] != inp[:-1]) | (start[1:] - end[:-1] > gap[1:])
        group = np.cumsum(new) - 1
        first = np.flatnonzero(new)
        # Split groups that would make one read too large.
        new |= np.diff((end - start[first][group]) // MAX_READ_BYTES, prepend=-1) != 0
        first = np.flatnonzero(new)
        last = np.append(first[1:], inp.size)
        out: list[np.ndarray] = [np.zeros(0, self.dtype)] * inp.size
        starts, ends, inps, order = start.tolist(), end.tolist(), inp.tolist(), order.tolist()
        for a, b in zip(first.tolist(), last.tolist(), strict=True):
            # Sorted by start, documents are disjoint or the same: the last ends last.
            lo, hi = starts[a], ends[b - 1]
            data = np.frombuffer(self._read(inps[a], lo, hi - lo), dtype=self.dtype)
            if b - a == 1:
                out[order[a]] = data
                continue
            for k in range(a, b):
                s = (starts[k] - lo) // width
                out[order[k]] = data[s : s + (ends[k] - starts[k]) // width]
        return out

    @staticmethod
    def _close(handle: object) -> None:
        if isinstance(handle, int):
            os.close(handle)
        else:
            handle.close()  # type: ignore[attr-defined]

    def close(self) -> None:
        for handle in self._open.values():
            self._close(handle)
        self._open.clear()

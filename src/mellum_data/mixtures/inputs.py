"""Reading document tokens from input shards by offset, many documents at a time."""

from __future__ import annotations

import os
import resource
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
# Input shards kept open at once (least recently used closed first), within the process's
# limit of open files. A window of documents opens each input shard it reads that is not
# among them: with many more input shards than this, about one open per document read
# (larger tokenized shards, or a higher limit of open files, keep that down).
OPEN_FILES = max(16, min(1024, resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 4))


class InputTokens:
    """Reads document tokens from the input shards by offset: ``pread`` on local files (no
    memory map, so reading never grows the resident set), ranged reads elsewhere. A shard's
    metadata (tokenizer, token size, size) is checked the first time it is read; its handle
    stays open while it is among the ``OPEN_FILES`` shards used last."""

    def __init__(self, paths: list[str], info: TokenizerInfo) -> None:
        self.paths, self.info = paths, info
        self.dtype = dtype_for(info.token_size)
        self._open: OrderedDict[int, object] = OrderedDict()
        self._checked: dict[int, ShardReader] = {}
        self._remote = np.array([not get_datafolder(p.rsplit("/", 1)[0]).is_local() for p in paths])

    def _handle(self, i: int) -> object:
        if i in self._open:
            self._open.move_to_end(i)
            return self._open[i]
        reader = self._checked.get(i)
        if reader is None:
            reader = self._checked[i] = ShardReader(
                self.paths[i],
                expect_tokenizer_id=self.info.id,
                expect_token_size=self.info.token_size,
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

    def read_into(
        self,
        out: np.ndarray,
        at: np.ndarray,
        inputs: np.ndarray,
        offsets: np.ndarray,
        counts: np.ndarray,
    ) -> None:
        """Reads each document's tokens to ``out[at[i]:]``. Documents of one input shard are
        read in file order, each straight into its place (``preadv``) for local files; on
        object stores nearby ones are fetched in one request."""
        width = self.info.token_size
        counts = np.asarray(counts, dtype=np.int64)
        if not counts.size:
            return
        order = np.lexsort((offsets, inputs))
        dest = np.asarray(at, dtype=np.int64)[order] * width
        inp = np.asarray(inputs)[order]
        start = np.asarray(offsets)[order].astype(np.int64) * width
        size = counts[order] * width
        view = memoryview(out).cast("B")
        remote = self._remote[inp]
        if not remote.any():
            self._read_local(view, inp, start, size, dest)
            return
        local = np.flatnonzero(~remote)
        self._read_local(view, inp[local], start[local], size[local], dest[local])
        far = np.flatnonzero(remote)
        self._read_remote(view, inp[far], start[far], size[far], dest[far])

    def _read_local(
        self,
        view: memoryview,
        inp: np.ndarray,
        start: np.ndarray,
        size: np.ndarray,
        dest: np.ndarray,
    ) -> None:
        # Sorted by input shard, so each shard's handle is looked up once (and stays open
        # while its documents are read).
        current, fd = -1, -1
        for i, lo, n, at in zip(
            inp.tolist(), start.tolist(), size.tolist(), dest.tolist(), strict=True
        ):
            if i != current:
                current, fd = i, self._handle(i)  # type: ignore[assignment]
            if os.preadv(fd, [view[at : at + n]], lo) != n:
                raise InputError(f"{self.paths[i]}: ends before byte {lo + n}")

    def _read_remote(
        self,
        view: memoryview,
        inp: np.ndarray,
        start: np.ndarray,
        size: np.ndarray,
        dest: np.ndarray,
    ) -> None:
        end = start + size
        new = np.ones(inp.size, dtype=bool)
        new[1:] = (inp[1:] != inp[:-1]) | (start[1:] - end[:-1] > MERGE_GAP_BYTES)
        group = np.cumsum(new) - 1
        first = np.flatnonzero(new)
        # Split groups that would make one read too large.
        new |= np.diff((end - start[first][group]) // MAX_READ_BYTES, prepend=-1) != 0
        first = np.flatnonzero(new)
        last = np.append(first[1:], inp.size)
        starts, ends, inps, dests = start.tolist(), end.tolist(), inp.tolist(), dest.tolist()
        for a, b in zip(first.tolist(), last.tolist(), strict=True):
            # Sorted by start, documents are disjoint or the same: the last ends last.
            lo, hi = starts[a], ends[b - 1]
            data = self._read(inps[a], lo, hi - lo)
            for k in range(a, b):
                s = starts[k] - lo
                view[dests[k] : dests[k] + ends[k] - starts[k]] = data[s : s + ends[k] - starts[k]]

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

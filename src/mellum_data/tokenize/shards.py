"""The token shard format: the one contract that tokenization, mixing, stats and training share.

A shard named ``NAME`` is four files in one folder (local or ``s3://``):

``NAME.ds``
    Token ids, little-endian ``uint16`` (vocabularies up to 65,536) or ``uint32``, documents
    concatenated. Byte-identical to datatrove's ``DocumentTokenizer`` output, so datatrove's
    ``DatatroveFolderDataset`` and nanotron read it.
``NAME.ds.index``
    ``uint64`` little-endian end offset (in tokens, exclusive) of each document (datatrove's).
``NAME.ds.metadata``
    Text, datatrove's layout: ``<tokenizer>|<token size>`` then the token count and a
    human-readable count. ``<tokenizer>`` is ``<name>@<identity>``, where the identity is the
    content hash of ``tokenizer.json`` (see ``tokenizer.tokenizer_identity``).
``NAME.ds.docs.parquet``
    One row per document, in order: ``id``, ``source``, ``quality_tier``, ``tokens``,
    ``offset`` (in tokens) plus optional extra columns (e.g. ``fim_points``). Mixing selects
    documents from this table without reading token data.

``ShardWriter`` streams tokens to a temporary file and renames all four files into place on
``close`` (data files first, the metadata last, so a shard with metadata is complete). Its
``ShardInfo`` records each file's size, sha256 and block checks (``integrity``), so that
``verify.verify_shard`` can name the first bad byte. ``ShardReader`` checks the tokenizer
identity and token width before it maps the tokens.

Memory of a writer: one 1 MiB write buffer, 8 bytes per document for the index, and the
sidecar rows as Arrow columns (about the id's length plus 40 bytes and 4 per FIM point per
document), so a task's working set grows with its shard size, never with the corpus. A
``background`` writer also holds up to ``PENDING_WRITES`` batches of tokens not yet written.
"""

from __future__ import annotations

import io
import os
import uuid
from array import array
from collections import deque
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.io import DataFolder, DataFolderLike

from mellum_data.errors import InputError
from mellum_data.io import PARQUET_THREADS, atomic_write_bytes, folder
from mellum_data.tokenize.columns import column as sidecar_column
from mellum_data.tokenize.columns import from_numpy
from mellum_data.tokenize.columns import table as sidecar_table
from mellum_data.tokenize.integrity import BLOCK_BYTES, FileChecks, file_checks

SUFFIXES = (".ds", ".ds.index", ".ds.docs.parquet", ".ds.metadata")
# Sidecar rows become an Arrow table every this many documents (compact, and each chunk's
# column types are unified at close, so a column that starts as all-null is no problem).
SIDECAR_CHUNK = 8192
# With ``background``: at most this many of a writer's writes wait for the helper thread;
# past it the caller waits, so a slow disk holds back the caller, not more memory.
PENDING_WRITES = 2
# The process's one helper thread for background writers, and the process that made it.
_HELPER: tuple[int, ThreadPoolExecutor] | None = None
# BLOCK_BYTES lives in ``integrity``; it is re-exported here, where shard readers look for it.
__all__ = [
    "BLOCK_BYTES",
    "SUFFIXES",
    "ShardInfo",
    "ShardReader",
    "ShardWriter",
    "dtype_for",
    "list_shards",
    "parse_metadata",
    "token_size_for",
]


def _helper() -> ThreadPoolExecutor:
    """The helper thread of background writers: one per process, shared (each writer's tasks
    still run in the order queued), so that a task writing many shards starts one thread, not
    one per shard with its own allocator heaps. A forked child, which has no threads, makes
    its own."""
    global _HELPER
    if _HELPER is None or _HELPER[0] != os.getpid():
        _HELPER = (os.getpid(), ThreadPoolExecutor(1, "shard-writer"))
    return _HELPER[1]


def token_size_for(vocab_size: int) -> int:
    """Bytes per token, by datatrove's rule: 2 while ids fit in uint16, else 4."""
    return 4 if vocab_size > np.iinfo(np.uint16).max + 1 else 2


def dtype_for(token_size: int) -> np.dtype:
    if token_size not in (2, 4):
        raise ValueError(f"token size must be 2 or 4 bytes, got {token_size}")
    return np.dtype("<u2") if token_size == 2 else np.dtype("<u4")


@dataclass
class ShardInfo:
    """What a manifest records about one shard; ``path`` is relative to the manifest."""

    path: str
    tokens: int
    documents: int
    bytes: int
    sha256: dict[str, str] = field(default_factory=dict)
    # CRC-32 of each 1 MiB block of the ``.ds`` file (also the first number of blocks[".ds"];
    # kept for manifests written before ``blocks`` existed).
    block_crc32: list[int] = field(default_factory=list)
    # Per file suffix: its size in bytes, and [crc32, byte sum, weighted byte sum] per block.
    sizes: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, list[list[int]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShardInfo:
        return cls(**data)


class ShardWriter:
    """Writes one shard. Call ``add`` per document, then ``close`` (or use as a context manager).

    With ``background``, the token file's writes and checks (sha256, CRC, sums: all release
    the GIL) run on a helper thread while the caller prepares the next batch; the caller must
    then leave the token arrays given to ``add_batch`` unchanged (the writer holds them until
    written, at most ``PENDING_WRITES`` batches). The shard is the same either way.
    """

    def __init__(
        self,
        out: DataFolderLike,
        name: str,
        *,
        token_size: int,
        tokenizer_id: str,
        tokenizer_name: str = "tokenizer",
        background: bool = False,
    ) -> None:
        self.out: DataFolder = folder(out)
        self.name = name
        self.dtype = dtype_for(token_size)
        self.token_size = token_size
        self.tokenizer_label = f"{tokenizer_name}@{tokenizer_id}"
        self._tmp = f"{name}.ds.tmp-{uuid.uuid4().hex[:8]}"
        self._f = self.out.open(self._tmp, "wb")
        self._buf = bytearray()
        self._checks = FileChecks()
        self._pool = _helper() if background else None
        self._pending: deque[Future[None]] = deque()
        self._ends = array("Q")
        self._tables: list[pa.Table] = []
        self._rows: dict[str, list[Any]] = _empty_rows()
        self._extra_keys: list[str] | None = None
        self._extra_set: set[str] | None = None  # the same keys, for a cheap check per add
        self.num_tokens = 0
        self.closed = False

    def add(
        self,
        tokens: np.ndarray | list[int],
        *,
        id: str,
        source: str,
        quality_tier: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        arr = np.asarray(tokens)
        if arr.dtype != self.dtype:
            if arr.size and int(arr.max()) > np.iinfo(self.dtype).max:
                raise ValueError(
                    f"token id {int(arr.max())} does not fit in {self.token_size} bytes"
                )
            arr = arr.astype(self.dtype)
        self._buf += arr.data if arr.flags.c_contiguous else arr.tobytes()
        if len(self._buf) >= BLOCK_BYTES:
            self._flush()
        rows = self._rows
        rows["id"].append(id)
        rows["source"].append(source)
        rows["quality_tier"].append(quality_tier)
        rows["tokens"].append(arr.size)
        rows["offset"].append(self.num_tokens)
        extra = extra or {}
        self._expect_extra(extra.keys())
        for key in self._extra_keys:  # type: ignore[union-attr]
            rows.setdefault(key, []).append(extra[key])
        self.num_tokens += arr.size
        self._ends.append(self.num_tokens)
        if len(rows["id"]) >= SIDECAR_CHUNK:
            self._tables.append(sidecar_table(rows))
            self._rows = _empty_rows()

    def add_batch(
        self,
        tokens: np.ndarray,
        lengths: np.ndarray,
        columns: dict[str, Any],
    ) -> None:
        """Append many documents at once: ``tokens`` concatenated (in this shard's dtype),
        ``lengths`` per document, and sidecar ``columns``: ``id``, ``source``,
        ``quality_tier`` and the extra columns (Arrow arrays, numpy arrays or lists, one value
        per document). The shard is the same as ``add`` called per document with the same
        values, at a fraction of the per-document cost."""
        arr = np.ascontiguousarray(tokens)
        if arr.dtype != self.dtype:
            raise ValueError(f"tokens are {arr.dtype}, this shard stores {self.dtype}")
        lengths = np.asarray(lengths, dtype=np.int64)
        if int(lengths.sum()) != arr.size:
            raise ValueError(f"lengths add up to {int(lengths.sum())}, tokens are {arr.size}")
        self._expect_extra(columns.keys() - {"id", "source", "quality_tier"})
        extra = self._extra_keys
        if not lengths.size:
            return
        if self._rows["id"]:
            self._tables.append(sidecar_table(self._rows))
            self._rows = _empty_rows()
        ends = self.num_tokens + np.cumsum(lengths)
        table = {
            "id": columns["id"],
            "source": columns["source"],
            "quality_tier": columns.get("quality_tier", pa.nulls(lengths.size, pa.string())),
            "tokens": lengths,
            "offset": ends - lengths,
            **{k: columns[k] for k in extra},
        }
        self._tables.append(
            pa.Table.from_arrays([_arrow(v) for v in table.values()], names=list(table))
        )
        self._ends.frombytes(ends.astype("<u8").tobytes())
        self.num_tokens = int(ends[-1])
        data = memoryview(arr).cast("B")
        if self._buf:
            take = min(len(data), BLOCK_BYTES - len(self._buf))
            self._buf += data[:take]
            data = data[take:]
            if len(self._buf) >= BLOCK_BYTES:
                self._flush()
        # Whole blocks go straight to the file; only the rest is buffered.
        whole = len(data) - len(data) % BLOCK_BYTES
        if whole:
            self._write(data[:whole])
        self._buf += data[whole:]

    def _expect_extra(self, keys: AbstractSet[str]) -> None:
        """The first document fixes the extra sidecar columns; every later one must match."""
        if self._extra_set is None:
            self._extra_set, self._extra_keys = set(keys), sorted(keys)
        elif keys != self._extra_set:
            raise ValueError(f"extra columns {sorted(keys)} differ from {self._extra_keys}")

    def _flush(self) -> None:
        self._write(self._buf)
        self._buf = bytearray()  # a new one: the old one may still be waiting to be written

    def _write(self, data: bytes | bytearray | memoryview) -> None:
        if self._pool is None:
            self._write_now(data)
            return
        while len(self._pending) >= PENDING_WRITES:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write_now, data))

    def _write_now(self, data: bytes | bytearray | memoryview) -> None:
        self._f.write(data)
        self._checks.update(data)

    @property
    def num_documents(self) -> int:
        return len(self._ends)

    def close(self) -> ShardInfo:
        if self._pool is not None:
            return self.close_later().result()
        self._start_close()
        return self._finish()

    def close_later(self) -> Future[ShardInfo]:
        """With ``background``: closes the shard on the helper thread, after the writes
        queued before, while the caller goes on (say, with its next shard). The future gives
        the ``ShardInfo``, or raises what went wrong; the shard is complete once it is done."""
        if self._pool is None:
            raise RuntimeError("close_later needs a writer made with background=True")
        self._start_close()
        return self._pool.submit(self._finish)

    def _start_close(self) -> None:
        if self.closed:
            raise RuntimeError(f"shard {self.name} already closed")
        self.closed = True

    def _finish(self) -> ShardInfo:
        """The rest of ``close``: on the helper thread with ``background``, where the token
        file's writes, all queued before, are done (the first error among them is raised)."""
        for write in self._pending:
            write.result()
        self._pending.clear()
        self._write_now(self._buf)
        self._buf = bytearray()
        self._f.close()
        tokens = self._checks.finish()
        index = np.asarray(self._ends, dtype="<u8").tobytes()
        if self._rows["id"] or not self._tables:
            self._tables.append(sidecar_table(self._rows))
        table = pa.concat_tables(self._tables, promote_options="permissive")
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        sidecar = sink.getvalue()
        count = self.num_tokens
        metadata = f"{self.tokenizer_label}|{self.token_size}\n{count}\n{_human(count)}".encode()
        self.out.mv(self._tmp, f"{self.name}.ds")
        atomic_write_bytes(self.out, f"{self.name}.ds.index", index, sync=False)
        atomic_write_bytes(self.out, f"{self.name}.ds.docs.parquet", sidecar, sync=False)
        atomic_write_bytes(self.out, f"{self.name}.ds.metadata", metadata, sync=False)
        checks = {
            ".ds": tokens,
            ".ds.index": file_checks(index),
            ".ds.docs.parquet": file_checks(sidecar),
            ".ds.metadata": file_checks(metadata),
        }
        return ShardInfo(
            path=f"{self.name}.ds",
            tokens=count,
            documents=self.num_documents,
            bytes=sum(c.size for c in checks.values()),
            sha256={s: c.sha256 for s, c in checks.items()},
            block_crc32=[b[0] for b in tokens.blocks],
            sizes={s: c.size for s, c in checks.items()},
            blocks={s: c.blocks for s, c in checks.items()},
        )

    def abort(self) -> None:
        """Drop a half-written shard (e.g. after an exception)."""
        self.closed = True
        for write in self._pending:  # none may run once the file is closed
            write.cancel()
        wait(self._pending)
        self._f.close()
        if self.out.exists(self._tmp):
            self.out.rm_file(self._tmp)

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        elif not self.closed:
            self.close()


def _arrow(values: Any) -> pa.Array | pa.ChunkedArray:
    """A sidecar column as Arrow, the type ``pa.table`` would infer, without the pandas import
    that ``pa.table`` makes for numpy or Python values (see ``columns``)."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iuf":
        return from_numpy(values)
    return sidecar_column(list(values))


def _empty_rows() -> dict[str, list[Any]]:
    return {"id": [], "source": [], "quality_tier": [], "tokens": [], "offset": []}


def _human(n: int) -> str:
    for unit, div in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= div:
            return f"{n / div:.1f}{unit} tokens"
    return f"{n} tokens"


def parse_metadata(text: str) -> tuple[str, str, int, int]:
    """``(tokenizer name, tokenizer identity, token size, token count)`` from a metadata file."""
    lines = text.splitlines()
    label, _, size = lines[0].rpartition("|")
    name, _, identity = label.rpartition("@")
    return name, identity, int(size), int(lines[1])


class ShardReader:
    """Reads one shard; ``path`` is the ``.ds`` file (local or remote)."""

    def __init__(
        self,
        path: str,
        *,
        expect_tokenizer_id: str | None = None,
        expect_token_size: int | None = None,
    ) -> None:
        base, _, name = path.rstrip("/").rpartition("/")
        self.folder = folder(base or ".")
        self.name = name[:-3] if name.endswith(".ds") else name
        self.path = path
        meta_file = f"{self.name}.ds.metadata"
        if not self.folder.exists(meta_file):
            raise InputError(f"{path}: shard metadata {meta_file} missing (incomplete shard?)")
        with self.folder.open(meta_file, "rt") as f:
            try:
                self.tokenizer_name, self.tokenizer_id, self.token_size, self.num_tokens = (
                    parse_metadata(f.read())
                )
            except (ValueError, IndexError):
                raise InputError(f"{path}: unreadable shard metadata {meta_file}") from None
        if expect_tokenizer_id is not None and self.tokenizer_id != expect_tokenizer_id:
            raise InputError(
                f"{path}: tokenizer {self.tokenizer_id!r} differs from the expected "
                f"{expect_tokenizer_id!r}"
            )
        if expect_token_size is not None and self.token_size != expect_token_size:
            raise InputError(
                f"{path}: token size {self.token_size} differs from expected {expect_token_size}"
            )
        self.dtype = dtype_for(self.token_size)
        self._tokens: np.ndarray | None = None
        self._ends: np.ndarray | None = None

    @property
    def tokens(self) -> np.ndarray:
        """All tokens; memory-mapped for local files, read whole for remote ones."""
        if self._tokens is None:
            rel = f"{self.name}.ds"
            if self.folder.is_local():
                full = self.folder._join(rel)
                self._tokens = np.memmap(full, dtype=self.dtype, mode="r")
            else:
                with self.folder.open(rel, "rb") as f:
                    self._tokens = np.frombuffer(f.read(), dtype=self.dtype)
            if self._tokens.size != self.num_tokens:
                raise InputError(
                    f"{self.path}: holds {self._tokens.size} tokens, "
                    f"metadata says {self.num_tokens}"
                )
        return self._tokens

    @property
    def doc_ends(self) -> np.ndarray:
        if self._ends is None:
            with self.folder.open(f"{self.name}.ds.index", "rb") as f:
                self._ends = np.frombuffer(f.read(), dtype="<u8").astype(np.int64)
        return self._ends

    @property
    def num_documents(self) -> int:
        return int(self.doc_ends.size)

    def document(self, i: int) -> np.ndarray:
        ends = self.doc_ends
        start = int(ends[i - 1]) if i > 0 else 0
        return self.tokens[start : int(ends[i])]

    def docs(self, columns: list[str] | None = None) -> pa.Table:
        """The per-document sidecar table."""
        with self.folder.open(f"{self.name}.ds.docs.parquet", "rb") as f:
            return pq.read_table(f, columns=columns, use_threads=PARQUET_THREADS)


def list_shards(path: DataFolderLike) -> list[str]:
    """Names (without suffix) of the complete shards in a folder, recursively, sorted."""
    f = folder(path)
    return sorted(p[: -len(".ds.metadata")] for p in f.list_files(glob_pattern="**/*.ds.metadata"))

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
``close`` (data files first, the metadata last, so a shard with metadata is complete).
``ShardReader`` checks the tokenizer identity and token width before it maps the tokens.
"""

from __future__ import annotations

import io
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.io import DataFolder, DataFolderLike

from mellum_data.errors import InputError
from mellum_data.io import atomic_write_bytes, folder, full_path, sha256_of

SUFFIXES = (".ds", ".ds.index", ".ds.docs.parquet", ".ds.metadata")
# Checksums of the token file are also kept per block, so that ``verify`` can say where a
# shard is damaged rather than only that it is.
BLOCK_BYTES = 1 << 20


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
    block_crc32: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShardInfo:
        return cls(**data)


class ShardWriter:
    """Writes one shard. Call ``add`` per document, then ``close`` (or use as a context manager)."""

    def __init__(
        self,
        out: DataFolderLike,
        name: str,
        *,
        token_size: int,
        tokenizer_id: str,
        tokenizer_name: str = "tokenizer",
    ) -> None:
        self.out: DataFolder = folder(out)
        self.name = name
        self.dtype = dtype_for(token_size)
        self.token_size = token_size
        self.tokenizer_label = f"{tokenizer_name}@{tokenizer_id}"
        self._tmp = f"{name}.ds.tmp-{uuid.uuid4().hex[:8]}"
        self._f = self.out.open(self._tmp, "wb")
        self._ends: list[int] = []
        self._rows: dict[str, list[Any]] = {
            "id": [],
            "source": [],
            "quality_tier": [],
            "tokens": [],
            "offset": [],
        }
        self._extra_keys: list[str] | None = None
        self._crcs: list[int] = []
        self._crc = 0
        self._block_fill = 0
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
        if arr.size and int(arr.max()) > np.iinfo(self.dtype).max:
            raise ValueError(f"token id {int(arr.max())} does not fit in {self.token_size} bytes")
        data = arr.astype(self.dtype, copy=False).tobytes()
        self._f.write(data)
        self._update_crc(data)
        self._rows["id"].append(id)
        self._rows["source"].append(source)
        self._rows["quality_tier"].append(quality_tier)
        self._rows["tokens"].append(int(arr.size))
        self._rows["offset"].append(self.num_tokens)
        extra = extra or {}
        if self._extra_keys is None:
            self._extra_keys = sorted(extra)
            for key in self._extra_keys:
                self._rows[key] = []
        if sorted(extra) != self._extra_keys:
            raise ValueError(f"extra columns {sorted(extra)} differ from {self._extra_keys}")
        for key in self._extra_keys:
            self._rows[key].append(extra[key])
        self.num_tokens += int(arr.size)
        self._ends.append(self.num_tokens)

    def _update_crc(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            take = min(len(view), BLOCK_BYTES - self._block_fill)
            self._crc = zlib.crc32(view[:take], self._crc)
            self._block_fill += take
            view = view[take:]
            if self._block_fill == BLOCK_BYTES:
                self._crcs.append(self._crc)
                self._crc, self._block_fill = 0, 0

    @property
    def num_documents(self) -> int:
        return len(self._ends)

    def close(self) -> ShardInfo:
        if self.closed:
            raise RuntimeError(f"shard {self.name} already closed")
        self.closed = True
        self._f.close()
        if self._block_fill:
            self._crcs.append(self._crc)
        index = np.asarray(self._ends, dtype="<u8").tobytes()
        sink = io.BytesIO()
        pq.write_table(pa.table(self._rows), sink, compression="zstd")
        count = self.num_tokens
        metadata = f"{self.tokenizer_label}|{self.token_size}\n{count}\n{_human(count)}"
        self.out.mv(self._tmp, f"{self.name}.ds")
        atomic_write_bytes(self.out, f"{self.name}.ds.index", index)
        atomic_write_bytes(self.out, f"{self.name}.ds.docs.parquet", sink.getvalue())
        atomic_write_bytes(self.out, f"{self.name}.ds.metadata", metadata.encode())
        sha = {s: sha256_of(self.out, self.name + s) for s in SUFFIXES}
        size = sum(self.out.size(self.name + s) for s in SUFFIXES)
        return ShardInfo(
            path=f"{self.name}.ds",
            tokens=count,
            documents=self.num_documents,
            bytes=size,
            sha256=sha,
            block_crc32=self._crcs,
        )

    def abort(self) -> None:
        """Drop a half-written shard (e.g. after an exception)."""
        self.closed = True
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
            return pq.read_table(f, columns=columns)


def list_shards(path: DataFolderLike) -> list[str]:
    """Names (without suffix) of the complete shards in a folder, recursively, sorted."""
    f = folder(path)
    return sorted(p[: -len(".ds.metadata")] for p in f.list_files(glob_pattern="**/*.ds.metadata"))


def verify_shard(path: DataFolderLike, info: ShardInfo, *, tokenizer_id: str | None) -> None:
    """Check one shard against what its manifest recorded; raises ``InputError`` at the first
    problem, naming the file and, for token data, the byte range of the damaged block."""
    f = folder(path)
    name = info.path[:-3] if info.path.endswith(".ds") else info.path
    where = full_path(f, name)
    for suffix in SUFFIXES:
        if not f.exists(name + suffix):
            raise InputError(f"{where}{suffix}: missing")
    reader = ShardReader(full_path(f, f"{name}.ds"), expect_tokenizer_id=tokenizer_id)
    expected_bytes = info.tokens * reader.token_size
    actual = f.size(f"{name}.ds")
    if actual != expected_bytes:
        raise InputError(
            f"{where}.ds: {actual} bytes, expected {expected_bytes} ({info.tokens} tokens); "
            f"first bad byte {min(actual, expected_bytes)}"
        )
    with f.open(f"{name}.ds", "rb") as fh:
        for i, crc in enumerate(info.block_crc32):
            block = fh.read(BLOCK_BYTES)
            if zlib.crc32(block) != crc:
                start = i * BLOCK_BYTES
                raise InputError(
                    f"{where}.ds: checksum mismatch in bytes {start}..{start + len(block) - 1}"
                )
    ends = reader.doc_ends
    if ends.size != info.documents or (ends.size and int(ends[-1]) != info.tokens):
        raise InputError(f"{where}.ds.index: document bounds do not match {info.tokens} tokens")
    if ends.size and np.any(np.diff(ends) < 0):
        raise InputError(f"{where}.ds.index: document ends are not increasing")
    for suffix in SUFFIXES:
        digest = sha256_of(f, name + suffix)
        if info.sha256.get(suffix) not in (None, digest):
            raise InputError(f"{where}{suffix}: sha256 {digest[:12]}… differs from the manifest")

"""What a mixture source holds: its tokenized folders, its shards, and per document its tokens.

A source path is a tokenized source folder (with ``counts.json``, written by the tokenize
stage) or a glob matching several. Without ``select``/``exclude``/``rehydrate`` the counts are
read from ``counts.json``; otherwise, and for emitting, from the shards' sidecar tables, one
shard at a time (token counts and metadata only, never token data): memory follows the
largest shard, never the source.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from glob import has_magic

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.io import get_datafolder

from mellum_data.errors import DataError, InputError
from mellum_data.io import PARQUET_THREADS
from mellum_data.mixtures.keys import MAX_ROWS, MAX_SHARDS, make_uids
from mellum_data.mixtures.spec import SourceSpec
from mellum_data.tokenize.columns import from_numpy, string_scalar, strings, to_numpy
from mellum_data.tokenize.manifest import SOURCE_COUNTS, SourceCounts, read_source_counts


def source_folders(path: str) -> list[str]:
    """The tokenized folders behind a source path (one, or every glob match)."""
    path = path.rstrip("/")
    if not has_magic(path):
        folder = get_datafolder(path)
        if not folder.exists(SOURCE_COUNTS):
            below = sorted(p.split("/")[0] for p in folder.list_files(glob_pattern="*/counts.json"))
            hint = (
                f"; it holds tokenized sources {', '.join(below)} (use PATH/<name>)"
                if below
                else ""
            )
            raise InputError(f"{path}: no {SOURCE_COUNTS} (not a tokenized source folder){hint}")
        return [path]
    parts = path.split("/")
    cut = next(i for i, p in enumerate(parts) if has_magic(p))
    base = "/".join(parts[:cut]) or "."
    pattern = "/".join(parts[cut:]) + "/" + SOURCE_COUNTS
    found = get_datafolder(base).list_files(glob_pattern=pattern)
    if not found:
        raise InputError(f"{path}: no tokenized source folder matches")
    return [f"{base}/{p[: -len(SOURCE_COUNTS) - 1]}" for p in sorted(found)]


def source_counts(spec: SourceSpec) -> list[tuple[str, SourceCounts]]:
    return [(folder, read_source_counts(folder)) for folder in source_folders(spec.path)]


@dataclass(frozen=True)
class ShardRef:
    """One input shard of a source; ``index`` (its place in the source) is part of its
    documents' uids."""

    source: str
    index: int
    folder: str
    name: str  # NAME of NAME.ds, relative to the folder
    documents: int

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}.ds"


def source_shards(name: str, spec: SourceSpec) -> list[ShardRef]:
    refs = []
    for folder, counts in source_counts(spec):
        for info in counts.shards:
            stem = info.path[: -len(".ds")] if info.path.endswith(".ds") else info.path
            refs.append(ShardRef(name, len(refs), folder, stem, info.documents))
    if len(refs) > MAX_SHARDS:
        raise DataError(f"source {name!r}: {len(refs)} shards, at most {MAX_SHARDS} are supported")
    return refs


def data_sha256(spec: SourceSpec) -> str:
    """A hash of what the source's folders hold (their shard checksums from counts.json)."""
    listing = [
        [folder, [[s.path, s.sha256] for s in counts.shards]]
        for folder, counts in source_counts(spec)
    ]
    return hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()


@dataclass
class Block:
    """The selected documents of one shard (one entry per document) and, on request, their
    sidecar rows."""

    ref: ShardRef
    rows: np.ndarray  # int64 row in the shard's sidecar
    tokens: np.ndarray  # int64 stored tokens (with EOS, and BOS if any)
    offset: np.ndarray  # int64 first token in the shard
    is_code: np.ndarray  # bool: kind == "code" (FIM candidates)
    copies: np.ndarray  # int64 copies per epoch (rehydration; 1 without)
    meta: pa.Table | None = None

    def expand(self) -> tuple[np.ndarray, np.ndarray]:
        """(uid, document) of every copy."""
        return make_uids(self.ref.index, self.rows, self.copies)


def _strings(table: pa.Table, name: str) -> pa.ChunkedArray:
    column = table.column(name)
    # A column that is null in every row of a shard is stored with the null type.
    return column.cast(pa.string()) if pa.types.is_null(column.type) else column


def _matches(table: pa.Table, fields: dict[str, list[str]], where: str) -> np.ndarray:
    mask = np.ones(table.num_rows, dtype=bool)
    for field, values in fields.items():
        if field not in table.column_names:
            raise DataError(
                f"{where}: sidecar has no column {field!r} to select on; columns: "
                f"{', '.join(table.column_names)}"
            )
        # Case-insensitive: the code stage writes "Python", a mixture may say "python".
        wanted = strings([v.lower() for v in values])
        hit = pc.is_in(pc.utf8_lower(_strings(table, field)), value_set=wanted)
        mask &= to_numpy(hit, fill=False)
    return mask


def _any_match(table: pa.Table, fields: dict[str, list[str]], where: str) -> np.ndarray:
    mask = np.zeros(table.num_rows, dtype=bool)
    for field, values in fields.items():
        mask |= _matches(table, {field: values}, where)
    return mask


def read_block(ref: ShardRef, spec: SourceSpec, meta: tuple[str, ...] = ()) -> Block:
    """The documents of one shard that the source's ``select``/``exclude`` keep, with their
    copies per epoch and, for ``meta``, those sidecar columns that the shard has."""
    select = spec.select.fields() if spec.select else {}
    exclude = spec.exclude.fields() if spec.exclude else {}
    cluster = spec.rehydrate.column if spec.rehydrate else None
    wanted = {"tokens", "offset", "kind", *select, *exclude, *meta}
    if cluster:
        wanted.add(cluster)
    where = f"{ref.folder}/{ref.name}.ds.docs.parquet"
    folder = get_datafolder(ref.folder)
    try:
        with folder.open(f"{ref.name}.ds.docs.parquet", "rb") as f, pq.ParquetFile(f) as pf:
            present = [c for c in pf.schema_arrow.names if c in wanted]
            table = pf.read(columns=present, use_threads=PARQUET_THREADS)
    except FileNotFoundError:
        raise InputError(f"{where}: missing (listed in {SOURCE_COUNTS})") from None
    if table.num_rows > MAX_ROWS:
        raise DataError(f"{where}: {table.num_rows} documents, at most {MAX_ROWS} per shard")
    mask = _matches(table, select, where)
    if exclude:
        mask &= ~_any_match(table, exclude, where)
    rows = np.flatnonzero(mask)
    if "kind" in table.column_names:
        code = pc.equal(_strings(table, "kind"), string_scalar("code"))
        is_code = to_numpy(code, fill=False)[rows]
    else:
        is_code = np.zeros(rows.size, dtype=bool)
    if spec.rehydrate:
        if cluster in table.column_names:
            sizes = to_numpy(table.column(cluster).cast(pa.int64()), fill=1)[rows]
        else:
            sizes = np.ones(rows.size, dtype=np.int64)
        copies = spec.rehydrate.copies_for(sizes)
    else:
        copies = np.ones(rows.size, dtype=np.int64)
    present_meta = [c for c in meta if c in table.column_names]
    kept = table.select(present_meta) if meta else None
    if kept is not None and rows.size < table.num_rows:  # every row kept: no copy
        kept = kept.take(from_numpy(rows))
    return Block(
        ref=ref,
        rows=rows.astype(np.int64),
        tokens=to_numpy(table.column("tokens"))[rows].astype(np.int64),
        offset=to_numpy(table.column("offset"))[rows].astype(np.int64),
        is_code=is_code,
        copies=copies,
        meta=kept,
    )


# Sidecars of remote shards read ahead of the one being used, on as many threads: on an
# object store a read is a few requests, mostly waiting. (Local sidecars are read in turn:
# there, threads only contend for the interpreter.)
READ_AHEAD = 8


def read_blocks(
    refs: list[ShardRef], specs: list[SourceSpec], meta: tuple[str, ...] = ()
) -> Iterator[Block]:
    """``read_block(refs[i], specs[i], meta)`` of each shard, in order; remote ones up to
    ``READ_AHEAD`` ahead (on threads that end with the iteration)."""
    remote = any(not get_datafolder(f).is_local() for f in {r.folder for r in refs})
    if not remote or len(refs) < 2:
        for ref, spec in zip(refs, specs, strict=True):
            yield read_block(ref, spec, meta)
        return
    pool = ThreadPoolExecutor(READ_AHEAD, "block-reader")
    try:
        waiting: deque[Future[Block]] = deque()
        for ref, spec in zip(refs, specs, strict=True):
            waiting.append(pool.submit(read_block, ref, spec, meta))
            if len(waiting) > READ_AHEAD:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def iter_blocks(
    refs: list[ShardRef], spec: SourceSpec, meta: tuple[str, ...] = ()
) -> Iterator[Block]:
    """The blocks of one source's shards, in order (see ``read_blocks``)."""
    return read_blocks(refs, [spec] * len(refs), meta)


@dataclass
class SourceSize:
    tokens: int  # per epoch (each document times its copies)
    documents: int  # per epoch
    unique_tokens: int
    unique_documents: int


def source_size(spec: SourceSpec) -> SourceSize:
    """What one epoch of the source holds: from counts.json, or from the sidecars when the
    source selects or rehydrates documents."""
    if not spec.scans_sidecars:
        counts = [c for _, c in source_counts(spec)]
        tokens, docs = sum(c.tokens for c in counts), sum(c.documents for c in counts)
        return SourceSize(tokens, docs, tokens, docs)
    size = SourceSize(0, 0, 0, 0)
    for block in iter_blocks(source_shards("", spec), spec):
        size.tokens += int((block.tokens * block.copies).sum())
        size.documents += int(block.copies.sum())
        size.unique_tokens += int(block.tokens[block.copies > 0].sum())
        size.unique_documents += int((block.copies > 0).sum())
    return size

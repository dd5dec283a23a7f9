"""Routing: every input shard's selected documents to the phase buckets that will write them.

The phases' cuts say, per source, which document copies each phase takes (key ranges of an
epoch). A ``PhaseRouter`` task reads the sidecars of its input shards, one at a time, finds the
copies each phase takes, and gives each a *shuffle key* (a hash of the seed, the phase and the
copy). A phase's output order is the order of shuffle keys, a uniform global shuffle; its
``buckets`` are equal slices of the key range, each written by one task. A copy's record
carries what the writer needs (input shard, offset, tokens, FIM mode and the sidecar fields),
so writers never open input sidecars.

Files: ``OUTPUT/selection/<phase>/<run>/b<bucket>/<rank>_<flush>.arrow`` (an Arrow IPC stream,
zstd-compressed: about as small as parquet, and written and read ten times faster). A task
holds at most ``flush_rows`` records (about 100 bytes each, plus FIM points) before writing
them out, one file per bucket the flush reaches.

A phase of more than ``GROUPS`` buckets is routed in two steps, so that the number of files
grows with flushes times ``GROUPS``, not times buckets (Mellum 2's phase 1 has about 6,000
buckets of 1B tokens): the router writes a flush's records per *group* of consecutive
buckets (``g<group>/<rank>_<flush>.arrow``), and a ``PhaseRegrouper`` task per group reads
the group's files and writes them out per bucket (``b<bucket>/g<group>_<flush>.arrow``),
holding at most ``flush_rows`` records at a time. The writers read ``b<bucket>/`` either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from mellum_data.mixtures.keys import fim_modes, keyed, salt
from mellum_data.mixtures.select import Segment, fim_salt, order_salt
from mellum_data.mixtures.sources import Block, ShardRef, read_blocks
from mellum_data.mixtures.spec import SourceSpec
from mellum_data.tokenize.columns import from_numpy, to_numpy

META_COLUMNS = ("id", "quality_tier", "kind", "lang", "fim_points")
SCHEMA = pa.schema(
    [
        ("key", pa.uint64()),
        ("bucket", pa.int32()),
        ("source", pa.int16()),
        ("uid", pa.uint64()),
        ("epoch", pa.int32()),
        ("input", pa.int32()),
        ("offset", pa.int64()),
        ("tokens", pa.int64()),
        ("fim", pa.int8()),
        ("id", pa.string()),
        ("quality_tier", pa.string()),
        ("kind", pa.string()),
        ("lang", pa.string()),
        ("fim_points", pa.list_(pa.int32())),
    ]
)
RECORDS = "arrow"  # suffix of the routed records' files
# Past this many buckets in a phase, records are routed per group of buckets, then regrouped.
GROUPS = 256
# Records a router or regrouper task holds before writing them out (about 100 bytes each, so
# about 100 MB, twice that while a flush sorts them; fewer, larger flushes, fewer files).
FLUSH_ROWS = 1 << 20
_IPC = pa.ipc.IpcWriteOptions(compression="zstd")
_S32 = np.uint64(32)


def shuffle_salt(seed: int, phase: int, source: str, epoch: int) -> np.uint64:
    return salt(seed, "shuffle", phase, source, epoch)


def bucket_of(keys: np.ndarray, buckets: int) -> np.ndarray:
    """Equal slices of the key range, in key order (so buckets in order are keys in order)."""
    return (((keys >> _S32) * np.uint64(buckets)) >> _S32).astype(np.int32)


def bucket_dir(run: str, bucket: int) -> str:
    return f"{run}/b{bucket:05d}"


def group_dir(run: str, group: int) -> str:
    return f"{run}/g{group:05d}"


def record_dir(run: str, phase: str, directory: Callable[[str, int], str]) -> Callable[[int], str]:
    """The folder of a phase's bucket or group (by ``directory``: ``bucket_dir``, ``group_dir``)."""
    return lambda n: f"{phase}/{directory(run, n)}"


def per_group(buckets: int) -> int:
    """Buckets per routing group: 1 (no regrouping) up to ``GROUPS`` buckets."""
    return -(-buckets // GROUPS)


def read_records(folder: DataFolder, path: str) -> Iterator[pa.Table]:
    """The routed records under ``path``, file by file in name order (none if it is absent)."""
    if not folder.isdir(path):
        return
    for f in sorted(folder.list_files(path, glob_pattern=f"*.{RECORDS}")):
        with folder.open(f, "rb") as fh:
            yield pa.ipc.open_stream(fh.read()).read_all()


def write_by(
    folder: DataFolder,
    table: pa.Table,
    part: np.ndarray,
    directory: Callable[[int], str],
    name: str,
) -> int:
    """Writes the rows of ``table`` (sorted by ``part``) to one file per value of ``part``,
    ``directory(value)/name``; returns the number of files. Scratch, not atomic: a task that
    dies is rerun and rewrites the same names."""
    starts = np.flatnonzero(np.diff(part, prepend=-1))
    ends = np.append(starts[1:], part.size)
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        with (
            folder.open(f"{directory(int(part[lo]))}/{name}", "wb") as f,
            pa.ipc.new_stream(f, SCHEMA, options=_IPC) as stream,
        ):
            stream.write_table(table.slice(lo, hi - lo))
    return starts.size


def by_bucket(tables: list[pa.Table]) -> tuple[pa.Table, np.ndarray]:
    """The rows of ``tables`` sorted by bucket (stably), and their buckets."""
    table = pa.concat_tables(tables)
    table = table.take(pc.sort_indices(table, [("bucket", "ascending")]))
    return table, to_numpy(table.column("bucket"))


@dataclass
class RoutePhase:
    name: str
    index: int
    buckets: int
    fim_rate: float
    spm_share: float
    segments: dict[str, list[Segment]]  # per source

    @property
    def groups(self) -> int:
        """Routing groups (0: records go straight to their buckets)."""
        size = per_group(self.buckets)
        return 0 if size == 1 else -(-self.buckets // size)


def _column(meta: pa.Table, name: str, size: int) -> pa.Array:
    kind = SCHEMA.field(name).type
    if name not in meta.column_names:
        return pa.nulls(size, type=kind)
    column = meta.column(name)
    return column.cast(kind) if column.type != kind else column


def route_block(
    block: Block,
    *,
    input_id: int,
    source_id: int,
    seed: int,
    phases: list[RoutePhase],
) -> dict[str, pa.Table]:
    """The records of one input shard (its ``block``, read with ``META_COLUMNS``) for each
    phase that takes some of it."""
    ref = block.ref
    uid, doc = block.expand()
    keys: dict[int, np.ndarray] = {}
    out: dict[str, pa.Table] = {}
    for phase in phases:
        parts = []
        for seg in phase.segments.get(ref.source, []):
            if seg.epoch not in keys:
                keys[seg.epoch] = keyed(uid, order_salt(seed, ref.source, seg.epoch))
            sel = np.flatnonzero(seg.mask(uid, keys[seg.epoch]))
            if not sel.size:
                continue
            u, d = uid[sel], doc[sel]
            fsalt = fim_salt(seed, ref.source, phase.index, seg.epoch)
            fim = fim_modes(u, block.is_code[d], fsalt, phase.fim_rate, phase.spm_share)
            key = keyed(u, shuffle_salt(seed, phase.index, ref.source, seg.epoch))
            assert block.meta is not None
            meta = block.meta.take(from_numpy(d))
            points = _column(meta, "fim_points", sel.size)
            columns = {
                "key": key,
                "bucket": bucket_of(key, phase.buckets),
                "source": np.full(sel.size, source_id, np.int16),
                "uid": u,
                "epoch": np.full(sel.size, seg.epoch, np.int32),
                "input": np.full(sel.size, input_id, np.int32),
                "offset": block.offset[d],
                "tokens": block.tokens[d],
                "fim": fim,
                **{c: _column(meta, c, sel.size) for c in ("id", "quality_tier", "kind", "lang")},
                # FIM points only travel with the copies that become FIM examples.
                "fim_points": pc.if_else(
                    from_numpy(fim > 0), points, pa.nulls(sel.size, points.type)
                ),
            }
            arrays = [from_numpy(c) if isinstance(c, np.ndarray) else c for c in columns.values()]
            parts.append(pa.Table.from_arrays(arrays, schema=SCHEMA))
        if parts:
            out[phase.name] = pa.concat_tables(parts)
    return out


class PhaseRouter(PipelineStep):
    """Routes the input shards ``i`` with ``i % world_size == rank``."""

    name = "🔀 Phase router"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        run: str,
        inputs: list[ShardRef],
        sources: dict[str, SourceSpec],
        phases: list[RoutePhase],
        *,
        seed: int,
        flush_rows: int = FLUSH_ROWS,
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.run_id = run
        self.inputs = inputs
        self.sources = sources
        self.phases = phases
        self.seed = seed
        self.flush_rows = flush_rows

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        names = list(self.sources)
        buffer: dict[str, list[pa.Table]] = {p.name: [] for p in self.phases}
        rows, flushes = 0, 0
        mine = range(rank, len(self.inputs), world_size)
        refs = [self.inputs[i] for i in mine]
        specs = [self.sources[r.source] for r in refs]
        with closing(read_blocks(refs, specs, META_COLUMNS)) as blocks:
            for i, ref in zip(mine, refs, strict=True):
                with self.track_time(unit="shard"):
                    tables = route_block(
                        next(blocks),
                        input_id=i,
                        source_id=names.index(ref.source),
                        seed=self.seed,
                        phases=self.phases,
                    )
                for phase, table in tables.items():
                    buffer[phase].append(table)
                    rows += table.num_rows
                    self.stat_update(f"{phase}_documents", value=table.num_rows)
                if rows >= self.flush_rows:
                    self._flush(buffer, rank, flushes)
                    rows, flushes = 0, flushes + 1
        self._flush(buffer, rank, flushes)
        # The records held are Arrow memory, which the pool keeps after they are freed: give
        # it back, or the writer stage, often next in this process, would start above it.
        pa.default_memory_pool().release_unused()
        return
        yield

    def _flush(self, buffer: dict[str, list[pa.Table]], rank: int, flush: int) -> None:
        phases = {p.name: p for p in self.phases}
        for phase, tables in buffer.items():
            if not tables:
                continue
            table, bucket = by_bucket(tables)
            tables.clear()
            name = f"{rank:05d}_{flush:04d}.{RECORDS}"
            if phases[phase].groups:
                part = bucket // per_group(phases[phase].buckets)
                where = record_dir(self.run_id, phase, group_dir)
            else:
                part, where = bucket, record_dir(self.run_id, phase, bucket_dir)
            files = write_by(self.output_folder, table, part, where, name)
            self.stat_update("bucket_files", value=files)


class PhaseRegrouper(PipelineStep):
    """Splits routed groups into their buckets: the items ``k % world_size == rank``, each
    ``(phase, group)``. Reads the group's files in name order and writes each bucket's rows
    of every ``flush_rows`` records read to ``b<bucket>/g<group>_<flush>.arrow``: the same
    names on a rerun, so a task that dies is rerun without duplicates."""

    name = "🔀 Phase regrouper"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        run: str,
        items: list[tuple[str, int]],
        *,
        flush_rows: int = FLUSH_ROWS,
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.run_id = run
        self.items = items
        self.flush_rows = flush_rows

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        folder = self.output_folder
        for k in range(rank, len(self.items), world_size):
            phase, group = self.items[k]
            where = record_dir(self.run_id, phase, bucket_dir)
            held: list[pa.Table] = []
            rows, flush = 0, 0
            with self.track_time(unit="group"):
                for table in read_records(folder, f"{phase}/{group_dir(self.run_id, group)}"):
                    held.append(table)
                    rows += table.num_rows
                    if rows >= self.flush_rows:
                        self._write(held, where, group, flush)
                        held, rows, flush = [], 0, flush + 1
                if held:
                    self._write(held, where, group, flush)
            self.stat_update("groups")
        pa.default_memory_pool().release_unused()
        return
        yield

    def _write(
        self, held: list[pa.Table], where: Callable[[int], str], group: int, flush: int
    ) -> None:
        table, bucket = by_bucket(held)
        name = f"g{group:05d}_{flush:04d}.{RECORDS}"
        self.stat_update(
            "bucket_files", value=write_by(self.output_folder, table, bucket, where, name)
        )

"""The datatrove steps that write a mixture's phases from their routed buckets.

``PhaseShardWriter`` writes whole buckets: it reads a bucket's records (see ``route``), sorts
them by shuffle key, cuts them into shards of ``shard_tokens`` and copies each document's
tokens from its input shard (FIM-transformed where routed so). Shards are named
``<bucket>_<n>``, so names in order are the phase's order, and depend only on the spec, never
on the number of tasks. ``PhaseManifestWriter`` (one task) checks the shards against the cuts
and writes each phase's ``manifest.json``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from mellum_data.errors import DataError, InputError
from mellum_data.io import PARQUET_THREADS, atomic_write_json, read_json
from mellum_data.mixtures.fim_batch import fim_batch
from mellum_data.mixtures.inputs import InputTokens
from mellum_data.mixtures.keys import FIM_MODES
from mellum_data.mixtures.route import bucket_dir
from mellum_data.tokenize.fim import FIM_EXTRA_TOKENS, FimIds
from mellum_data.tokenize.manifest import (
    PhaseManifest,
    TokenizerInfo,
    subfolder,
    write_phase_manifest,
)
from mellum_data.tokenize.shards import ShardInfo, ShardWriter

# Purpose of the FIM cut-point generators (part of their seeds).
FIM_CUTS = 4
# Documents whose tokens are fetched together (sorted by place in their input shard).
WINDOW = 4096


def shards_list_name(run: str, bucket: int) -> str:
    return f"{run}/shards/{bucket:05d}.json"


def read_bucket(folder: DataFolder, path: str) -> dict[str, Any]:
    """A bucket's records in shuffle-key order (ties, practically never, by source, uid, epoch)."""
    files = sorted(folder.list_files(path, glob_pattern="*.parquet")) if folder.isdir(path) else []
    tables = []
    for f in files:
        with folder.open(f, "rb") as fh:
            tables.append(pq.read_table(fh, use_threads=PARQUET_THREADS))
    if not tables:
        return {}
    table = pa.concat_tables(tables)
    cols = {c: table.column(c) for c in table.column_names}
    order = np.lexsort(
        tuple(cols[c].to_numpy() for c in ("epoch", "uid", "source", "key"))  # last is primary
    )
    table = table.take(pa.array(order))
    # Numbers as arrays; strings and FIM points stay Arrow columns (compact) until written.
    return {
        c: table.column(c).to_numpy()
        if pa.types.is_integer(table.column(c).type)
        else table.column(c).combine_chunks()
        for c in table.column_names
    }


class PhaseShardWriter(PipelineStep):
    """Writes the buckets ``items[k]`` with ``k % world_size == rank``; an item is
    ``(phase, phase index, bucket)``."""

    name = "🧩 Phase shard writer"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        run: str,
        items: list[tuple[str, int, int]],
        inputs: list[str],
        sources: list[str],
        tokenizer: TokenizerInfo,
        *,
        seed: int,
        shard_tokens: int,
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.run_id = run
        self.items = items
        self.inputs = inputs
        self.sources = sources
        self.tokenizer = tokenizer
        self.seed = seed
        self.shard_tokens = shard_tokens

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        tokens = InputTokens(self.inputs, self.tokenizer)
        sel = subfolder(self.output_folder, "selection")
        try:
            for k in range(rank, len(self.items), world_size):
                phase, index, bucket = self.items[k]
                with self.track_time(unit="bucket"):
                    rec = read_bucket(sel, f"{phase}/{bucket_dir(self.run_id, bucket)}")
                    infos = self._write_bucket(phase, index, bucket, rec, tokens) if rec else []
                psel = subfolder(sel, phase)
                # Scratch for the manifest step, which checks it against the cut: not synced.
                atomic_write_json(
                    psel,
                    shards_list_name(self.run_id, bucket),
                    [i.to_dict() for i in infos],
                    sync=False,
                )
        finally:
            tokens.close()
        return
        yield

    def _write_bucket(
        self, phase: str, index: int, bucket: int, rec: dict, tokens: InputTokens
    ) -> list[ShardInfo]:
        emitted = rec["tokens"] + FIM_EXTRA_TOKENS * (rec["fim"] > 0)
        starts = np.cumsum(emitted) - emitted
        # A document longer than a shard would leave a gap in the numbering: renumber densely.
        _, shard = np.unique(starts // self.shard_tokens, return_inverse=True)
        bounds = np.flatnonzero(np.diff(shard, prepend=-1, append=-1))
        folder = subfolder(self.output_folder, phase)
        return [
            self._write_shard(folder, phase, index, bucket, n, rec, int(lo), int(hi), tokens)
            for n, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
        ]

    def _write_shard(
        self,
        folder: DataFolder,
        phase: str,
        index: int,
        bucket: int,
        n: int,
        rec: dict,
        lo: int,
        hi: int,
        tokens: InputTokens,
    ) -> ShardInfo:
        info = self.tokenizer
        rng = np.random.default_rng([self.seed, index, bucket, n, FIM_CUTS])
        fim_ids = FimIds.from_info(info) if (rec["fim"][lo:hi] > 0).any() else None
        modes = pa.array([None, *FIM_MODES.values()], pa.string())
        names = pa.array(self.sources, pa.string())
        with ShardWriter(
            folder,
            f"{bucket:05d}_{n:05d}",
            token_size=info.token_size,
            tokenizer_id=info.id,
            tokenizer_name=info.name,
        ) as writer:
            for w in range(lo, hi, WINDOW):
                end = min(hi, w + WINDOW)
                stored = rec["tokens"][w:end]
                flat = tokens.read_flat(rec["input"][w:end], rec["offset"][w:end], stored)
                fims = rec["fim"][w:end]
                out, lengths, _ = fim_batch(
                    flat,
                    stored,
                    fims,
                    rec["fim_points"].slice(w, end - w),
                    rng,
                    fim_ids,
                    bos_id=info.bos_id,
                    eos_id=info.eos_id,
                )
                columns = {
                    c: rec[c].slice(w, end - w) for c in ("id", "quality_tier", "kind", "lang")
                }
                columns["id"] = pc.fill_null(columns["id"], "")
                columns["source"] = names.take(pa.array(rec["source"][w:end]))
                columns["fim"] = modes.take(pa.array(fims))
                columns["epoch"] = rec["epoch"][w:end].astype(np.int64)
                writer.add_batch(out, lengths, columns)
            self.stat_update("documents", value=hi - lo)
            shard = writer.close()
        self.stat_update("tokens", value=shard.tokens)
        return shard


# Files under OUTPUT/selection/<phase>/ (see ``emitter``).
CUT, DRAFT, EMITTED = "cut.json", "draft.json", "emitted.json"
RUN = "run.json"


class PhaseManifestWriter(PipelineStep):
    """Completes each phase's manifest draft with its buckets' shards, after checking them
    against the cut's totals; then marks the phase emitted (with its hash) and drops its
    routed records."""

    name = "📜 Phase manifests"
    type = "🔢 - TOKENIZER"

    def __init__(
        self, output_folder: DataFolderLike, run: str, phases: list[tuple[str, int, str]]
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.run_id = run
        self.phases = phases  # (name, buckets, phase hash)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        sel = subfolder(self.output_folder, "selection")
        for name, buckets, sha in self.phases:
            psel = subfolder(sel, name)
            shards: list[ShardInfo] = []
            for b in range(buckets):
                rel = shards_list_name(self.run_id, b)
                if not psel.exists(rel):
                    raise InputError(f"{psel.path}/{rel}: bucket {b} of phase {name} not written")
                shards += [ShardInfo.from_dict(item) for item in read_json(psel, rel)]
            manifest = PhaseManifest.from_dict(read_json(psel, DRAFT))
            got = (sum(s.tokens for s in shards), sum(s.documents for s in shards))
            if got != (manifest.tokens, manifest.documents):
                raise DataError(
                    f"{psel.path}: phase {name} has {got[0]} tokens in {got[1]} documents, its "
                    f"cut {manifest.tokens} in {manifest.documents} (routed files from another "
                    "run? rerun with --force)"
                )
            manifest.shards = shards
            write_phase_manifest(subfolder(self.output_folder, name), manifest)
            atomic_write_json(psel, EMITTED, {"sha256": sha})
            psel.rm(self.run_id, recursive=True)
            self.stat_update("phases")
        if sel.exists(RUN):
            atomic_write_json(sel, RUN, {**read_json(sel, RUN), "finished": True})
        return
        yield

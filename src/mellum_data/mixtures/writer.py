"""The datatrove steps that write a mixture's phases from their routed buckets.

``PhaseShardWriter`` writes whole buckets: it reads a bucket's records (see ``route``), sorts
them by shuffle key, cuts them into shards of ``shard_tokens`` and copies each document's
tokens from its input shard (FIM-transformed where routed so). Shards are named
``<bucket>_<n>``, so names in order are the phase's order, and depend only on the spec, never
on the number of tasks. Writing a shard's tokens, their checksums and the closing of a shard
run on a helper thread (``ShardWriter(background=True)``), overlapping the reads and FIM
layout of the next documents. ``PhaseManifestWriter`` (one task) checks the shards against
the cuts and writes each phase's ``manifest.json``.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from mellum_data.errors import DataError, InputError
from mellum_data.io import atomic_write_json, read_json
from mellum_data.mixtures.fim_batch import fim_place
from mellum_data.mixtures.inputs import InputTokens
from mellum_data.mixtures.keys import FIM_MODES
from mellum_data.mixtures.route import bucket_dir, read_records
from mellum_data.tokenize.columns import from_numpy, string_scalar, strings, to_numpy
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


@dataclass
class Window:
    """The tokens of ``WINDOW`` documents of a bucket, laid out as the shard stores them:
    ``buffer[:size]`` holds each document at ``at`` (``lengths`` tokens, FIM ones three
    more). Plain documents are read straight to their place; FIM documents are read, stored,
    past ``size`` (at ``stored_at``), for ``fim_place`` to rearrange into their place."""

    buffer: np.ndarray
    size: int
    lengths: np.ndarray
    at: np.ndarray
    fim: np.ndarray  # the FIM documents (indices in the window)
    stored_at: np.ndarray

    @classmethod
    def read(cls, tokens: InputTokens, rec: dict, lo: int, hi: int) -> Window:
        stored, modes = rec["tokens"][lo:hi], rec["fim"][lo:hi]
        lengths = stored + FIM_EXTRA_TOKENS * (modes > 0)
        at = np.cumsum(lengths) - lengths
        size = int(lengths.sum())
        fim = np.flatnonzero(modes > 0)
        stored_at = size + np.cumsum(stored[fim]) - stored[fim]
        buffer = np.empty(size + int(stored[fim].sum()), dtype=tokens.dtype)
        dest = at.copy()
        dest[fim] = stored_at
        tokens.read_into(buffer, dest, rec["input"][lo:hi], rec["offset"][lo:hi], stored)
        return cls(buffer, size, lengths, at, fim, stored_at)


def shards_list_name(run: str, bucket: int) -> str:
    return f"{run}/shards/{bucket:05d}.json"


def read_bucket(folder: DataFolder, path: str) -> dict[str, Any]:
    """A bucket's records in shuffle-key order (ties, practically never, by source, uid, epoch)."""
    tables = list(read_records(folder, path))
    if not tables:
        return {}
    table = pa.concat_tables(tables)
    cols = {c: table.column(c) for c in table.column_names}
    order = np.lexsort(
        tuple(to_numpy(cols[c]) for c in ("epoch", "uid", "source", "key"))  # last is primary
    )
    table = table.take(from_numpy(order))
    # Numbers as arrays; strings and FIM points stay Arrow columns (compact) until written.
    return {
        c: to_numpy(table.column(c))
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
        # A shard's token file is written and checked, and the shard closed, on the writers'
        # helper thread (``ShardWriter(background=True)``, ``close_later``) while this thread
        # reads and lays out the next one; at most one shard closes behind the one filling
        # (see ``_write_shard``). A bucket's shard list is written once its shards are closed.
        self._closing: deque[Future[ShardInfo]] = deque()
        waiting: deque[tuple[str, int, list[Future[ShardInfo]]]] = deque()
        try:
            for k in range(rank, len(self.items), world_size):
                phase, index, bucket = self.items[k]
                with self.track_time(unit="bucket"):
                    rec = read_bucket(sel, f"{phase}/{bucket_dir(self.run_id, bucket)}")
                    shards = self._write_bucket(phase, index, bucket, rec, tokens) if rec else []
                waiting.append((phase, bucket, shards))
                while waiting and all(f.done() for f in waiting[0][2]):
                    self._list_shards(sel, *waiting.popleft())
            while waiting:
                self._list_shards(sel, *waiting.popleft())
        finally:
            # After an error, let the shards still closing finish before the task ends.
            wait([*self._closing, *(f for _, _, shards in waiting for f in shards)])
            tokens.close()
        return
        yield

    def _list_shards(
        self, sel: DataFolder, phase: str, bucket: int, shards: list[Future[ShardInfo]]
    ) -> None:
        infos = [f.result() for f in shards]
        for info in infos:
            self.stat_update("tokens", value=info.tokens)
        # Scratch for the manifest step, which checks it against the cut: not synced.
        atomic_write_json(
            subfolder(sel, phase),
            shards_list_name(self.run_id, bucket),
            [i.to_dict() for i in infos],
            sync=False,
        )

    def _write_bucket(
        self, phase: str, index: int, bucket: int, rec: dict, tokens: InputTokens
    ) -> list[Future[ShardInfo]]:
        emitted = rec["tokens"] + FIM_EXTRA_TOKENS * (rec["fim"] > 0)
        starts = np.cumsum(emitted) - emitted
        # A document longer than a shard would leave a gap in the numbering: renumber densely.
        _, shard = np.unique(starts // self.shard_tokens, return_inverse=True)
        bounds = np.flatnonzero(np.diff(shard, prepend=-1, append=-1))
        folder = subfolder(self.output_folder, phase)
        shards = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
        return [
            self._write_shard(folder, phase, index, bucket, n, rec, lo, hi, tokens)
            for n, (lo, hi) in enumerate(shards)
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
    ) -> Future[ShardInfo]:
        """Fills shard ``n`` of the bucket and starts closing it on a helper thread."""
        while len(self._closing) > 1:  # the shard before the last one must be closed
            self._closing.popleft().result()
        info = self.tokenizer
        rng = np.random.default_rng([self.seed, index, bucket, n, FIM_CUTS])
        fim_ids = FimIds.from_info(info) if (rec["fim"][lo:hi] > 0).any() else None
        modes = strings([None, *FIM_MODES.values()])
        names = strings(self.sources)
        empty = string_scalar("")
        with ShardWriter(
            folder,
            f"{bucket:05d}_{n:05d}",
            token_size=info.token_size,
            tokenizer_id=info.id,
            tokenizer_name=info.name,
            background=True,  # each window's tokens are a new array, never changed once added
        ) as writer:
            for w in range(lo, hi, WINDOW):
                end = min(hi, w + WINDOW)
                stored = rec["tokens"][w:end]
                window = Window.read(tokens, rec, w, end)
                fims = rec["fim"][w:end]
                fim = window.fim
                if fim.size:
                    assert fim_ids is not None
                    fim_place(
                        window.buffer,
                        window.at[fim],
                        window.buffer,
                        window.stored_at,
                        stored[fim],
                        fims[fim],
                        rec["fim_points"].slice(w, end - w).take(from_numpy(fim)),
                        rng,
                        fim_ids,
                        bos_id=info.bos_id,
                        eos_id=info.eos_id,
                    )
                # Copies, not slices of the bucket's columns: a shard closing while the next
                # bucket is read holds its own rows only.
                columns = {
                    c: pa.concat_arrays([rec[c].slice(w, end - w)])
                    for c in ("id", "quality_tier", "kind", "lang")
                }
                columns["id"] = pc.fill_null(columns["id"], empty)
                columns["source"] = names.take(from_numpy(rec["source"][w:end]))
                columns["fim"] = modes.take(from_numpy(fims))
                columns["epoch"] = rec["epoch"][w:end].astype(np.int64)
                writer.add_batch(window.buffer[: window.size], window.lengths, columns)
            self.stat_update("documents", value=hi - lo)
            closed = writer.close_later()
        self._closing.append(closed)
        return closed


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

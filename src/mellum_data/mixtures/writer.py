"""The datatrove steps that write a mixture's phases from their precomputed selections."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from mellum_data.errors import InputError
from mellum_data.io import atomic_write_json, read_json
from mellum_data.mixtures.select import FIM_CUTS, FIM_MODES
from mellum_data.tokenize.fim import FIM_EXTRA_TOKENS, FimIds, fim_document
from mellum_data.tokenize.manifest import (
    PhaseManifest,
    TokenizerInfo,
    subfolder,
    write_phase_manifest,
)
from mellum_data.tokenize.shards import ShardInfo, ShardReader, ShardWriter

SIDECAR_COLUMNS = ("id", "quality_tier", "kind", "lang", "fim_points")
# Sidecars kept in memory per task; a phase shard draws from all input shards at random.
SIDECAR_CACHE = 64


def partial_shards_name(rank: int) -> str:
    return f"shards.{rank:05d}.json"


class InputShards:
    """Random access to documents of the input shards: tokens by offset, sidecar rows."""

    def __init__(self, paths: list[str], info: TokenizerInfo) -> None:
        self.paths, self.info = paths, info
        self._readers: dict[int, ShardReader] = {}
        self._handles: dict[int, object] = {}
        self._sidecars: OrderedDict[int, pa.Table] = OrderedDict()

    def reader(self, i: int) -> ShardReader:
        if i not in self._readers:
            self._readers[i] = ShardReader(
                self.paths[i],
                expect_tokenizer_id=self.info.id,
                expect_token_size=self.info.token_size,
            )
        return self._readers[i]

    def tokens(self, i: int, offset: int, n: int) -> np.ndarray:
        r = self.reader(i)
        if r.folder.is_local():
            return np.asarray(r.tokens[offset : offset + n])
        if i not in self._handles:
            self._handles[i] = r.folder.open(f"{r.name}.ds", "rb", cache_type="none")
        f = self._handles[i]
        f.seek(offset * r.token_size)  # type: ignore[attr-defined]
        data = f.read(n * r.token_size)  # type: ignore[attr-defined]
        return np.frombuffer(data, dtype=r.dtype)

    def sidecar(self, i: int) -> pa.Table:
        if i in self._sidecars:
            self._sidecars.move_to_end(i)
            return self._sidecars[i]
        r = self.reader(i)
        with r.folder.open(f"{r.name}.ds.docs.parquet", "rb") as f, pq.ParquetFile(f) as pf:
            present = [c for c in SIDECAR_COLUMNS if c in pf.schema_arrow.names]
            table = pf.read(columns=present)
        self._sidecars[i] = table
        if len(self._sidecars) > SIDECAR_CACHE:
            self._sidecars.popitem(last=False)
        return table

    def close(self) -> None:
        for f in self._handles.values():
            f.close()  # type: ignore[attr-defined]


def _rows_meta(inputs: InputShards, input_ids: np.ndarray, rows: np.ndarray) -> list[dict]:
    """Sidecar fields of each document, in the given order."""
    meta: list[dict] = [{} for _ in range(rows.size)]
    for i in np.unique(input_ids):
        where = np.flatnonzero(input_ids == i)
        part = inputs.sidecar(int(i)).take(pa.array(rows[where])).to_pylist()
        for k, m in zip(where, part, strict=True):
            meta[k] = m
    return meta


class PhaseShardWriter(PipelineStep):
    """Writes the shards ``n`` with ``n % world_size == rank`` of every phase, and the list of
    what it wrote to ``<phase>/shards.<rank>.json``."""

    name = "🧩 Phase shard writer"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        phases: list[tuple[str, int, int]],
        inputs: list[str],
        sources: list[str],
        tokenizer: TokenizerInfo,
        *,
        seed: int,
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.phases = phases  # (name, index, number of shards)
        self.inputs = inputs
        self.sources = sources
        self.tokenizer = tokenizer
        self.seed = seed

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        inputs = InputShards(self.inputs, self.tokenizer)
        try:
            for name, index, num_shards in self.phases:
                folder = subfolder(self.output_folder, name)
                mine = [n for n in range(num_shards) if n % world_size == rank]
                infos = []
                if mine:
                    sel_dir = subfolder(self.output_folder, "selection")
                    with sel_dir.open(f"{name}.parquet", "rb") as f:
                        table = pq.read_table(f)
                    cols = {c: table.column(c).to_numpy() for c in table.column_names}
                    bounds = np.searchsorted(cols["shard"], [mine, np.add(mine, 1)])
                    for n, lo, hi in zip(mine, bounds[0], bounds[1], strict=True):
                        part = {c: v[lo:hi] for c, v in cols.items()}
                        infos.append(self._write_shard(folder, name, index, n, part, inputs))
                atomic_write_json(folder, partial_shards_name(rank), [i.to_dict() for i in infos])
        finally:
            inputs.close()
        return
        yield

    def _write_shard(
        self, folder: DataFolder, phase: str, index: int, n: int, part: dict, inputs: InputShards
    ) -> ShardInfo:
        info = self.tokenizer
        rng = np.random.default_rng([self.seed, index, n, FIM_CUTS])
        meta = _rows_meta(inputs, part["input"], part["row"])
        fim_ids = FimIds.from_info(info) if (part["fim"] > 0).any() else None
        with ShardWriter(
            folder,
            f"{n:05d}",
            token_size=info.token_size,
            tokenizer_id=info.id,
            tokenizer_name=info.name,
        ) as writer:
            for k in range(part["row"].size):
                tokens = inputs.tokens(
                    int(part["input"][k]), int(part["offset"][k]), int(part["tokens"][k])
                )
                mode = FIM_MODES.get(int(part["fim"][k]))
                m = meta[k]
                if mode is not None:
                    points = m.get("fim_points")
                    tokens = fim_document(
                        tokens,
                        None if points is None else np.asarray(points, dtype=np.int64),
                        rng,
                        mode,
                        fim_ids,  # type: ignore[arg-type]
                        bos_id=info.bos_id,
                        eos_id=info.eos_id,
                    )
                    if tokens.size != int(part["tokens"][k]) + FIM_EXTRA_TOKENS:
                        raise InputError(f"{phase}: document {m.get('id')!r} lost tokens in FIM")
                    self.stat_update(f"fim_{mode}")
                writer.add(
                    tokens,
                    id=m.get("id", ""),
                    source=self.sources[int(part["source"][k])],
                    quality_tier=m.get("quality_tier"),
                    extra={
                        "kind": m.get("kind"),
                        "lang": m.get("lang"),
                        "fim": mode,
                        "epoch": int(part["epoch"][k]),
                    },
                )
                self.stat_update("documents")
                self.stat_update("tokens", value=int(tokens.size))
            shard = writer.close()
        return shard


class PhaseManifestWriter(PipelineStep):
    """Completes each phase's manifest draft with the shards its writer tasks listed."""

    name = "📜 Phase manifests"
    type = "🔢 - TOKENIZER"

    def __init__(self, output_folder: DataFolderLike, phases: list[tuple[str, int]]) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.phases = phases  # (name, number of shards)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        sel_dir = subfolder(self.output_folder, "selection")
        for name, num_shards in self.phases:
            folder = subfolder(self.output_folder, name)
            shards: dict[str, ShardInfo] = {}
            for path in folder.list_files(glob_pattern="shards.*.json"):
                for item in read_json(folder, path):
                    shards[item["path"]] = ShardInfo.from_dict(item)
            expected = [f"{n:05d}.ds" for n in range(num_shards)]
            missing = [p for p in expected if p not in shards]
            if missing:
                raise InputError(f"{folder.path}: shards {missing[:5]} were not written")
            manifest = PhaseManifest.from_dict(read_json(sel_dir, f"{name}.json"))
            manifest.shards = [shards[p] for p in expected]
            write_phase_manifest(folder, manifest)
            self.stat_update("phases")
        return
        yield

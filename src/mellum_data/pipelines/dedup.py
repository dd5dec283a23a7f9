"""The dedup stage: decontamination, exact, URL and MinHash near-dedup over stage outputs.

Executor runs, each a datatrove job chained to the previous one with ``depends`` (so Slurm
and Ray runs queue them in order):

1. ``signature`` (tasks): per document, its keys and id (``DedupKeys``) and its MinHash
   signature in datatrove's bucket files (``MinhashSignature``, vectorised);
2. ``buckets`` (one task per bucket): datatrove's ``MinhashDedupBuckets``, candidate pairs;
3. ``cluster`` (1 task): union-find over MinHash pairs and equal exact / URL keys; per
   cluster the document of the first source in ``priority`` is kept (``DedupCluster``);
4. ``filter`` (tasks): rereads the input, drops contaminated documents into
   ``removed/decontam/`` and copies into ``removed/{exact,url,minhash}/`` (each with the
   ``duplicate_of`` id of the kept copy), writes the rest to ``OUTPUT/<source>/`` with
   ``minhash_cluster_id`` and ``minhash_cluster_size``.

Runs 1 and 4 identify documents by their position in each task's input, so they see the
same documents in the same order: the same readers, the same decontamination filter, the
same task count. Intermediate files live under ``OUTPUT/work/``.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.io import get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import MinhashDedupBuckets
from pydantic import Field, model_validator

from mellum_data.config import StrictModel
from mellum_data.dedup.cluster import DedupCluster, DedupFilter
from mellum_data.dedup.decontam import Benchmark, DecontamFilter, check_benchmarks
from mellum_data.dedup.exact import DedupKeys
from mellum_data.dedup.minhash import MinhashParams, minhash_params
from mellum_data.dedup.signature import MinhashSignature
from mellum_data.errors import ConfigError, InputError
from mellum_data.pipelines.common import StageOutputReader, logs_dir, stage_docs_glob
from mellum_data.pipelines.executor import Execution, make_executor
from mellum_data.pipelines.writers import RemovedWriter, schema_kept_writer

DEDUP_FIELDS = {"minhash_cluster_id": pa.int64(), "minhash_cluster_size": pa.int64()}
REMOVED_FIELDS = {"duplicate_of": pa.string(), "decontam_ngrams": pa.int64()}
LINKS = ("exact", "url", "minhash")


class ExactConfig(StrictModel):
    enabled: bool = True
    # Whitespace runs count as one space (re-indented copies, CRLF vs LF).
    whitespace: bool = True
    lowercase: bool = False


class UrlConfig(StrictModel):
    """Documents whose ``metadata.url`` normalise to the same URL are copies."""

    enabled: bool = True


class MinhashSettings(StrictModel):
    enabled: bool = True
    preset: Literal["fineweb", "starcoder", "code"] = "fineweb"
    # Each overrides the preset when set.
    n_grams: int | None = Field(None, ge=1)
    num_buckets: int | None = Field(None, ge=1)
    hashes_per_bucket: int | None = Field(None, ge=1)
    hash_bits: Literal[32, 64] | None = None
    tokenizer: Literal["words", "code"] | None = None
    seed: int | None = Field(None, ge=0)
    # A candidate pair is joined only if its whole signatures agree on this share of hashes
    # (its estimated Jaccard similarity); null joins every pair that shares a bucket. 0.5
    # drops pairs that met in one bucket by chance and almost never one near the presets'
    # thresholds (0.69-0.73), 4 standard errors of the estimate away at 112+ hashes.
    verify: float | None = Field(0.5, ge=0, le=1)

    def params(self) -> MinhashParams:
        fields = self.model_dump(exclude={"enabled", "preset", "verify"})
        return minhash_params(self.preset, **fields)


class BenchmarkConfig(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    path: str
    # String fields of each item to test; empty: every string field.
    fields: list[str] = []


class DecontamConfig(StrictModel):
    benchmarks: list[BenchmarkConfig] = []
    n_grams: int = Field(13, ge=1)
    min_matches: int = Field(1, ge=1)

    def filter(self, writer: RemovedWriter | None) -> list:
        if not self.benchmarks:
            return []
        benches = [Benchmark(b.name, b.path, tuple(b.fields)) for b in self.benchmarks]
        return [DecontamFilter(benches, self.n_grams, self.min_matches, exclusion_writer=writer)]


class DedupConfig(StrictModel):
    exact: ExactConfig = ExactConfig()
    url: UrlConfig = UrlConfig()
    minhash: MinhashSettings = MinhashSettings()
    # Which copy a cluster keeps: the document whose source (or else kind) comes first.
    # Code and math sources carry repository and licence metadata a web copy lacks.
    priority: list[str] = ["code", "math", "web"]
    decontam: DecontamConfig = DecontamConfig()

    @model_validator(mode="after")
    def _something_to_do(self) -> DedupConfig:
        if not (self.dedups or self.decontam.benchmarks):
            raise ValueError(
                "exact, url and minhash are disabled and decontam has no benchmarks: nothing to do"
            )
        return self

    @property
    def dedups(self) -> bool:
        return self.exact.enabled or self.url.enabled or self.minhash.enabled


class NormalizeInput(PipelineStep):
    """Gives every document a ``source`` (its folder name when the input had none) and
    drops the ``file_path`` that datatrove's reader adds, unless the input carried one."""

    name = "🏷️ Normalize input"
    type = "🔧 - PROCESS"

    def __init__(self, input_has_file_path: bool) -> None:
        super().__init__()
        self.input_has_file_path = input_has_file_path

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            meta = doc.metadata
            path = (
                meta.get("file_path") if self.input_has_file_path else meta.pop("file_path", None)
            )
            if not meta.get("source"):
                meta["source"] = PurePosixPath(str(path or "unknown")).parent.name or "unknown"
            yield doc


def input_metadata_fields(inputs: list[str]) -> dict[str, pa.DataType]:
    """Union of the metadata fields (with types) of every input parquet file, read from the
    footers only."""
    schemas = []
    for path in inputs:
        folder = get_datafolder(path)
        for name in folder.list_files(glob_pattern=stage_docs_glob(path), recursive=True):
            with folder.open(name, "rb") as f:
                schema = pq.read_schema(f)
            fields = [
                schema.field(n)
                for n in schema.names
                if n not in ("text", "id", "metadata", "media")
            ]
            if "metadata" in schema.names and pa.types.is_struct(schema.field("metadata").type):
                fields += list(schema.field("metadata").type)
            schemas.append(pa.schema(fields))
    if not schemas:
        return {}
    try:
        merged = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise InputError(f"inputs disagree on a metadata field's type: {e}") from None
    return {f.name: f.type for f in merged}


def _readers(inputs: list[str], has_file_path: bool) -> list:
    return [*(StageOutputReader(p) for p in inputs), NormalizeInput(has_file_path)]


def build_dedup_runs(
    inputs: list[str], output: str, config: DedupConfig, tasks: int
) -> list[tuple[str, list, int]]:
    """The executor runs of the stage, in order: ``(name, steps, number of tasks)``."""
    out = output.rstrip("/")
    fields = input_metadata_fields(inputs)
    has_file_path = "file_path" in fields
    meta = {**fields, "source": fields.get("source", pa.string()), **DEDUP_FIELDS}
    work = f"{out}/work"
    params = config.minhash.params()
    sigs, buckets = f"{work}/minhash/sigs", f"{work}/minhash/buckets"
    # One schema for every removed/ folder, so that they read as one table.
    removed_meta = meta | REMOVED_FIELDS
    decontam_writer = RemovedWriter(output, "decontam", removed_meta)
    runs: list[tuple[str, list, int]] = []
    dedup: list = []
    if config.dedups:
        keys = DedupKeys(
            work,
            exact=config.exact.enabled,
            whitespace=config.exact.whitespace,
            lowercase=config.exact.lowercase,
            urls=config.url.enabled,
            priority=config.priority,
        )
        verify = config.minhash.verify
        full = verify is not None
        signature = [MinhashSignature(sigs, params, full=full)] if config.minhash.enabled else []
        runs.append(
            (
                "signature",
                [*_readers(inputs, has_file_path), *config.decontam.filter(None), keys, *signature],
                tasks,
            )
        )
        if config.minhash.enabled:
            bucket_step = MinhashDedupBuckets(sigs, buckets, config=params.datatrove_config())
            runs.append(("buckets", [bucket_step], params.num_buckets))
        cluster = (
            DedupCluster(work, buckets, signatures=sigs, params=params, verify=verify)
            if config.minhash.enabled
            else DedupCluster(work)
        )
        runs.append(("cluster", [cluster], 1))
        writers = {link: RemovedWriter(output, link, removed_meta) for link in LINKS}
        dedup = [DedupFilter(work, writers)]
    runs.append(
        (
            "filter",
            [
                *_readers(inputs, has_file_path),
                *config.decontam.filter(decontam_writer),
                *dedup,
                schema_kept_writer(output, meta),
            ],
            tasks,
        )
    )
    return runs


def run_dedup(inputs: list[str], output: str, config: DedupConfig, execution: Execution) -> None:
    """Deduplicate (and decontaminate) the kept documents of ``inputs`` (stage output
    folders) into ``output``."""
    if not inputs:
        raise InputError("dedup: no input folders given")
    if any(p.rstrip("/") == output.rstrip("/") for p in inputs):
        raise ConfigError(f"{output}: the dedup output must differ from its inputs")
    check_benchmarks(
        [Benchmark(b.name, b.path, tuple(b.fields)) for b in config.decontam.benchmarks]
    )
    executor = None
    for name, steps, n_tasks in build_dedup_runs(inputs, output, config, execution.tasks):
        log_dir = logs_dir(output, f"dedup/{name}")
        run_execution = execution
        if execution.logging_dir:
            # One logging dir per run: completion markers of one run must not skip another.
            run_execution = dataclasses.replace(
                execution, logging_dir=f"{execution.logging_dir}/{name}"
            )
        executor = make_executor(
            steps,
            run_execution,
            logging_dir=log_dir,
            tasks=n_tasks,
            depends=executor,
            name=f"dedup_{name}",
        )
    executor.run()

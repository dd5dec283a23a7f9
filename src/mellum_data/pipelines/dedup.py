"""The dedup stage: exact (optional) then MinHash near-dedup over one or more stage outputs.

Executor runs, each a datatrove job chained to the previous one with ``depends`` (so Slurm
and Ray runs queue them in order):

1. ``exact_signature`` (tasks): hash of each document's whitespace-normalised text;
2. ``exact_find`` (1 task): which documents repeat an earlier one;
3. ``minhash_signature`` (tasks): MinHash signatures of what exact dedup keeps;
4. ``minhash_buckets`` (one task per bucket): candidate pairs per LSH bucket;
5. ``minhash_cluster`` (1 task): union-find over the pairs, one kept per cluster;
6. ``filter`` (tasks): rereads the input, drops duplicates into ``removed/exact/`` and
   ``removed/minhash/``, writes the rest to ``OUTPUT/<source>/``.

Stages 3 and 6 identify documents by their position in each task's input, so they must see
the same documents in the same order: both use the same readers, with the same task count.
Intermediate files live under ``OUTPUT/work/``.
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
from datatrove.pipeline.dedup.exact_dedup import (
    ExactDedupFilter,
    ExactDedupSignature,
    ExactFindDedups,
)
from datatrove.pipeline.dedup.minhash import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from pydantic import Field, model_validator

from mellum_data.config import StrictModel
from mellum_data.dedup.exact import exact_config
from mellum_data.dedup.minhash import EnsureRankFiles, WhitespaceWordTokenizer, minhash_config
from mellum_data.errors import ConfigError, InputError
from mellum_data.pipelines.common import StageOutputReader, logs_dir, stage_docs_glob
from mellum_data.pipelines.executor import Execution, make_executor
from mellum_data.pipelines.writers import RemovedWriter, schema_kept_writer

DEDUP_FIELDS = {
    "duplicate_count": pa.int64(),
    "minhash_cluster_id": pa.int64(),
    "minhash_cluster_size": pa.int64(),
}


class ExactConfig(StrictModel):
    enabled: bool = True


class MinhashSettings(StrictModel):
    enabled: bool = True
    preset: Literal["fineweb", "starcoder"] = "fineweb"
    # Each overrides the preset when set.
    n_grams: int | None = Field(None, ge=1)
    num_buckets: int | None = Field(None, ge=1)
    hashes_per_bucket: int | None = Field(None, ge=1)
    seed: int = 1
    # "whitespace" splits datatrove's normalised text; "spacy" is datatrove's default
    # English word tokenizer (slower, same words on normalised text).
    tokenizer: Literal["whitespace", "spacy"] = "whitespace"


class DedupConfig(StrictModel):
    exact: ExactConfig = ExactConfig()
    minhash: MinhashSettings = MinhashSettings()

    @model_validator(mode="after")
    def _something_to_do(self) -> DedupConfig:
        if not (self.exact.enabled or self.minhash.enabled):
            raise ValueError("exact.enabled and minhash.enabled are both false: nothing to do")
        return self


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
    exact = exact_config()
    mc = config.minhash
    mh = minhash_config(
        mc.preset,
        n_grams=mc.n_grams,
        num_buckets=mc.num_buckets,
        hashes_per_bucket=mc.hashes_per_bucket,
        seed=mc.seed,
    )
    word_tokenizer = WhitespaceWordTokenizer() if mc.tokenizer == "whitespace" else "en"

    def exact_filter(writer: RemovedWriter | None) -> list:
        if not config.exact.enabled:
            return []
        return [ExactDedupFilter(f"{work}/exact/dups", exact, exclusion_writer=writer)]

    runs: list[tuple[str, list, int]] = []
    if config.exact.enabled:
        runs += [
            (
                "exact_signature",
                [
                    *_readers(inputs, has_file_path),
                    ExactDedupSignature(f"{work}/exact/sigs", exact),
                ],
                tasks,
            ),
            ("exact_find", [ExactFindDedups(f"{work}/exact/sigs", f"{work}/exact/dups", exact)], 1),
        ]
    minhash_filter: list = []
    if mc.enabled:
        sigs, buckets, clusters = (f"{work}/minhash/{d}" for d in ("sigs", "buckets", "clusters"))
        runs += [
            (
                "minhash_signature",
                [
                    *_readers(inputs, has_file_path),
                    *exact_filter(None),
                    MinhashDedupSignature(sigs, config=mh, language=word_tokenizer),
                ],
                tasks,
            ),
            ("minhash_buckets", [MinhashDedupBuckets(sigs, buckets, config=mh)], mh.num_buckets),
            (
                "minhash_cluster",
                [
                    MinhashDedupCluster(
                        buckets, clusters, config=mh, save_cluster_id=True, save_cluster_size=True
                    ),
                    EnsureRankFiles(clusters, tasks),
                ],
                1,
            ),
        ]
        minhash_filter = [
            MinhashDedupFilter(
                clusters,
                exclusion_writer=RemovedWriter(output, "minhash", meta, "minhash_duplicate"),
                load_cluster_ids=True,
                load_cluster_sizes=True,
            )
        ]
    runs.append(
        (
            "filter",
            [
                *_readers(inputs, has_file_path),
                *exact_filter(RemovedWriter(output, "exact", meta, "exact_duplicate")),
                *minhash_filter,
                schema_kept_writer(output, meta),
            ],
            tasks,
        )
    )
    return runs


def run_dedup(inputs: list[str], output: str, config: DedupConfig, execution: Execution) -> None:
    """Deduplicate the kept documents of ``inputs`` (stage output folders) into ``output``."""
    if not inputs:
        raise InputError("dedup: no input folders given")
    if any(p.rstrip("/") == output.rstrip("/") for p in inputs):
        raise ConfigError(f"{output}: the dedup output must differ from its inputs")
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

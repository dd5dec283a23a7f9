"""The tokenize stage: a stage output (documents) -> per-source token shards and counts.

Layout of ``OUTPUT``:

- ``<source>/<rank:05d>_<n:05d>.ds`` (+ ``.index``, ``.metadata``, ``.docs.parquet``): shards;
- ``<source>/counts.json``: ``SourceCounts``, what the mixture planner reads;
- ``<source>/counts.<rank:05d>.json``: per-task partials, merged into ``counts.json``;
- ``removed/tokenize/``: documents dropped here, with ``drop_reason``;
- ``tokenize.json``: the tokenizer and settings this output was made with;
- ``logs/tokenize``, ``logs/tokenize_merge``: datatrove logs and completion markers.
"""

from __future__ import annotations

import dataclasses
import os

import pyarrow as pa
from datatrove.io import get_datafolder
from pydantic import Field

from mellum_data.config import StrictModel
from mellum_data.errors import ConfigError
from mellum_data.io import atomic_write_json, read_json
from mellum_data.layout import stage_docs_glob
from mellum_data.pipelines.common import StageOutputReader, logs_dir
from mellum_data.pipelines.executor import Execution, make_executor
from mellum_data.pipelines.writers import RemovedWriter
from mellum_data.tokenize.manifest import SourceCounts, read_source_counts, subfolder
from mellum_data.tokenize.step import MergeSourceCounts, ShardTokenizer
from mellum_data.tokenize.tokenizer import file_digest, load_tokenizer, read_tokenizer_json

RUN_RECORD = "tokenize.json"


class TokenizeConfig(StrictModel):
    """Settings of the tokenize stage (see ``ShardTokenizer`` for the rules)."""

    # Mellum 2 dropped samples with fewer than 82 unique tokens (MELLUM2.md); null keeps all.
    min_unique_tokens: int | None = Field(default=82, ge=0)
    add_bos: bool = False
    shard_tokens: int = Field(default=100_000_000, gt=0)
    batch_size: int = Field(default=1000, gt=0)
    # Candidate FIM split points for documents of kind "code".
    fim_split_points: bool = True


def _stage_execution(execution: Execution, stage: str) -> Execution:
    # Two stages must not share completion markers, even under a user-given logging dir.
    if execution.logging_dir:
        return dataclasses.replace(
            execution, logging_dir=f"{execution.logging_dir.rstrip('/')}/{stage}"
        )
    return execution


def _check_run_record(output: str, record: dict, force: bool) -> None:
    folder = get_datafolder(output)
    if folder.exists(RUN_RECORD) and not force:
        old = read_json(folder, RUN_RECORD)
        if old != record:
            changed = sorted(k for k in record if old.get(k) != record[k])
            raise ConfigError(
                f"{folder.path}/{RUN_RECORD}: this output was tokenized with different "
                f"{', '.join(changed)}; use a new output folder or --force"
            )
    atomic_write_json(folder, RUN_RECORD, record)


def input_metadata_fields(input: str) -> dict[str, pa.DataType]:
    """The metadata fields of a stage output's documents, all sources together (each source
    folder is written by one stage with one schema, so one file's footer per folder tells).
    The removed-documents writer gets them as its schema: a schema inferred from the first
    dropped document would lose fields other sources have, and pyarrow's inference imports
    pandas in every worker."""
    import pyarrow.parquet as pq

    folder = get_datafolder(input)
    first: dict[str, str] = {}
    for path in folder.list_files(glob_pattern=stage_docs_glob(folder), recursive=True):
        first.setdefault(path.rsplit("/", 1)[0] if "/" in path else "", path)
    fields: dict[str, pa.DataType] = {}
    for path in first.values():
        with folder.open(path, "rb") as f:
            schema = pq.read_schema(f)
        if "metadata" in schema.names and pa.types.is_struct(schema.field("metadata").type):
            for field in schema.field("metadata").type:
                fields.setdefault(field.name, field.type)
    return fields


def run_tokenize(
    input: str,
    tokenizer: str,
    output: str,
    config: TokenizeConfig,
    execution: Execution,
) -> dict[str, SourceCounts]:
    """Tokenize the documents of a stage output; returns the counts per source (empty when
    the executor only submits jobs, as Slurm does)."""
    _, info = load_tokenizer(tokenizer)
    known = (file_digest(read_tokenizer_json(tokenizer)), info)
    tasks = execution.tasks
    _check_run_record(
        output,
        {
            "tokenizer": info.id,
            "config": config.model_dump(),
            "input": input if "://" in input else os.path.abspath(input),
            "tasks": tasks,
        },
        execution.force,
    )
    steps = [
        StageOutputReader(input),
        ShardTokenizer(
            output,
            tokenizer,
            min_unique_tokens=config.min_unique_tokens,
            add_bos=config.add_bos,
            shard_tokens=config.shard_tokens,
            batch_size=config.batch_size,
            fim_split_points=config.fim_split_points,
            exclusion_writer=RemovedWriter(output, "tokenize", input_metadata_fields(input)),
            tokenizer_known=known,
        ),
    ]
    tokenize = make_executor(
        steps,
        _stage_execution(execution, "tokenize"),
        logging_dir=logs_dir(output, "tokenize"),
        name="tokenize",
    )
    merge = make_executor(
        [MergeSourceCounts(output, info, tasks=tasks)],
        _stage_execution(execution, "tokenize_merge"),
        logging_dir=logs_dir(output, "tokenize_merge"),
        tasks=1,
        depends=tokenize,
        name="tokenize_merge",
    )
    merge.run()
    if execution.executor == "slurm":
        return {}
    return read_all_counts(output)


def read_all_counts(output: str) -> dict[str, SourceCounts]:
    """``counts.json`` of every source folder under a tokenize output."""
    folder = get_datafolder(output)
    names = sorted(p.split("/", 1)[0] for p in folder.list_files(glob_pattern="*/counts.json"))
    return {name: read_source_counts(subfolder(folder, name)) for name in names}

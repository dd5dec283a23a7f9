"""Incremental dedup: a new batch of stage outputs against a persisted LSH index.

For corpora that grow crawl by crawl: ``run_incremental_dedup`` reads the batch in one
process, removes every document with a near-duplicate among those already indexed (or
earlier in the batch) into ``OUTPUT/removed/index/`` with ``duplicate_of``, writes the
rest to ``OUTPUT/<source>/`` and adds them to the index, which it saves. First come, first
kept: source priority applies within a batch run of ``run dedup``, not across batches.
"""

from __future__ import annotations

import pyarrow as pa
from datatrove.data import DocumentsPipeline

from mellum_data.dedup.index import LshIndex
from mellum_data.errors import ConfigError, InputError
from mellum_data.io import path_exists
from mellum_data.pipelines.common import StageOutputReader
from mellum_data.pipelines.dedup import DedupConfig, NormalizeInput, input_metadata_fields
from mellum_data.pipelines.writers import RemovedWriter, schema_kept_writer


def _documents(inputs: list[str], has_file_path: bool) -> DocumentsPipeline:
    for path in inputs:
        yield from NormalizeInput(has_file_path).run(StageOutputReader(path).run(None))


def run_incremental_dedup(
    inputs: list[str], output: str, index_path: str, config: DedupConfig
) -> dict[str, int]:
    """Near-dedup ``inputs`` (stage outputs) against the index at ``index_path`` (created
    when missing, with ``config.minhash``'s parameters, which must match a saved index's),
    write kept and removed documents to ``output`` and save the grown index. Returns the
    counts ``kept``, ``removed`` and ``indexed`` (documents in the index after the batch)."""
    if not inputs:
        raise InputError("dedup: no input folders given")
    if any(p.rstrip("/") == output.rstrip("/") for p in inputs):
        raise ConfigError(f"{output}: the dedup output must differ from its inputs")
    params = config.minhash.params()
    if path_exists(f"{index_path.rstrip('/')}/index.json"):
        index = LshIndex.load(index_path, params)
    else:
        index = LshIndex(params)
    fields = input_metadata_fields(inputs)
    meta = {**fields, "source": fields.get("source", pa.string())}
    counts = {"kept": 0, "removed": 0}
    kept = schema_kept_writer(output, meta)
    removed = RemovedWriter(
        output, "index", meta | {"duplicate_of": pa.string()}, "index_duplicate"
    )
    with kept, removed:
        for doc, duplicate_of in index.dedup(_documents(inputs, "file_path" in fields)):
            if duplicate_of is None:
                kept.write(doc, 0)
                counts["kept"] += 1
            else:
                doc.metadata["duplicate_of"] = duplicate_of
                removed.write(doc, 0)
                counts["removed"] += 1
    index.save(index_path)
    return counts | {"indexed": len(index)}

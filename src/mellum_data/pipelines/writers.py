"""Writers for kept and removed documents with an explicit parquet schema.

datatrove's ParquetWriter infers a file's schema from its first document: a later document
with a metadata key the first lacked is silently cut, and a value whose type differs (a
float where the first had None) fails the whole task. Stages therefore pass the schema.
The layout is ``pipelines.common``'s; this module only adds the schema and, for removed
documents, ``drop_reason`` (from datatrove's ``filter_reason``) and ``dropped_by``.

Batches are built by ``tokenize.columns.record_batch`` rather than pyarrow's
``RecordBatch.from_pylist``: the same batch, but pyarrow's conversion from Python objects
imports pandas, ~0.37 s of CPU in every worker (a sixth of a 2-worker web run on 3,000
pages).
"""

from __future__ import annotations

import pyarrow as pa
from datatrove.data import Document
from datatrove.io import DataFolderLike
from datatrove.pipeline.writers import ParquetWriter

from mellum_data.pipelines.common import kept_writer, removed_writer
from mellum_data.tokenize.columns import record_batch

REMOVED_FIELDS = {"drop_reason": pa.string(), "dropped_by": pa.string()}


def doc_schema(metadata: dict[str, pa.DataType]) -> pa.Schema:
    """Schema of datatrove's parquet layout (``text``, ``id``, ``metadata`` struct)."""
    return pa.schema(
        [
            ("text", pa.string()),
            ("id", pa.string()),
            ("metadata", pa.struct([pa.field(k, t) for k, t in metadata.items()])),
        ]
    )


def document_row(writer: ParquetWriter, document: Document) -> dict:
    """datatrove's row for a document (``text``, ``id``, ``metadata``; empty ones left out)
    without its deep copy of the whole document (``dataclasses.asdict``, ~0.1 ms a web page
    with its code spans). Only for a pipeline's last step: a row is written in batches, so a
    document changed after it was handed over would change its row."""
    row = (("text", document.text), ("id", document.id), ("metadata", document.metadata))
    return {key: value for key, value in row if value}


class SchemaParquetWriter(ParquetWriter):
    """datatrove's ``ParquetWriter`` with a required schema, building its batches without
    pandas (see the module docstring)."""

    def _write_batch(self, filename: str) -> None:
        rows = self._batches.pop(filename, None)
        if rows:
            self._writers[filename].write_batch(record_batch(rows, self.schema))


def schema_kept_writer(output: DataFolderLike, metadata: dict[str, pa.DataType]) -> ParquetWriter:
    """The kept documents' writer, a stage's last step (so rows need no copy)."""
    base = kept_writer(output)
    return SchemaParquetWriter(
        base.output_folder,
        output_filename=base.output_filename.template,
        compression=base.compression,
        schema=doc_schema(metadata),
        adapter=document_row,
    )


class RemovedWriter(SchemaParquetWriter):
    """``removed_writer(output, step)`` with a schema, stamping ``drop_reason`` and
    ``dropped_by`` on each document (``default_reason`` for steps that give none, such as
    datatrove's dedup filters)."""

    def __init__(
        self,
        output: DataFolderLike,
        step: str,
        metadata: dict[str, pa.DataType],
        default_reason: str | None = None,
    ) -> None:
        base = removed_writer(output, step)
        super().__init__(
            base.output_folder,
            output_filename=base.output_filename.template,
            compression=base.compression,
            schema=doc_schema({**metadata, **REMOVED_FIELDS}),
        )
        self.step = step
        self.default_reason = default_reason

    def _default_adapter(self, document: Document) -> dict:
        meta = document.metadata
        reason = meta.pop("filter_reason", None)
        meta["drop_reason"] = meta.get("drop_reason") or reason or self.default_reason
        meta["dropped_by"] = meta.get("dropped_by") or self.step
        return super()._default_adapter(document)

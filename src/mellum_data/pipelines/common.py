"""Output layout shared by every stage, and the reader for stage outputs.

A stage writing to ``OUTPUT`` produces:

- ``OUTPUT/<source>/<rank>_<n>.parquet``: kept documents (zstd parquet, datatrove's schema:
  ``text``, ``id``, ``metadata``), one folder per source name;
- ``OUTPUT/removed/<step>/<rank>_<n>.parquet``: every dropped document, with ``drop_reason``
  and ``dropped_by`` in its metadata;
- ``OUTPUT/logs/<stage>/``: datatrove logs, completion markers and ``stats.json``.

A source may therefore not be named ``removed``, ``logs`` or ``work`` (scratch space).
"""

from __future__ import annotations

from datatrove.io import DataFolderLike
from datatrove.pipeline.readers import ParquetReader
from datatrove.pipeline.writers import ParquetWriter

from mellum_data.io import PARQUET_THREADS
from mellum_data.layout import KEPT_TEMPLATE, stage_docs_glob


def kept_writer(output: DataFolderLike) -> ParquetWriter:
    return ParquetWriter(output, output_filename=KEPT_TEMPLATE, compression="zstd")


def removed_writer(output: DataFolderLike, step: str) -> ParquetWriter:
    """Writer for documents dropped by ``step``; pass it as a filter's ``exclusion_writer``."""
    return ParquetWriter(
        f"{str(output).rstrip('/')}/removed/{step}",
        output_filename="${rank}.parquet",
        compression="zstd",
    )


def logs_dir(output: str, stage: str) -> str:
    return f"{output.rstrip('/')}/logs/{stage}"


class StageOutputReader(ParquetReader):
    """Reads the kept documents of a stage output (``<source>/*.parquet``), never ``removed/``."""

    name = "📖 Stage output"

    def __init__(self, data_folder: DataFolderLike, **kwargs) -> None:
        super().__init__(
            data_folder, glob_pattern=stage_docs_glob(data_folder), recursive=True, **kwargs
        )

    def read_file(self, filepath: str):
        # datatrove's reader decodes on pyarrow's thread pool; ours reads as every parquet
        # read of this project does (see PARQUET_THREADS in mellum_data.io).
        import pyarrow.parquet as pq

        columns = None if self.read_metadata else [self.text_key, self.id_key]
        row = 0
        with self.data_folder.open(filepath, "rb") as f, pq.ParquetFile(f) as pf:
            for batch in pf.iter_batches(
                batch_size=self.batch_size, columns=columns, use_threads=PARQUET_THREADS
            ):
                with self.track_time("batch"):
                    records = batch.to_pylist()
                    docs = [
                        self.get_document_from_dict(r, filepath, row + i)
                        for i, r in enumerate(records)
                    ]
                row += len(records)
                yield from (doc for doc in docs if doc)

"""The on-disk layout of a stage output, shared by pipelines, tokenization and stats.

A stage writing to ``OUTPUT`` puts kept documents under ``OUTPUT/<source>/`` (parquet),
dropped ones under ``OUTPUT/removed/<step>/``, logs under ``OUTPUT/logs/`` and scratch files
under ``OUTPUT/work/``. A source may therefore not take one of those reserved names.
"""

from __future__ import annotations

from datatrove.io import DataFolderLike, get_datafolder

from mellum_data.errors import InputError

RESERVED_NAMES = ("removed", "logs", "work")
KEPT_TEMPLATE = "${source}/${rank}.parquet"


def stage_docs_glob(path: DataFolderLike) -> str:
    """The glob that selects kept documents in a stage output (or a plain parquet folder)."""
    folder = get_datafolder(path)
    if not folder.exists(""):
        raise InputError(f"{folder.path}: input folder not found")
    if folder.list_files(glob_pattern="*/*.parquet"):
        return "*/*.parquet"
    if folder.list_files(glob_pattern="*.parquet"):
        return "*.parquet"
    raise InputError(f"{folder.path}: no parquet documents (expected <source>/*.parquet)")

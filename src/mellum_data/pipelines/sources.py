"""What the web and math pipelines share: input resolution, document ids, config sections.

Inputs are local or fsspec (``s3://``) paths: a file, a folder (searched recursively) or a
glob. They are resolved once, when the pipeline is built, so that a missing input stops the
run at start-up with its path instead of leaving tasks with nothing to read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from glob import has_magic
from typing import Literal

import fsspec
from datatrove.io import get_datafolder
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger
from pydantic import Field, field_validator

from mellum_data.config import StrictModel
from mellum_data.errors import InputError
from mellum_data.filters.language import LanguageFilter
from mellum_data.layout import RESERVED_NAMES
from mellum_data.pipelines.extract import Extractor

# Suffixes (lower case) of each input format; the first match wins, so longer ones go first.
WEB_FORMATS: dict[str, tuple[str, ...]] = {
    "warc": (".warc.gz", ".warc.zst", ".warc"),
    "jsonl": (".jsonl.gz", ".jsonl.zst", ".jsonl", ".json.gz", ".ndjson"),
    "parquet": (".parquet",),
}
MATH_FORMATS: dict[str, tuple[str, ...]] = {
    "tex": (".tex",),
    "markdown": (".md", ".markdown"),
    "html": (".html", ".htm"),
    "text": (".txt",),
    "jsonl": WEB_FORMATS["jsonl"],
    "parquet": WEB_FORMATS["parquet"],
}


def stable_hash(key: str) -> str:
    """96 bits of BLAKE2b: collisions stay below 1e-9 up to ~10^10 documents."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()


def doc_id(source: str, key: str) -> str:
    """The stable id of a document: ``<source>/<hash of its url or path>``."""
    return f"{source}/{stable_hash(key)}"


def format_of(path: str, formats: dict[str, tuple[str, ...]]) -> str | None:
    name = path.lower()
    for fmt, suffixes in formats.items():
        if name.endswith(suffixes):
            return fmt
    return None


@dataclass(frozen=True)
class InputFiles:
    """Files of one format under one folder; ``files`` are relative to ``folder``."""

    folder: str
    files: tuple[str, ...]
    format: str

    def display_path(self, relative: str) -> str:
        """The path as the user named it (folder as given + relative path), used in ids."""
        return f"{self.folder.rstrip('/')}/{relative}"


def _split_glob(path: str) -> tuple[str, str]:
    parts = path.split("/")
    first = next(i for i, part in enumerate(parts) if has_magic(part))
    return "/".join(parts[:first]) or ".", "/".join(parts[first:])


def resolve_input(path: str, formats: dict[str, tuple[str, ...]]) -> list[InputFiles]:
    """The files of ``path`` grouped by format; raises InputError when there are none."""
    expected = ", ".join(f"*{s}" for suffixes in formats.values() for s in suffixes)
    if has_magic(path):
        folder, pattern = _split_glob(path)
        files = get_datafolder(folder).list_files(glob_pattern=pattern)
    else:
        fs, fs_path = fsspec.core.url_to_fs(path)
        if fs.isfile(fs_path):
            folder, _, name = path.rstrip("/").rpartition("/")
            folder = folder or "."
            if format_of(name, formats) is None:
                raise InputError(f"{path}: unsupported input type; expected {expected}")
            files = [name]
        elif fs.isdir(fs_path):
            folder = path.rstrip("/")
            files = get_datafolder(folder).list_files(recursive=True)
        else:
            raise InputError(f"{path}: input not found")
    grouped: dict[str, list[str]] = {}
    skipped = 0
    for file in files:
        fmt = format_of(file, formats)
        if fmt is None:
            skipped += 1
            continue
        grouped.setdefault(fmt, []).append(file)
    if skipped:
        logger.warning(f"{path}: ignored {skipped} file(s) of other types (expected {expected})")
    if not grouped:
        raise InputError(f"{path}: no input files (expected {expected})")
    return [InputFiles(folder, tuple(sorted(fs)), fmt) for fmt, fs in sorted(grouped.items())]


def resolve_inputs(inputs: list[str], formats: dict[str, tuple[str, ...]]) -> list[InputFiles]:
    if not inputs:
        raise InputError("no inputs given")
    return [group for path in inputs for group in resolve_input(path, formats)]


# ---- config sections shared by the web and math pipelines ----------------------------------

SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_source_name(name: str) -> str:
    if not SOURCE_NAME.match(name) or name in RESERVED_NAMES:
        raise ValueError(
            f"source name {name!r} must be letters, digits, '_', '.', '-' and not one of "
            f"{', '.join(RESERVED_NAMES)} (it names the output folder)"
        )
    return name


class ReaderConfig(StrictModel):
    # Field names in jsonl / parquet inputs.
    text_key: str = "text"
    # The input's own id, kept as ``<source>/<id>``; without one the id hashes the url or path.
    id_key: str | None = "id"
    url_key: str | None = "url"
    path_key: str | None = "path"
    # What the jsonl / parquet text field holds: already extracted text, or HTML to extract.
    content: Literal["text", "html"] = "text"
    # A body whose decoding replaces more than this fraction of characters is undecodable
    # (a few stray bytes are common on real pages and are replaced, not fatal).
    max_undecodable_fraction: float = Field(default=0.01, ge=0, le=1)
    # Read failures keep this many characters of the raw body under removed/read/.
    removed_text_chars: int = Field(default=2000, ge=0)
    # Single files larger than this are not read (math inputs: one document per file).
    max_file_bytes: int = Field(default=16 * 2**20, gt=0)
    # Documents per task (-1: all); for trying a config on a slice of a crawl.
    limit: int = -1


class ExtractConfig(StrictModel):
    # resiliparse keeps the lines of <pre> code blocks and runs ~25x faster than trafilatura,
    # which joins multi-line code onto one line (../shared/ENVIRONMENT.md).
    extractor: Literal["resiliparse", "trafilatura"] = "resiliparse"
    main_content: bool = True
    # Wrap each <pre> block in ``` fences (with the language from class="language-x"); the
    # language and quality filters then judge only the prose outside the fences.
    code_fences: bool = True
    # MathJax <script type="math/tex"> and MathML (its TeX annotation) become $...$ / $$...$$.
    keep_math: bool = True
    # Seconds per document in datatrove's sandboxed extraction process; None extracts in-process.
    timeout_s: float | None = Field(default=5.0, gt=0)
    # Pages sent to the sandbox per round trip (a batch that fails is redone page by page).
    batch_size: int = Field(default=32, ge=1)


class LanguageConfig(StrictModel):
    # ISO 639-1 codes kept; None keeps every language (LID still writes lang and lang_score).
    languages: list[str] | None = ["en", "de", "fr", "es", "ru", "zh", "ja", "pt", "it", "pl", "nl"]
    # FineWeb keeps documents whose top fastText LID score is >= 0.65 (Penedo et al. 2024).
    min_score: float | None = Field(default=0.65, ge=0, le=1)
    # Per-language overrides of min_score, e.g. {"zh": 0.5}.
    min_score_per_language: dict[str, float] = {}

    @field_validator("languages")
    @classmethod
    def _lower(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [v.strip().lower() for v in value]


def extractor(
    cfg: ExtractConfig, reader: ReaderConfig, writer: DiskWriter, **tex: bool
) -> Extractor:
    return Extractor(
        extractor=cfg.extractor,
        main_content=cfg.main_content,
        code_fences=cfg.code_fences,
        keep_math=cfg.keep_math,
        timeout_s=cfg.timeout_s,
        batch_size=cfg.batch_size,
        removed_text_chars=reader.removed_text_chars,
        exclusion_writer=writer,
        **tex,
    )


def language_filter(cfg: LanguageConfig, writer: DiskWriter, *, strip_math: bool) -> LanguageFilter:
    return LanguageFilter(
        languages=cfg.languages,
        min_score=cfg.min_score,
        min_score_per_language=cfg.min_score_per_language,
        strip_code=True,
        strip_math=strip_math,
        exclusion_writer=writer,
    )

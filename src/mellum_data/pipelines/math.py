"""The math source pipeline: LaTeX / markdown / HTML / text / jsonl / parquet -> extract ->
math score -> language.

Steps (every drop lands under ``OUTPUT/removed/<step>/``):

1. readers (one document per .tex / .md / .html / .txt file, one per jsonl / parquet row),
   then ``read`` drops binary, non-UTF-8, empty and oversized files;
2. ``extract``: HTML to text with MathJax / MathML kept as TeX; LaTeX cleaned of comments
   and of its preamble except macro definitions (the source itself is what a model learns);
3. ``math_score``: ``metadata["score_math"]`` (``filters.math``) and its threshold;
4. ``language``: LID on the prose, formulas and TeX commands removed;
5. kept documents to ``OUTPUT/<source>/``.
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa
from pydantic import Field, field_validator

from mellum_data.config import StrictModel
from mellum_data.filters.math import MathScoreFilter
from mellum_data.pipelines.common import logs_dir
from mellum_data.pipelines.executor import Execution, run_steps
from mellum_data.pipelines.readers import DropMarked, reader_steps
from mellum_data.pipelines.sources import (
    MATH_FORMATS,
    ExtractConfig,
    LanguageConfig,
    ReaderConfig,
    check_source_name,
    extractor,
    language_filter,
    resolve_inputs,
)
from mellum_data.pipelines.writers import RemovedWriter, schema_kept_writer

MATH_METADATA: dict[str, pa.DataType] = {
    "source": pa.string(),
    "kind": pa.string(),
    "url": pa.string(),
    "path": pa.string(),
    "format": pa.string(),
    "file_path": pa.string(),
    "title": pa.string(),
    "score_math": pa.float64(),
    "lang": pa.string(),
    "lang_score": pa.float64(),
}


class MathExtractConfig(ExtractConfig):
    # Keep only \newcommand-style definitions from the preamble (package lists repeat
    # across papers); comments are often drafts and notes to co-authors.
    tex_strip_preamble: bool = True
    tex_strip_comments: bool = True


class MathScoreConfig(StrictModel):
    # Calibrated on documents written for the tests: LaTeX and MathJax pages score > 0.9,
    # changelogs, recipes and prose < 0.1 (see filters/math.py for the formula).
    min_score: float | None = Field(default=0.3, ge=0, le=1)


class MathConfig(StrictModel):
    source: str = "math"
    kind: Literal["math"] = "math"
    reader: ReaderConfig = Field(default_factory=ReaderConfig)
    extract: MathExtractConfig = Field(default_factory=MathExtractConfig)
    score: MathScoreConfig = Field(default_factory=MathScoreConfig)
    language: LanguageConfig = Field(default_factory=lambda: LanguageConfig(languages=["en"]))

    @field_validator("source")
    @classmethod
    def _source_name(cls, value: str) -> str:
        return check_source_name(value)


def build_math_steps(inputs: list[str], output: str, config: MathConfig) -> list:
    """The datatrove steps of the math pipeline (inputs are resolved now: InputError early)."""
    groups = resolve_inputs(inputs, MATH_FORMATS)
    meta = MATH_METADATA
    ex = config.extract
    return [
        *reader_steps(groups, config.reader, source=config.source, kind=config.kind),
        DropMarked(exclusion_writer=RemovedWriter(output, "read", meta)),
        extractor(
            ex,
            config.reader,
            RemovedWriter(output, "extract", meta),
            tex_strip_preamble=ex.tex_strip_preamble,
            tex_strip_comments=ex.tex_strip_comments,
        ),
        MathScoreFilter(
            min_score=config.score.min_score,
            exclusion_writer=RemovedWriter(output, "math_score", meta),
        ),
        language_filter(config.language, RemovedWriter(output, "language", meta), strip_math=True),
        schema_kept_writer(output, meta),
    ]


def run_math(inputs: list[str], output: str, config: MathConfig, execution: Execution) -> None:
    steps = build_math_steps(inputs, output, config)
    run_steps(steps, execution, logging_dir=logs_dir(output, "math"), name="math")

"""The web source pipeline: WARC / jsonl / parquet -> extract -> language -> quality.

Steps (each a datatrove step; every drop lands under ``OUTPUT/removed/<step>/``):

1. readers (one per input group), then ``read`` drops the records marked as unreadable;
2. ``extract``: HTML to text with code blocks fenced and math kept (``pipelines.extract``);
3. ``language``: fastText LID-176 on the prose (``filters.language``);
4. ``gopher_repetition``, ``gopher_quality``, ``c4_quality``, ``fineweb_quality``: the
   FineWeb rule set, on the prose, per language (``filters.web_quality``);
5. kept documents to ``OUTPUT/<source>/``.
"""

from __future__ import annotations

from typing import Any, Literal

import pyarrow as pa
from pydantic import Field, field_validator

from mellum_data.config import StrictModel
from mellum_data.filters.web_quality import (
    C4_LANGUAGES,
    STOP_WORDS,
    C4Quality,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
)
from mellum_data.pipelines.common import logs_dir
from mellum_data.pipelines.executor import Execution, run_steps
from mellum_data.pipelines.readers import DropMarked, reader_steps
from mellum_data.pipelines.sources import (
    WEB_FORMATS,
    ExtractConfig,
    LanguageConfig,
    ReaderConfig,
    check_source_name,
    extractor,
    language_filter,
    resolve_inputs,
)
from mellum_data.pipelines.writers import RemovedWriter, schema_kept_writer

WEB_METADATA: dict[str, pa.DataType] = {
    "source": pa.string(),
    "kind": pa.string(),
    "url": pa.string(),
    "date": pa.string(),
    "format": pa.string(),
    "file_path": pa.string(),
    "title": pa.string(),
    "lang": pa.string(),
    "lang_score": pa.float64(),
}


class GopherRepetitionConfig(StrictModel):
    enabled: bool = True
    languages: list[str] | None = None  # None: every language
    # Rae et al. 2021 (Gopher), Table A1.
    dup_line_frac: float | None = 0.30
    dup_para_frac: float | None = 0.30
    dup_line_char_frac: float | None = 0.20
    dup_para_char_frac: float | None = 0.20
    top_n_grams: list[tuple[int, float]] = [(2, 0.20), (3, 0.18), (4, 0.16)]
    dup_n_grams: list[tuple[int, float]] = [
        (5, 0.15),
        (6, 0.14),
        (7, 0.13),
        (8, 0.12),
        (9, 0.11),
        (10, 0.10),
    ]


class GopherQualityConfig(StrictModel):
    enabled: bool = True
    languages: list[str] | None = None
    # Rae et al. 2021 (Gopher), Appendix A.1.1; the word counts include code.
    min_doc_words: int | None = 50
    max_doc_words: int | None = 100_000
    min_avg_word_length: float | None = 3
    max_avg_word_length: float | None = 10
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_lines_ratio: float | None = 0.9
    max_ellipsis_lines_ratio: float | None = 0.3
    # The minimum share of words with a letter (datatrove's name).
    max_non_alpha_words_ratio: float | None = 0.8
    min_stop_words: int | None = 2
    # Per language; languages without a list skip the stop-word rule.
    stop_words: dict[str, list[str]] = Field(default_factory=lambda: dict(STOP_WORDS))


class C4Config(StrictModel):
    enabled: bool = True
    # Sentence punctuation and "3 words per line" hold for Latin and Cyrillic scripts.
    languages: list[str] | None = list(C4_LANGUAGES)
    # Raffel et al. 2020 (C4), Section 2.2. Lines failing a line rule are not counted as
    # sentences (the text itself is never rewritten).
    filter_no_terminal_punct: bool = True
    min_num_sentences: int | None = 5
    min_words_per_line: int | None = 3
    max_word_length: int | None = 1000
    filter_lorem_ipsum: bool = True
    filter_policy: bool = True
    # Off: these would drop or discount every page about C, Java or JavaScript.
    filter_javascript: bool = False
    filter_curly_bracket: bool = False


class FineWebConfig(StrictModel):
    enabled: bool = True
    languages: list[str] | None = None
    # Penedo et al. 2024 (FineWeb), Section 3.3 ("custom filters").
    line_punct_thr: float | None = 0.12
    line_punct_exclude_zero: bool = False
    short_line_thr: float | None = 0.67
    short_line_length: int = 30
    char_duplicates_ratio: float | None = 0.01
    new_line_ratio: float | None = 0.3


class QualityConfig(StrictModel):
    # Judge the prose only (text outside ``` code fences); see filters/web_quality.py.
    prose_only: bool = True
    gopher_repetition: GopherRepetitionConfig = Field(default_factory=GopherRepetitionConfig)
    gopher_quality: GopherQualityConfig = Field(default_factory=GopherQualityConfig)
    c4: C4Config = Field(default_factory=C4Config)
    fineweb: FineWebConfig = Field(default_factory=FineWebConfig)


class WebConfig(StrictModel):
    source: str = "web"
    kind: Literal["web"] = "web"
    reader: ReaderConfig = Field(default_factory=ReaderConfig)
    extract: ExtractConfig = Field(default_factory=ExtractConfig)
    language: LanguageConfig = Field(default_factory=LanguageConfig)
    quality: QualityConfig = Field(default_factory=QualityConfig)

    @field_validator("source")
    @classmethod
    def _source_name(cls, value: str) -> str:
        return check_source_name(value)


def _params(section: StrictModel) -> dict[str, Any]:
    return section.model_dump(exclude={"enabled", "languages"})


def quality_steps(cfg: QualityConfig, output: str, metadata: dict[str, pa.DataType]) -> list:
    filters = [
        ("gopher_repetition", GopherRepetition, cfg.gopher_repetition),
        ("gopher_quality", GopherQuality, cfg.gopher_quality),
        ("c4_quality", C4Quality, cfg.c4),
        ("fineweb_quality", FineWebQuality, cfg.fineweb),
    ]
    return [
        cls(
            languages=section.languages,
            prose_only=cfg.prose_only,
            exclusion_writer=RemovedWriter(output, step, metadata),
            **_params(section),
        )
        for step, cls, section in filters
        if section.enabled
    ]


def build_web_steps(inputs: list[str], output: str, config: WebConfig) -> list:
    """The datatrove steps of the web pipeline (inputs are resolved now: InputError early)."""
    groups = resolve_inputs(inputs, WEB_FORMATS)
    meta = WEB_METADATA
    return [
        *reader_steps(groups, config.reader, source=config.source, kind=config.kind),
        DropMarked(exclusion_writer=RemovedWriter(output, "read", meta)),
        extractor(config.extract, config.reader, RemovedWriter(output, "extract", meta)),
        language_filter(config.language, RemovedWriter(output, "language", meta), strip_math=False),
        *quality_steps(config.quality, output, meta),
        schema_kept_writer(output, meta),
    ]


def run_web(inputs: list[str], output: str, config: WebConfig, execution: Execution) -> None:
    steps = build_web_steps(inputs, output, config)
    run_steps(steps, execution, logging_dir=logs_dir(output, "web"), name="web")

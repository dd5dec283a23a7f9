"""The web source pipeline: WARC / jsonl / parquet -> URL -> extract -> language -> quality
-> classifier score and tier.

Steps (each a datatrove step; every drop lands under ``OUTPUT/removed/<step>/``):

1. readers (one per input group), then ``read`` drops the records marked as unreadable;
2. ``url``: block-listed domains and words, repeated normalised URLs (``filters.url``);
3. ``extract``: HTML to text with code blocks fenced, code spans recorded and math kept
   (``pipelines.extract``);
4. ``language``: fastText LID-176 on the prose (``filters.language``);
5. ``gopher_repetition``, ``gopher_quality``, ``c4_quality``, ``fineweb_quality``: the
   FineWeb rule set, on the prose, per language (``filters.web_quality``);
6. with a classifier model: ``quality_classifier`` writes ``score_<name>`` (and may drop),
   then ``quality_tier`` (high / medium / low) from thresholds or percentiles
   (``pipelines.quality``);
7. kept documents to ``OUTPUT/<source>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pyarrow as pa
from datatrove.pipeline.writers.disk_base import DiskWriter
from pydantic import Field, field_validator

from mellum_data.config import StrictModel
from mellum_data.errors import InputError
from mellum_data.filters import gopher
from mellum_data.filters.language import LID_MIN_SCORES, calibrate_lid_thresholds
from mellum_data.filters.lean import in_batches
from mellum_data.filters.quality_classifier import QualityTier
from mellum_data.filters.url import BUILTIN_BLOCKED_WORDS, TRACKING_PARAMS, UrlFilter
from mellum_data.filters.web_quality import (
    C4_LANGUAGES,
    STOP_WORDS,
    C4Quality,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
)
from mellum_data.io import PARQUET_THREADS, atomic_write_json, folder, path_exists
from mellum_data.pipelines.common import logs_dir
from mellum_data.pipelines.executor import Execution, run_steps
from mellum_data.pipelines.quality import (
    ClassifierConfig,
    TierConfig,
    Tiers,
    classifier_steps,
    tier_thresholds,
)
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
    "code_spans": pa.list_(pa.list_(pa.int32())),
    "inline_code_spans": pa.list_(pa.list_(pa.int32())),
}


# What a page removed as a URL repeat names (filters.url).
URL_DUPLICATE = {"duplicate_of": pa.string(), "duplicate_of_url": pa.string()}
# Documents each filter takes at a time (see ``filters.lean.in_batches``); the extractor keeps
# its own batch (``extract.batch_size``).
FILTER_BATCH = 256


class UrlConfig(StrictModel):
    enabled: bool = True
    # Block-list files (local or s3://), one entry a line, '#' comments (see filters/url.py).
    blocked_domain_files: list[str] = []
    blocked_word_files: list[str] = []
    # Add our short built-in list of adult-content and spam words (filters.url).
    builtin_blocked_words: bool = True
    # Drop a page whose normalised URL (lower-case scheme and host, no default port, fragment
    # or tracking parameters, sorted query) an earlier page of the same task had. The first
    # in reading order (inputs as given, each input's files sorted, records in file order)
    # is kept; the copy goes to removed/url/ with duplicate_of (the kept page's id) and
    # duplicate_of_url. Done before extraction, to save the work. A URL repeated in
    # different tasks is removed by the dedup stage's url key (on by default; the first
    # copy in its input order is kept), so the pair web + dedup leaves one page per URL.
    dedup: bool = True
    # Query parameters dropped when normalising ('*' at the end: a prefix).
    tracking_params: list[str] = list(TRACKING_PARAMS)


class WebLanguageConfig(LanguageConfig):
    # Minimum lang_score per language (FineWeb-2's per-language thresholds); a language not
    # listed uses min_score, the global fallback. The default is filters.language's
    # LID_MIN_SCORES (en 0.65 as FineWeb; zh and ja 0.5, which LID-176 confuses with each
    # other); a table given in the config replaces it whole ({} and min_score: null: no
    # score threshold). calibrate_lid_thresholds (filters.language) computes a table from a
    # sample of a crawl, FineWeb-2's way.
    min_score_per_language: dict[str, float] = Field(default_factory=lambda: dict(LID_MIN_SCORES))

    @field_validator("min_score_per_language")
    @classmethod
    def _scores(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {lang: score for lang, score in value.items() if not 0 <= score <= 1}
        if bad:
            raise ValueError(f"scores must be between 0 and 1, got {bad}")
        return {lang.strip().lower(): score for lang, score in value.items()}


class GopherRepetitionConfig(StrictModel):
    enabled: bool = True
    languages: list[str] | None = None  # None: every language
    # Defaults: Rae et al. 2021 (Gopher), Table A1, kept in filters.gopher.
    dup_line_frac: float | None = gopher.DUP_LINE_FRAC
    dup_para_frac: float | None = gopher.DUP_PARA_FRAC
    dup_line_char_frac: float | None = gopher.DUP_LINE_CHAR_FRAC
    dup_para_char_frac: float | None = gopher.DUP_PARA_CHAR_FRAC
    top_n_grams: list[tuple[int, float]] = list(gopher.TOP_N_GRAMS)
    dup_n_grams: list[tuple[int, float]] = list(gopher.DUP_N_GRAMS)


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
    # Repeated short lines (headings, breadcrumbs, "Next") are not duplicated characters.
    ignore_short_duplicates: bool = True


class QualityConfig(StrictModel):
    # Judge the prose only (the text outside the code the extractor recorded, or outside
    # ``` fences); see filters/web_quality.py.
    prose_only: bool = True
    gopher_repetition: GopherRepetitionConfig = Field(default_factory=GopherRepetitionConfig)
    gopher_quality: GopherQualityConfig = Field(default_factory=GopherQualityConfig)
    c4: C4Config = Field(default_factory=C4Config)
    fineweb: FineWebConfig = Field(default_factory=FineWebConfig)


class WebConfig(StrictModel):
    source: str = "web"
    kind: Literal["web"] = "web"
    reader: ReaderConfig = Field(default_factory=ReaderConfig)
    url: UrlConfig = Field(default_factory=UrlConfig)
    extract: ExtractConfig = Field(default_factory=ExtractConfig)
    language: WebLanguageConfig = Field(default_factory=WebLanguageConfig)
    quality: QualityConfig = Field(default_factory=QualityConfig)
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    tiers: TierConfig = Field(default_factory=TierConfig)

    @field_validator("source")
    @classmethod
    def _source_name(cls, value: str) -> str:
        return check_source_name(value)


def _params(section: StrictModel) -> dict[str, Any]:
    return section.model_dump(exclude={"enabled", "languages"})


WriterFor = Callable[[str], DiskWriter | None]


def web_metadata(config: WebConfig) -> dict[str, pa.DataType]:
    """The kept documents' metadata columns: ``WEB_METADATA`` plus the classifier's."""
    meta = dict(WEB_METADATA)
    if config.classifier.model is not None:
        meta[f"score_{config.classifier.name}"] = pa.float64()
        if config.tiers.enabled:
            meta["quality_tier"] = pa.string()
    return meta


def url_filter(cfg: UrlConfig, writer: DiskWriter | None) -> list[UrlFilter]:
    if not cfg.enabled:
        return []
    return [
        UrlFilter(
            blocked_domain_files=cfg.blocked_domain_files,
            blocked_word_files=cfg.blocked_word_files,
            blocked_words=BUILTIN_BLOCKED_WORDS if cfg.builtin_blocked_words else (),
            dedup=cfg.dedup,
            tracking_params=cfg.tracking_params,
            exclusion_writer=writer,
        )
    ]


def quality_steps(cfg: QualityConfig, writer_for: WriterFor) -> list:
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
            exclusion_writer=writer_for(step),
            **_params(section),
        )
        for step, cls, section in filters
        if section.enabled
    ]


def filter_steps(groups: list, config: WebConfig, writer_for: WriterFor) -> list:
    """Reading and every filter before the classifier, the filters a batch at a time."""
    filters = [
        DropMarked(exclusion_writer=writer_for("read")),
        *url_filter(config.url, writer_for("url")),
        extractor(config.extract, config.reader, writer_for("extract")),
        language_filter(config.language, writer_for("language"), strip_math=False),
        *quality_steps(config.quality, writer_for),
    ]
    readers = reader_steps(groups, config.reader, source=config.source, kind=config.kind)
    return [*readers, *in_batches(filters, FILTER_BATCH)]


def first_documents(steps: list, n: int) -> list[str]:
    """Texts of the first ``n`` documents out of ``steps``, run in this process."""
    pipeline = None
    for step in steps:
        pipeline = step.run(pipeline, 0, 1)
    texts: list[str] = []
    for doc in pipeline or ():
        texts.append(doc.text)
        if len(texts) >= n:
            break
    if pipeline is not None:
        pipeline.close()
    return texts


def web_tiers(groups: list, config: WebConfig) -> Tiers | None:
    """Tier thresholds (None without a classifier or with tiers off); see ``tier_thresholds``."""
    if config.classifier.model is None or not config.tiers.enabled:
        return None
    return tier_thresholds(
        config.classifier,
        config.tiers,
        lambda n: first_documents(filter_steps(groups, config, lambda step: None), n),
    )


def build_web_steps(inputs: list[str], output: str, config: WebConfig) -> list:
    """The datatrove steps of the web pipeline (inputs are resolved now: InputError early;
    percentile tiers score a sample of the inputs now)."""
    groups = resolve_inputs(inputs, WEB_FORMATS)
    meta = web_metadata(config)
    if config.classifier.model is not None and not path_exists(config.classifier.model):
        raise InputError(f"{config.classifier.model}: classifier model not found")

    def writer_for(step: str) -> RemovedWriter:
        return RemovedWriter(output, step, {**meta, **URL_DUPLICATE} if step == "url" else meta)

    return [
        *filter_steps(groups, config, writer_for),
        *classifier_steps(
            config.classifier, web_tiers(groups, config), writer_for("quality_classifier")
        ),
        schema_kept_writer(output, meta),
    ]


def lid_scores(output: str) -> list[tuple[str, float]]:
    """``(lang, lang_score)`` of every document the language step scored in a web stage
    output: the kept ones and those removed at or after that step (``removed/<step>/``), so
    the scores are the unthresholded distribution the per-language thresholds are cut from."""
    import pyarrow.parquet as pq

    out = folder(output)
    pairs = []
    for path in out.list_files(recursive=True, glob_pattern="**/*.parquet"):
        if path.startswith("logs/"):
            continue
        with out.open(path, "rb") as f:
            meta = (
                pq.read_table(f, columns=["metadata"], use_threads=PARQUET_THREADS)
                .column("metadata")
                .combine_chunks()
            )
        if {"lang", "lang_score"} - {field.name for field in meta.type}:
            continue
        langs, scores = meta.field("lang").to_pylist(), meta.field("lang_score").to_pylist()
        pairs += [(lang, score) for lang, score in zip(langs, scores) if lang and score is not None]
    return pairs


def calibrate_language_table(output: str, **options: Any) -> dict[str, float]:
    """A ``language.min_score_per_language`` table from a web stage output, FineWeb-2's way
    (``filters.language.calibrate_lid_thresholds``, whose keyword options it takes)."""
    return calibrate_lid_thresholds(lid_scores(output), **options)


def run_web(inputs: list[str], output: str, config: WebConfig, execution: Execution) -> None:
    steps = build_web_steps(inputs, output, config)
    logs = logs_dir(output, "web")
    for step in steps:
        if isinstance(step, QualityTier):  # the thresholds used, for the record
            tiers = {"score_key": step.score_key, "high": step.high, "medium": step.medium}
            atomic_write_json(folder(logs), "quality_tiers.json", tiers)
    run_steps(steps, execution, logging_dir=logs, name="web")

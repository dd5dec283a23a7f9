"""datatrove's web quality rules (Gopher repetition and quality, C4, FineWeb), made fit for a
multilingual corpus that feeds a code model.

What changes against running datatrove's filters as they are, and why:

- **Prose only.** The rules judge the text outside code blocks and inline code
  (``document_prose``: the extractor's code spans, or ``` fences for text without them):
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
  punctuation (every code line); here it only decides. Its curly-bracket and "javascript"
  rules are off in the web config (they drop every page about C, Java or JS).
- **Computed once, at C speed.** The rules are pure functions (``filters.gopher``,
  ``filters.line_rules``) that decide as datatrove's filters do; a document's prose, words
  and word count are computed once for all four filters, and per-word tests run as regexes
  and string methods over whole texts instead of Python loops over words and lines.

Each filter's reason is datatrove's reason prefixed with the filter name, e.g.
``gopher_repetition_dup_line_frac``, ``gopher_quality_short_doc``, ``c4_quality_lorem_ipsum``,
``fineweb_quality_line_punct_ratio``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.text import PUNCTUATION_SET
from datatrove.utils.word_tokenizers import WordTokenizer

from mellum_data.filters.gopher import quality_reason, repetition_reason
from mellum_data.filters.language import document_prose
from mellum_data.filters.lean import LeanFilter
from mellum_data.filters.line_rules import c4_reason, fineweb_reason

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?«»“”‘’„…。，、！？：；（）「」『』【】《》"
_ASCII_QUOTES = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "’": "'"}
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


def tokens(text: str) -> list[str]:
    """Whitespace-separated tokens, each Han or Kana character a token of its own."""
    # str.split splits on the characters regex \s matches, several times faster.
    return _TOKEN.findall(text) if _HAS_CJK.search(text) else text.split()


class ScriptWordTokenizer(WordTokenizer):
    """Whitespace words with edge punctuation stripped; Han and Kana split per character."""

    def word_tokenize(self, text: str) -> list[str]:
        return [token.strip(_EDGE_PUNCTUATION) or token for token in tokens(text)]

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


class _Derived:
    """What the quality filters derive from a document (its prose, the words of what they
    judge, its word count), kept for the last ``capacity`` documents: the filters run one
    after the other on each document, or on each batch of documents, and no step changes a
    text or its spans after extraction. Entries are found by the document object and used
    only while its text and span objects are the ones they were computed from, so a new
    document never meets stale values."""

    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self.entries: dict[int, tuple[tuple, dict[str, Any]]] = {}

    def get(self, doc: Document, name: str, compute: Callable[[], Any]) -> Any:
        meta = doc.metadata
        key = (doc.text, meta.get("code_spans"), meta.get("inline_code_spans"))
        entry = self.entries.get(id(doc))
        if entry is None or any(a is not b for a, b in zip(key, entry[0])):
            if len(self.entries) >= self.capacity:
                del self.entries[next(iter(self.entries))]  # the oldest
            entry = self.entries[id(doc)] = (key, {})
        values = entry[1]
        if name not in values:
            values[name] = compute()
        return values[name]


_DERIVED = _Derived()
# A token (one a line) made of punctuation only.
_PUNCTUATION_TOKEN = re.compile(
    "^["
    + re.escape("".join(c for c in PUNCTUATION_SET | set(_EDGE_PUNCTUATION) if not c.isspace()))
    + "]+$",
    re.M,
)


def count_words(text: str) -> int:
    """Words with a character that is not punctuation (Gopher's count), at C speed."""
    found = tokens(text)
    return len(found) - len(_PUNCTUATION_TOKEN.findall("\n".join(found)))


def count_sentences(line: str) -> int:
    """Sentences of a line as datatrove counts them with ``ScriptWordTokenizer`` (at least 1)."""
    return max(1, sum(1 for m in _SENTENCE.finditer(line) if m.group().strip()))


class ScopedQualityFilter(LeanFilter):
    """Runs a rule set (``judge``) on a document's prose, for documents whose ``lang`` is in
    ``languages`` (None: all); others pass untouched."""

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

    def judged_text(self, doc: Document) -> str:
        if not self.prose_only:
            return doc.text
        return _DERIVED.get(doc, "prose", lambda: document_prose(doc.text, doc.metadata))

    def judged_words(self, doc: Document) -> list[str]:
        """The words of ``judged_text`` (blank lines do not change them)."""
        text = self.judged_text(doc)
        return _DERIVED.get(doc, f"words:{self.prose_only}", lambda: WORDS.word_tokenize(text))

    def judge(self, doc: Document, text: str, lang: str) -> str | None:
        """The reason ``text`` (the judged text of ``doc``) fails, or None."""
        raise NotImplementedError

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        lang = doc.metadata.get("lang", "")
        if self.languages is not None and lang not in self.languages:
            self.stat_update("skipped_language")
            return True
        text = self.judged_text(doc)
        if self.single_spaced:
            single = f"single:{self.prose_only}"
            text = _DERIVED.get(doc, single, lambda: _BLANK_LINES.sub("\n", text))
        if not text.strip():  # nothing to judge (the language filter requires prose)
            return True
        reason = self.judge(doc, text, lang)
        return True if reason is None else (False, f"{self.prefix}_{reason}")


class GopherRepetition(ScopedQualityFilter):
    """Gopher's repetition rules on lower-cased words, scaled for zh and ja (see
    ``filters.gopher``)."""

    name = "👯 Gopher repetition"
    prefix = "gopher_repetition"

    def judge(self, doc: Document, text: str, lang: str) -> str | None:
        words = self.judged_words(doc)
        return repetition_reason(
            text, words, character_words=lang in CHARACTER_WORD_LANGUAGES, **self.params
        )


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
        stop_words = STOP_WORDS if stop_words is None else stop_words
        self.stop_words = {lang: frozenset(words) for lang, words in stop_words.items()}

    def judge(self, doc: Document, text: str, lang: str) -> str | None:
        n_words = _DERIVED.get(doc, "doc_words", lambda: count_words(doc.text))
        if self.min_doc_words is not None and n_words < self.min_doc_words:
            return "short_doc"
        if self.max_doc_words is not None and n_words > self.max_doc_words:
            return "long_doc"
        params = dict(self.params)
        stop_words = self.stop_words.get(lang)
        if not stop_words:
            params["min_stop_words"] = None
        if lang in CHARACTER_WORD_LANGUAGES:
            params["min_avg_word_length"] = params["max_avg_word_length"] = None
        words = self.judged_words(doc)
        return quality_reason(text, words, stop_words=stop_words or frozenset(), **params)


class C4Quality(ScopedQualityFilter):
    """C4's document rules (``filters.line_rules``), decided without rewriting the text."""

    name = "⛰ C4 quality"
    prefix = "c4_quality"

    def __init__(self, *, languages: Sequence[str] | None = C4_LANGUAGES, **kwargs: Any) -> None:
        super().__init__(languages=languages, **kwargs)

    def judge(self, doc: Document, text: str, lang: str) -> str | None:
        # C4 counts a line ending in '"' or "'" as a sentence; typographic quotes (German
        # „…“, French «…», English “…”) count the same.
        for quote, ascii_quote in _ASCII_QUOTES.items():  # str.replace: translate is slower
            if quote in text:
                text = text.replace(quote, ascii_quote)
        return c4_reason(text, count_sentences, **self.params)


# A CJK character carries about as much as three Latin ones (a translated sentence has about a
# third of the characters), so a "short line" is a third as long.
CJK_LINE_SCALE = 3


class FineWebQuality(ScopedQualityFilter):
    """FineWeb's rules (``filters.line_rules``); repeats of short lines (at most
    ``short_line_length`` characters) do not count as duplicated characters when
    ``ignore_short_duplicates``: resiliparse keeps the breadcrumbs, table-of-contents entries
    and "Next" links that trafilatura, on whose output the 1% threshold was set, drops, and
    one repeated heading would otherwise fail a page."""

    name = "🍷 FineWeb quality"
    prefix = "fineweb_quality"
    single_spaced = True

    def __init__(self, *, ignore_short_duplicates: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ignore_short_duplicates = ignore_short_duplicates

    def short_line_length(self, lang: str) -> int:
        length = self.params.get("short_line_length", 30)
        if lang in CHARACTER_WORD_LANGUAGES:
            return max(1, round(length / CJK_LINE_SCALE))
        return length

    def judge(self, doc: Document, text: str, lang: str) -> str | None:
        limit = self.short_line_length(lang)
        if self.ignore_short_duplicates:
            seen: set[str] = set()
            lines = []
            for line in text.split("\n"):
                if len(line) <= limit and line in seen:
                    continue
                seen.add(line)
                lines.append(line)
            text = "\n".join(lines)
        params = {**self.params, "short_line_length": limit}
        return fineweb_reason(text, len(tokens(text)), **params)

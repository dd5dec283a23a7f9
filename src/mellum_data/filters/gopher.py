"""Gopher's rules (Rae et al. 2021, Appendix A.1.1 and Table A1) as pure functions of a text and
its words, returning datatrove's reason names. ``quality_reason`` decides exactly as
datatrove's ``GopherQualityFilter`` does, with string methods and regexes in place of
per-character Python loops (the filter ran at ~1.5k documents/s). ``repetition_reason``
follows datatrove's ``GopherRepetitionFilter`` with two changes that matter for a
multilingual crawl:

- n-grams are of lower-cased words: keyword stuffing varies the case of its phrase ("Fast
  Loans", "fast loans") and would otherwise count as several n-grams; the most frequent
  n-gram counts only when it occurs more than once (in a page of 100 characters, any
  single 4-gram is above 16%: the length rules judge such pages);
- in languages whose words are single characters here (zh, ja), an n-gram spans
  ``n * CJK_WORD_CHARS`` characters (a word there averages about two characters, so
  character 5-grams repeat in ordinary prose) and its length is counted without the
  separators datatrove puts between words (which doubled the length of a CJK n-gram).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

from datatrove.pipeline.filters.gopher_repetition_filter import find_duplicates
from datatrove.utils.text import PUNCTUATION_SET

CJK_WORD_CHARS = 2
_PARAGRAPHS = re.compile(r"\n{2,}")
_LINES = re.compile(r"\n+")
# A word (one a line) made of punctuation only, and one with a letter: a word character that
# is neither a digit nor "_" (str.isalpha).
_PUNCTUATION_WORD = re.compile(
    "^[" + re.escape("".join(c for c in PUNCTUATION_SET if not c.isspace())) + "]+$", re.M
)
_LETTER_WORD = re.compile(r"^[^\n]*?[^\W\d_]", re.M)


def quality_reason(
    text: str,
    words: list[str],
    *,
    min_avg_word_length: float | None = 3,
    max_avg_word_length: float | None = 10,
    max_symbol_word_ratio: float | None = 0.1,
    max_bullet_lines_ratio: float | None = 0.9,
    max_ellipsis_lines_ratio: float | None = 0.3,
    max_non_alpha_words_ratio: float | None = 0.8,
    min_stop_words: int | None = 2,
    stop_words: frozenset[str] = frozenset(),
) -> str | None:
    """The first Gopher quality rule ``text`` fails, or None. The document length rules are
    left to the caller (they count the words of the whole document, code included)."""
    n_words = len(words)
    if not n_words:
        return "short_doc"
    # Word-level tests run as regexes over the words joined one a line (words hold no
    # whitespace): a Python loop over every word cost more than the rest of the filter.
    joined = "\n".join(words)
    punctuation_only = _PUNCTUATION_WORD.findall(joined)
    counted = n_words - len(punctuation_only)
    chars = len(joined) - (n_words - 1) - sum(map(len, punctuation_only))
    avg = chars / counted if counted else 0.0
    if min_avg_word_length and avg < min_avg_word_length:
        return "below_avg_threshold"
    if max_avg_word_length and avg > max_avg_word_length:
        return "above_avg_threshold"
    if max_symbol_word_ratio and text.count("#") / n_words > max_symbol_word_ratio:
        return "too_many_hashes"
    ellipses = text.count("...") + text.count("…")
    if max_symbol_word_ratio and ellipses / n_words > max_symbol_word_ratio:
        return "too_many_ellipsis"
    lines = text.splitlines()
    bullets = sum(line.lstrip().startswith(("•", "-")) for line in lines)
    if max_bullet_lines_ratio and bullets / len(lines) > max_bullet_lines_ratio:
        return "too_many_bullets"
    trailing = sum(line.rstrip().endswith(("...", "…")) for line in lines)
    if max_ellipsis_lines_ratio and trailing / len(lines) > max_ellipsis_lines_ratio:
        return "too_many_end_ellipsis"
    if max_non_alpha_words_ratio:
        alpha = len(_LETTER_WORD.findall(joined))
        if alpha / n_words < max_non_alpha_words_ratio:
            return "below_alpha_threshold"
    if min_stop_words and len(stop_words.intersection(words)) < min_stop_words:
        return "enough_stop_words"
    return None


def _ngrams(words: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return zip(*(words[k:] for k in range(n)))


def duplicates(items: list[str]) -> tuple[int, int]:
    """datatrove's ``find_duplicates`` (repeated items and their characters), with a C-speed
    answer for the usual case of no repeat."""
    if len(set(items)) == len(items):
        return 0, 0
    return find_duplicates(items)


def _top_ngram(words: list[str], n: int, sep: int) -> tuple[int, int]:
    """Characters covered by the most frequent n-gram (0 unless it repeats), and its count."""
    grams = Counter(_ngrams(words, n))
    if not grams:
        return 0, 0
    gram, count = grams.most_common(1)[0]
    if count < 2:  # nothing repeats (datatrove would drop a short page for its only n-gram)
        return 0, count
    return (sum(map(len, gram)) + sep * (n - 1)) * count, count


def _duplicated_ngram_chars(words: list[str], n: int) -> int:
    """Characters in n-grams seen before, scanning left to right and skipping past a repeat
    (datatrove's ``find_all_duplicate``)."""
    grams = list(_ngrams(words, n))
    if len(set(grams)) == len(grams):  # the usual case: nothing repeats
        return 0
    seen: set[tuple[str, ...]] = set()
    repeated, i = 0, 0
    while i < len(grams):
        gram = grams[i]
        if gram in seen:
            repeated += sum(map(len, gram))
            i += n
        else:
            seen.add(gram)
            i += 1
    return repeated


# Rae et al. 2021 (Gopher), Table A1: the repetition thresholds.
DUP_LINE_FRAC = 0.30
DUP_PARA_FRAC = 0.30
DUP_LINE_CHAR_FRAC = 0.20
DUP_PARA_CHAR_FRAC = 0.20
TOP_N_GRAMS: tuple[tuple[int, float], ...] = ((2, 0.20), (3, 0.18), (4, 0.16))
DUP_N_GRAMS: tuple[tuple[int, float], ...] = (
    (5, 0.15),
    (6, 0.14),
    (7, 0.13),
    (8, 0.12),
    (9, 0.11),
    (10, 0.10),
)


def repetition_reason(
    text: str,
    words: list[str],
    *,
    character_words: bool = False,
    dup_line_frac: float | None = DUP_LINE_FRAC,
    dup_para_frac: float | None = DUP_PARA_FRAC,
    dup_line_char_frac: float | None = DUP_LINE_CHAR_FRAC,
    dup_para_char_frac: float | None = DUP_PARA_CHAR_FRAC,
    top_n_grams: Sequence[tuple[int, float]] = TOP_N_GRAMS,
    dup_n_grams: Sequence[tuple[int, float]] = DUP_N_GRAMS,
) -> str | None:
    """The first repetition rule ``text`` fails (datatrove's reason names), or None."""
    if not text:
        return "empty"
    paragraphs = _PARAGRAPHS.split(text.strip())
    dups, dup_chars = duplicates(paragraphs)
    if dup_para_frac and dups / len(paragraphs) > dup_para_frac:
        return "dup_para_frac"
    if dup_para_char_frac and dup_chars / len(text) > dup_para_char_frac:
        return "dup_para_char_frac"
    lines = _LINES.split(text)
    dups, dup_chars = duplicates(lines)
    if dup_line_frac and dups / len(lines) > dup_line_frac:
        return "dup_line_frac"
    if dup_line_char_frac and dup_chars / len(text) > dup_line_char_frac:
        return "dup_line_char_frac"
    words = "\n".join(words).lower().split("\n")  # one C call, not one per word
    scale, sep = (CJK_WORD_CHARS, 0) if character_words else (1, 1)
    # An n-gram occurs at most as often as the most frequent shorter n-gram (each of its
    # occurrences starts with one) and has at most the characters of the n longest words:
    # when that bound is under a rule's threshold, the rule cannot fire and goes uncounted.
    longest = sorted(map(len, words), reverse=True)
    counted: dict[int, int] = {}  # n -> count of the most frequent n-gram
    for n, frac in top_n_grams:
        k = n * scale
        most = min([c for m, c in counted.items() if m <= k], default=len(words))
        if most < 2 or (sum(longest[:k]) + sep * (k - 1)) * most / len(text) <= frac:
            continue
        chars, counted[k] = _top_ngram(words, k, sep)
        if chars / len(text) > frac:
            return f"top_{n}_gram"
    for n, frac in sorted(dup_n_grams):
        repeated = _duplicated_ngram_chars(words, n * scale)
        if repeated / len(text) > frac:
            return f"duplicated_{n}_n_grams"
        if not repeated:  # a repeated longer n-gram would contain a repeated shorter one
            break
    return None

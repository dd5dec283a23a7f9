"""C4's and FineWeb's document rules as pure functions of a text, returning datatrove's reason
names. They decide as datatrove's ``C4QualityFilter`` (with ``split_paragraph``, the C4
default) and ``FineWebQualityFilter`` do, without their per-line statistics calls (C4 updated
three counters per line, which cost more than the rules) and without rewriting the text:
C4 would delete every line that lacks terminal punctuation, code included.

- C4 (Raffel et al. 2020, Section 2.2): a line counts when it ends in terminal punctuation
  (not an ellipsis), has at least ``min_words_per_line`` words and no word longer than
  ``max_word_length``; "lorem ipsum" or (when enabled) "{" on such a line drops the page;
  lines mentioning "javascript" (when enabled) or a cookie / terms-of-use phrase do not
  count; fewer than ``min_num_sentences`` sentences on the counted lines drops the page.
- FineWeb (Penedo et al. 2024, Section 3.3): the share of lines ending in terminal
  punctuation, of short lines, of characters in duplicated lines, and newlines per word.
"""

from __future__ import annotations

from collections.abc import Callable

from datatrove.pipeline.filters.c4_filters import CITATION_REGEX, END_PUNCTUATION, POLICY_SUBSTRINGS
from datatrove.utils.text import TERMINAL_PUNCTUATION

from mellum_data.filters.gopher import duplicates

TERMINAL = tuple(TERMINAL_PUNCTUATION)
_CITATION_MARK = "["


def c4_reason(
    text: str,
    count_sentences: Callable[[str], int],
    *,
    filter_no_terminal_punct: bool = True,
    min_num_sentences: int | None = 5,
    min_words_per_line: int | None = 3,
    max_word_length: int | None = 1000,
    filter_lorem_ipsum: bool = True,
    filter_javascript: bool = True,
    filter_curly_bracket: bool = True,
    filter_policy: bool = True,
) -> str | None:
    """The first C4 rule ``text`` fails, or None; ``count_sentences(line)`` counts a line's
    sentences (at least 1 for a non-blank line)."""
    # The page-level rules can only fire on a line that contains their marker: without one
    # anywhere, the scan stops as soon as enough sentences are counted.
    lowered = text.lower()
    page_rules = (filter_lorem_ipsum and "lorem ipsum" in CITATION_REGEX.sub("", lowered)) or (
        filter_curly_bracket and "{" in text
    )
    needed = min_num_sentences or 0
    sentences = 0
    for line in text.splitlines():
        line = line.strip()
        words = line.split()
        if max_word_length is not None and len(line) > max_word_length:
            if any(len(word) > max_word_length for word in words):
                continue
        if _CITATION_MARK in line:
            line = CITATION_REGEX.sub("", line)
        if filter_no_terminal_punct and (
            not line.endswith(END_PUNCTUATION) or line.endswith("...")
        ):
            continue
        if min_words_per_line is not None and len(words) < min_words_per_line:
            continue
        line_l = line.lower()
        if filter_lorem_ipsum and "lorem ipsum" in line_l:
            return "lorem_ipsum"
        if filter_javascript and "javascript" in line_l:
            continue
        if filter_curly_bracket and "{" in line:
            return "curly_bracket"
        if filter_policy and any(p in line_l for p in POLICY_SUBSTRINGS):
            continue
        if needed:
            sentences += count_sentences(line)
            if sentences >= needed and not page_rules:
                return None
    if sentences < needed:
        return "too_few_sentences"
    return None


def fineweb_reason(
    text: str,
    n_words: int,
    *,
    line_punct_thr: float | None = 0.12,
    line_punct_exclude_zero: bool = False,
    short_line_thr: float | None = 0.67,
    short_line_length: int = 30,
    char_duplicates_ratio: float | None = 0.01,
    new_line_ratio: float | None = 0.3,
    stop_chars: tuple[str, ...] = TERMINAL,
) -> str | None:
    """The first FineWeb rule ``text`` (of ``n_words`` words) fails, or None; None disables
    a rule."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "empty"
    if line_punct_thr is not None:
        ratio = sum(1 for line in lines if line.endswith(stop_chars)) / len(lines)
        if ratio < line_punct_thr and not (ratio == 0 and line_punct_exclude_zero):
            return "line_punct_ratio"
    if short_line_thr is not None:
        ratio = sum(1 for line in lines if len(line) <= short_line_length) / len(lines)
        if ratio > short_line_thr:
            return "short_line_ratio"
    if char_duplicates_ratio is not None:
        chars = len(text) - text.count("\n")
        if duplicates(lines)[1] / chars > char_duplicates_ratio:
            return "char_dup_ratio"
    if new_line_ratio is not None and n_words and text.count("\n") / n_words > new_line_ratio:
        return "list_ratio"
    return None

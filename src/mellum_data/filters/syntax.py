"""Syntax validity with tree-sitter: a scorer writes ``metadata["score_syntax"]``, a cheap
threshold filter reads it (score once, threshold later).

Grammars come from ``mellum_data.grammars`` (the per-language wheels).
"""

from __future__ import annotations

import time

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter

from mellum_data.grammars import grammar_for, new_parser
from mellum_data.tokenize.split_points import syntax_metadata


def load_parser(lang: str):
    """A tree-sitter parser for ``lang`` (any spelling), or None when no grammar is installed."""
    return new_parser(lang)


def error_share(tree, deadline: float | None = None) -> float | None:
    """Share of ERROR and MISSING nodes among all nodes of a parse tree (0 = clean); None
    when the walk passes ``deadline`` (a ``time.perf_counter`` value).

    Only subtrees that contain an error are walked, so clean files cost one attribute read;
    the walk is iterative because deeply nested input must not exhaust Python's stack.
    """
    root = tree.root_node
    if not root.has_error:
        return 0.0
    bad = 0
    stack = [root]
    walked = 0
    while stack:
        node = stack.pop()
        walked += 1
        if deadline is not None and walked % 4096 == 0 and time.perf_counter() > deadline:
            return None
        if node.is_error or node.is_missing:
            bad += 1
        stack.extend(child for child in node.children if child.has_error)
    return bad / max(root.descendant_count, 1)


class SyntaxScorer(PipelineStep):
    """Writes ``score_syntax`` (share of error nodes) for languages with a grammar; other
    documents get ``None`` and are counted: ``no_grammar``, ``too_large`` (above
    ``max_bytes``) or ``timed_out`` (parsing and scoring took over ``max_seconds``: the
    parse is cancelled through tree-sitter's progress callback, so no input can stall a
    worker, however deeply nested).

    Parsed documents also get the FIM boundaries of their tree (``syntax_starts`` and
    ``syntax_crc32``, see ``tokenize.split_points.syntax_metadata``), so that the tokenize
    stage need not parse them again (the parse is about a third of its time on code)."""

    name = "🌳 Syntax score"
    type = "📊 - STATS"

    def __init__(
        self,
        max_bytes: int = 1_000_000,  # The Stack's file size cap: larger files are not read
        max_seconds: float | None = 2.0,  # ours: ~20x the parse time of a 1 MB file
    ) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self._parsers: dict[str, object] = {}

    def __getstate__(self) -> dict:
        # Parsers are native objects: each worker process builds its own.
        return {**self.__dict__, "_parsers": {}}

    def _parser(self, lang: str):
        if lang not in self._parsers:
            self._parsers[lang] = load_parser(lang)
        return self._parsers[lang]

    def score(self, doc: Document) -> float | None:
        lang = str(doc.metadata.get("lang", ""))
        parser = self._parser(lang)
        if parser is None:
            self.stat_update("no_grammar")
            return None
        data = doc.text.encode("utf-8", "replace")
        if len(data) > self.max_bytes:
            self.stat_update("too_large")
            return None
        with self.track_time():
            if self.max_seconds is None:
                tree, deadline = parser.parse(data), None
            else:
                deadline = time.perf_counter() + self.max_seconds
                tree = parse_until(parser, data, deadline)
            share = error_share(tree, deadline) if tree is not None else None
            if tree is not None:
                doc.metadata.update(syntax_metadata(tree.root_node, data, grammar_for(lang)))
        if share is None:
            self.stat_update("timed_out")
            return None
        self.stat_update("parsed")
        return share

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            doc.metadata["score_syntax"] = self.score(doc)
            yield doc


def parse_until(parser, data: bytes, deadline: float, chunk: int = 1 << 16):
    """``parser.parse(data)``, or None once ``time.perf_counter()`` passes ``deadline``."""
    try:
        return parser.parse(
            lambda offset, _point: data[offset : offset + chunk],
            progress_callback=lambda _offset, _has_error: time.perf_counter() > deadline,
        )
    except ValueError:  # py-tree-sitter reports a cancelled parse as "Parsing failed"
        parser.reset()
        return None


# tree-sitter's C and C++ grammars do not run the preprocessor: on 3,000 valid system headers
# (/usr/include) 28% (C) and 33% (C++) had some error node, mostly an #if inside a
# declaration; above 0.05 only 3% and 0.6% did.
LANGUAGE_THRESHOLDS = {"C": 0.05, "C++": 0.05}


class SyntaxFilter(BaseFilter):
    """Drops documents whose ``score_syntax`` is above the threshold for their language
    (``per_language``, else ``max_error_share``); documents without a score (no grammar,
    too large to parse) pass."""

    name = "🌳 Syntax"

    def __init__(
        self,
        max_error_share: float | None = 0.01,  # ours: isolated grammar gaps pass, broken files not
        per_language: dict[str, float | None] | None = None,
        exclusion_writer=None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.max_error_share = max_error_share
        self.per_language = dict(LANGUAGE_THRESHOLDS if per_language is None else per_language)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        score = doc.metadata.get("score_syntax")
        lang = doc.metadata.get("lang")
        limit = self.per_language[lang] if lang in self.per_language else self.max_error_share
        if limit is None or score is None:
            return True
        if score > limit:
            return False, "syntax_errors"
        return True

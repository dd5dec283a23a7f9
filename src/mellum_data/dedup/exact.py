"""Exact deduplication key: the text with whitespace normalised (datatrove's ExactDedup
stages do the rest)."""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.dedup.exact_dedup import ExactDedupConfig


def normalized_content(doc: Document) -> str:
    """Text with every whitespace run made one space: re-indented or re-wrapped copies of a
    file (tabs vs spaces, CRLF vs LF) count as the same file."""
    return " ".join(doc.text.split())


def exact_config() -> ExactDedupConfig:
    return ExactDedupConfig(content_getter=normalized_content)

"""Candidate FIM split points of a code document, as token offsets.

A split point is a token where a line starts with a syntax unit: a statement, definition,
declaration, clause or comment found by tree-sitter where a grammar exists for the
document's language, else the first non-blank character of any line. Cutting only there
gives middles that are whole statements or blocks, the kind of span a code completion asks
for. The tokenizer glues a line break to the next line's indentation, so the token that
starts a syntax unit is the first one at or after its first non-blank character. Offsets are
bytes throughout (tree-sitter's unit, and a byte-level BPE's).

Cost: parsing runs at roughly the speed of tokenizing, and the walk only enters nodes that
span several lines or start one.
"""

from __future__ import annotations

import json
import re

import numpy as np
import tree_sitter
from tokenizers import Tokenizer

from mellum_data.grammars import grammar_for, load_language

# Node types that make a sensible FIM boundary in all eight grammars.
BOUNDARY = re.compile(
    r"(?:statement|definition|declaration|_item|clause|comment|decorator|signature)$|^preproc_"
)
# Larger files fall back to line starts: parsing cost grows with size, the benefit does not.
MAX_PARSE_BYTES = 1 << 20

_parsers: dict[str, tree_sitter.Parser] = {}


def _parser(name: str) -> tree_sitter.Parser:
    if name not in _parsers:
        _parsers[name] = tree_sitter.Parser(load_language(name))
    return _parsers[name]


def _indents(data: bytes) -> tuple[list[int], list[int]]:
    """Per line: byte offset of the line start and of its first non-blank byte."""
    starts, firsts = [], []
    pos = 0
    for line in data.split(b"\n"):
        starts.append(pos)
        firsts.append(pos + len(line) - len(line.lstrip(b" \t\r\f\v")))
        pos += len(line) + 1
    return starts, firsts


def syntax_starts(data: bytes, grammar: str) -> list[int]:
    """Byte offsets where a line's first non-blank byte starts a boundary node."""
    starts, firsts = _indents(data)
    tree = _parser(grammar).parse(data)
    out: list[int] = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        row = node.start_point.row
        starts_line = node.start_byte == firsts[row]
        if starts_line and node.is_named and BOUNDARY.search(node.type):
            out.append(node.start_byte)
        # A one-line node holds another line start only as a child at its own start.
        if (starts_line or node.end_point.row > row) and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out


def line_starts(data: bytes) -> list[int]:
    """Byte offsets of the first non-blank byte of every non-blank line."""
    starts, firsts = _indents(data)
    ends = starts[1:] + [len(data) + 1]
    return [f for f, e in zip(firsts, ends, strict=True) if f < e - 1]


def byte_lengths(tok: Tokenizer) -> np.ndarray | None:
    """Bytes of text behind each token id of a byte-level BPE (one vocabulary character per
    byte), or None for other tokenizers. Token byte offsets are then a cumulative sum, so the
    tokenizer need not compute offsets (that roughly doubles its time)."""
    config = json.loads(tok.to_str())
    if (config.get("decoder") or {}).get("type") != "ByteLevel" or config.get("normalizer"):
        return None
    return np.array([len(tok.id_to_token(i) or "") for i in range(tok.get_vocab_size())])


def token_byte_starts(
    ids: np.ndarray, lengths: np.ndarray | None, text: str, data: bytes, tok: Tokenizer
) -> np.ndarray:
    """Byte offset in ``data`` where each token of ``ids`` starts."""
    if lengths is not None:
        lens = lengths[ids]
        if int(lens.sum()) == len(data):
            return np.cumsum(lens) - lens
    # Not plain byte-level BPE: take the tokenizer's character offsets and map them to bytes.
    chars = np.array([start for start, _ in tok.encode(text, add_special_tokens=False).offsets])
    arr = np.frombuffer(data, dtype=np.uint8)
    char_bytes = np.append(np.flatnonzero((arr & 0xC0) != 0x80), len(data))
    return char_bytes[np.minimum(chars, char_bytes.size - 1)]


def split_points(
    data: bytes,
    lang: str | None,
    token_starts: np.ndarray,
    *,
    first_token: int = 0,
) -> np.ndarray:
    """Token offsets (int32, sorted, unique, strictly inside the content) of candidate splits.

    ``data`` is the document's UTF-8 text, ``token_starts`` the byte offsets where its
    content tokens start; ``first_token`` shifts the result past a BOS token.
    """
    n = len(token_starts)
    if n < 2:
        return np.zeros(0, dtype=np.int32)
    grammar = grammar_for(lang)
    if grammar is not None and len(data) <= MAX_PARSE_BYTES:
        found = syntax_starts(data, grammar)
    else:
        found = line_starts(data)
    if not found:
        return np.zeros(0, dtype=np.int32)
    tok = np.searchsorted(token_starts, np.asarray(found, dtype=np.int64), side="left")
    tok = np.unique(tok[(tok > 0) & (tok < n)])
    return (tok + first_token).astype(np.int32)

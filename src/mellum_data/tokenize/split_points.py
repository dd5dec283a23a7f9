"""Candidate FIM split points of a code document, as token offsets.

A split point is a token where a line starts with a syntax unit: a statement, definition,
declaration, clause or comment found by tree-sitter where a grammar exists for the
document's language, else the first non-blank character of any line. Cutting only there
gives middles that are whole statements or blocks, the kind of span a code completion asks
for. The tokenizer glues a line break to the next line's indentation, so the token that
starts a syntax unit is the first one at or after its first non-blank character. Offsets are
bytes throughout (tree-sitter's unit, and a byte-level BPE's).

Cost: the parse (in C, about half the tokenizer's time on the same code) dominates; finding
the boundaries then costs a few calls into the tree per line, and mapping bytes to tokens a
few numpy calls per document.
"""

from __future__ import annotations

import functools
import re
import zlib
from typing import Any

import numpy as np
import tree_sitter
from tokenizers import Tokenizer, decoders

from mellum_data.grammars import grammar_for, load_language

# Node types that make a sensible FIM boundary in all eight grammars.
BOUNDARY = re.compile(
    r"(?:statement|definition|declaration|_item|clause|comment|decorator|signature)$|^preproc_"
)
# Larger files fall back to line starts: parsing cost grows with size, the benefit does not.
MAX_PARSE_BYTES = 1 << 20
# Metadata keys of ``syntax_metadata``: boundary byte offsets, and the CRC-32 of the text
# they belong to.
PARSED_KEY = "syntax_starts"
PARSED_CRC_KEY = "syntax_crc32"
# What ``bytes.lstrip`` strips, less the line break: indentation.
BLANKS = b" \t\r\f\v"


def boundary_kinds(language: tree_sitter.Language) -> frozenset[int]:
    """Ids of the named node kinds of ``language`` that ``BOUNDARY`` accepts."""
    return frozenset(
        i
        for i in range(language.node_kind_count)
        if language.node_kind_is_named(i) and BOUNDARY.search(language.node_kind_for_id(i) or "")
    )


@functools.cache
def _parser(name: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(load_language(name))


@functools.cache
def _kinds(name: str) -> frozenset[int]:
    return boundary_kinds(load_language(name))


def syntax_starts(data: bytes, grammar: str) -> list[int]:
    """Byte offsets where a line's first non-blank byte starts a boundary node."""
    return tree_starts(_parser(grammar).parse(data).root_node, data, grammar)


def tree_starts(root: tree_sitter.Node, data: bytes, grammar: str) -> list[int]:
    """``syntax_starts`` from a tree of ``data`` already parsed with grammar ``grammar``.

    Rather than visit every node (~350 per KB of code), this asks the tree, for each line
    start, for the smallest named node there and climbs while its ancestors start at the
    same byte: a few calls per line, each a short descent in C.
    """
    kinds = _kinds(grammar)
    out = []
    for start in line_starts(data):
        node = root.named_descendant_for_byte_range(start, start)
        while node is not None and node.start_byte == start:
            if node.kind_id in kinds:
                out.append(start)
                break
            node = node.parent
    return out


def syntax_metadata(root: tree_sitter.Node, data: bytes, grammar: str) -> dict[str, Any]:
    """Metadata for a stage that has parsed ``data`` anyway (the syntax scorer): with it the
    tokenize stage takes the boundaries from ``metadata`` instead of parsing again."""
    return {PARSED_KEY: tree_starts(root, data, grammar), PARSED_CRC_KEY: zlib.crc32(data)}


def parsed_starts(metadata: dict[str, Any], data: bytes) -> list[int] | None:
    """``syntax_metadata``'s boundaries when they were computed on this very text (the
    CRC-32 matches: a stage in between may have changed it), else None."""
    starts = metadata.get(PARSED_KEY)
    if starts is None or metadata.get(PARSED_CRC_KEY) != zlib.crc32(data):
        return None
    return sorted(starts)


def line_starts(data: bytes) -> list[int]:
    """Byte offsets of the first non-blank byte of every non-blank line."""
    # Plain bytes methods: ~3x faster than numpy on files of a few KB (per-call overhead).
    out = []
    pos = 0
    for line in data.split(b"\n"):
        n = len(line)
        indent = n - len(line.lstrip(BLANKS))
        if indent < n:
            out.append(pos + indent)
        pos += n + 1
    return out


def byte_lengths(tok: Tokenizer) -> np.ndarray | None:
    """Bytes of text behind each token id of a byte-level BPE (one vocabulary character per
    byte), or None for other tokenizers. Token byte offsets are then a cumulative sum, so the
    tokenizer need not compute offsets (that roughly doubles its time)."""
    if not isinstance(tok.decoder, decoders.ByteLevel) or tok.normalizer is not None:
        return None
    vocab = tok.get_vocab(with_added_tokens=True)
    lengths = np.zeros(max(tok.get_vocab_size(), max(vocab.values(), default=-1) + 1), np.int64)
    lengths[np.fromiter(vocab.values(), np.int64, len(vocab))] = np.fromiter(
        map(len, vocab), np.int64, len(vocab)
    )
    return lengths


def token_byte_starts(
    ids: np.ndarray, lengths: np.ndarray | None, text: str, data: bytes, tok: Tokenizer
) -> np.ndarray:
    """Byte offset in ``data`` where each token of ``ids`` starts."""
    if lengths is not None:
        lens = lengths[ids]
        ends = np.cumsum(lens)
        if ends.size and int(ends[-1]) == len(data):
            return ends - lens
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
    parsed: list[int] | None = None,
) -> np.ndarray:
    """Token offsets (int32, sorted, unique, strictly inside the content) of candidate splits.

    ``data`` is the document's UTF-8 text, ``token_starts`` the byte offsets where its
    content tokens start; ``first_token`` shifts the result past a BOS token. ``parsed`` is
    ``syntax_starts`` of ``data`` when an earlier stage already computed it.
    """
    n = len(token_starts)
    if n < 2:
        return np.zeros(0, dtype=np.int32)
    grammar = grammar_for(lang)
    if parsed is not None:
        found = parsed
    elif grammar is not None and len(data) <= MAX_PARSE_BYTES and load_language(grammar):
        found = syntax_starts(data, grammar)
    else:
        found = line_starts(data)
    if not len(found):
        return np.zeros(0, dtype=np.int32)
    # ``found`` ascends, so the token offsets do too: dropping repeats needs no sort.
    tok = np.searchsorted(token_starts, np.asarray(found, dtype=np.int64), side="left")
    tok = tok[(tok > 0) & (tok < n)]
    if tok.size > 1:
        tok = tok[np.concatenate(([True], tok[1:] != tok[:-1]))]
    return (tok + first_token).astype(np.int32)

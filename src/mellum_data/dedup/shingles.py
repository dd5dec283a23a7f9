"""Tokenizers and vectorised n-gram hashing for MinHash and decontamination.

A text is normalised with C-level string methods into tokens separated by one separator
character; a batch of texts is then hashed by numpy alone, without a Python operation per
token: a token's hash is ``mix64(sum_j byte_j * P[j])`` over its UTF-8 bytes (``P``:
random odd 64-bit weights per position), an n-gram's ``mix64(sum_k token[i + k] * W[k])``.
``NgramHasher.reference`` computes the same values one token at a time with Python integers.

Two tokenizers:

- ``words``: lowercased, diacritics removed (NFD, combining marks dropped), then split at
  whitespace, punctuation and symbols (Unicode categories P, S, Cc; Cf characters such as
  soft hyphens vanish), every run of digits made ``0``: datatrove's ``simplify_text``
  normalisation, done with ``str.translate``.
- ``code``: identifiers, numbers, string literals and single punctuation characters, after
  removing comments (``/* */``, ``//`` and ``#`` + space to the end of a line, and
  triple-quoted strings, which are docstrings). Whitespace never reaches a token and
  operators are one character each, so re-indented or re-wrapped copies and copies with
  edited comments give the same tokens. Single quotes read as double quotes (``'a'`` ==
  ``"a"``, as black rewrites them); case is kept. Comment syntax is not chosen per
  language: every copy of a file is read the same way, which is what deduplication needs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Literal

import numpy as np

Tokenizer = Literal["words", "code"]
TOKENIZERS = ("words", "code")
M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15  # SplitMix64's increment
_ZEROS = re.compile("00+")
_CODE = re.compile(
    r"""
    /\*.*?\*/ | //[^\n]* | \#(?=[ \t]|$)[^\n]* | \"\"\".*?\"\"\" | '''.*?'''   # dropped
    | ( "(?:\\.|[^"\\\n])*" | '(?:\\.|[^'\\\n])*'  # string literals
      | [^\W\d]\w* | \d[\w.]*                      # identifiers, numbers
      | [^\w\s] )                                  # one punctuation character
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)


def _word_char(c: str) -> str | None:
    """What ``words`` makes of one (lowercased, NFD) character: itself, a space, ``0`` or
    nothing."""
    cat = unicodedata.category(c)
    if cat[0] in "PS" or cat == "Cc" or c.isspace():
        return " "
    if cat in ("Cf", "Mn"):
        return None
    return "0" if cat == "Nd" else c


@cache
def word_table() -> dict[int, str | None]:
    """``str.translate`` table of every character that ``_word_char`` changes."""
    table = {}
    # Planes 2-3 hold only ideographs (letters), 4-13 nothing, 15-16 private use.
    for cp in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if (out := _word_char(chr(cp))) != chr(cp):
            table[cp] = out
    return table


def normalize_words(text: str) -> str:
    """The text with words separated by spaces (runs of spaces included)."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFD", text)
    return text.translate(word_table())


def word_tokens(text: str) -> list[str]:
    return _ZEROS.sub("0", normalize_words(text)).split()


def code_tokens(text: str) -> list[str]:
    """Code tokens as written (quotes not yet normalised)."""
    return [t for t in _CODE.findall(text) if t]


def normalize_code(text: str) -> str:
    """The code tokens separated by newlines (no token contains one)."""
    return "\n".join(code_tokens(text)).replace("'", '"').replace("\0", " ")


def splitmix64(state: int) -> tuple[int, int]:
    """One step of SplitMix64 (Steele, Lea and Flood 2014): a seeded stream of 64-bit
    values that does not depend on numpy's generator versions."""
    state = (state + _GOLDEN) & M64
    return state, mix64_int(state)


def random_words(seed: int, count: int, salt: int = 0) -> list[int]:
    state = (seed * _GOLDEN + salt) & M64
    out = []
    for _ in range(count):
        state, value = splitmix64(state)
        out.append(value)
    return out


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on a uint64 array (spreads every input bit)."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def mix64_int(x: int) -> int:
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


class NgramHasher:
    """Hashes of a text's token n-grams, as a uint64 array (duplicates kept, in order)."""

    def __init__(self, n: int, tokenizer: Tokenizer = "words", seed: int = 1) -> None:
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"unknown tokenizer {tokenizer!r} (choose: {', '.join(TOKENIZERS)})")
        self.n = n
        self.tokenizer = tokenizer
        self.seed = seed
        # Odd, so that each weight is invertible mod 2^64.
        self.weights = [w | 1 for w in random_words(seed, n, salt=0x6E6772616D)]
        self._weights = np.array(self.weights, dtype=np.uint64)
        self._sep = 0x20 if tokenizer == "words" else 0x0A
        self._base = (seed * _GOLDEN + 0x6279746573) & M64
        self._positions = np.empty(0, dtype=np.uint64)

    def position_weights(self, length: int) -> np.ndarray:
        """Weights of a token's first ``length`` bytes: the SplitMix64 stream, made odd."""
        if len(self._positions) < length:
            size = max(length, 64, 2 * len(self._positions))
            steps = np.arange(1, size + 1, dtype=np.uint64) * np.uint64(_GOLDEN)
            self._positions = mix64(steps + np.uint64(self._base)) | np.uint64(1)
        return self._positions

    def normalize(self, text: str) -> str:
        return normalize_words(text) if self.tokenizer == "words" else normalize_code(text)

    def tokens(self, text: str) -> list[str]:
        """Normalised tokens, one character at a time (the reference for the batch path)."""
        if self.tokenizer == "code":
            return [t.replace("'", '"').replace("\0", " ") for t in code_tokens(text)]
        text = unicodedata.normalize("NFD", text.lower())
        return _ZEROS.sub("0", "".join(_word_char(c) or "" for c in text)).split()

    def __call__(self, text: str) -> np.ndarray:
        return self.batch([text])[0]

    def batch(self, texts: list[str]) -> list[np.ndarray]:
        """The n-gram hashes of each text, computed for all of them in one numpy pass."""
        empty = np.empty(0, dtype=np.uint64)
        # Texts are joined with NUL, which no normalised text contains.
        buf = np.frombuffer(
            "\0".join(map(self.normalize, texts)).encode("utf-8", "surrogatepass"), np.uint8
        )
        if self.tokenizer == "words":
            zero = buf == 0x30
            zero[1:] &= zero[:-1].copy()
            buf = buf[~zero]  # a digit run is one "0"
        in_token = (buf != self._sep) & (buf != 0)
        edges = np.diff(np.concatenate(([0], in_token.view(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        if not len(starts):
            return [empty] * len(texts)
        lengths = (ends - starts).astype(np.int32)
        # Token bytes packed together; each multiplied by its position's weight.
        packed = buf[in_token].astype(np.uint64)
        first = np.zeros(len(lengths), dtype=np.int32)
        np.cumsum(lengths[:-1], out=first[1:])
        pos = np.arange(len(packed), dtype=np.int32) - np.repeat(first, lengths)
        packed *= self.position_weights(int(lengths.max()))[pos]
        tokens = mix64(np.add.reduceat(packed, first))
        # Tokens per text: a text's tokens lie between the NULs around it.
        doc = np.searchsorted(np.flatnonzero(buf == 0), starts)
        counts = np.bincount(doc, minlength=len(texts)).tolist()
        grams = self.ngrams(tokens)
        out, end = [], 0
        for count in counts:
            end += count
            out.append(grams[end - count : max(end - count, end - self.n + 1)])
        return out

    def ngrams(self, tokens: np.ndarray) -> np.ndarray:
        m = len(tokens) - self.n + 1
        if m <= 0:
            return np.empty(0, dtype=np.uint64)
        h = tokens[:m] * self._weights[0]
        for k in range(1, self.n):
            h += tokens[k : k + m] * self._weights[k]
        return mix64(h)

    def token_hash(self, token: str) -> int:
        data = token.encode("utf-8", "surrogatepass")
        weights = self.position_weights(len(data)).tolist()
        return mix64_int(sum(b * w for b, w in zip(data, weights)) & M64)

    def reference(self, text: str) -> list[int]:
        """The same hashes computed one token and n-gram at a time with Python integers."""
        words = [self.token_hash(t) for t in self.tokens(text)]
        return [
            mix64_int(sum(words[i + k] * w for k, w in enumerate(self.weights)) & M64)
            for i in range(len(words) - self.n + 1)
        ]

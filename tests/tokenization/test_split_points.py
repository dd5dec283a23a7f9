import numpy as np

from mellum_data.tokenize.split_points import (
    byte_lengths,
    grammar_for,
    line_starts,
    split_points,
    token_byte_starts,
)
from mellum_data.tokenize.tokenizer import load_tokenizer

PYTHON = (
    "import os\n"
    "\n"
    "def total(items):\n"
    "    s = sum(\n"
    "        items)\n"
    "    if s:\n"
    "        return s\n"
    "    return 0\n"
)


def test_line_starts_skip_indentation_and_blank_lines() -> None:
    data = b"a\n\n  b\n\t c\n   \n"
    assert line_starts(data) == [0, 5, 9]


def test_grammar_names_and_aliases() -> None:
    assert grammar_for("Python") == "python"
    assert grammar_for("c++") == "cpp"
    assert grammar_for("ts") == "typescript"
    assert grammar_for("haskell") is None and grammar_for(None) is None


def _pieces_at(tokenizer_path: str, text: str, lang: str | None) -> list[str]:
    tok, _ = load_tokenizer(tokenizer_path)
    ids = np.array(tok.encode(text, add_special_tokens=False).ids)
    data = text.encode()
    starts = token_byte_starts(ids, byte_lengths(tok), text, data, tok)
    points = split_points(data, lang, starts)
    # The tokenizer's own (character) offsets, mapped to bytes, give the same points (they
    # differ only inside multi-byte characters, never at a line start).
    slow = token_byte_starts(ids, None, text, data, tok)
    assert np.array_equal(points, split_points(data, lang, slow))
    assert points.dtype == np.int32 and np.all(np.diff(points) > 0)
    assert points.size == 0 or (points[0] > 0 and points[-1] < ids.size)
    return [tok.decode(ids[p:].tolist()).split("\n")[0] for p in points]


def test_python_points_are_statement_starts(tokenizer_path: str) -> None:
    # The continuation line "items)" is not a statement; every statement line is a point.
    assert _pieces_at(tokenizer_path, PYTHON, "python") == [
        "def total(items):",
        "s = sum(",
        "if s:",
        "return s",
        "return 0",
    ]


def test_without_grammar_every_line_start_is_a_point(tokenizer_path: str) -> None:
    pieces = _pieces_at(tokenizer_path, PYTHON, "haskell")
    assert pieces == ["def total(items):", "s = sum(", "items)", "if s:", "return s", "return 0"]


def test_non_ascii_text_maps_bytes_to_tokens(tokenizer_path: str) -> None:
    text = "é = 'ü'\nprint(é)\n"
    assert _pieces_at(tokenizer_path, text, "python") == ["print(é)"]
    data = text.encode()
    shifted = split_points(data, "python", np.arange(len(data)), first_token=1)
    assert shifted.tolist() == [data.index(b"print") + 1]

import numpy as np
import pytest

from mellum_data.tokenize.split_points import (
    BOUNDARY,
    _parser,
    byte_lengths,
    grammar_for,
    line_starts,
    parsed_starts,
    split_points,
    syntax_metadata,
    syntax_starts,
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


# One small file per grammar family, with nesting, comments and a continuation line.
SNIPPETS = {
    "javascript": "// c\nfunction f(a) {\n  if (a) {\n    return g(a,\n      1);\n  }\n}\n",
    "rust": "/// doc\nfn f(a: i32) -> i32 {\n    let b = a\n        + 1;\n    b\n}\n",
    "c": "#include <x.h>\nint f(int a) {\n  for (;;) {\n    a++;\n  }\n  return a;\n}\n",
    "go": "package m\n\nfunc f(a int) int {\n\tif a > 0 {\n\t\treturn a\n\t}\n\treturn 0\n}\n",
    "java": "class A {\n  // c\n  int f(int a) {\n    return a\n      + 1;\n  }\n}\n",
}


def _walk_every_node(data: bytes, grammar: str) -> list[int]:
    """Reference: visit every node of the tree and keep the named boundary nodes whose start
    is the first non-blank byte of its line."""
    firsts = set(line_starts(data))
    tree = _parser(grammar).parse(data)
    found, stack = set(), [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_named and node.start_byte in firsts and BOUNDARY.search(node.type):
            found.add(node.start_byte)
        stack.extend(node.children)
    return sorted(found)


@pytest.mark.parametrize("lang", ["python", *SNIPPETS])
def test_boundaries_match_a_walk_of_every_node(lang: str) -> None:
    text = PYTHON if lang == "python" else SNIPPETS[lang]
    for data in (text.encode(), text.encode()[: len(text) // 2]):  # whole, and cut (errors)
        expected = _walk_every_node(data, lang)
        assert syntax_starts(data, lang) == expected
        assert expected  # the reference is not trivially empty


def test_parsed_boundaries_are_reused_only_for_the_same_text(tokenizer_path: str) -> None:
    tok, _ = load_tokenizer(tokenizer_path)
    data = PYTHON.encode()
    ids = np.array(tok.encode(PYTHON, add_special_tokens=False).ids)
    starts = token_byte_starts(ids, byte_lengths(tok), PYTHON, data, tok)
    tree = _parser("python").parse(data)
    meta = syntax_metadata(tree.root_node, data, "python")
    assert meta["syntax_starts"] == syntax_starts(data, "python")
    parsed = parsed_starts(meta, data)
    assert parsed == meta["syntax_starts"]
    assert np.array_equal(
        split_points(data, "python", starts, parsed=parsed), split_points(data, "python", starts)
    )
    assert parsed_starts(meta, data.replace(b"total", b"totax")) is None  # text changed since
    assert parsed_starts({}, data) is None

import unicodedata

import numpy as np
import pytest

from mellum_data.dedup.shingles import NgramHasher, code_tokens, word_table, word_tokens

UNICODE_TEXT = (
    "Ça coûte 3,50 € — «vraiment»?\tDon't   stop: co\u00adoperate, x_y & Ελληνικά!\n"
    "日本語のテキスト、句読点。 emoji 🙂 done… 2024-11-28 ٣٤ a\u200bb"
)


def test_word_tokens_match_a_character_loop():
    assert word_tokens(UNICODE_TEXT) == NgramHasher(1).tokens(UNICODE_TEXT)
    assert word_tokens("Hello, World! x_y don't co\u00adoperate") == [
        "hello",
        "world",
        "x",
        "y",
        "don",
        "t",
        "cooperate",
    ]
    # The translate table holds exactly the characters the loop changes.
    for cp, out in list(word_table().items())[::97]:
        category = unicodedata.category(chr(cp))
        assert out == (None if category in ("Cf", "Mn") else "0" if category == "Nd" else " ")


def test_word_normalisation():
    assert word_tokens("Ça") == ["ca"]
    assert word_tokens("2024") == ["0"]
    assert word_tokens("v2beta10") == ["v0beta0"]
    assert word_tokens("٣٤") == ["0"]  # Arabic-Indic digits are digits too
    assert word_tokens("ΕΛΛΗΝΙΚΆ") == ["ελληνικα"]
    assert word_tokens("日本語のテキスト、句読点。") == ["日本語のテキスト", "句読点"]


CODE = '''\
import os  # the os module

def greet(name):
    """Say hello."""
    url = "http://example.org/#x"  // not a comment: inside a string
    return 'hi ' + name /* inline */
'''


def test_code_tokens_drop_comments_and_docstrings():
    assert code_tokens(CODE) == [
        "import", "os",
        "def", "greet", "(", "name", ")", ":",
        "url", "=", '"http://example.org/#x"',
        "return", "'hi '", "+", "name",
    ]  # fmt: skip


def test_code_tokens_ignore_layout_and_comment_edits():
    reformatted = (
        "import os\n\n\ndef greet( name ):\n"
        "    '''Greets.'''\n"
        "    # a new comment\n"
        '    url="http://example.org/#x"\n'
        '    return "hi "+name  // another\n'
    )
    h = NgramHasher(4, "code")
    assert np.array_equal(h(CODE), h(reformatted))
    assert code_tokens("a=-1;b>=2") == ["a", "=", "-", "1", ";", "b", ">", "=", "2"]
    assert code_tokens("#include <x.h>\n#[derive(Debug)]") == [
        "#", "include", "<", "x", ".", "h", ">", "#", "[", "derive", "(", "Debug", ")", "]",
    ]  # fmt: skip


@pytest.mark.parametrize("tokenizer", ["words", "code"])
def test_vectorised_ngram_hashes_match_the_reference(tokenizer):
    h = NgramHasher(5, tokenizer, seed=3)
    texts = [UNICODE_TEXT, CODE, "one two three four", "", "a b c d e", "x\0y 00 0 1 2"]
    for text, got in zip(texts, h.batch(texts)):
        assert got.dtype == np.uint64
        assert got.tolist() == h.reference(text) == h(text).tolist()
    assert len(h("a b c d e")) == 1 and len(h("a b c d")) == 0
    long_token = "x" * 5000  # longer than the position weights computed so far
    assert h(f"a b c d {long_token}").tolist() == h.reference(f"a b c d {long_token}")


def test_ngram_hashes_depend_on_order_and_seed():
    h = NgramHasher(2)
    assert h("a b").tolist() != h("b a").tolist()
    assert h("a b").tolist() != NgramHasher(2, seed=2)("a b").tolist()
    assert h("A, b!").tolist() == h("a b").tolist()

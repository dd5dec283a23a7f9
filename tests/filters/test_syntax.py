import pytest
from datatrove.data import Document

from mellum_data.filters.syntax import SyntaxFilter, SyntaxScorer
from mellum_data.grammars import GRAMMARS, grammar_for
from mellum_data.tokenize.split_points import parsed_starts, syntax_starts

# (valid, broken) snippets per grammar; the broken ones lose brackets and operands the way
# truncated or half-edited files do.
CASES = {
    "Python": (
        "def add(a, b):\n    return a + b\n\nclass Point:\n    x: int = 1\n",
        "def add(a, b:\n    return a +\n\nclass Point\n    x = = 1\n",
    ),
    "JavaScript": (
        "function f(a) { return a * 2; }\nconst g = (x) => ({ x });\n",
        "function f(a { return a * ; }\nconst g = (x => ({ x );\n",
    ),
    "TypeScript": (
        "interface P { x: number }\nexport function f(p: P): number { return p.x; }\n",
        "interface P { x: number \nexport function f(p: P): { return p.x; \n",
    ),
    "TSX": (
        "const A = (p: { n: string }) => <div>{p.n}</div>;\n",
        "const A = (p: { n: string ) => <div>{p.n</span>;\nlet = ;\n",
    ),
    "Java": (
        "public class A { int f(int x) { return x + 1; } }\n",
        "public class A { int f(int x { return x + ; }\n",
    ),
    "C": (
        "#include <stdio.h>\nstatic int f(int x) { return x > 0 ? x : -x; }\n"
        "int main(void) { return f(1); }\n",
        "int f(int x { return x + ; }\nint main( { return f(1) }\nstruct { int = ; }\n",
    ),
    "C++": (
        "#include <vector>\ntemplate <typename T> T sum(const std::vector<T>& v) "
        "{ T s{}; for (auto& x : v) s += x; return s; }\n",
        "template <typename T> T sum(const std::vector<T>& v { T s{; for (auto& x : v s += ; "
        "return }\nclass { = };\n",
    ),
    "Go": (
        "package main\n\nfunc add(a, b int) int {\n\treturn a + b\n}\n",
        "package main\n\nfunc add(a, b int int {\n\treturn a +\n}\n",
    ),
    "Rust": (
        "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
        "fn add(a: i32, b: i32 -> i32 {\n    a + \n}\n",
    ),
}


def doc(text: str, lang: str) -> Document:
    return Document(text=text, id=f"t/{lang}", metadata={"lang": lang})


def scored(docs: list[Document], **kwargs) -> list[Document]:
    return list(SyntaxScorer(**kwargs).run(iter(docs)))


def test_every_grammar_has_a_case():
    assert {grammar_for(lang) for lang in CASES} == set(GRAMMARS)


@pytest.mark.parametrize("lang", sorted(CASES))
def test_valid_file_scores_zero_and_broken_file_is_dropped(lang):
    valid, broken = scored([doc(CASES[lang][0], lang), doc(CASES[lang][1], lang)])
    assert valid.metadata["score_syntax"] == 0.0
    assert broken.metadata["score_syntax"] > 0.05
    # The parse's FIM boundaries travel on, for the tokenize stage to reuse.
    data = valid.text.encode()
    assert valid.metadata["syntax_starts"] == syntax_starts(data, grammar_for(lang))
    assert parsed_starts(valid.metadata, data) == valid.metadata["syntax_starts"]
    f = SyntaxFilter()
    assert f.filter(valid) is True
    assert f.filter(broken) == (False, "syntax_errors")


def test_languages_without_grammar_pass_and_are_counted():
    scorer = SyntaxScorer()
    (out,) = list(scorer.run(iter([doc("puts 'hi' end end (", "Ruby")])))
    assert out.metadata["score_syntax"] is None
    assert scorer.stats["no_grammar"].n == 1
    assert SyntaxFilter().filter(out) is True


def test_huge_and_deeply_nested_inputs_do_not_crash():
    deep = "x = " + "(" * 20_000 + ")" * 20_000 + "\n"
    unclosed = "x = " + "[" * 50_000 + "\n"
    big = "y = 1\n" * 200_000
    a, b, c = scored(
        [doc(deep, "Python"), doc(unclosed, "Python"), doc(big, "Python")], max_bytes=1_000_000
    )
    assert a.metadata["score_syntax"] == 0.0
    assert b.metadata["score_syntax"] > 0
    assert c.metadata["score_syntax"] is None  # over max_bytes: not parsed


def test_parse_time_is_capped_and_the_parser_recovers():
    import time

    heavy = "def f(:\n  return +\n" * 40_000  # ~0.8 MB of errors: seconds to parse and walk
    scorer = SyntaxScorer(max_seconds=0.05)
    start = time.perf_counter()
    (slow,) = list(scorer.run(iter([doc(heavy, "Python")])))
    assert time.perf_counter() - start < 1.0
    assert slow.metadata["score_syntax"] is None
    assert scorer.stats["timed_out"].n == 1
    assert SyntaxFilter().filter(slow) is True  # unscored documents pass, counted
    # The cancelled parser is reset: the next document parses normally.
    (ok,) = list(scorer.run(iter([doc(CASES["Python"][0], "Python")])))
    assert ok.metadata["score_syntax"] == 0.0


def test_thresholds_per_language_and_none():
    d = doc("", "C")
    d.metadata["score_syntax"] = 0.03
    assert SyntaxFilter().filter(d) is True  # C tolerates preprocessor-induced errors
    d.metadata["lang"] = "Go"
    assert SyntaxFilter().filter(d) == (False, "syntax_errors")
    assert SyntaxFilter(max_error_share=None).filter(d) is True


def test_scorer_pickles_without_parsers():
    import pickle

    scorer = SyntaxScorer()
    scored_once = list(scorer.run(iter([doc("x = 1\n", "Python")])))
    assert scored_once[0].metadata["score_syntax"] == 0.0
    clone = pickle.loads(pickle.dumps(scorer))
    assert list(clone.run(iter([doc("x = (\n", "Python")])))[0].metadata["score_syntax"] > 0

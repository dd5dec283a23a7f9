"""fastText LID-176 from the installed wheel, on the prose of documents written for the test."""

import pytest
from datatrove.data import Document

from mellum_data.filters.language import (
    LID_MIN_SCORES,
    LanguageFilter,
    calibrate_lid_thresholds,
    cut_spans,
    document_prose,
    lid_model_path,
    prose_view,
    strip_code_blocks,
    strip_math,
)

TEXTS = {
    "en": "The committee met on Tuesday and agreed to repair the old bridge before the winter.",
    "de": "Der Ausschuss hat sich am Dienstag getroffen und beschlossen, die alte Brücke vor dem "
    "Winter zu reparieren.",
    "fr": "Le comité s'est réuni mardi et a décidé de réparer le vieux pont avant l'hiver.",
    "es": "El comité se reunió el martes y decidió reparar el viejo puente antes del invierno.",
    "pt": "O comitê se reuniu na terça-feira e decidiu consertar a velha ponte antes do inverno "
    "chegar à cidade.",
    "ru": "Комитет собрался во вторник и решил отремонтировать старый мост до начала зимы.",
    "zh": "委员会星期二开会，决定在冬天到来之前修好那座旧桥。",
    "ja": "委員会は火曜日に集まり、冬が来る前に古い橋を修理することを決めました。",
    "it": "Il comitato si è riunito martedì e ha deciso di riparare il vecchio ponte prima "
    "dell'inverno.",
}

CODE_HEAVY = (
    "Use a context manager so that the file is closed even when an exception is raised.\n\n"
    "```python\n"
    + "\n".join(f"with open(path_{i}) as f:\n    data_{i} = f.read()" for i in range(30))
    + "\n```\n"
)


def run(flt: LanguageFilter, text: str) -> tuple[Document, bool | tuple[bool, str]]:
    doc = Document(text=text, id="t", metadata={})
    return doc, flt.filter(doc)


def test_model_comes_from_the_installed_wheel():
    path = lid_model_path()
    assert path.name == "lid.176.ftz" and path.parent.name == "resources"
    assert path.stat().st_size > 500_000


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_identifies_languages(lang):
    doc, result = run(LanguageFilter(languages=None, min_score=0.5), TEXTS[lang])
    assert result is True
    assert doc.metadata["lang"] == lang
    assert 0.5 <= doc.metadata["lang_score"] <= 1.0


def test_language_not_allowed():
    doc, result = run(LanguageFilter(languages=["en", "fr"]), TEXTS["de"])
    assert result == (False, "language_not_allowed")
    assert doc.metadata["lang"] == "de"


def test_language_low_score_with_per_language_threshold():
    flt = LanguageFilter(languages=None, min_score=0.5, min_score_per_language={"ru": 0.9999})
    doc, result = run(flt, TEXTS["ru"])
    assert result == (False, "language_low_score")
    assert doc.metadata["lang"] == "ru" and doc.metadata["lang_score"] < 0.9999
    assert run(flt, TEXTS["en"])[1] is True


def test_per_language_thresholds_keep_and_drop_exactly():
    # LID-176 scores of TEXTS: en 0.84, pt 0.71, ru 0.947, es 0.964, zh 0.952, others >= 0.98;
    # the global fallback 0.9 applies to languages without an entry.
    table = {"pt": 0.7, "ru": 0.95, "zh": 0.6}
    flt = LanguageFilter(languages=None, min_score=0.9, min_score_per_language=table)
    outcome = {lang: run(flt, text)[1] for lang, text in TEXTS.items()}
    dropped = {lang for lang, result in outcome.items() if result is not True}
    assert dropped == {"en", "ru"}  # en by the fallback, ru by its entry; pt and zh pass theirs
    assert outcome["ru"] == (False, "language_low_score")
    # Without a fallback only the table applies.
    flt = LanguageFilter(languages=None, min_score=None, min_score_per_language=table)
    assert {lang for lang, text in TEXTS.items() if run(flt, text)[1] is not True} == {"ru"}


def test_default_table_lets_ambiguous_han_text_through():
    # Han-only text is split between zh and ja, both allowed: the fallback would drop it.
    text = "環境変数の設定"
    doc, result = run(LanguageFilter(languages=["zh", "ja"], min_score=0.8), text)
    assert result == (False, "language_low_score") and doc.metadata["lang"] == "ja"
    flt = LanguageFilter(
        languages=["zh", "ja"], min_score=0.8, min_score_per_language=LID_MIN_SCORES
    )
    assert run(flt, text)[1] is True


def test_calibration_follows_fineweb2():
    scores = [("a", x) for x in (0.9, 0.95, 1.0, 1.0, 1.0)]  # median 1.0 - std 0.04: capped
    scores += [("b", x) for x in (0.5, 0.6, 0.7, 0.8, 0.9)]  # 0.7 - 0.1414
    scores += [("c", x) for x in (0.1, 0.2, 0.3, 0.2, 0.2)]  # 0.2 - 0.0632: floored
    scores += [("d", 0.99), ("d", 0.98), ("", 0.0)]  # too few; no language
    assert calibrate_lid_thresholds(scores, min_documents=3) == {"a": 0.9, "b": 0.5586, "c": 0.3}
    assert calibrate_lid_thresholds(scores, min_documents=2, floor=0.1, cap=1.0) == {
        "a": 0.96,
        "b": 0.5586,
        "c": 0.1368,
        "d": 0.98,
    }
    assert calibrate_lid_thresholds(scores) == {}  # 100 documents a language by default


def test_calibrated_table_drives_the_filter():
    flt = LanguageFilter(languages=None, min_score=None)
    sample = [flt.predict(text) for text in TEXTS.values()] * 3
    table = calibrate_lid_thresholds(sample, min_documents=3)
    # Each language's three equal scores: std 0, so the threshold is the score, capped at 0.9.
    assert table == {lang: min(0.9, score) for lang, score in sample}
    flt = LanguageFilter(languages=None, min_score=None, min_score_per_language=table)
    assert all(run(flt, text)[1] is True for text in TEXTS.values())


def test_language_low_score_on_ambiguous_text():
    # An identifier list has no language: LID-176 guesses with little confidence.
    doc, result = run(LanguageFilter(languages=None), "getX setX getY setY toString hashCode")
    assert result == (False, "language_low_score")
    assert doc.metadata["lang_score"] < 0.65


def test_language_no_prose():
    doc, result = run(LanguageFilter(), "```python\nprint('hi')\n```")
    assert result == (False, "language_no_prose")
    assert doc.metadata == {"lang": "", "lang_score": 0.0}


def test_code_blocks_are_not_judged():
    # With its code the page reads as low-confidence English; its prose is plain English.
    with_code = LanguageFilter(languages=None, min_score=None, strip_code=False)
    prose_only = LanguageFilter(languages=None, min_score=None)
    doc_code, _ = run(with_code, CODE_HEAVY)
    doc_prose, result = run(prose_only, CODE_HEAVY)
    assert result is True and doc_prose.metadata["lang"] == "en"
    assert doc_prose.metadata["lang_score"] > doc_code.metadata["lang_score"]


def test_prose_view_strips_code_and_math():
    text = (
        "Intro.\n```c\nint x;\n```\n"
        "Let $x^2$ and \\(y\\) be \\textbf{given}.\n$$\\sum_i a_i$$\nEnd."
    )
    assert "int x" not in strip_code_blocks(text)
    math_free = strip_math(text)
    assert "x^2" not in math_free and "\\sum" not in math_free and "textbf" not in math_free
    assert "given" in math_free
    assert prose_view(text, code=True, math=True).split() == [
        "Intro.",
        "Let",
        "and",
        "be",
        "given.",
        "End.",
    ]


def test_math_prose_is_identified_without_formulas():
    text = (
        "Let $f\\colon \\mathbb{R}\\to\\mathbb{R}$ be continuous and $\\int_0^1 f(x)\\,dx = 0$. "
        "Then there is a point $c \\in [0,1]$ where the function vanishes, by the mean value "
        "theorem for integrals."
    )
    doc, result = run(LanguageFilter(languages=["en"], strip_math=True), text)
    assert result is True and doc.metadata["lang"] == "en"


def with_inline_code(*parts: str) -> tuple[str, list[list[int]]]:
    """Text from alternating prose and code parts, and the spans of the code parts."""
    spans, pos = [], 0
    for i, part in enumerate(parts):
        if i % 2:
            spans.append([pos, pos + len(part)])
        pos += len(part)
    return "".join(parts), spans


def test_inline_code_spans_are_cut_from_the_prose():
    text, spans = with_inline_code(
        "Appelez ", "Array.prototype.map(callbackFn, thisArg)", " puis ", "filter(predicateFn)", "."
    )
    flt = LanguageFilter(languages=["fr"])
    doc = Document(text=text, id="t", metadata={"code_spans": [], "inline_code_spans": spans})
    assert flt.filter(doc) is True and doc.metadata["lang_score"] > 0.9
    # Without the extractor's spans the identifiers read as no language.
    assert run(flt, text)[1] == (False, "language_low_score")


def test_document_prose_uses_the_spans_when_they_fit():
    text = "Intro `x`.\n```py\nx = 1\n```\nEnd."
    meta = {"code_spans": [[11, 26]], "inline_code_spans": [[6, 9]]}
    assert document_prose(text, meta) == "Intro .\n\n\nEnd."
    assert cut_spans("abcdef", [[1, 3]], [[2, 4]]) == "a\nef"  # overlaps are cut once
    # No spans recorded (text input) or spans of another text: the fences decide.
    assert document_prose(text, {}) == "Intro `x`.\n\n\nEnd."
    assert document_prose(text, {"code_spans": [[0, 99]]}) == "Intro `x`.\n\n\nEnd."

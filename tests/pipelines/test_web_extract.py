"""HTML extraction keeps code blocks line by line (fenced), math as TeX, and the title."""

import time

import pytest
from datatrove.data import Document

from mellum_data.pipelines.extract import (
    Extractor,
    Page,
    extract_page,
    html_to_text,
    take_inline_marks,
    tidy_fences,
)

CODE_LINES = [
    "fn main() {",
    '    let names = vec!["ada", "grace"];',
    "    for name in &names {",
    '        println!("hello {name}");',
    "    }",
    "}",
]
PAGE = f"""<html><head><title>Iterating in Rust</title></head><body>
<nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>
<article><h1>Iterating over a vector</h1>
<p>Borrowing the vector with an ampersand lets the loop read each element without taking
ownership, so the vector can still be used after the loop has finished.</p>
<div class="highlight"><pre class="language-rust"><code>{chr(10).join(CODE_LINES)}
</code></pre></div>
<p>The macro <code>println!</code> formats its arguments in place; named arguments such as
<code>{{name}}</code> capture variables from the surrounding scope.</p>
<p>Euler: <script type="math/tex">e^{{i\\pi}} + 1 = 0</script> and
<math display="block"><mi>x</mi><annotation encoding="application/x-tex">x^2</annotation></math></p>
</article></body></html>"""


def test_code_block_lines_survive_fenced():
    title, text = html_to_text(PAGE)
    assert title == "Iterating in Rust"
    assert "```rust\n" + "\n".join(CODE_LINES) + "\n```" in text
    assert "Home" not in text


def test_upper_case_tags_and_non_ascii_text_are_found():
    # Tag names match case-insensitively; the page's own text is not ASCII.
    page = extract_page(
        "<HTML><BODY><P>Größe und Maß: ein Beispiel für Schleifen, die jedes Element lesen.</P>"
        "<PRE>for x in xs:\n    print(x)</PRE><P>Dann <CODE>len(xs)</CODE> zählen.</P>"
        "</BODY></HTML>"
    )
    assert "```\nfor x in xs:\n    print(x)\n```" in page.text
    assert [page.text[a:b] for a, b in page.inline_code_spans] == ["len(xs)"]


def test_code_spans_locate_blocks_and_inline_code():
    page = extract_page(PAGE)
    [(start, end)] = page.code_spans
    assert page.text[start:end] == "```rust\n" + "\n".join(CODE_LINES) + "\n```"
    assert [page.text[a:b] for a, b in page.inline_code_spans] == ["println!", "{name}"]
    assert "\x02" not in page.text and "\x03" not in page.text


def test_stray_marker_characters_in_the_page_open_no_span():
    html = (
        "<html><body><article><p>A \x03stray\x02 control byte, then <code>x = 1</code> and an "
        "empty <code></code> element in a sentence long enough to be main content.</p>"
        "</article></body></html>"
    )
    page = extract_page(html)
    assert [page.text[a:b] for a, b in page.inline_code_spans] == ["x = 1"]
    assert page.text.startswith("A stray control byte")


def test_take_inline_marks():
    assert take_inline_marks("a \x02b\x03 c \x02\x02d\x03\x03 \x03e") == (
        "a b c d e",
        [(2, 3), (6, 7)],
    )


@pytest.mark.parametrize(
    "wrapper,language",
    [
        ('<div class="highlight-python notranslate"><div class="highlight"><pre>', "python"),
        ('<div class="highlight highlight-source-shell"><pre>', "shell"),
        ('<pre class="lang-go">', "go"),
        ('<div class="code"><pre>', ""),
    ],
)
def test_fence_language_from_highlighter_classes(wrapper, language):
    closing = "</pre>" + "</div>" * wrapper.count("<div")
    html = (
        "<html><body><article><p>Run the following command to install the package and "
        f"check the version that was installed.</p>{wrapper}make install{closing}"
        "</article></body></html>"
    )
    assert f"```{language}\nmake install\n```" in html_to_text(html)[1]


def test_math_becomes_tex():
    _, text = html_to_text(PAGE)
    assert "$e^{i\\pi} + 1 = 0$" in text
    assert "$$x^2$$" in text


def test_katex_keeps_its_tex_not_its_rendering():
    html = (
        '<html><body><article><p>The area is <span class="katex"><span class="katex-mathml">'
        "<math><semantics><mrow><mi>π</mi><msup><mi>r</mi><mn>2</mn></msup></mrow>"
        '<annotation encoding="application/x-tex">\\pi r^2</annotation></semantics></math>'
        '</span><span class="katex-html" aria-hidden="true">πr2</span></span> for a circle.</p>'
        "</article></body></html>"
    )
    assert html_to_text(html)[1] == "The area is $\\pi r^2$ for a circle."


def test_without_fences_the_lines_still_survive():
    _, text = html_to_text(PAGE, code_fences=False)
    assert "```" not in text
    assert "\n".join(CODE_LINES) in text


def test_trafilatura_is_selectable():
    title, text = html_to_text(PAGE, extractor="trafilatura")
    assert title == "Iterating in Rust"
    assert "Borrowing the vector with an ampersand" in text


def test_tidy_fences():
    raw = "intro\n\n```py\n\nx = 1\n\n\n```\n\nafter\n```\n\n```\nend"
    assert tidy_fences(raw) == "intro\n\n```py\nx = 1\n```\n\nafter\nend"


def extract(flt: Extractor, text: str, fmt: str = "html") -> tuple[Document, object]:
    doc = Document(text=text, id="x", metadata={"format": fmt})
    return doc, flt.filter(doc)


@pytest.fixture
def in_process() -> Extractor:
    return Extractor(timeout_s=None)


def test_extractor_sets_title_text_and_spans(in_process):
    doc, result = extract(in_process, PAGE)
    assert result is True
    assert doc.metadata["title"] == "Iterating in Rust"
    assert doc.text.startswith("Iterating over a vector")
    page = extract_page(PAGE)
    assert doc.metadata["code_spans"] == [list(s) for s in page.code_spans]
    assert doc.metadata["inline_code_spans"] == [list(s) for s in page.inline_code_spans]
    # Text inputs get the spans of their fenced blocks.
    doc, _ = extract(in_process, "Intro.\n```sh\nls\n```\nEnd.", fmt="text")
    assert doc.metadata["code_spans"] == [[7, 19]] and doc.metadata["inline_code_spans"] == []


def test_extract_empty_keeps_the_raw_html(in_process):
    html = "<html><head><script>var a = 1;</script></head><body>  </body></html>"
    doc, result = extract(in_process, html)
    assert result == (False, "extract_empty")
    assert doc.text == html


def test_text_formats_pass_through(in_process):
    doc, result = extract(in_process, "Plain text, already extracted.", fmt="text")
    assert result is True and doc.text == "Plain text, already extracted."
    assert extract(in_process, "   \n", fmt="text")[1] == (False, "extract_empty")


def test_extract_error():
    flt = Extractor(timeout_s=None, removed_text_chars=10)
    flt.extract_fn = flaky_extract
    doc, result = extract(flt, PAGE.replace("Iterating", "CRASH"))
    assert result == (False, "extract_error")
    assert doc.text == PAGE.replace("Iterating", "CRASH")[:10]


def flaky_extract(html: str) -> Page:
    """Stands for a parser that raises on one malformed page and hangs on another."""
    if "CRASH" in html:
        raise ValueError("malformed")
    if "HANG" in html:
        time.sleep(30)
    return extract_page(html)


@pytest.mark.parametrize("batch_size", [1, 4])
def test_sandbox_drops_only_the_page_that_hangs_or_raises(batch_size):
    flt = Extractor(timeout_s=0.3, batch_size=batch_size)
    flt.extract_fn = flaky_extract
    names = ["a", "HANG", "b", "CRASH", "c"]
    docs = [
        Document(text=PAGE.replace("Iterating", name), id=name, metadata={"format": "html"})
        for name in names
    ]
    started = time.monotonic()
    kept = list(flt.run(docs))
    assert [d.id for d in kept] == ["a", "b", "c"]
    assert kept[0].text == html_to_text(PAGE.replace("Iterating", "a"))[1]
    assert flt.stats["dropped_extract_timeout"].total == 1
    assert flt.stats["dropped_extract_error"].total == 1
    assert time.monotonic() - started < 10


def test_sandboxed_extraction_matches_in_process():
    doc = Document(text=PAGE, id="a", metadata={"format": "html"})
    [out] = list(Extractor(timeout_s=30).run([doc]))
    assert out.text == html_to_text(PAGE)[1]

"""HTML extraction keeps code blocks line by line (fenced), math as TeX, and the title."""

import pytest
from datatrove.data import Document

from mellum_data.pipelines.extract import Extractor, html_to_text, tidy_fences

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


def test_extractor_sets_title_and_text(in_process):
    doc, result = extract(in_process, PAGE)
    assert result is True
    assert doc.metadata["title"] == "Iterating in Rust"
    assert doc.text.startswith("Iterating over a vector")


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
    class CrashingParser(Extractor):
        """Stands for a parser that raises on a malformed page."""

        def _html(self, html: str) -> tuple[str, str]:
            raise ValueError("malformed")

    doc, result = extract(CrashingParser(timeout_s=None, removed_text_chars=10), PAGE)
    assert result == (False, "extract_error")
    assert doc.text == PAGE[:10]


def test_extract_timeout_in_the_sandbox():
    flt = Extractor(timeout_s=1e-4)
    doc = Document(text=PAGE, id="slow", metadata={"format": "html"})
    kept = list(flt.run([doc]))
    assert kept == []
    assert flt.stats["dropped_extract_timeout"].total == 1


def test_sandboxed_extraction_matches_in_process():
    doc = Document(text=PAGE, id="a", metadata={"format": "html"})
    [out] = list(Extractor(timeout_s=30).run([doc]))
    assert out.text == html_to_text(PAGE)[1]

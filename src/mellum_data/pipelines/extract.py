"""Text extraction: HTML to text (resiliparse by default, trafilatura selectable), TeX cleanup.

The HTML is prepared before extraction so that what a code and math model needs survives:
each ``<pre>`` block is wrapped in ``` fences (its lines kept; the prose filters then skip
it), MathJax scripts and MathML become ``$...$`` TeX, and KaTeX's rendered duplicate is
removed. Where the code is in the extracted text is recorded as character spans
(``code_spans`` for fenced ``<pre>`` blocks, ``inline_code_spans`` for ``<code>`` outside
them), so that later filters can tell prose from code without guessing.

Extraction runs in datatrove's ``ExtractorSandbox`` (a child process with a timeout per
document) because a pathological page can hang or crash a parser.
"""

from __future__ import annotations

import gc
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.extractors.base import ExtractorSandbox
from datatrove.pipeline.writers.disk_base import DiskWriter

from mellum_data.filters.language import CODE_BLOCK
from mellum_data.filters.lean import LeanFilter

# class="language-x" (Prism, highlight.js, markdown renderers), "lang-x", and on a wrapper
# "highlight-x" (Sphinx) or "highlight-source-x" (rendered READMEs).
_LANGUAGE_CLASS = re.compile(r"^(?:language-|lang-|highlight-(?:source-)?)([A-Za-z0-9_+#-]+)$")


def _fence_language(pre: Any) -> str:
    nodes = [pre.first_element_child, pre, pre.parent]
    if pre.parent is not None:
        nodes.append(pre.parent.parent)
    for node in nodes:
        for cls in node.class_list if node is not None else ():
            match = _LANGUAGE_CLASS.match(cls)
            if match:
                return match.group(1).lower()
    return ""


# Inline code is bracketed with two control characters that survive resiliparse's extraction
# (private-use and other non-ASCII marker text nodes do not); they are removed from the
# text, and from the page beforehand, so a stray one in the HTML cannot open a span.
_OPEN, _CLOSE = "\x02", "\x03"
_MARKERS = re.compile("[\x02\x03]")


def prepare_tree(
    html: str, *, code_fences: bool, keep_math: bool, mark_inline_code: bool = False
) -> Any:
    """Parse ``html`` and rewrite code blocks and math into the text forms we keep."""
    from resiliparse.parse.html import HTMLTree

    if mark_inline_code and (_OPEN in html or _CLOSE in html):
        html = html.replace(_OPEN, "").replace(_CLOSE, "")  # (str.translate is 20x slower)
    tree = HTMLTree.parse(html)
    if tree.body is None:
        return tree
    # Each query walks the whole tree: skip those whose elements the page cannot contain.
    # Tag and class names match ASCII case-insensitively, so lowering the ASCII letters of
    # the bytes is enough (and ten times faster than str.lower on a page with non-ASCII text).
    lowered = html.encode("utf-8", "replace").lower()
    if keep_math and b"katex" in lowered:
        for node in tree.body.query_selector_all(".katex-html"):
            node.decompose()
    if keep_math and b"math/tex" in lowered:
        for script in tree.body.query_selector_all('script[type^="math/tex"]'):
            display = "mode=display" in (script.getattr("type") or "")
            tex = script.text.strip()
            script.replace_with(tree.create_text_node(f"$${tex}$$" if display else f"${tex}$"))
    if keep_math and b"<math" in lowered:
        for math in tree.body.query_selector_all("math"):
            annotation = math.query_selector('annotation[encoding="application/x-tex"]')
            tex = (annotation.text if annotation is not None else math.text).strip()
            display = math.getattr("display") == "block"
            math.replace_with(tree.create_text_node(f"$${tex}$$" if display else f"${tex}$"))
    if code_fences and b"<pre" in lowered:
        for pre in tree.body.query_selector_all("pre"):
            opening = tree.create_text_node(f"```{_fence_language(pre)}\n")
            if pre.first_child is not None:
                pre.insert_before(opening, pre.first_child)
            else:
                pre.append_child(opening)
            pre.append_child(tree.create_text_node("\n```"))
    if mark_inline_code and b"<code" in lowered:
        # One query for the <code> inside <pre> (walking each element's parents from Python
        # cost more than the extraction).
        in_pre = set(tree.body.query_selector_all("pre code")) if b"<pre" in lowered else set()
        for code in tree.body.query_selector_all("code"):
            if code.first_child is None or code in in_pre:
                continue
            code.insert_before(tree.create_text_node(_OPEN), code.first_child)
            code.append_child(tree.create_text_node(_CLOSE))
    return tree


def tidy_fences(text: str) -> str:
    """Drop the blank lines the extractor leaves inside fences, and empty fenced blocks."""
    if "```" not in text:
        return text.strip()
    out: list[str] = []
    opening = -1  # index in ``out`` of the open fence, -1 outside a block
    for line in text.split("\n"):
        if opening < 0 and line.startswith("```"):
            opening = len(out)
        elif opening >= 0 and line.rstrip() == "```":
            while out and not out[-1].strip():
                out.pop()
            if len(out) == opening + 1:  # nothing inside
                out.pop()
                opening = -1
                continue
            opening = -1
        elif opening >= 0 and len(out) == opening + 1 and not line.strip():
            continue
        out.append(line)
    return "\n".join(out).strip()


Span = tuple[int, int]


@dataclass(frozen=True)
class Page:
    """An extracted page; spans are ``[start, end)`` offsets (code points) into ``text``."""

    title: str
    text: str
    code_spans: list[Span]
    inline_code_spans: list[Span]


def code_block_spans(text: str) -> list[Span]:
    """Spans of the ``` fenced blocks of ``text``, fences included."""
    return [m.span() for m in CODE_BLOCK.finditer(text)]


def take_inline_marks(text: str) -> tuple[str, list[Span]]:
    """``text`` without the inline-code markers, and the spans they bracketed."""
    if _OPEN not in text and _CLOSE not in text:
        return text, []
    out: list[str] = []
    spans: list[Span] = []
    length, last, opened = 0, 0, -1
    for match in _MARKERS.finditer(text):
        out.append(text[last : match.start()])
        length += match.start() - last
        last = match.end()
        if match.group() == _OPEN:
            opened = length if opened < 0 else opened  # nested <code>: the outer span
        elif opened >= 0:
            spans.append((opened, length))
            opened = -1
    out.append(text[last:])
    joined = "".join(out)
    return joined, [(a, b) for a, b in spans if joined[a:b].strip()]  # no empty <code>


def extract_page(
    html: str,
    *,
    extractor: Literal["resiliparse", "trafilatura"] = "resiliparse",
    main_content: bool = True,
    code_fences: bool = True,
    keep_math: bool = True,
) -> Page:
    """Title, text and code spans of an HTML page."""
    if not html.strip():
        return Page("", "", [], [])
    # trafilatura rebuilds code blocks itself (and joins their lines), so no fences or marks.
    resiliparse = extractor == "resiliparse"
    fences = code_fences and resiliparse
    tree = prepare_tree(html, code_fences=fences, keep_math=keep_math, mark_inline_code=resiliparse)
    title = (tree.title or "").strip()
    if not resiliparse:
        import trafilatura

        # datatrove's Trafilatura settings (the FineWeb extraction).
        text = trafilatura.extract(
            tree.document.html, favor_precision=True, include_comments=False, deduplicate=True
        )
        return Page(title, (text or "").strip(), [], [])
    from resiliparse.extract.html2text import extract_plain_text

    text = extract_plain_text(tree, main_content=main_content, preserve_formatting=True)
    text = tidy_fences(text) if fences else text.strip()
    # Markers sit inside the <code> element, so stripping the text cannot cut one off.
    text, inline = take_inline_marks(text)
    return Page(title, text, code_block_spans(text) if fences else [], inline)


def html_to_text(html: str, **options: Any) -> tuple[str, str]:
    """``(title, text)`` of an HTML page (``extract_page``'s options)."""
    page = extract_page(html, **options)
    return page.title, page.text


_TEX_BODY = re.compile(r"\\begin\{document\}(.*?)(?:\\end\{document\}|\Z)", re.S)
# Preamble lines that define what the body means: the body stays readable without the rest.
_TEX_DEFINITION = re.compile(
    r"^\s*\\(?:(?:re)?newcommand|def|DeclareMathOperator|newtheorem|newenvironment)\b.*$", re.M
)
_TEX_COMMENT = re.compile(r"(?<!\\)%.*$", re.M)
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def clean_tex(text: str, *, strip_preamble: bool, strip_comments: bool) -> str:
    """The LaTeX source, optionally without comments and with only the preamble's macro
    definitions (package lists repeat across papers and teach little)."""
    if strip_comments:
        text = _TEX_COMMENT.sub("", text)
    body = _TEX_BODY.search(text) if strip_preamble else None
    if body is not None:
        definitions = _TEX_DEFINITION.findall(text[: body.start()])
        text = "\n".join([*definitions, body.group(1)]) if definitions else body.group(1)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _extract_in_child(fn: Callable[[str], Page], work: str | bytes) -> Page | bytes:
    """What the sandbox's child runs: one page, or a batch of pages where a page that raises
    becomes the reason ``extract_error`` instead of failing its batch.

    A batch travels as one pickled list each way: the sandbox's pipe pickles with dill,
    whose pure-Python pickler would otherwise walk every page and every span."""
    if isinstance(work, str):
        return fn(work)
    out: list[Page | str] = []
    for html in pickle.loads(work):
        try:
            out.append(fn(html))
        except Exception:
            out.append("extract_error")
    return pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)


class Extractor(LeanFilter):
    """Turns each document's text into plain text according to ``metadata["format"]``:
    ``html`` is extracted (and ``title`` set), ``tex`` cleaned, anything else kept as is.
    Every kept document gets ``code_spans`` and ``inline_code_spans`` (``[start, end]``
    lists; for text inputs the spans of their ``` fenced blocks).

    With a timeout, pages go to the sandbox ``batch_size`` at a time (one round trip to the
    child process per batch, not per page: under load each round trip waits for the
    scheduler); a batch that times out or crashes the child is extracted again page by page,
    each page with the full timeout, so that only the culprit is dropped."""

    name = "🛢 Extract"

    def __init__(
        self,
        *,
        extractor: Literal["resiliparse", "trafilatura"] = "resiliparse",
        main_content: bool = True,
        code_fences: bool = True,
        keep_math: bool = True,
        timeout_s: float | None = 5.0,
        batch_size: int = 32,
        tex_strip_preamble: bool = True,
        tex_strip_comments: bool = True,
        removed_text_chars: int = 2000,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.extract_fn: Callable[[str], Page] = partial(
            extract_page,
            extractor=extractor,
            main_content=main_content,
            code_fences=code_fences,
            keep_math=keep_math,
        )
        self.timeout_s = timeout_s
        self.tex = {"strip_preamble": tex_strip_preamble, "strip_comments": tex_strip_comments}
        self.removed_text_chars = removed_text_chars
        self._sandbox: ExtractorSandbox | None = None
        self._ready: dict[int, Page | str] = {}

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if self.timeout_s is None:
            yield from super().run(data, rank, world_size)
            return
        # The sandbox forks this process; the child's garbage collector would otherwise walk
        # (and, writing to their headers, copy) every object inherited from the parent.
        gc.freeze()
        with ExtractorSandbox(timeout=self.timeout_s, warmup_text="") as sandbox:
            self._sandbox = sandbox
            self._child = partial(_extract_in_child, self.extract_fn)
            yield from super().run(data, rank, world_size)

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        html = [doc for doc in batch if doc.metadata.get("format") == "html"]
        if self._sandbox is not None and len(html) > 1:
            try:
                work = pickle.dumps([d.text for d in html], protocol=pickle.HIGHEST_PROTOCOL)
                pages = pickle.loads(self._sandbox.process_document(work, self._child))
                self._ready = {id(doc): page for doc, page in zip(html, pages)}
            except (TimeoutError, EOFError):
                self.stat_update("batch_retried_per_page")
        try:
            return [self.filter(doc) for doc in batch]
        finally:
            self._ready = {}

    def _page(self, html: str) -> Page | str:
        """The extracted page, or the reason it could not be extracted."""
        try:
            if self._sandbox is None:
                return self.extract_fn(html)
            return self._sandbox.process_document(html, self._child)
        except TimeoutError:
            return "extract_timeout"
        except Exception:  # a crashed parser (EOFError) or one that raised
            return "extract_error"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        fmt = doc.metadata.get("format")
        doc.metadata["title"] = ""
        raw = doc.text
        inline: list[Span] = []
        if fmt == "html":
            page = self._ready.pop(id(doc), None) or self._page(raw)
            if isinstance(page, str):
                return self._failed(doc, raw, page)
            doc.metadata["title"], doc.text, inline = page.title, page.text, page.inline_code_spans
        elif fmt == "tex":
            doc.text = clean_tex(raw, **self.tex)
        if not doc.text.strip():
            return self._failed(doc, raw, "extract_empty")
        doc.metadata["code_spans"] = [list(span) for span in code_block_spans(doc.text)]
        doc.metadata["inline_code_spans"] = [list(span) for span in inline]
        return True

    def _failed(self, doc: Document, raw: str, reason: str) -> tuple[bool, str]:
        doc.text = raw[: self.removed_text_chars]
        return False, reason

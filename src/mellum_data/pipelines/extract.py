"""Text extraction: HTML to text (resiliparse by default, trafilatura selectable), TeX cleanup.

The HTML is prepared before extraction so that what a code and math model needs survives:
each ``<pre>`` block is wrapped in ``` fences (its lines kept; the prose filters then skip
it), MathJax scripts and MathML become ``$...$`` TeX, and KaTeX's rendered duplicate is
removed. Extraction runs in datatrove's ``ExtractorSandbox`` (a child process with a timeout
per document) because a pathological page can hang or crash a parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.extractors.base import ExtractorSandbox
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

_LANGUAGE_CLASS = re.compile(r"^(?:language|lang)-([A-Za-z0-9_+#-]+)$")


def _fence_language(pre: Any) -> str:
    nodes = [pre, pre.first_element_child] if pre.first_element_child is not None else [pre]
    for node in nodes:
        for cls in node.class_list:
            match = _LANGUAGE_CLASS.match(cls)
            if match:
                return match.group(1).lower()
    return ""


def prepare_tree(html: str, *, code_fences: bool, keep_math: bool) -> Any:
    """Parse ``html`` and rewrite code blocks and math into the text forms we keep."""
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    if tree.body is None:
        return tree
    if keep_math:
        for node in tree.body.query_selector_all(".katex-html"):
            node.decompose()
        for script in tree.body.query_selector_all('script[type^="math/tex"]'):
            display = "mode=display" in (script.getattr("type") or "")
            tex = script.text.strip()
            script.replace_with(tree.create_text_node(f"$${tex}$$" if display else f"${tex}$"))
        for math in tree.body.query_selector_all("math"):
            annotation = math.query_selector('annotation[encoding="application/x-tex"]')
            tex = (annotation.text if annotation is not None else math.text).strip()
            display = math.getattr("display") == "block"
            math.replace_with(tree.create_text_node(f"$${tex}$$" if display else f"${tex}$"))
    if code_fences:
        for pre in tree.body.query_selector_all("pre"):
            opening = tree.create_text_node(f"```{_fence_language(pre)}\n")
            if pre.first_child is not None:
                pre.insert_before(opening, pre.first_child)
            else:
                pre.append_child(opening)
            pre.append_child(tree.create_text_node("\n```"))
    return tree


def tidy_fences(text: str) -> str:
    """Drop the blank lines the extractor leaves inside fences, and empty fenced blocks."""
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


def html_to_text(
    html: str,
    *,
    extractor: Literal["resiliparse", "trafilatura"] = "resiliparse",
    main_content: bool = True,
    code_fences: bool = True,
    keep_math: bool = True,
) -> tuple[str, str]:
    """``(title, text)`` of an HTML page."""
    if not html.strip():
        return "", ""
    # trafilatura rebuilds code blocks itself (and joins their lines), so no fences for it.
    fences = code_fences and extractor == "resiliparse"
    tree = prepare_tree(html, code_fences=fences, keep_math=keep_math)
    title = (tree.title or "").strip()
    if extractor == "trafilatura":
        import trafilatura

        # datatrove's Trafilatura settings (the FineWeb extraction).
        text = trafilatura.extract(
            tree.document.html, favor_precision=True, include_comments=False, deduplicate=True
        )
        return title, (text or "").strip()
    from resiliparse.extract.html2text import extract_plain_text

    text = extract_plain_text(tree, main_content=main_content, preserve_formatting=True)
    return title, tidy_fences(text) if fences else text.strip()


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


class Extractor(BaseFilter):
    """Turns each document's text into plain text according to ``metadata["format"]``:
    ``html`` is extracted (and ``title`` set), ``tex`` cleaned, anything else kept as is."""

    name = "🛢 Extract"

    def __init__(
        self,
        *,
        extractor: Literal["resiliparse", "trafilatura"] = "resiliparse",
        main_content: bool = True,
        code_fences: bool = True,
        keep_math: bool = True,
        timeout_s: float | None = 5.0,
        tex_strip_preamble: bool = True,
        tex_strip_comments: bool = True,
        removed_text_chars: int = 2000,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.extract_fn: Callable[[str], tuple[str, str]] = partial(
            html_to_text,
            extractor=extractor,
            main_content=main_content,
            code_fences=code_fences,
            keep_math=keep_math,
        )
        self.timeout_s = timeout_s
        self.tex = {"strip_preamble": tex_strip_preamble, "strip_comments": tex_strip_comments}
        self.removed_text_chars = removed_text_chars
        self._sandbox: ExtractorSandbox | None = None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if self.timeout_s is None:
            yield from super().run(data, rank, world_size)
            return
        with ExtractorSandbox(timeout=self.timeout_s, warmup_text="") as sandbox:
            self._sandbox = sandbox
            yield from super().run(data, rank, world_size)

    def _html(self, html: str) -> tuple[str, str]:
        if self._sandbox is None:
            return self.extract_fn(html)
        return self._sandbox.process_document(html, self.extract_fn)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        fmt = doc.metadata.get("format")
        doc.metadata["title"] = ""
        raw = doc.text
        if fmt == "html":
            try:
                doc.metadata["title"], doc.text = self._html(raw)
            except TimeoutError:
                return self._failed(doc, raw, "extract_timeout")
            except Exception:  # a crashed parser (EOFError) or one that raised
                return self._failed(doc, raw, "extract_error")
        elif fmt == "tex":
            doc.text = clean_tex(raw, **self.tex)
        if not doc.text.strip():
            return self._failed(doc, raw, "extract_empty")
        return True

    def _failed(self, doc: Document, raw: str, reason: str) -> tuple[bool, str]:
        doc.text = raw[: self.removed_text_chars]
        return False, reason

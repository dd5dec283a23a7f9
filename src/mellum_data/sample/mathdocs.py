"""The math part of the sample: LaTeX, Markdown and MathJax HTML documents, plus distractors
without mathematics (changelogs, meeting notes, recipes, essays, a LaTeX letter).

Per replica: 36 ``.tex``, 21 ``.md`` and 3 ``.html`` math documents and 15 distractors (20%).
"""
# ruff: noqa: E501  (LaTeX and prose templates are kept on one line each)

from __future__ import annotations

import html
import re
from pathlib import Path
from random import Random

from mellum_data.sample.lang_en import ENGLISH
from mellum_data.sample.math_blocks import Block
from mellum_data.sample.math_topics import TOPICS, exercises
from mellum_data.sample.text import compose_article, expand

N_TEX, N_MD, N_HTML = 36, 21, 3
DISTRACTORS = (("changelog", 4), ("meeting_notes", 3), ("recipe", 3), ("essay", 4), ("letter", 1))
TOPIC_NAMES = {
    "analysis": "real analysis",
    "algebra": "abstract algebra",
    "probability": "probability",
    "number_theory": "elementary number theory",
    "linear_algebra": "linear algebra",
    "complexity": "algorithms and complexity",
}
AUTHORS = (
    "A. Okafor",
    "M. Lindqvist",
    "P. Raman",
    "D. Novak",
    "G. Whitfield",
    "K. Watanabe",
    "E. Demir",
    "J. Berg",
)

INTRO = (
    "These notes [collect|summarise|review] [a few|some] [standard|classical] facts from {topic}, with [complete|short] proofs and worked examples.",
    "[We assume|The reader is assumed to know] the [basic|elementary] definitions; [everything else|the rest] is proved [here|below].",
    "The examples were [chosen|computed] so that every step can be checked by hand.",
    "[Comments and corrections|Corrections] are welcome; [the|this] [text|version] [is a draft|will be revised] after the [lecture|tutorial].",
    "[Sections|Parts] marked as examples can be skipped on a first reading.",
)
BRIDGE = (
    "[We now turn to|Next we consider|A second classical result concerns] [a related|another] [question|topic].",
    "[The following|The next] [section|part] [is independent of|does not depend on] the previous one.",
    "[It is instructive to|We] [look at|work through] a concrete instance.",
)
TITLES = (
    "Lecture {n}: {a} and {b}",
    "Notes on {topic}: {a}",
    "Problem set {n}: {topic}",
    "{a}: a worked example",
    "Week {n} notes on {topic}",
    "Review sheet: {a}, {b}",
)

PACKAGES = (
    "hyperref",
    "enumitem",
    "mathtools",
    "microtype",
    "xcolor",
    "graphicx",
    "booktabs",
    "tikz-cd",
    "bm",
)
MACROS = (
    r"\newcommand{\R}{\mathbb{R}}",
    r"\newcommand{\Z}{\mathbb{Z}}",
    r"\newcommand{\N}{\mathbb{N}}",
    r"\newcommand{\eps}{\varepsilon}",
    r"\DeclareMathOperator{\rank}{rank}",
    r"\newcommand{\abs}[1]{\left|#1\right|}",
    r"\newcommand{\norm}[1]{\left\lVert#1\right\rVert}",
    r"\newcommand{\E}{\mathbb{E}}",
)


def preamble(rng: Random) -> str:
    """A LaTeX preamble as people write them: the AMS packages, a few others, some macros."""
    cls = rng.choice(
        (
            r"\documentclass[11pt]{article}",
            r"\documentclass[12pt,a4paper]{article}",
            r"\documentclass{amsart}",
            r"\documentclass[11pt]{scrartcl}",
        )
    )
    packages = ["amsmath", "amssymb", "amsthm"] + rng.sample(PACKAGES, k=rng.randint(1, 4))
    lines = [cls, r"\usepackage[utf8]{inputenc}"] + [f"\\usepackage{{{p}}}" for p in packages]
    if rng.random() < 0.5:
        margin = rng.choice(("1", "1.2", "0.9"))
        lines.append(f"\\usepackage[margin={margin}in]{{geometry}}")
    within = rng.choice(("[section]", ""))
    lines += ["", f"\\newtheorem{{theorem}}{{Theorem}}{within}"]
    lines += [
        f"\\newtheorem{{{env}}}[theorem]{{{env.capitalize()}}}"
        for env in ("lemma", "proposition", "corollary")
    ]
    lines += [r"\theoremstyle{definition}", r"\newtheorem{definition}[theorem]{Definition}", ""]
    lines += rng.sample(MACROS, k=rng.randint(0, 4))
    return "\n".join(lines) + "\n"


def _prose(templates: tuple[str, ...], rng: Random, topic: str, k: int) -> str:
    return " ".join(
        expand(t, rng, ENGLISH.slots, {"topic": topic}) for t in rng.sample(templates, k=k)
    )


def to_tex(title: str, author: str, date: str, intro: str, blocks: list[Block], rng: Random) -> str:
    out = [
        preamble(rng),
        f"\\title{{{title}}}\n\\author{{{author}}}\n\\date{{{date}}}\n\n\\begin{{document}}\n\\maketitle\n",
        f"\\begin{{abstract}}\n{intro}\n\\end{{abstract}}\n",
    ]
    for block in blocks:
        for item in block:
            kind = item[0]
            if kind == "h":
                out.append(f"\\section{{{item[1]}}}\n")
            elif kind == "p":
                out.append(item[1] + "\n")
            elif kind == "display":
                out.append(f"\\[\n{item[1]}\n\\]\n")
            elif kind == "align":
                out.append("\\begin{align*}\n" + "\n".join(item[1]) + "\n\\end{align*}\n")
            elif kind == "env":
                opt = f"[{item[2]}]" if item[2] else ""
                out.append(f"\\begin{{{item[1]}}}{opt}\n{item[3]}\n\\end{{{item[1]}}}\n")
            elif kind == "proof":
                out.append(f"\\begin{{proof}}\n{item[1]}\n\\end{{proof}}\n")
            elif kind == "list":
                out.append(
                    "\\begin{enumerate}\n"
                    + "".join(f"  \\item {x}\n" for x in item[1])
                    + "\\end{enumerate}\n"
                )
    out.append("\\end{document}\n")
    return "\n".join(out)


def to_markdown(
    title: str, author: str, date: str, intro: str, blocks: list[Block], rng: Random
) -> str:
    out = [f"# {title}\n\n*{author}, {date}*\n\n{intro}\n"]
    for block in blocks:
        for item in block:
            kind = item[0]
            if kind == "h":
                out.append(f"## {item[1]}\n")
            elif kind == "p":
                out.append(item[1] + "\n")
            elif kind == "display":
                out.append(f"$$\n{item[1]}\n$$\n")
            elif kind == "align":
                out.append("$$\n\\begin{aligned}\n" + "\n".join(item[1]) + "\n\\end{aligned}\n$$\n")
            elif kind == "env":
                name = f" ({item[2]})" if item[2] else ""
                out.append(f"**{item[1].capitalize()}{name}.** {item[3]}\n")
            elif kind == "proof":
                out.append(f"*Proof.* {item[1]} $\\square$\n")
            elif kind == "list":
                out.append("".join(f"{i + 1}. {x}\n" for i, x in enumerate(item[1])))
    return "\n".join(out)


def _inline(text: str) -> str:
    return re.sub(r"\$([^$]+)\$", r"\\(\1\\)", html.escape(text, quote=False))


def to_html(
    title: str, author: str, date: str, intro: str, blocks: list[Block], rng: Random
) -> str:
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(author)} &middot; {date}</p>',
        f"<p>{_inline(intro)}</p>",
    ]
    for block in blocks:
        for item in block:
            kind = item[0]
            if kind == "h":
                body.append(f"<h2>{html.escape(item[1])}</h2>")
            elif kind == "p":
                body.append(f"<p>{_inline(item[1])}</p>")
            elif kind == "display":
                body.append(f"<p>\\[ {html.escape(item[1], quote=False)} \\]</p>")
            elif kind == "align":
                lines = html.escape("\n".join(item[1]), quote=False)
                body.append(f"<p>\\[\\begin{{aligned}}\n{lines}\n\\end{{aligned}}\\]</p>")
            elif kind == "env":
                name = f" ({html.escape(item[2])})" if item[2] else ""
                body.append(
                    f'<div class="{item[1]}"><strong>{item[1].capitalize()}{name}.</strong> {_inline(item[3])}</div>'
                )
            elif kind == "proof":
                body.append(f'<div class="proof"><em>Proof.</em> {_inline(item[1])} &#8718;</div>')
            elif kind == "list":
                body.append("<ol>" + "".join(f"<li>{_inline(x)}</li>" for x in item[1]) + "</ol>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<script>window.MathJax = { tex: { inlineMath: [['\\\\(', '\\\\)']] } };</script>\n"
        '<script id="MathJax-script" async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>\n'
        "</head>\n<body>\n<article>\n" + "\n".join(body) + "\n</article>\n</body>\n</html>\n"
    )


OMITTED = (
    "The proof is left as an exercise.",
    "We omit the proof, which can be found in any standard text.",
    "A proof was given in the lecture.",
    "The proof is routine and is omitted.",
)


def _omit_proofs(block: Block, rng: Random) -> Block:
    """Notes often state a result and skip its proof; drop some proofs to say so instead."""
    return [
        ("p", rng.choice(OMITTED)) if item[0] == "proof" and rng.random() < 0.35 else item
        for item in block
    ]


def math_document(rng: Random, topic: str, fmt: str) -> tuple[str, str]:
    """(title, text) of one document on ``topic`` in ``fmt`` ("tex", "md" or "html")."""
    gens = rng.sample(TOPICS[topic], k=min(len(TOPICS[topic]), rng.randint(2, 4)))
    if rng.random() < 0.4:  # notes borrow a result from a neighbouring subject now and then
        other = rng.choice([t for t in sorted(TOPICS) if t != topic])
        gens.insert(rng.randint(1, len(gens)), rng.choice(TOPICS[other]))
    blocks = [_omit_proofs(g(rng), rng) for g in gens]
    if rng.random() < 0.6:
        blocks.append(exercises(rng, topic))
    for block in blocks[1:]:
        if rng.random() < 0.5:
            block.insert(1, ("p", _prose(BRIDGE, rng, TOPIC_NAMES[topic], 1)))
    heads = [b[0][1] for b in blocks]
    title = rng.choice(TITLES).format(
        n=rng.randint(1, 14), a=heads[0], b=heads[1], topic=TOPIC_NAMES[topic]
    )
    intro = _prose(INTRO, rng, TOPIC_NAMES[topic], rng.randint(2, 4))
    author, date = (
        rng.choice(AUTHORS),
        f"{rng.choice(('March', 'October', 'May', 'January'))} {rng.randint(2016, 2024)}",
    )
    render = {"tex": to_tex, "md": to_markdown, "html": to_html}[fmt]
    return title, render(title, author, date, intro, blocks, rng)


CHANGES = {
    "Added": (
        "support for [reading|writing] [gzip|zstd] compressed files",
        "a `--{flag}` option to the command line",
        "[Windows|macOS] builds to the release workflow",
        "type hints for the public API",
        "a [dark|compact] theme for the [dashboard|report page]",
    ),
    "Changed": (
        "the default [timeout|retry count] is now {n} [seconds|attempts]",
        "[logging|progress output] goes to stderr",
        "[minimum|required] Python version is now 3.{n}",
        "renamed `{flag}` to `{flag}-mode` (the old name still works)",
    ),
    "Fixed": (
        "a crash when the [config file|input] is empty",
        "wrong [line numbers|offsets] in error messages",
        "[a memory leak|slow start-up] with [large|many] files",
        "[time zone|encoding] handling on [Windows|older systems]",
    ),
}


def changelog(rng: Random) -> str:
    out = ["# Changelog\n\nAll notable changes to this project are documented in this file.\n"]
    major, minor = rng.randint(0, 3), rng.randint(3, 12)
    for i in range(rng.randint(3, 6)):
        out.append(
            f"## [{major}.{minor - i}.0] - 202{4 - i // 3}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
        )
        for section, items in CHANGES.items():
            picks = rng.sample(items, k=rng.randint(1, 3))
            slots = dict(ENGLISH.slots) | {"flag": ("strict", "dry-run", "quiet", "jobs", "format")}
            out.append(
                f"### {section}\n\n" + "".join(f"- {expand(p, rng, slots)}\n" for p in picks)
            )
    return "\n".join(out)


def meeting_notes(rng: Random) -> str:
    names = rng.sample(("Maya", "Tom", "Priya", "Daniel", "Grace", "Owen", "Lena", "Samuel"), k=4)
    topics = rng.sample(
        (
            "release planning",
            "on-call rotation",
            "hiring",
            "the office move",
            "Q3 budget",
            "customer feedback",
            "documentation sprint",
            "flaky CI jobs",
        ),
        k=3,
    )
    out = [
        f"# Team sync, {rng.randint(2021, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n",
        f"**Attendees:** {', '.join(names)}  \n**Notes:** {names[0]}\n",
        "## Agenda\n",
    ]
    out += [f"{i + 1}. {t.capitalize()}" for i, t in enumerate(topics)]
    out.append("\n## Discussion\n")
    for t in topics:
        out.append(
            f"### {t.capitalize()}\n\n- {rng.choice(names)} {rng.choice(('summarised', 'raised', 'walked us through'))} "
            f"the {rng.choice(('status', 'open questions', 'options'))}.\n- Agreed to revisit {t} "
            f"{rng.choice(('next week', 'after the release', 'at the end of the month'))}.\n"
        )
    out.append("## Action items\n")
    out += [
        f"- [ ] {rng.choice(names)}: {rng.choice(('write up', 'follow up on', 'draft a proposal for', 'book a room for'))} {t}"
        for t in topics
    ]
    return "\n".join(out) + "\n"


def recipe(rng: Random) -> str:
    dish = rng.choice(ENGLISH.topics["cooking"].slots["dish"])
    ingredients = rng.sample(
        (
            "2 onions",
            "3 cloves of garlic",
            "400 g tomatoes",
            "200 ml cream",
            "1 tbsp olive oil",
            "250 g flour",
            "2 eggs",
            "a pinch of salt",
            "1 lemon",
            "100 g butter",
            "500 g potatoes",
        ),
        k=6,
    )
    steps = (
        "Prepare all the ingredients before you start.",
        "Heat the oil in a wide pan over medium heat.",
        "Cook the onions slowly until soft and golden, about ten minutes.",
        "Add the remaining ingredients and stir well.",
        "Simmer gently and taste for seasoning.",
        "Serve warm with fresh bread.",
    )
    return (
        f"# {dish.capitalize()}\n\nServes 4. Takes about {rng.randint(3, 9)}0 minutes.\n\n## Ingredients\n\n"
        + "".join(f"- {i}\n" for i in ingredients)
        + "\n## Method\n\n"
        + "".join(f"{n + 1}. {s}\n" for n, s in enumerate(steps[: rng.randint(4, 6)]))
    )


def essay(rng: Random) -> str:
    article = compose_article(ENGLISH, rng.choice(sorted(ENGLISH.topics)), rng)
    parts = [f"# {article.title}\n"]
    for kind, value in article.blocks:
        parts.append(
            f"## {value}\n"
            if kind == "h2"
            else ("".join(f"- {v}\n" for v in value) if kind == "ul" else f"{value}\n")
        )
    return "\n".join(parts)


def letter(rng: Random) -> str:
    body = compose_article(ENGLISH, "money", rng)
    paragraphs = [str(v) for k, v in body.blocks if k == "p"][:3]
    return (
        "\\documentclass[11pt]{letter}\n\\usepackage[utf8]{inputenc}\n"
        f"\\signature{{{rng.choice(AUTHORS)}}}\n\\address{{12 Mill Lane \\\\ {rng.choice(('Leeds', 'York', 'Norwich'))}}}\n"
        "\\begin{document}\n\\begin{letter}{The Editor \\\\ The Harbour Ledger}\n\\opening{Dear Editor,}\n\n"
        + "\n\n".join(paragraphs)
        + "\n\n\\closing{Yours faithfully,}\n\\end{letter}\n\\end{document}\n"
    )


DISTRACTOR_MAKERS = {
    "changelog": (changelog, "md"),
    "meeting_notes": (meeting_notes, "md"),
    "recipe": (recipe, "md"),
    "essay": (essay, "md"),
    "letter": (letter, "tex"),
}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].strip("-")


def write_math(out: Path, seed: int, scale: int) -> list[dict]:
    """Write ``out/math/*`` and return one label per document."""
    (out / "math").mkdir(parents=True, exist_ok=True)
    labels: list[dict] = []
    topics = sorted(TOPICS)
    for r in range(scale):
        rng = Random(f"{seed}:math:{r}")
        plan = [
            ("math", fmt)
            for fmt, n in (("tex", N_TEX), ("md", N_MD), ("html", N_HTML))
            for _ in range(n)
        ]
        plan += [(kind, DISTRACTOR_MAKERS[kind][1]) for kind, n in DISTRACTORS for _ in range(n)]
        for i, (kind, fmt) in enumerate(plan):
            if kind == "math":
                topic = topics[i % len(topics)]
                title, text = math_document(rng, topic, fmt)
            else:
                topic, text = kind, DISTRACTOR_MAKERS[kind][0](rng)
                title = text.splitlines()[0].lstrip("# ") if fmt == "md" else "letter to the editor"
            rel = f"math/{_slug(title)}-{rng.getrandbits(24):06x}.{fmt}"
            (out / rel).write_text(text, encoding="utf-8")
            labels.append(
                {
                    "path": rel,
                    "format": fmt,
                    "is_math": kind == "math",
                    "kind": topic,
                    "title": title,
                }
            )
    return labels

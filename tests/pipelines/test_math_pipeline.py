"""The whole math pipeline through ``run_math`` on files written by the test."""

import json
from pathlib import Path

import polars as pl

from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.extract import clean_tex
from mellum_data.pipelines.math import MATH_METADATA, MathConfig, run_math
from mellum_data.pipelines.sources import doc_id

PAPER = r"""\documentclass{article}
\usepackage{amsmath,amssymb,amsthm}
\newcommand{\R}{\mathbb{R}}
\newtheorem{theorem}{Theorem}
% TODO: ask Anna about the second proof
\begin{document}
\section{Convex functions}
A function $f\colon \R^n \to \R$ is convex if for all $x, y \in \R^n$ and $\lambda \in [0,1]$
\begin{equation}
f(\lambda x + (1-\lambda) y) \leq \lambda f(x) + (1-\lambda) f(y).
\end{equation}
\begin{theorem}
If $f$ is differentiable, then $f$ is convex if and only if
$f(y) \geq f(x) + \nabla f(x)^\top (y - x)$ for all $x, y$. % check the sign
\end{theorem}
\begin{proof}
Suppose $f$ is convex. For $t \in (0, 1]$ we have $f(x + t(y-x)) \leq f(x) + t(f(y) - f(x))$,
hence \[ \frac{f(x + t(y-x)) - f(x)}{t} \leq f(y) - f(x), \] and letting $t \to 0$ gives the
claim. The converse follows by applying the inequality at $z = \lambda x + (1-\lambda) y$.
\end{proof}
A discount of 50\% applies.
\end{document}
"""
NOTES = r"""# The geometric series

For $|r| < 1$ the partial sums $S_n = \sum_{k=0}^{n} r^k$ satisfy $S_n (1 - r) = 1 - r^{n+1}$, so

$$\sum_{k=0}^{\infty} r^k = \frac{1}{1-r}.$$

**Proof.** Multiply $S_n$ by $r$ and subtract: every term except the first and the last cancels.
Since $r^{n+1} \to 0$ when $|r| < 1$, the limit of $S_n$ is $\frac{1}{1-r}$.
"""
MATHJAX = r"""<html><head><title>Euler's identity</title></head><body><article>
<h1>Euler's identity</h1>
<p>Euler's formula states that for any real number <script type="math/tex">x</script> we have
<script type="math/tex">e^{ix} = \cos x + i \sin x</script>.</p>
<script type="math/tex; mode=display">e^{i\pi} + 1 = 0</script>
<p>Setting \(x = \pi\) gives the identity, which links five important constants of analysis.
The proof uses the power series of the exponential function and compares the real and imaginary
parts term by term.</p>
</article></body></html>"""
GERMAN = r"""Sei $f\colon [a,b] \to \mathbb{R}$ stetig. Dann gibt es nach dem Zwischenwertsatz für
jedes $y$ zwischen $f(a)$ und $f(b)$ ein $x \in [a,b]$ mit $f(x) = y$. Der Beweis benutzt die
Vollständigkeit der reellen Zahlen und betrachtet das Supremum der Menge
$\{t \in [a,b] : f(t) \leq y\}$.
"""
CHANGELOG = """# Changelog

## 2.4.0
- Added a `--dry-run` flag to the `sync` command.
- The pricing page now shows the $5 and $10 plans correctly.
- Improved the error message when `$HOME` is not set.
"""
RECIPE = """Lemon pancakes

Mix 2 cups of flour, 1 tablespoon of sugar and a pinch of salt. Whisk 2 eggs with the milk and
the juice of one lemon, then cook a quarter cup of batter per pancake, 2 minutes a side.
"""

FILES: dict[str, tuple[bytes, str]] = {
    "paper.tex": (PAPER.encode(), "kept"),
    "notes/geometric.md": (NOTES.encode(), "kept"),
    "euler.html": (MATHJAX.encode(), "kept"),
    "zwischenwert.tex": (GERMAN.encode(), "language:language_not_allowed"),
    "formulas.tex": (
        rb"\[ x^2 + y^2 = z^2 \] \[ \alpha \leq \beta \]",
        "language:language_no_prose",
    ),
    "CHANGELOG.md": (CHANGELOG.encode(), "math_score:math_low_score"),
    "recipe.txt": (RECIPE.encode(), "math_score:math_low_score"),
    "figure.tex": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "read:read_binary"),
    "latin1.md": ("Die Größe der Menge $A$ ist $|A|$.".encode("latin-1"), "read:read_not_utf8"),
    "empty.md": (b"  \n", "read:read_empty_file"),
    "blank.html": (b"<html><body><script>render()</script></body></html>", "extract:extract_empty"),
}


def outcomes(output: Path) -> dict[str, str]:
    found = {}
    for path in sorted(output.glob("**/*.parquet")):
        for row in pl.read_parquet(path).iter_rows(named=True):
            meta = row["metadata"]
            removed = path.parts[-3] == "removed"
            found[row["id"]] = f"{meta['dropped_by']}:{meta['drop_reason']}" if removed else "kept"
    return found


def write_files(root: Path) -> None:
    for name, (body, _) in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(body)
    (root / "ignored.png").write_bytes(b"\x89PNG")


def test_math_pipeline(tmp_path):
    root = tmp_path / "math"
    write_files(root)
    records = [
        {"id": "q-17", "path": "answers/17.md", "text": NOTES},
        {"path": "answers/18.md", "text": RECIPE},
    ]
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    out = tmp_path / "out"
    run_math([str(root), str(tmp_path / "qa.jsonl")], str(out), MathConfig(), Execution())

    expected = {doc_id("math", f"{root}/{name}"): outcome for name, (_, outcome) in FILES.items()}
    expected["math/q-17"] = "kept"
    expected[doc_id("math", "answers/18.md")] = "math_score:math_low_score"
    assert outcomes(out) == expected

    kept = pl.read_parquet(out / "math" / "*.parquet")
    assert kept.schema["metadata"].to_schema() == {
        k: pl.Float64 if k in ("score_math", "lang_score") else pl.String for k in MATH_METADATA
    }
    rows = {row["metadata"]["path"]: row for row in kept.iter_rows(named=True)}
    paper = rows[f"{root}/paper.tex"]
    assert paper["metadata"]["format"] == "tex" and paper["metadata"]["lang"] == "en"
    assert paper["text"].startswith(
        "\\newcommand{\\R}{\\mathbb{R}}\n\\newtheorem{theorem}{Theorem}"
    )
    assert "TODO" not in paper["text"] and "usepackage" not in paper["text"]
    assert "50\\% applies" in paper["text"]
    euler = rows[f"{root}/euler.html"]
    assert euler["metadata"]["title"] == "Euler's identity"
    assert "$$e^{i\\pi} + 1 = 0$$" in euler["text"]
    assert min(row["metadata"]["score_math"] for row in rows.values()) > 0.9
    assert rows["answers/17.md"]["metadata"]["format"] == "markdown"


def test_oversized_files_are_removed(tmp_path):
    (tmp_path / "big.tex").write_text(PAPER)
    out = tmp_path / "out"
    config = MathConfig.model_validate({"reader": {"max_file_bytes": 100}})
    run_math([str(tmp_path / "big.tex")], str(out), config, Execution())
    assert outcomes(out) == {doc_id("math", f"{tmp_path}/big.tex"): "read:read_too_large"}


def test_clean_tex():
    assert clean_tex(PAPER, strip_preamble=False, strip_comments=False) == PAPER.strip()
    no_comments = clean_tex(PAPER, strip_preamble=False, strip_comments=True)
    assert "TODO" not in no_comments and "check the sign" not in no_comments
    assert "\\usepackage" in no_comments and "50\\%" in no_comments
    body = clean_tex(PAPER, strip_preamble=True, strip_comments=False)
    assert body.startswith("\\newcommand{\\R}")
    assert "\\documentclass" not in body and "\\end{document}" not in body
    assert clean_tex("No document environment.", strip_preamble=True, strip_comments=True) == (
        "No document environment."
    )

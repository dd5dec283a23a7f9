"""The math score ranks math above distractors; its filter writes score_math and drops."""

from datatrove.data import Document

from mellum_data.filters.math import MathScoreFilter, math_features, math_score

LATEX = r"""\section{Convex functions}
A function $f\colon \mathbb{R}^n \to \mathbb{R}$ is convex if for all $x, y$ and $\lambda \in [0,1]$
\begin{equation}
f(\lambda x + (1-\lambda) y) \leq \lambda f(x) + (1-\lambda) f(y).
\end{equation}
\begin{theorem} A differentiable $f$ is convex if and only if
$f(y) \geq f(x) + \nabla f(x)^\top (y - x)$. \end{theorem}
"""
MARKDOWN = """# The geometric series

For $|r| < 1$ the partial sums $S_n = \\sum_{k=0}^{n} r^k$ satisfy $S_n (1 - r) = 1 - r^{n+1}$:

$$\\sum_{k=0}^{\\infty} r^k = \\frac{1}{1-r}.$$

**Proof.** Multiply $S_n$ by $r$ and subtract; every term but the first and last cancels.
"""
UNICODE = (
    "Für alle ε > 0 existiert ein δ > 0, so dass |f(x) − f(y)| < ε für |x − y| < δ. "
    "Daraus folgt ∀x ∈ ℝ: f stetig in x. Also ist ∫₀¹ f(x) dx wohldefiniert, und es gilt "
    "∑ aₙ ≤ ∞ für jede beschränkte Folge."
)
CHANGELOG = """# Changelog

## 2.4.0 - 2026-03-02
- Added a `--dry-run` flag to the `sync` command.
- Fixed a crash when the config file was empty.
- The pricing page now shows the $5 and $10 plans, and $5-$10 ranges, correctly.

## 2.3.1 - 2026-01-15
- Improved the error message when `$HOME` is not set.
- Run `$ make install` to install the tool system-wide.
"""
RECIPE = """Lemon pancakes

Mix 2 cups of flour, 1 tablespoon of sugar and a pinch of salt in a large bowl.
Whisk 2 eggs with 1 1/2 cups of milk and the juice of one lemon, then stir everything together.
Heat a pan over medium heat and cook a quarter cup of batter until bubbles form, 2 minutes a side.
Serve warm with honey. Makes about 12 pancakes, at a cost of about $3 in total.
"""
SCIENCE_NEWS = (
    "Researchers measured the growth of the glacier over ten years. The ice moved about 30 meters "
    "per year, twice as fast as in the previous decade. The team used satellite images and GPS "
    "stations to track the flow, and the results match a simple model of basal sliding. "
) * 3


def test_features_are_counted():
    assert math_features(MARKDOWN) == {
        "commands": 4,
        "inline": 5,
        "display": 1,
        "theorems": 1,
        "symbols": 0,
    }


def test_dollars_and_shell_prompts_are_not_math():
    assert math_features(CHANGELOG)["inline"] == 0
    assert math_features(RECIPE)["inline"] == 0
    assert math_features("costs $5 and $10 today") == dict.fromkeys(math_features(""), 0)


def test_math_ranks_above_distractors():
    math_docs = [LATEX, MARKDOWN, UNICODE]
    distractors = [CHANGELOG, RECIPE, SCIENCE_NEWS]
    assert min(map(math_score, math_docs)) > 0.5
    assert max(map(math_score, distractors)) < 0.1
    assert 0 <= math_score("") < 1


def test_filter_writes_score_and_drops_low():
    flt = MathScoreFilter()
    kept = Document(text=LATEX, id="a", metadata={})
    dropped = Document(text=RECIPE, id="b", metadata={})
    assert flt.filter(kept) is True and kept.metadata["score_math"] == math_score(LATEX)
    assert flt.filter(dropped) == (False, "math_low_score")
    assert dropped.metadata["score_math"] == 0.0
    unfiltered = Document(text=RECIPE, id="c", metadata={})
    assert MathScoreFilter(min_score=None).filter(unfiltered) is True
    assert "score_math" in unfiltered.metadata

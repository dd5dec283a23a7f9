"""A cheap, explainable math score and its threshold filter.

``math_features`` counts five kinds of evidence; ``math_score`` turns their weighted count
per 1,000 characters (the density) into a score in [0, 1): ``1 - exp(-density / SCALE)``.
Every number a score comes from can be printed with ``math_features``, and the weights are
the only tuning. Dollar amounts (``$5 and $10``) and shell prompts (``$ ls``) are not
inline math: the opening ``$`` must be followed, and the closing one preceded, by a
non-space, and the closing one must not be followed by a digit.
"""

from __future__ import annotations

import math
import re

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

# TeX commands that mean mathematics (formatting commands such as \section do not count).
MATH_COMMANDS = frozenset(
    """frac dfrac tfrac sqrt sum prod int iint oint lim limsup liminf sup inf max min log ln exp
    sin cos tan partial nabla infty cdot cdots ldots times div pm mp leq geq neq le ge ne approx
    equiv sim simeq cong propto subset subseteq supset supseteq in notin cup cap setminus
    emptyset forall exists neg land lor implies iff to mapsto rightarrow Rightarrow leftarrow
    Leftrightarrow alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    lambda mu nu xi pi rho sigma tau phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi
    Sigma Phi Psi Omega mathbb mathcal mathrm mathbf mathfrak operatorname binom choose det dim
    ker deg gcd mod pmod bmod left right langle rangle lfloor rfloor lceil rceil overline hat
    tilde vec dot ddot bar norm circ oplus otimes wedge vee perp parallel angle mid""".split()
)
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_INLINE = re.compile(
    r"(?<![\\$])\$(?=[^\s$])[^$\n]{1,300}?(?<![\s\\])\$(?!\d)|\\\(.{1,300}?\\\)", re.S
)
_DISPLAY = re.compile(
    r"\$\$.+?\$\$|\\\[.+?\\\]"
    r"|\\begin\{(?:equation|align|gather|multline|eqnarray|displaymath|math)\*?\}",
    re.S,
)
_THEOREM = re.compile(
    r"\\begin\{(?:theorem|lemma|proof|corollary|proposition|definition|conjecture)\*?\}"
    r"|\b(?:Theorem|Lemma|Proof|Corollary|Proposition|Definition|Conjecture|Q\.E\.D)\b"
    r"|\b(?:we prove|it follows that|if and only if|without loss of generality)\b"
)
SYMBOLS = frozenset("∑∫∏√∞≤≥≠≈≡∈∉⊂⊆⊃⊇∪∩∀∃∂∇±∓×÷⇒⇔↦ℝℕℤℚℂαβγδεζθλμξπρστφχψωΓΔΘΛΞΠΣΦΨΩ∎")

WEIGHTS = {"commands": 1.0, "inline": 2.0, "display": 4.0, "theorems": 3.0, "symbols": 0.5}
# Density (weighted evidence per 1,000 characters) at which the score reaches 1 - 1/e = 0.63.
SCALE = 5.0
# Short texts are scored as if this long, so that one formula in a tweet is not "all math".
MIN_CHARS = 500


def math_features(text: str) -> dict[str, int]:
    return {
        "commands": sum(1 for m in _COMMAND.finditer(text) if m.group(1) in MATH_COMMANDS),
        "inline": len(_INLINE.findall(text)),
        "display": len(_DISPLAY.findall(text)),
        "theorems": len(_THEOREM.findall(text)),
        "symbols": sum(1 for ch in text if ch in SYMBOLS),
    }


def math_score(text: str) -> float:
    features = math_features(text)
    evidence = sum(WEIGHTS[name] * count for name, count in features.items())
    density = 1000 * evidence / max(len(text), MIN_CHARS)
    return round(1 - math.exp(-density / SCALE), 4)


class MathScoreFilter(BaseFilter):
    """Writes ``metadata["score_math"]`` and drops documents below ``min_score``."""

    name = "∑ Math score"

    def __init__(
        self, min_score: float | None = 0.3, exclusion_writer: DiskWriter | None = None
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.min_score = min_score

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        score = math_score(doc.text)
        doc.metadata["score_math"] = score
        if self.min_score is not None and score < self.min_score:
            return False, "math_low_score"
        return True

"""Mathematical content blocks, computed from random parameters so that every worked example
is correct and documents on the same topic differ in their numbers.

A block is a list of items that the renderers in ``mathdocs`` turn into LaTeX, Markdown or
HTML: ("h", title), ("p", text with $inline$ math), ("display", latex), ("align", [lines]),
("env", kind, name, text) for theorem-like environments, ("proof", text), ("list", [items]).

This module holds the helpers and the blocks for analysis, algebra and probability;
``math_blocks_more`` has the rest and ``math_topics`` groups them by topic.
"""
# ruff: noqa: E501  (LaTeX strings are kept whole so that they read as the formulas they produce)

from __future__ import annotations

from fractions import Fraction
from math import comb, gcd
from random import Random

Block = list[tuple]


def frac(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def poly(coeffs: list[int], var: str = "x") -> str:
    """coeffs from the highest degree down; zero terms are skipped."""
    terms, deg = [], len(coeffs) - 1
    for i, c in enumerate(coeffs):
        p = deg - i
        if c == 0:
            continue
        mono = "" if p == 0 else (var if p == 1 else f"{var}^{{{p}}}" if p > 9 else f"{var}^{p}")
        mag = str(abs(c)) if (abs(c) != 1 or p == 0) else ""
        sign = "-" if c < 0 else "+"
        terms.append((sign, mag + mono))
    if not terms:
        return "0"
    first = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return first + "".join(f" {s} {t}" for s, t in terms[1:])


# --- analysis -------------------------------------------------------------------------------


def continuity(rng: Random) -> Block:
    a, b, x0 = rng.choice([2, 3, 4, 5, 7]), rng.randint(-9, 9), rng.randint(-5, 5)
    return [
        ("h", "Continuity of an affine map"),
        (
            "env",
            "lemma",
            None,
            f"The function $f(x) = {poly([a, b])}$ is continuous at $x_0 = {x0}$.",
        ),
        (
            "proof",
            f"Let $\\varepsilon > 0$ and put $\\delta = \\varepsilon / {a}$. If $|x - {x0}| < \\delta$, then "
            f"$|f(x) - f({x0})| = {a}\\,|x - {x0}| < {a}\\delta = \\varepsilon$.",
        ),
    ]


def integral(rng: Random) -> Block:
    p, q, r, c = rng.randint(1, 6), rng.randint(-5, 5), rng.randint(-4, 8), rng.randint(1, 4)
    value = Fraction(p * c**3, 3) + Fraction(q * c**2, 2) + r * c
    return [
        ("h", "A definite integral"),
        (
            "p",
            f"We compute the area under $g(x) = {poly([p, q, r])}$ on $[0, {c}]$ with the fundamental theorem of calculus.",
        ),
        (
            "align",
            [
                f"\\int_0^{{{c}}} \\left({poly([p, q, r])}\\right) dx"
                f" &= \\left[ {frac(Fraction(p, 3))} x^3 + {frac(Fraction(q, 2))} x^2 + {r} x \\right]_0^{{{c}}} \\\\",
                f"&= {frac(Fraction(p * c**3, 3))} + {frac(Fraction(q * c**2, 2))} + {r * c} = {frac(value)}.",
            ],
        ),
    ]


def geometric(rng: Random) -> Block:
    q = rng.randint(3, 9)
    p = rng.randint(1, q - 1)
    r = Fraction(p, q)
    return [
        ("h", "Geometric series"),
        (
            "env",
            "proposition",
            None,
            "For $|r| < 1$ the series $\\sum_{n \\ge 0} r^n$ converges to $\\frac{1}{1 - r}$.",
        ),
        (
            "proof",
            "The partial sums satisfy $S_N - r S_N = 1 - r^{N+1}$, so $S_N = \\frac{1 - r^{N+1}}{1 - r}$, "
            "and $r^{N+1} \\to 0$ as $N \\to \\infty$.",
        ),
        ("p", f"With $r = {frac(r)}$ we obtain"),
        (
            "display",
            f"\\sum_{{n=0}}^{{\\infty}} \\left({frac(r)}\\right)^n = \\frac{{1}}{{1 - {frac(r)}}} = {frac(1 / (1 - r))}.",
        ),
    ]


def taylor(rng: Random) -> Block:
    n = rng.randint(3, 6)
    terms = " + ".join(["1", "x"] + [f"\\frac{{x^{k}}}{{{k}!}}" for k in range(2, n + 1)])
    return [
        ("h", "Taylor polynomials of the exponential"),
        (
            "env",
            "theorem",
            "Taylor",
            "If $f$ is $n+1$ times differentiable on an interval containing $0$ and $x$, then "
            "$f(x) = \\sum_{k=0}^{n} \\frac{f^{(k)}(0)}{k!} x^k + R_n(x)$ with "
            "$R_n(x) = \\frac{f^{(n+1)}(\\xi)}{(n+1)!} x^{n+1}$ for some $\\xi$ between $0$ and $x$.",
        ),
        ("p", f"For $f = \\exp$ and $n = {n}$ this gives"),
        (
            "display",
            f"e^x = {terms} + R_{{{n}}}(x), \\qquad |R_{{{n}}}(x)| \\le \\frac{{e^{{|x|}} |x|^{{{n + 1}}}}}{{{n + 1}!}}.",
        ),
    ]


def mean_value(rng: Random) -> Block:
    fn = rng.choice([("\\sin", "\\cos"), ("\\cos", "-\\sin")])
    return [
        ("h", "The mean value theorem"),
        (
            "env",
            "theorem",
            "Mean value theorem",
            "Let $f : [a, b] \\to \\mathbb{R}$ be continuous and differentiable on "
            "$(a, b)$. Then there is $\\xi \\in (a, b)$ with $f'(\\xi) = \\frac{f(b) - f(a)}{b - a}$.",
        ),
        (
            "env",
            "corollary",
            None,
            f"For all real $x, y$ we have $|{fn[0]} x - {fn[0]} y| \\le |x - y|$.",
        ),
        (
            "proof",
            f"Apply the theorem to ${fn[0]}$ on the interval between $x$ and $y$: the difference quotient equals "
            f"${fn[1]} \\xi$ for some $\\xi$, and $|{fn[1]} \\xi| \\le 1$.",
        ),
    ]


# --- algebra --------------------------------------------------------------------------------


def lagrange(rng: Random) -> Block:
    n = rng.choice([6, 8, 10, 12, 15, 18, 20])
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    return [
        ("h", "Lagrange's theorem"),
        (
            "env",
            "theorem",
            "Lagrange",
            "If $H$ is a subgroup of a finite group $G$, then $|H|$ divides $|G|$.",
        ),
        (
            "proof",
            "The left cosets $gH$ partition $G$, and $h \\mapsto gh$ is a bijection $H \\to gH$, so every coset has "
            "$|H|$ elements. Hence $|G| = [G : H]\\,|H|$.",
        ),
        (
            "p",
            f"For example, the subgroups of $\\mathbb{{Z}}/{n}\\mathbb{{Z}}$ have orders "
            f"${', '.join(map(str, divisors))}$, exactly the divisors of ${n}$.",
        ),
    ]


def element_order(rng: Random) -> Block:
    n = rng.randint(12, 60)
    k = rng.randint(2, n - 1)
    g = gcd(n, k)
    return [
        ("h", "Orders in cyclic groups"),
        (
            "env",
            "proposition",
            None,
            "In $\\mathbb{Z}/n\\mathbb{Z}$ the class of $k$ has order $\\frac{n}{\\gcd(n, k)}$.",
        ),
        (
            "p",
            f"Take $n = {n}$ and $k = {k}$. Since $\\gcd({n}, {k}) = {g}$, the element $\\overline{{{k}}}$ has order "
            f"${n // g}$: indeed ${n // g} \\cdot {k} = {n // g * k} = {k // g} \\cdot {n}$.",
        ),
    ]


def quadratic(rng: Random) -> Block:
    r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
    b, c = -(r1 + r2), r1 * r2
    disc = b * b - 4 * c
    return [
        ("h", "Factoring a quadratic"),
        (
            "p",
            f"Consider $p(x) = {poly([1, b, c])}$. Its discriminant is $\\Delta = ({b})^2 - 4 \\cdot ({c}) = {disc}$, so",
        ),
        (
            "align",
            [
                f"x_{{1,2}} &= \\frac{{{-b} \\pm \\sqrt{{{disc}}}}}{{2}} \\\\",
                f"&= {r1 if r1 >= r2 else r2}, \\; {r2 if r1 >= r2 else r1},",
            ],
        ),
        ("p", f"and therefore $p(x) = (x - ({r1}))(x - ({r2}))$."),
    ]


def ideals(rng: Random) -> Block:
    m, n = rng.randint(2, 9), rng.randint(2, 9)
    return [
        ("h", "Ideals of the integers"),
        (
            "env",
            "definition",
            None,
            "An ideal of a commutative ring $R$ is an additive subgroup $I \\subseteq R$ with "
            "$ra \\in I$ for all $r \\in R$ and $a \\in I$.",
        ),
        (
            "env",
            "proposition",
            None,
            "Every ideal of $\\mathbb{Z}$ is of the form $n\\mathbb{Z}$ for a unique $n \\ge 0$.",
        ),
        (
            "proof",
            "If $I \\ne 0$, let $n$ be its smallest positive element. For $a \\in I$ write $a = qn + r$ with "
            "$0 \\le r < n$; then $r = a - qn \\in I$, so $r = 0$ by minimality.",
        ),
        (
            "p",
            f"For instance ${m}\\mathbb{{Z}} + {n}\\mathbb{{Z}} = {gcd(m, n)}\\mathbb{{Z}}$ and "
            f"${m}\\mathbb{{Z}} \\cap {n}\\mathbb{{Z}} = {m * n // gcd(m, n)}\\mathbb{{Z}}$.",
        ),
    ]


# --- probability ----------------------------------------------------------------------------


def binomial(rng: Random) -> Block:
    n = rng.randint(4, 10)
    k = rng.randint(1, n - 1)
    p = Fraction(1, rng.choice([2, 3, 4, 5, 6]))
    prob = comb(n, k) * p**k * (1 - p) ** (n - k)
    return [
        ("h", "A binomial example"),
        ("p", f"Let $X \\sim \\mathrm{{Bin}}({n}, {frac(p)})$. Then"),
        (
            "display",
            f"\\Pr[X = {k}] = \\binom{{{n}}}{{{k}}} \\left({frac(p)}\\right)^{{{k}}} \\left({frac(1 - p)}\\right)^{{{n - k}}}"
            f" = {frac(prob)},",
        ),
        (
            "p",
            f"with $\\mathbb{{E}}[X] = np = {frac(n * p)}$ and $\\operatorname{{Var}}(X) = np(1-p) = {frac(n * p * (1 - p))}$.",
        ),
    ]


def bayes(rng: Random) -> Block:
    prev = Fraction(rng.choice([1, 2, 5]), 100)
    sens = Fraction(rng.choice([90, 95, 99]), 100)
    spec = Fraction(rng.choice([90, 95, 98]), 100)
    post = sens * prev / (sens * prev + (1 - spec) * (1 - prev))
    return [
        ("h", "Bayes' rule and screening tests"),
        (
            "p",
            f"A condition has prevalence ${frac(prev)}$; a test detects it with probability ${frac(sens)}$ and gives a "
            f"false alarm with probability ${frac(1 - spec)}$. Writing $D$ for the condition and $T$ for a positive test,",
        ),
        (
            "align",
            [
                "\\Pr[D \\mid T] &= \\frac{\\Pr[T \\mid D]\\Pr[D]}{\\Pr[T \\mid D]\\Pr[D] + \\Pr[T \\mid \\neg D]\\Pr[\\neg D]} \\\\",
                f"&= \\frac{{{frac(sens)} \\cdot {frac(prev)}}}{{{frac(sens)} \\cdot {frac(prev)} + {frac(1 - spec)} \\cdot {frac(1 - prev)}}}"
                f" = {frac(post)} \\approx {float(post):.3f}.",
            ],
        ),
        ("p", "Even a good test yields mostly false positives when the condition is rare."),
    ]


def chebyshev(rng: Random) -> Block:
    k = rng.randint(2, 5)
    return [
        ("h", "Chebyshev's inequality"),
        (
            "env",
            "theorem",
            "Chebyshev",
            "If $X$ has mean $\\mu$ and variance $\\sigma^2$, then for every $k > 0$, "
            "$\\Pr[|X - \\mu| \\ge k\\sigma] \\le \\frac{1}{k^2}$.",
        ),
        (
            "proof",
            "Apply Markov's inequality to the non-negative variable $(X - \\mu)^2$: "
            "$\\Pr[(X - \\mu)^2 \\ge k^2\\sigma^2] \\le \\frac{\\mathbb{E}[(X-\\mu)^2]}{k^2\\sigma^2} = \\frac{1}{k^2}$.",
        ),
        (
            "p",
            f"With $k = {k}$, at least ${frac(1 - Fraction(1, k * k))}$ of the mass lies within ${k}$ standard deviations.",
        ),
    ]


def dice(rng: Random) -> Block:
    s = rng.choice([4, 6, 8, 10, 12, 20])
    mean = Fraction(s + 1, 2)
    var = Fraction(s * s - 1, 12)
    return [
        ("h", f"A fair {s}-sided die"),
        ("p", f"Let $X$ be uniform on $\\{{1, \\dots, {s}\\}}$. Then"),
        (
            "align",
            [
                f"\\mathbb{{E}}[X] &= \\frac{{1}}{{{s}}} \\sum_{{i=1}}^{{{s}}} i = \\frac{{{s} + 1}}{{2}} = {frac(mean)}, \\\\",
                f"\\mathbb{{E}}[X^2] &= \\frac{{1}}{{{s}}} \\sum_{{i=1}}^{{{s}}} i^2 = \\frac{{({s} + 1)(2 \\cdot {s} + 1)}}{{6}} = {frac(Fraction((s + 1) * (2 * s + 1), 6))}, \\\\",
                f"\\operatorname{{Var}}(X) &= \\mathbb{{E}}[X^2] - \\mathbb{{E}}[X]^2 = {frac(var)}.",
            ],
        ),
    ]

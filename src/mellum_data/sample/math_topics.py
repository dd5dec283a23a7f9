"""Math topics: their block generators and exercise templates."""
# ruff: noqa: E501  (LaTeX strings are kept whole so that they read as the formulas they produce)

from __future__ import annotations

from collections.abc import Callable
from random import Random

from mellum_data.sample.math_blocks import (
    Block,
    bayes,
    binomial,
    chebyshev,
    continuity,
    dice,
    element_order,
    geometric,
    ideals,
    integral,
    lagrange,
    mean_value,
    quadratic,
    taylor,
)
from mellum_data.sample.math_blocks_more import (
    big_o,
    binary_search,
    crt,
    determinant,
    eigen,
    euclid,
    fermat,
    master,
    np_complete,
    primes,
    product,
    rank_nullity,
)

TOPICS: dict[str, tuple[Callable[[Random], Block], ...]] = {
    "analysis": (continuity, integral, geometric, taylor, mean_value),
    "algebra": (lagrange, element_order, quadratic, ideals),
    "probability": (binomial, bayes, chebyshev, dice),
    "number_theory": (euclid, fermat, primes, crt),
    "linear_algebra": (determinant, eigen, rank_nullity, product),
    "complexity": (master, big_o, binary_search, np_complete),
}


EXERCISES: dict[str, tuple[str, ...]] = {
    "analysis": (
        "Compute $\\int_0^{{{a}}} ({b}x^2 + {c})\\,dx$.",
        "Show that $f(x) = x^2$ is continuous at $x_0 = {a}$ with an explicit $\\delta$.",
        "Decide whether $\\sum_{{n \\ge 1}} n^{{-{p}}}$ converges.",
        "Find the Taylor polynomial of degree ${a}$ of $\\cos x$ at $0$.",
        "Prove that $|e^x - 1| \\le e\\,|x|$ for $|x| \\le 1$.",
    ),
    "algebra": (
        "List the elements of order ${a}$ in $\\mathbb{{Z}}/{n}\\mathbb{{Z}}$.",
        "Factor $x^2 - {s}x + {pr}$ over the integers.",
        "Show that a group of prime order ${q}$ is cyclic.",
        "Is ${b}\\mathbb{{Z}} \\cup {c}\\mathbb{{Z}}$ an ideal of $\\mathbb{{Z}}$?",
    ),
    "probability": (
        "A fair coin is tossed ${n}$ times. Find the probability of exactly ${a}$ heads.",
        "Compute the variance of a fair {q}-sided die.",
        "Use Chebyshev's inequality with $k = {a}$ for a variable of variance ${b}$.",
        "Two cards are drawn without replacement. What is the probability that both are aces?",
    ),
    "number_theory": (
        "Compute $\\gcd({x}, {y})$ and find Bézout coefficients.",
        "Find ${a}^{{{n}}} \\bmod {q}$.",
        "Solve $x \\equiv {a} \\pmod{{{q}}}$, $x \\equiv {b} \\pmod{{{n}}}$.",
        "Show that there are infinitely many primes $p \\equiv 3 \\pmod 4$.",
    ),
    "linear_algebra": (
        "Compute $\\det \\begin{{pmatrix}} {a} & {b} \\\\ {c} & {n} \\end{{pmatrix}}$.",
        "Find the eigenvalues of $\\begin{{pmatrix}} {a} & 1 \\\\ 0 & {b} \\end{{pmatrix}}$.",
        "Give a ${a} \\times {n}$ matrix of rank $1$ and describe its kernel.",
        "Show that $\\operatorname{{tr}}(AB) = \\operatorname{{tr}}(BA)$.",
    ),
    "complexity": (
        "Solve $T(n) = {a}T(n/2) + n$ with the master theorem.",
        "Show that ${b}n^3 + {c}n = O(n^3)$.",
        "How many comparisons does binary search need on ${x}$ elements?",
        "Reduce INDEPENDENT-SET to VERTEX-COVER.",
    ),
}


def exercises(rng: Random, topic: str) -> Block:
    """An exercise list, numbers drawn fresh for each document."""
    q = rng.choice([5, 7, 11, 13])
    values = {
        "a": rng.randint(2, 6),
        "b": rng.randint(2, 9),
        "c": rng.randint(1, 9),
        "n": rng.randint(6, 30),
        "p": rng.choice(["1", "2", "\\frac{1}{2}", "\\frac{3}{2}"]),
        "q": q,
        "x": rng.randint(100, 999),
        "y": rng.randint(10, 99),
    }
    r1, r2 = rng.randint(1, 9), rng.randint(1, 9)
    values |= {"s": r1 + r2, "pr": r1 * r2}
    picks = rng.sample(EXERCISES[topic], k=min(len(EXERCISES[topic]), rng.randint(2, 4)))
    return [("h", "Exercises"), ("list", [p.format(**values) for p in picks])]

"""Math blocks for number theory, linear algebra and complexity (see ``math_blocks``)."""
# ruff: noqa: E501  (LaTeX strings are kept whole so that they read as the formulas they produce)

from __future__ import annotations

from math import log
from random import Random

from mellum_data.sample.math_blocks import Block, poly

# --- number theory --------------------------------------------------------------------------


def euclid(rng: Random) -> Block:
    g = rng.randint(2, 12)
    a, b = g * rng.randint(20, 90), g * rng.randint(5, 19)
    a, b = max(a, b), min(a, b)
    lines, x, y = [], a, b
    while y:
        q, r = divmod(x, y)
        lines.append(f"{x} &= {q} \\cdot {y} + {r} \\\\")
        x, y = y, r
    lines[-1] = lines[-1].removesuffix(" \\\\")
    return [
        ("h", "The Euclidean algorithm"),
        ("p", f"To compute $\\gcd({a}, {b})$ we divide repeatedly with remainder:"),
        ("align", lines),
        (
            "p",
            f"The last non-zero remainder is the greatest common divisor, so $\\gcd({a}, {b}) = {x}$.",
        ),
        (
            "env",
            "theorem",
            "Bézout",
            "For integers $a, b$ not both zero there are $u, v \\in \\mathbb{Z}$ with $au + bv = \\gcd(a, b)$.",
        ),
    ]


def fermat(rng: Random) -> Block:
    p = rng.choice([7, 11, 13, 17, 19, 23, 29, 31])
    a = rng.randint(2, p - 1)
    e = rng.randint(p + 3, 4 * p)
    return [
        ("h", "Fermat's little theorem"),
        (
            "env",
            "theorem",
            "Fermat",
            "If $p$ is prime and $p \\nmid a$, then $a^{p-1} \\equiv 1 \\pmod{p}$.",
        ),
        (
            "proof",
            "Multiplication by $a$ permutes the non-zero residues modulo $p$, so "
            "$\\prod_{i=1}^{p-1} (ai) \\equiv \\prod_{i=1}^{p-1} i$, that is $a^{p-1}(p-1)! \\equiv (p-1)!$, "
            "and $(p-1)!$ is invertible modulo $p$.",
        ),
        (
            "p",
            f"Hence ${a}^{{{e}}} \\equiv {a}^{{{e % (p - 1)}}} \\equiv {pow(a, e, p)} \\pmod{{{p}}}$, since ${e} \\equiv {e % (p - 1)} \\pmod{{{p - 1}}}$.",
        ),
    ]


def primes(rng: Random) -> Block:
    ps = [2, 3, 5, 7, 11, 13][: rng.randint(3, 6)]
    n = 1
    for q in ps:
        n *= q
    return [
        ("h", "There are infinitely many primes"),
        ("env", "theorem", "Euclid", "The set of prime numbers is infinite."),
        (
            "proof",
            "Suppose $p_1, \\dots, p_k$ were all the primes and let $N = p_1 p_2 \\cdots p_k + 1$. No $p_i$ divides "
            "$N$, since each leaves remainder $1$; but $N > 1$ has a prime factor, a contradiction.",
        ),
        (
            "p",
            f"For the first primes ${', '.join(map(str, ps))}$ the construction gives $N = {n + 1}$.",
        ),
    ]


def crt(rng: Random) -> Block:
    m1, m2 = rng.choice([(3, 5), (4, 7), (5, 9), (7, 11), (8, 9), (9, 13)])
    a1, a2 = rng.randint(0, m1 - 1), rng.randint(0, m2 - 1)
    x = next(x for x in range(m1 * m2) if x % m1 == a1 and x % m2 == a2)
    inv = pow(m1, -1, m2)
    return [
        ("h", "The Chinese remainder theorem"),
        (
            "env",
            "theorem",
            None,
            "If $\\gcd(m_1, m_2) = 1$, the system $x \\equiv a_1 \\pmod{m_1}$, "
            "$x \\equiv a_2 \\pmod{m_2}$ has a unique solution modulo $m_1 m_2$.",
        ),
        (
            "p",
            f"To solve $x \\equiv {a1} \\pmod{{{m1}}}$ and $x \\equiv {a2} \\pmod{{{m2}}}$, write $x = {a1} + {m1}t$. "
            f"Then ${m1}t \\equiv {a2 - a1} \\pmod{{{m2}}}$, and since ${m1}^{{-1}} \\equiv {inv} \\pmod{{{m2}}}$ we get "
            f"$t \\equiv {(a2 - a1) * inv % m2} \\pmod{{{m2}}}$, so $x \\equiv {x} \\pmod{{{m1 * m2}}}$.",
        ),
    ]


# --- linear algebra -------------------------------------------------------------------------


def matrix(rows: list[list[int]]) -> str:
    return (
        "\\begin{pmatrix} "
        + " \\\\ ".join(" & ".join(map(str, r)) for r in rows)
        + " \\end{pmatrix}"
    )


def determinant(rng: Random) -> Block:
    m = [[rng.randint(-4, 6) for _ in range(3)] for _ in range(3)]
    minors = [
        m[1][1] * m[2][2] - m[1][2] * m[2][1],
        m[1][0] * m[2][2] - m[1][2] * m[2][0],
        m[1][0] * m[2][1] - m[1][1] * m[2][0],
    ]
    det = m[0][0] * minors[0] - m[0][1] * minors[1] + m[0][2] * minors[2]
    return [
        ("h", "A determinant by cofactor expansion"),
        ("p", "Expanding along the first row,"),
        (
            "align",
            [
                f"\\det {matrix(m)} &= {m[0][0]} \\cdot ({minors[0]}) - ({m[0][1]}) \\cdot ({minors[1]}) + ({m[0][2]}) \\cdot ({minors[2]}) \\\\",
                f"&= {det}.",
            ],
        ),
        (
            "p",
            "The matrix is invertible."
            if det
            else "The matrix is singular: its columns are linearly dependent.",
        ),
    ]


def eigen(rng: Random) -> Block:
    l1, l2 = rng.randint(-3, 6), rng.randint(-3, 6)
    b = rng.randint(1, 4)
    a = [[l1, b], [0, l2]]
    chi = poly([1, -(l1 + l2), l1 * l2], "\\lambda")
    return [
        ("h", "Eigenvalues of a triangular matrix"),
        ("p", f"For $A = {matrix(a)}$ the characteristic polynomial is"),
        (
            "display",
            f"\\chi_A(\\lambda) = \\det(\\lambda I - A) = (\\lambda - ({l1}))(\\lambda - ({l2})) = {chi},",
        ),
        (
            "p",
            f"so the eigenvalues are ${l1}$ and ${l2}$; note $\\operatorname{{tr}} A = {l1 + l2}$ and $\\det A = {l1 * l2}$.",
        ),
    ]


def rank_nullity(rng: Random) -> Block:
    n = rng.randint(3, 7)
    r = rng.randint(1, n - 1)
    return [
        ("h", "The rank–nullity theorem"),
        (
            "env",
            "theorem",
            "Rank–nullity",
            "For a linear map $T : V \\to W$ with $V$ finite-dimensional, "
            "$\\dim V = \\dim \\ker T + \\dim \\operatorname{im} T$.",
        ),
        (
            "proof",
            "Extend a basis $u_1, \\dots, u_k$ of $\\ker T$ to a basis $u_1, \\dots, u_k, v_1, \\dots, v_m$ of $V$. "
            "The vectors $T v_1, \\dots, T v_m$ span $\\operatorname{im} T$ and are linearly independent, since a "
            "relation among them would put a combination of the $v_j$ into $\\ker T$.",
        ),
        (
            "p",
            f"So a ${n - 1} \\times {n}$ matrix of rank ${r}$ has a null space of dimension ${n - r}$.",
        ),
    ]


def product(rng: Random) -> Block:
    a = [[rng.randint(-3, 5) for _ in range(2)] for _ in range(2)]
    b = [[rng.randint(-3, 5) for _ in range(2)] for _ in range(2)]
    c = [[sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    return [
        ("h", "Matrix multiplication"),
        (
            "p",
            "Entry $(i, j)$ of $AB$ is the dot product of row $i$ of $A$ with column $j$ of $B$:",
        ),
        ("display", f"{matrix(a)} {matrix(b)} = {matrix(c)}."),
        (
            "p",
            "In general $AB \\ne BA$; multiplication of square matrices is associative but not commutative.",
        ),
    ]


# --- complexity -----------------------------------------------------------------------------


def master(rng: Random) -> Block:
    a, b, c = rng.choice(
        [(2, 2, 1), (4, 2, 1), (1, 2, 1), (8, 2, 2), (3, 2, 1), (2, 4, 1), (9, 3, 2), (7, 2, 2)]
    )
    crit = log(a) / log(b)
    if abs(crit - c) < 1e-9:
        sol, case = f"\\Theta(n^{{{c}}} \\log n)", "the balanced case"
    elif crit > c:
        sol, case = (
            f"\\Theta(n^{{\\log_{{{b}}} {a}}}) \\approx \\Theta(n^{{{crit:.3f}}})",
            "the leaf-heavy case",
        )
    else:
        sol, case = f"\\Theta(n^{{{c}}})", "the root-heavy case"
    return [
        ("h", "Divide-and-conquer recurrences"),
        (
            "env",
            "theorem",
            "Master theorem",
            "Let $T(n) = aT(n/b) + \\Theta(n^c)$ with $a \\ge 1$, $b > 1$. If $c < \\log_b a$ "
            "then $T(n) = \\Theta(n^{\\log_b a})$; if $c = \\log_b a$ then $T(n) = \\Theta(n^c \\log n)$; "
            "if $c > \\log_b a$ then $T(n) = \\Theta(n^c)$.",
        ),
        (
            "p",
            f"For $T(n) = {a if a > 1 else ''}T(n/{b}) + \\Theta(n^{{{c}}})$ we have $\\log_{{{b}}} {a} \\approx {crit:.3f}$, "
            f"which is {case}, so $T(n) = {sol}$.",
        ),
    ]


def big_o(rng: Random) -> Block:
    a, b, c = rng.randint(2, 9), rng.randint(1, 20), rng.randint(1, 50)
    n0 = 1
    return [
        ("h", "Asymptotic notation"),
        (
            "env",
            "definition",
            None,
            "$f = O(g)$ if there are constants $C > 0$ and $n_0$ with $f(n) \\le C g(n)$ for all $n \\ge n_0$.",
        ),
        ("p", f"For $f(n) = {poly([a, b, c], 'n')}$ and $n \\ge {n0}$,"),
        ("display", f"f(n) \\le {a}n^2 + {b}n^2 + {c}n^2 = {a + b + c}\\,n^2,"),
        ("p", f"so $f = O(n^2)$ with $C = {a + b + c}$ and $n_0 = {n0}$."),
    ]


def binary_search(rng: Random) -> Block:
    k = rng.randint(10, 30)
    return [
        ("h", "Binary search"),
        (
            "p",
            "Each comparison halves the remaining interval, so the number of comparisons satisfies",
        ),
        (
            "align",
            [
                "T(n) &= T(\\lfloor n/2 \\rfloor) + 1, \\qquad T(1) = 1, \\\\",
                "T(n) &= \\lfloor \\log_2 n \\rfloor + 1.",
            ],
        ),
        (
            "p",
            f"An array of $2^{{{k}}} = {2**k}$ elements is therefore searched with at most ${k + 1}$ comparisons.",
        ),
    ]


def np_complete(rng: Random) -> Block:
    problem = rng.choice(["CLIQUE", "VERTEX-COVER", "INDEPENDENT-SET"])
    return [
        ("h", "NP-completeness"),
        (
            "env",
            "definition",
            None,
            "A language $L$ is NP-complete if $L \\in \\mathrm{NP}$ and $L' \\le_p L$ for every "
            "$L' \\in \\mathrm{NP}$, where $\\le_p$ denotes polynomial-time many-one reduction.",
        ),
        ("env", "theorem", None, f"{problem} is NP-complete."),
        (
            "proof",
            f"Membership in NP: a certificate is the vertex set itself, checked in $O(n^2)$ time. Hardness: reduce "
            f"3-SAT to {problem} by building one vertex per literal occurrence and joining literals of different "
            "clauses that are not negations of each other; a formula with $m$ clauses is satisfiable iff the graph "
            "has a clique of size $m$.",
        ),
    ]

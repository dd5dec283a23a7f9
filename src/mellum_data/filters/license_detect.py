"""License detection from text: license files, package metadata values and SPDX headers.

Pure functions of strings (no file access): the code reader feeds them what it reads.
Results are SPDX expressions (``MIT``, ``Apache-2.0 OR MIT``) or ``None`` when nothing is
recognised.
"""

from __future__ import annotations

import re

from mellum_data.filters.licenses_data import (
    CHOICE_PHRASES,
    GNU_NAMES,
    KNOWN_IDS,
    NAME_ALIASES,
    RULES,
    Rule,
)

# A copyright line names a holder; "copyright notice ..." wrapped onto a new line is text. A
# licence statement on the same line ("... and licensed under X") is kept.
_COPYRIGHT_LINE = re.compile(
    r"^[\s#*>/;-]*(?:copyright\b(?!\s+(?:notices?|holders?|owners?|laws?|and|or|statement|licen[cs]e))"
    r"|\(c\)\s*\d|©|all rights reserved)"
    r".*?(?=\b(?:licen[cs]ed|released|distributed|made available)\s+under\b|$)",
    re.I | re.M,
)
# A rule line (----, ====, ____) alone on a line: licence files of packages put the project's
# own licence first and then, after such a line, the licences of bundled components.
_RULE_LINE = re.compile(r"^[ \t]*([-=_*~])\1{3,}[ \t]*$", re.M)
_MAX_SECTIONS = 8
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]{0,200}>")
_URL = re.compile(r"https?://\S+")
# Dots are kept only inside version numbers ("2.0"), so "version 2.0." ends cleanly.
_NOT_WORD = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[^a-z0-9.])+")


def normalize_license_text(text: str) -> str:
    """Lowercase words and version numbers separated by single spaces, without copyright
    lines, markdown, HTML tags or URLs, so that reflowed or reformatted texts compare equal."""
    text = _COPYRIGHT_LINE.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = text.lower().replace("licence", "license")
    return _NOT_WORD.sub(" ", text).strip()


def _rule_matches(rule: Rule, norm: str) -> int | None:
    """Position of the rule's first phrase in ``norm``, or None when it does not match."""
    if any(p in norm for p in rule.absent):
        return None
    first = None
    for group in rule.groups:
        hits = [i for i in (norm.find(p) for p in group) if i >= 0]
        if not hits:
            return None
        first = min(hits) if first is None else min(first, min(hits))
    return first


_GNU_MENTION = re.compile(
    r"\b(" + "|".join(GNU_NAMES) + r")\b"
    r"((?:\s+\w+){0,12}?)\s+(?:either\s+)?(?:version|v)\s*([123](?:\.[01])?)\b"
)


def _gnu_license(norm: str) -> tuple[str, int] | None:
    """The first GNU license named with its version, e.g. 'gnu general public license
    version 2' or '... as published by the free software foundation either version 3'."""
    for m in _GNU_MENTION.finditer(norm):
        family, between, version = GNU_NAMES[m.group(1)], m.group(2), m.group(3)
        # "version 3 of the GNU Affero ..." in the GPL puts the version before the name.
        if between and not re.fullmatch(
            r"(?:\s+(?:as|published|by|the|free|software|foundation|license))*", between
        ):
            continue
        major = version.split(".")[0]
        if family == "AGPL-3.0":
            return "AGPL-3.0", m.start()
        if family == "LGPL":
            spdx = {"2": "LGPL-2.1" if version == "2.1" else "LGPL-2.0", "3": "LGPL-3.0"}.get(major)
        else:
            spdx = {"1": "GPL-1.0", "2": "GPL-2.0", "3": "GPL-3.0"}.get(major)
        if spdx:
            return spdx, m.start()
    return None


def detect_license_text(text: str) -> str | None:
    """SPDX expression for a license file's text (or a license notice), None if unknown.

    When the text has rule lines, the first sections that name a licence decide: what
    follows describes bundled or vendored parts. A choice announced in those first sections
    ("dual licensed ..., at your option") reads the whole text, where its options are.
    """
    for cut in [m.start() for m in _RULE_LINE.finditer(text)][:_MAX_SECTIONS]:
        ids, choice = _licenses_in(normalize_license_text(text[:cut]))
        if ids:
            if choice:
                break
            return combine(ids, choice=False)
    ids, choice = _licenses_in(normalize_license_text(text))
    return combine(ids, choice=choice) if ids else None


# "... or (at your option) any later version" and "either of that numbered version or of
# any later version" in GNU texts are not choices between licenses.
_NOT_A_CHOICE = re.compile(r"at your option any later version|either of that (?:numbered )?version")


def states_choice(norm: str) -> bool:
    """Whether normalised licence text offers a choice between licences."""
    rest = _NOT_A_CHOICE.sub(" ", norm)
    return any(p in rest for p in CHOICE_PHRASES)


def _licenses_in(norm: str) -> tuple[list[str], bool]:
    """Licence ids named in normalised text, in order of appearance, and whether the text
    offers a choice between them."""
    if not norm:
        return [], False
    found: dict[str, int] = {}
    suppressed: set[str] = set()
    for rule in RULES:
        pos = _rule_matches(rule, norm)
        if pos is not None:
            found[rule.spdx] = pos
            suppressed.update(rule.suppresses)
    gnu = _gnu_license(norm)
    if gnu:
        found[gnu[0]] = gnu[1]
    ids = [i for i in sorted(found, key=found.get) if i not in suppressed]
    return ids, states_choice(norm)


def combine(ids: list[str], *, choice: bool) -> str:
    """Join distinct license ids (or expressions) with OR (a choice) or AND."""
    unique = sorted(dict.fromkeys(ids))
    if len(unique) == 1:
        return unique[0]
    op = " OR " if choice else " AND "
    return op.join(f"({u})" if " " in u else u for u in unique)


# --- SPDX identifiers and expressions ------------------------------------------------------

_KNOWN = {k.lower(): k for k in KNOWN_IDS}
_SUFFIXES = ("-only", "-or-later", "+")
_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")
_HEADER = re.compile(r"SPDX-License-Identifier:\s*([^\n]*)")
_HEADER_END = re.compile(r"\s*(?:\*/|-->|#}|\*\)|-\}|%>|\"\"\"|''').*$")


def canonical_id(token: str) -> str:
    """Canonical spelling of an SPDX id; GNU ids drop -only / -or-later / + (the filter
    decides by family), unknown ids are kept as written."""
    low = token.lower()
    if low in _KNOWN:
        return _KNOWN[low]
    for suffix in _SUFFIXES:
        if low.endswith(suffix) and low[: -len(suffix)] in _KNOWN:
            return _KNOWN[low[: -len(suffix)]]
    return token


def parse_expression(expr: str) -> list[str] | None:
    """Tokens of an SPDX expression with ids canonicalised, or None if it is not one."""
    tokens = _TOKEN.findall(expr)
    if not tokens or "".join(tokens) != re.sub(r"\s+", "", expr):
        return None
    out: list[str] = []
    expect_id = True
    depth = 0
    for tok in tokens:
        up = tok.upper()
        if tok == "(":
            depth += 1
            out.append(tok)
        elif tok == ")":
            depth -= 1
            if depth < 0 or expect_id:
                return None
            out.append(tok)
        elif up in ("AND", "OR", "WITH"):
            if expect_id:
                return None
            out.append(up)
            expect_id = True
        else:
            if not expect_id:
                return None
            out.append(canonical_id(tok) if out[-1:] != ["WITH"] else tok)
            expect_id = False
    if depth != 0 or expect_id:
        return None
    return out


def format_expression(tokens: list[str]) -> str:
    return " ".join(tokens).replace("( ", "(").replace(" )", ")")


def license_from_header(text: str, max_chars: int = 4096) -> str | None:
    """The ``SPDX-License-Identifier`` expression near the top of a source file."""
    m = _HEADER.search(text, 0, max_chars)
    if not m:
        return None
    tokens = parse_expression(_HEADER_END.sub("", m.group(1)).strip())
    return format_expression(tokens) if tokens else None


def license_from_name(value: str) -> str | None:
    """A license as written in package metadata: an SPDX expression, a known name
    ("Apache License 2.0", "BSD"), a classifier or a short notice."""
    value = value.strip()
    if not value:
        return None
    if value.startswith("License ::"):
        value = value.rsplit("::", 1)[-1]
    if value.lower().startswith(("see license", "see licence")):
        return None
    alias = NAME_ALIASES.get(normalize_license_text(value))
    if alias:
        return alias
    # Old Cargo and npm style "MIT/Apache-2.0" means a choice.
    tokens = parse_expression(value.replace("/", " OR "))
    if tokens and all(_is_known(t, prev) for prev, t in zip(["", *tokens], tokens)):
        return format_expression(tokens)
    return detect_license_text(value)


def _is_known(token: str, previous: str) -> bool:
    if token in ("(", ")", "AND", "OR", "WITH") or previous == "WITH":
        return True
    return token.lower() in _KNOWN or token.startswith("LicenseRef-")

"""Keep code whose license (``metadata["license"]``, an SPDX expression) is permissive."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Literal

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from mellum_data.filters.license_detect import canonical_id, parse_expression
from mellum_data.filters.licenses_data import PERMISSIVE_DEFAULT

UNKNOWN = "unknown"
NoLicensePolicy = Literal["keep", "drop"]


@functools.lru_cache(maxsize=16)
def _allow_set(allowed: tuple[str, ...]) -> frozenset[str]:
    return frozenset(canonical_id(a).lower() for a in allowed)


def is_permissive(expression: str, allowed: Iterable[str]) -> bool:
    """Whether an SPDX expression grants a permissive license: an OR is permissive if any
    branch is (the user may choose it), an AND only if every part is. ``X WITH exception``
    counts as ``X``: exceptions add permissions, they never remove them."""
    tokens = parse_expression(expression)
    if not tokens:
        return False
    allow = _allow_set(tuple(allowed))
    pos = 0

    def term() -> bool:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = disjunction()
            pos += 1  # the closing parenthesis
        else:
            value = canonical_id(tok).lower() in allow
        if pos < len(tokens) and tokens[pos] == "WITH":
            pos += 2
        return value

    def conjunction() -> bool:
        nonlocal pos
        value = term()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            value = term() and value
        return value

    def disjunction() -> bool:
        nonlocal pos
        value = conjunction()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            value = conjunction() or value
        return value

    return disjunction()


class LicenseFilter(BaseFilter):
    """Drops documents whose license is not in ``allowed``.

    A repository with no license at all is, by copyright law, all rights reserved; Mellum 2
    trains on permissively licensed code only, so ``no_license="drop"`` is the default.
    ``"keep"`` follows The Stack v2, which kept such files as ``license_type: no_license``.
    A license that was found but not recognised is always dropped (``license_unknown``).
    Sets ``metadata["license_type"]`` (``permissive`` | ``no_license``) on kept documents.
    """

    name = "⚖️ License"

    def __init__(
        self,
        allowed: Iterable[str] = PERMISSIVE_DEFAULT,
        no_license: NoLicensePolicy = "drop",
        exclusion_writer=None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.allowed = tuple(allowed)
        self.no_license = no_license

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        license_ = doc.metadata.get("license") or UNKNOWN
        if license_ == UNKNOWN:
            if doc.metadata.get("license_source", "none") != "none":
                return False, "license_unknown"
            if self.no_license == "drop":
                return False, "license_none"
            doc.metadata["license_type"] = "no_license"
            return True
        if not is_permissive(license_, self.allowed):
            return False, "license_not_permissive"
        doc.metadata["license_type"] = "permissive"
        return True

"""Fill ``{{name}}`` placeholders in code templates.

Code is full of braces, so the placeholder is doubled; a placeholder with no value raises
rather than leaking into a generated file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def fill(template: str, values: Mapping[str, str]) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise KeyError(f"template placeholder {{{{{name}}}}} has no value")
        return values[name]

    return _PLACEHOLDER.sub(value, template)


def snake(words: str) -> str:
    return "_".join(words.lower().split())


def camel(words: str) -> str:
    first, *rest = words.lower().split()
    return first + "".join(w.capitalize() for w in rest)


def pascal(words: str) -> str:
    return "".join(w.capitalize() for w in words.lower().split())

"""tree-sitter grammars from the per-language wheels (``tree_sitter_python`` ...), shared by
the syntax filter and the FIM split points. Never ``tree-sitter-language-pack``: it downloads
grammars at run time."""

from __future__ import annotations

import functools
import importlib

import tree_sitter

# canonical name -> (grammar module, its language function)
GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "java": ("tree_sitter_java", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
}
# Other spellings of ``lang`` (the code stage writes "C++", "TypeScript", ...; case is ignored).
ALIASES = {
    "py": "python",
    "js": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "c++": "cpp",
    "cc": "cpp",
    "cxx": "cpp",
    "golang": "go",
    "rs": "rust",
}


def grammar_for(lang: str | None) -> str | None:
    """Canonical grammar name for a ``lang`` value, or None when no grammar is installed."""
    if not lang:
        return None
    key = lang.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in GRAMMARS else None


@functools.cache
def load_language(name: str) -> tree_sitter.Language | None:
    """The grammar ``name`` (canonical), or None when its wheel is not installed."""
    module, func = GRAMMARS[name]
    try:
        return tree_sitter.Language(getattr(importlib.import_module(module), func)())
    except ImportError:
        return None


def new_parser(lang: str | None) -> tree_sitter.Parser | None:
    """A fresh parser for any spelling of ``lang``, or None without a grammar for it."""
    name = grammar_for(lang)
    language = load_language(name) if name else None
    return tree_sitter.Parser(language) if language else None

"""What a repository's files say about themselves: whether they are text, and under which
licence they may be used (licence files, package manifests, SPDX headers).

Pure functions of names and bytes: the readers (folders, archives) feed them what they read.
"""

from __future__ import annotations

import re

from mellum_data.filters.license_detect import (
    combine,
    detect_license_text,
    normalize_license_text,
    parse_expression,
    states_choice,
)
from mellum_data.filters.license_packages import package_parser
from mellum_data.pipelines.code_langs import UNKNOWN_LANG, language_of

# Root files that hold a license text. Several of them (LICENSE-MIT + LICENSE-APACHE) are the
# Rust / dual-licensing convention and mean a choice; COPYING + COPYING.LESSER is the LGPL.
LICENSE_STEMS = ("license", "licence", "copying", "unlicense", "notice")
# Files named for one option of a dual licence: LICENSE-MIT, LICENSE.APACHE, LICENSE_GPL2.txt
# (but not LICENSE.txt).
_PER_OPTION = re.compile(r"(?:licen[cs]e|copying)[-._](?!(?:txt|md|rst|markdown)$)", re.I)
_SECONDARY_WORDS = ("third", "3rd", "external", "vendor", "bundled", "deps", "dependencies")
# Bytes that are not control characters, or are controls that text files use (tab, newline,
# form feed, escape ...): deleting them from a sample leaves the binary-looking bytes.
_NOT_BINARY = bytes(b for b in range(256) if b >= 32 or b in b"\t\n\r\f\v\b\x1b")


def is_license_file(name: str) -> bool:
    """LICENSE, LICENSE.md, COPYING.LESSER, LICENSE-MIT ..., but not license.py."""
    low = name.lower()
    if language_of(low) not in (UNKNOWN_LANG, "Markdown", "reStructuredText"):
        return False
    for stem in LICENSE_STEMS:
        if low.startswith(stem):
            rest = low[len(stem) :]
            return rest == "" or (rest[0] in "-._" and len(rest) <= 20)
    return False


def decode_file(
    raw: bytes, sniff: int = 8192, max_control: float = 0.1
) -> tuple[str | None, str | None]:
    """``(text, None)`` for UTF-8 text, else ``(preview or None, reason)``."""
    if not raw:
        return None, "read_empty"
    head = raw[:sniff]
    if b"\0" in head or len(head.translate(None, _NOT_BINARY)) > max_control * len(head):
        return None, "read_binary"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Kept readable in removed/ so that a person can see what was dropped.
        return raw.decode("utf-8", errors="replace"), "read_not_utf8"
    return text.removeprefix("\ufeff"), None


def _is_secondary(name: str) -> bool:
    """NOTICE files and third-party licence lists describe bundled parts, not the project."""
    low = name.lower()
    return low.startswith("notice") or any(w in low for w in _SECONDARY_WORDS)


def repo_license(files: dict[str, bytes]) -> tuple[str | None, str]:
    """License of a repository from its root files (name -> bytes): license files first
    (NOTICE and third-party lists only when no other file names one), then package
    metadata. Returns ``(spdx or None, license_source)``."""
    texts = {}
    for name in sorted(n for n in files if is_license_file(n)):
        text, reason = decode_file(files[name])
        texts[name] = text if reason is None else ""
    found: dict[str, str] = {}
    secondary = [n for n in texts if _is_secondary(n)]
    for group in ([n for n in texts if n not in secondary], secondary):
        found = {n: spdx for n in group if (spdx := detect_license_text(texts[n]))}
        if found:
            break
    if found:
        return _combine_files(found, texts), "file:" + next(iter(found))
    for name in sorted(files):
        parser = package_parser(name)
        text = decode_file(files[name])[0] if parser else None
        if parser and text is not None and (spdx := parser(text)):
            return spdx, name
    if texts:
        return None, "file:" + next(iter(texts))
    return None, "none"


def _combine_files(found: dict[str, str], texts: dict[str, str]) -> str:
    """One expression for several licence files: a choice when every file is named for one
    option (LICENSE-MIT + LICENSE-APACHE) or a file offers a choice; else all hold."""
    per_option = all(_PER_OPTION.match(n) for n in found)
    choice = per_option or any(
        " OR " in spdx if name in found else states_choice(normalize_license_text(texts[name]))
        for name, spdx in ((n, found.get(n, "")) for n in texts)
    )
    ids = list(found.values())
    if not per_option and any(x.startswith("LGPL") for x in ids):
        # COPYING beside COPYING.LESSER is the GPL text that the LGPL builds on.
        ids = [x for x in ids if not x.startswith("GPL")]
    if choice:
        ids = [part for x in ids for part in (x.split(" OR ") if "(" not in x else [x])]
    return combine(ids, choice=choice)


def with_header(license_: str | None, source: str, header: str) -> tuple[str | None, str]:
    """A file's licence given its repository's and its own ``SPDX-License-Identifier``.

    Without a repository licence the header decides. When both exist and differ, both must
    hold (``A AND B``): the file follows the stricter of the two, whichever way they
    conflict (an MIT header in a GPL repository, or a GPL header in an MIT one). A licence
    file that was found but not recognised stays unrecognised.
    """
    if source == "none":
        return header, "spdx-header"
    if license_ is None or parse_expression(license_) == parse_expression(header):
        return license_, source if license_ is not None else source + "+spdx-header"
    return combine([license_, header], choice=False), source + "+spdx-header"


def is_root_file(name: str) -> bool:
    """A root file that the licence of a repository is read from."""
    return is_license_file(name) or package_parser(name) is not None

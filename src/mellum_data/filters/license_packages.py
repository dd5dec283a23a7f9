"""The license declared in package metadata files (pure functions of the file's text).

Each parser returns an SPDX expression or None, and never raises on malformed input: a
broken manifest just declares nothing.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Callable

from mellum_data.filters.license_detect import combine, license_from_name


def _names(values: list[str], *, choice: bool) -> str | None:
    found = [x for x in (license_from_name(v) for v in values if isinstance(v, str)) if x]
    return combine(found, choice=choice) if found else None


def from_package_json(text: str) -> str | None:
    """npm: ``license`` (an SPDX expression); the legacy ``licenses`` list means a choice."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("license")
    if isinstance(value, dict):
        value = value.get("type")
    if isinstance(value, str):
        return license_from_name(value)
    legacy = data.get("licenses")
    if isinstance(legacy, list):
        return _names([x.get("type") if isinstance(x, dict) else x for x in legacy], choice=True)
    return None


def _classifiers(classifiers: object) -> str | None:
    if not isinstance(classifiers, list):
        return None
    picked = [c for c in classifiers if isinstance(c, str) and c.startswith("License ::")]
    # Several license classifiers on one package conventionally mean a choice.
    return _names(picked, choice=True)


def from_pyproject(text: str) -> str | None:
    """PEP 621 / 639 ``project.license`` (string, ``{text}``), Poetry's ``license``, or
    ``License ::`` classifiers."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    value = project.get("license")
    if isinstance(value, dict):
        value = value.get("text")
    if isinstance(value, str) and (found := license_from_name(value)):
        return found
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict) and isinstance(poetry.get("license"), str):
        if found := license_from_name(poetry["license"]):
            return found
    return _classifiers(project.get("classifiers")) or _classifiers(poetry.get("classifiers"))


def from_setup_cfg(text: str) -> str | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("metadata"):
        return None
    meta = parser["metadata"]
    if found := license_from_name(meta.get("license", "")):
        return found
    return _classifiers([c.strip() for c in meta.get("classifiers", "").splitlines() if c.strip()])


def from_cargo_toml(text: str) -> str | None:
    try:
        package = tomllib.loads(text).get("package", {})
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    value = package.get("license") if isinstance(package, dict) else None
    return license_from_name(value) if isinstance(value, str) else None


_POM_LICENSE = re.compile(r"<license>.*?<name>\s*(.*?)\s*</name>", re.S)


def from_pom_xml(text: str) -> str | None:
    """Maven: several ``<license>`` entries let the user pick one (Maven POM reference)."""
    return _names(_POM_LICENSE.findall(text), choice=True)


def from_composer_json(text: str) -> str | None:
    """Composer: a list of licenses is a disjunction (Composer schema docs)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    value = data.get("license") if isinstance(data, dict) else None
    if isinstance(value, str):
        return license_from_name(value)
    if isinstance(value, list):
        return _names(value, choice=True)
    return None


_GEMSPEC = re.compile(r"\.licen[cs]es?\s*=\s*(\[[^\]]*\]|%w\[[^\]]*\]|['\"][^'\"]+['\"])")
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def from_gemspec(text: str) -> str | None:
    """RubyGems does not say whether several licenses are a choice, so they must all hold."""
    m = _GEMSPEC.search(text)
    if not m:
        return None
    raw = m.group(1)
    values = raw[3:-1].split() if raw.startswith("%w[") else _QUOTED.findall(raw)
    return _names(values, choice=False)


# Root-level metadata files, in the order they are consulted.
PACKAGE_FILES: dict[str, Callable[[str], str | None]] = {
    "package.json": from_package_json,
    "pyproject.toml": from_pyproject,
    "setup.cfg": from_setup_cfg,
    "Cargo.toml": from_cargo_toml,
    "pom.xml": from_pom_xml,
    "composer.json": from_composer_json,
}


def package_parser(name: str) -> Callable[[str], str | None] | None:
    """The parser for a root-level file name, if it is a package manifest."""
    if name in PACKAGE_FILES:
        return PACKAGE_FILES[name]
    return from_gemspec if name.endswith(".gemspec") else None

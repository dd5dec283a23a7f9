"""Typed configuration from YAML, with errors that name the file, line and field.

Every user-edited file (stage configs, mixture specs, trainer configs) goes through
``load_config``: YAML is composed into nodes so that each value keeps its line, then the
plain data is validated by a pydantic model. A validation error is mapped back to the line
of the offending field, and an unknown field lists the valid names.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

import fsspec
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mellum_data.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

Loc = tuple[str | int, ...]


class StrictModel(BaseModel):
    """Base for config models: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class _DuplicateKey(Exception):
    def __init__(self, key: str, first: int, again: int) -> None:
        self.key, self.first, self.again = key, first, again


def _construct(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Any:
    # A mapping value's line is its key's line (already recorded), not where the value starts.
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in out:
                raise _DuplicateKey(key, lines[(*loc, key)], key_node.start_mark.line + 1)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, (*loc, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*loc, i), lines) for i, item in enumerate(node.value)]
    # Scalars: let the safe constructor resolve types (int, float, bool, null, str).
    return yaml.SafeLoader("").construct_object(node, deep=True)


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text into plain data plus a map from field path to 1-based line number."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ConfigError(f"{where}: YAML syntax error: {e.problem or e.context}") from None
    lines: dict[Loc, int] = {}
    if node is None:
        return {}, lines
    try:
        return _construct(node, (), lines), lines
    except _DuplicateKey as e:
        # YAML loaders keep the last value silently; a repeated section is almost always a
        # mistake that would drop half of someone's settings.
        raise ConfigError(
            f"{source}:{e.again}: duplicate key '{e.key}' (first given on line {e.first})"
        ) from None


def _field_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _valid_names(model: type[BaseModel], loc: Loc) -> list[str]:
    """Names of the fields allowed at ``loc`` (the parent of an unknown field)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            # Not a field: a key of a ``dict[str, Model]`` field, whose model is ``current``.
            continue
        current = _model_in(field.annotation)
    return sorted(getattr(current, "model_fields", {})) if current else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found:
            return found
    return None


def validation_error_message(
    err: ValidationError, model: type[BaseModel], source: str, lines: dict[Loc, int]
) -> str:
    """The first validation error as ``file:line: field: message``."""
    first = err.errors()[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
    line = None
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            line = lines[loc[:cut]]
            break
    where = f"{source}:{line}" if line else source
    field = _field_path(loc)
    if first["type"] == "extra_forbidden":
        valid = _valid_names(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{where}: unknown field '{field}'{hint}; valid fields: {', '.join(valid)}"
    msg = first["msg"]
    more = len(err.errors()) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return f"{where}: field '{field}': {msg}{suffix}"


def apply_overrides(data: dict[str, Any], overrides: list[str] | None) -> dict[str, Any]:
    """Apply ``--set a.b=value`` overrides; values are parsed as YAML scalars."""
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(
                f"--set {item!r}: expected KEY=VALUE, e.g. --set language.min_score=0.7"
            )
        key, raw = item.split("=", 1)
        value = yaml.safe_load(raw) if raw.strip() else ""
        target = data
        parts = key.strip().split(".")
        for part in parts[:-1]:
            nxt = target.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ConfigError(f"--set {item!r}: '{part}' is not a section")
            target = nxt
        target[parts[-1]] = value
    return data


def read_text(path: str | Path) -> str:
    """Read a local or fsspec (``s3://``) text file, with a clear error when it is missing."""
    try:
        with fsspec.open(str(path), "rt", encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start})") from None


def load_config(
    model: type[M],
    path: str | Path | None = None,
    overrides: list[str] | None = None,
    *,
    text: str | None = None,
) -> tuple[M, dict[Loc, int]]:
    """Load ``path`` (or ``text``) into ``model``; returns the model and the line map."""
    source = str(path) if path else "<config>"
    data: Any = {}
    lines: dict[Loc, int] = {}
    if text is None and path is not None:
        text = read_text(path)
    if text is not None:
        data, lines = parse_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: expected a mapping of fields at the top level")
    data = apply_overrides(data, overrides)
    try:
        return model.model_validate(data), lines
    except ValidationError as e:
        raise ConfigError(validation_error_message(e, model, source, lines)) from None


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

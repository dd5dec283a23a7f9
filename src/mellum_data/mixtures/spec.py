"""The mixture spec: sources of token shards, phases with budgets and weights, caps, seed.

Loaded from YAML with ``load_mixture``; every error names the file, line and field, and an
unknown source, group or field lists the valid names. Relative source paths resolve against
the YAML file's folder (or ``base_dir``). Token counts may be written as numbers (``6.18e12``)
or with a suffix (``6.18T``, ``500M``, ``20K``).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, PrivateAttr, ValidationError, model_validator

from mellum_data.config import (
    Loc,
    StrictModel,
    apply_overrides,
    parse_yaml,
    read_text,
    validation_error_message,
)
from mellum_data.errors import ConfigError
from mellum_data.mixtures.keys import MAX_COPIES

PRESETS_DIR = Path(__file__).parent / "presets"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Phase folders sit next to these in the output.
RESERVED_PHASE_NAMES = ("logs", "selection", "megatron", "plan.json")
_SUFFIXES = {"K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9, "T": 10**12}


def parse_tokens(value: Any) -> Any:
    """``6.18T`` / ``6.18e12`` / ``500_000`` -> int; anything else is left to pydantic."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return round(value) if value >= 1 else value
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        scale = _SUFFIXES.get(text[-1:].upper(), 1)
        if scale > 1:
            text = text[:-1]
        try:
            return round(float(text) * scale)
        except ValueError:
            return value
    return value


TokenCount = Annotated[int, BeforeValidator(parse_tokens), Field(ge=0)]


class Selection(StrictModel):
    """Documents by sidecar column: a document matches when, for every listed field, its value
    is one of the listed values."""

    quality_tier: list[str] | None = None
    lang: list[str] | None = None
    kind: list[str] | None = None

    def fields(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Rehydrate(StrictModel):
    """Repeat documents by the size of the duplicate cluster they were kept from, as FineWeb-2
    does with ``minhash_cluster_size``: dedup keeps one document per cluster and records the
    cluster's size, and a cluster seen often on the web is often a good document (Penedo et
    al. 2025, "FineWeb2", rehydration). FineWeb-2 tunes the copies per language, so there is no
    default table: give one."""

    # The sidecar column holding the cluster size; missing or null counts as 1 (a document
    # that had no duplicate).
    column: str = "minhash_cluster_size"
    # Copies per epoch by cluster size: {smallest size of the bucket: copies}. Sizes below the
    # smallest key get 1 copy; 0 copies leaves a bucket out.
    copies: dict[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=0, le=MAX_COPIES - 1)]] = (
        Field(min_length=1)
    )

    def copies_for(self, sizes: np.ndarray) -> np.ndarray:
        bounds = np.array(sorted(self.copies), dtype=np.int64)
        values = np.array([self.copies[b] for b in sorted(self.copies)], dtype=np.int64)
        at = np.searchsorted(bounds, sizes, side="right") - 1
        return np.where(at < 0, 1, values[np.maximum(at, 0)])


class SourceSpec(StrictModel):
    path: str
    # Keep only matching documents; ``exclude`` drops documents matching any listed value.
    select: Selection | None = None
    exclude: Selection | None = None
    # Overrides the mixture's ``max_epochs`` for this source.
    max_epochs: float | None = Field(default=None, gt=0)
    rehydrate: Rehydrate | None = None

    @property
    def scans_sidecars(self) -> bool:
        """Whether its per-epoch counts need the sidecars (not only ``counts.json``)."""
        return bool(self.select or self.exclude or self.rehydrate)


class FimSpec(StrictModel):
    # Share of code documents turned into FIM examples, and the SPM share among those.
    rate: float = Field(default=0.0, ge=0, le=1)
    spm_share: float = Field(default=0.5, ge=0, le=1)


class PhaseSpec(StrictModel):
    name: str
    tokens: TokenCount | None = None
    weights: dict[str, Annotated[float, Field(ge=0)]] | None = None
    tokens_per_source: dict[str, TokenCount] | None = None
    fim: FimSpec = FimSpec()

    @model_validator(mode="after")
    def _budget(self) -> PhaseSpec:
        if (self.weights is None) == (self.tokens_per_source is None):
            raise ValueError("give either 'weights' (with 'tokens') or 'tokens_per_source'")
        if self.weights is not None:
            if not self.tokens:
                raise ValueError("'weights' needs a positive 'tokens' budget")
            if sum(self.weights.values()) <= 0:
                raise ValueError("'weights' must not all be zero")
        if self.tokens_per_source is not None:
            if self.tokens is not None:
                raise ValueError("omit 'tokens' with 'tokens_per_source' (it is their sum)")
            if sum(self.tokens_per_source.values()) <= 0:
                raise ValueError("'tokens_per_source' must not all be zero")
        return self

    @property
    def budget(self) -> int:
        if self.tokens_per_source is not None:
            return sum(self.tokens_per_source.values())
        return int(self.tokens or 0)

    def requests(self) -> dict[str, float]:
        """Weights or token counts by key (source or group)."""
        return dict(self.weights if self.weights is not None else self.tokens_per_source or {})


class MixtureSpec(StrictModel):
    seed: int = Field(default=0, ge=0)
    # Mellum 2: no dataset repeated more than 4 times (MELLUM2.md).
    max_epochs: float = Field(default=4.0, gt=0)
    sequence_length: int = Field(default=1024, gt=0)
    shard_tokens: TokenCount = 50_000_000
    # A phase is shuffled and written in buckets of about this many tokens, one writer task
    # each (the last shard of a bucket is short). A writer holds its bucket's document list:
    # about 100 bytes per document plus its FIM points.
    bucket_tokens: TokenCount = 1_000_000_000
    # Phase shards are always written in the token shard format (datatrove's); ``megatron``
    # also exports each phase as a Megatron indexed dataset, OUTPUT/megatron/<phase>.bin/.idx.
    formats: list[Literal["datatrove", "megatron"]] = ["datatrove"]
    # Expected tokenizer identity ("sha256:..."), or a path to its tokenizer.json.
    tokenizer: str | None = None
    sources: dict[str, SourceSpec] = Field(min_length=1)
    # A group's weight is split among its members: a list splits it in proportion to their
    # available tokens (as if they were one source), a mapping by the given relative weights.
    groups: dict[str, list[str] | dict[str, Annotated[float, Field(gt=0)]]] = {}
    phases: list[PhaseSpec] = Field(min_length=1)

    _file: str = PrivateAttr(default="<mixture>")
    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)

    def where(self, *loc: str | int) -> str:
        """``file:line`` of the closest known field to ``loc``."""
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in self._lines:
                return f"{self._file}:{self._lines[loc[:cut]]}"
        return self._file

    def max_epochs_of(self, source: str) -> float:
        return self.sources[source].max_epochs or self.max_epochs

    def sha256(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def members(self, key: str) -> dict[str, float | None]:
        """Sources behind a weight key: the source itself, or a group's members with their
        relative weights (None: split by available tokens)."""
        if key in self.sources:
            return {key: 1.0}
        group = self.groups[key]
        if isinstance(group, list):
            return {m: None for m in group}
        return dict(group)


def resolve_path(path: str, base_dir: str) -> str:
    if "://" in path or path.startswith("/"):
        return path
    if "://" in base_dir:
        return posixpath.normpath(posixpath.join(base_dir, path)).replace(":/", "://", 1)
    return str((Path(base_dir) / path).resolve())


def _apply_overrides(data: dict[str, Any], overrides: list[str] | None) -> dict[str, Any]:
    """Like ``config.apply_overrides``, plus ``phases.<name or index>.field=value``."""
    for item in overrides or []:
        key = item.split("=", 1)[0].strip()
        parts = key.split(".")
        if parts[0] == "phases" and len(parts) >= 3 and isinstance(data.get("phases"), list):
            phases = data["phases"]
            names = [p.get("name") if isinstance(p, dict) else None for p in phases]
            target = parts[1]
            if target in names:
                index = names.index(target)
            elif target.isdigit() and int(target) < len(phases):
                index = int(target)
            else:
                raise ConfigError(
                    f"--set {item!r}: no phase {target!r}; phases: {', '.join(map(str, names))}"
                )
            rest = ".".join(parts[2:]) + "=" + item.split("=", 1)[1]
            apply_overrides(phases[index], [rest])
        else:
            apply_overrides(data, [item])
    return data


def _check_names(spec: MixtureSpec) -> None:
    def fail(loc: tuple, message: str) -> None:
        raise ConfigError(f"{spec.where(*loc)}: {message}")

    for name in spec.sources:
        if not NAME.match(name):
            fail(("sources", name), f"source name {name!r} must match {NAME.pattern}")
    valid_keys = sorted(spec.sources) + sorted(spec.groups)
    grouped: dict[str, str] = {}
    for group, members in spec.groups.items():
        if group in spec.sources:
            fail(("groups", group), f"group {group!r} has the name of a source")
        for m in members:
            if m not in spec.sources:
                fail(
                    ("groups", group),
                    f"group {group!r}: unknown source {m!r}; valid sources: "
                    f"{', '.join(sorted(spec.sources))}",
                )
            if m in grouped:
                fail(("groups", group), f"source {m!r} is in groups {grouped[m]!r} and {group!r}")
            grouped[m] = group
    seen: set[str] = set()
    for i, phase in enumerate(spec.phases):
        if not NAME.match(phase.name) or phase.name in RESERVED_PHASE_NAMES:
            fail(
                ("phases", i, "name"),
                f"phase name {phase.name!r} must match {NAME.pattern} and not be one of "
                f"{', '.join(RESERVED_PHASE_NAMES)}",
            )
        if phase.name in seen:
            fail(("phases", i, "name"), f"phase name {phase.name!r} is used twice")
        seen.add(phase.name)
        field = "weights" if phase.weights is not None else "tokens_per_source"
        for key in phase.requests():
            if key not in valid_keys:
                fail(
                    ("phases", i, field, key),
                    f"field 'phases[{i}].{field}.{key}': unknown source {key!r}; valid sources "
                    f"and groups: {', '.join(valid_keys)}",
                )
            if key in grouped and grouped[key] in phase.requests():
                fail(
                    ("phases", i, field, key),
                    f"source {key!r} and its group {grouped[key]!r} are both weighted",
                )


def megatron_exporter() -> Any | None:
    """``export_megatron`` from ``tokenize.megatron``, or None while that module is missing."""
    try:
        from mellum_data.tokenize.megatron import export_megatron  # type: ignore[import-not-found]
    except ImportError:
        return None
    return export_megatron


def _check_settings(spec: MixtureSpec) -> None:
    for name in ("shard_tokens", "bucket_tokens"):
        if getattr(spec, name) <= 0:
            raise ConfigError(f"{spec.where(name)}: field {name!r} must be positive")
    if "datatrove" not in spec.formats:
        raise ConfigError(
            f"{spec.where('formats')}: field 'formats' must include 'datatrove' (phase shards "
            "are always written; other formats are exports of them)"
        )
    if "megatron" in spec.formats and megatron_exporter() is None:
        raise ConfigError(f"{spec.where('formats')}: format megatron not available yet")


def load_mixture(
    path: str | Path,
    overrides: list[str] | None = None,
    *,
    base_dir: str | None = None,
    text: str | None = None,
) -> MixtureSpec:
    """Load and check a mixture YAML; relative source paths resolve against ``base_dir``
    (default: the YAML file's folder)."""
    source = str(path)
    if text is None:
        text = read_text(path)
    data, lines = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: expected a mapping of fields at the top level")
    data = _apply_overrides(data, overrides)
    try:
        spec = MixtureSpec.model_validate(data)
    except ValidationError as e:
        raise ConfigError(validation_error_message(e, MixtureSpec, source, lines)) from None
    spec._file, spec._lines = source, lines
    _check_names(spec)
    _check_settings(spec)
    if base_dir is None:
        base_dir = posixpath.dirname(source) if "://" in source else str(Path(source).parent)
    for src in spec.sources.values():
        src.path = resolve_path(src.path, base_dir)
    if spec.tokenizer and spec.tokenizer.endswith(".json"):
        spec.tokenizer = resolve_path(spec.tokenizer, base_dir)
    return spec


def list_presets() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def preset_path(name: str) -> str:
    path = PRESETS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"unknown mixture preset {name!r}; presets: {', '.join(list_presets())}")
    return str(path)

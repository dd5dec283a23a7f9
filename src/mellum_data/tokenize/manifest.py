"""Manifests: ``counts.json`` of a tokenized source and ``manifest.json`` of a mixed phase.

Both list shards (``ShardInfo``) relative to the folder that holds the manifest, and the
tokenizer's identity, so that any reader can verify shards before using them.
"""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from datatrove.io import DataFolder, DataFolderLike, get_datafolder

import mellum_data
from mellum_data.errors import InputError
from mellum_data.io import atomic_write_json, folder, full_path, read_json
from mellum_data.tokenize.shards import ShardInfo
from mellum_data.tokenize.verify import verify_shard

SOURCE_COUNTS = "counts.json"
PHASE_MANIFEST = "manifest.json"
SOURCE_FORMAT = "mellum-data/source-tokens/v1"
PHASE_FORMAT = "mellum-data/phase-manifest/v1"


def code_version() -> str:
    """The package version plus, when run from a git checkout, the commit."""
    try:
        here = Path(__file__).resolve().parent
        sha = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"mellum-data {mellum_data.__version__}" + (f" (git {sha})" if sha else "")


@dataclass
class TokenizerInfo:
    id: str
    name: str
    vocab_size: int
    token_size: int
    eos_id: int
    bos_id: int | None = None
    pad_id: int | None = None
    fim_prefix_id: int | None = None
    fim_middle_id: int | None = None
    fim_suffix_id: int | None = None


@dataclass
class SourceCounts:
    """What tokenizing one source produced; the planner reads only this."""

    source: str
    tokenizer: TokenizerInfo
    documents: int
    tokens: int
    shards: list[ShardInfo]
    dropped: dict[str, int] = field(default_factory=dict)
    format: str = SOURCE_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceCounts:
        data = dict(data)
        data["tokenizer"] = TokenizerInfo(**data["tokenizer"])
        data["shards"] = [ShardInfo.from_dict(s) for s in data["shards"]]
        return cls(**data)


@dataclass
class PhaseManifest:
    phase: str
    index: int
    spec_sha256: str
    tokenizer: TokenizerInfo
    seed: int
    sequence_length: int
    sources: dict[str, dict[str, Any]]
    documents: int
    tokens: int
    shards: list[ShardInfo]
    code_version: str = field(default_factory=code_version)
    fim: dict[str, Any] = field(default_factory=dict)
    format: str = PHASE_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseManifest:
        data = dict(data)
        data["tokenizer"] = TokenizerInfo(**data["tokenizer"])
        data["shards"] = [ShardInfo.from_dict(s) for s in data["shards"]]
        return cls(**data)


def subfolder(folder: DataFolder, name: str) -> DataFolder:
    """``folder/name`` on the same filesystem (keeps s3 credentials and options)."""
    return get_datafolder((f"{folder.path.rstrip('/')}/{name}", folder.fs))


def write_source_counts(path: DataFolderLike, counts: SourceCounts) -> None:
    atomic_write_json(folder(path), SOURCE_COUNTS, counts.to_dict())


def read_source_counts(path: DataFolderLike) -> SourceCounts:
    f = folder(path)
    if not f.exists(SOURCE_COUNTS):
        raise InputError(f"{full_path(f)}: no {SOURCE_COUNTS} (not a tokenized source folder?)")
    data = read_json(f, SOURCE_COUNTS)
    if data.get("format") != SOURCE_FORMAT:
        raise InputError(f"{full_path(f)}/{SOURCE_COUNTS}: unknown format {data.get('format')!r}")
    return SourceCounts.from_dict(data)


def write_phase_manifest(path: DataFolderLike, manifest: PhaseManifest) -> None:
    atomic_write_json(folder(path), PHASE_MANIFEST, manifest.to_dict())


def read_phase_manifest(path: DataFolderLike) -> PhaseManifest:
    f = folder(path)
    if not f.exists(PHASE_MANIFEST):
        raise InputError(f"{full_path(f)}: no {PHASE_MANIFEST} (not a phase folder?)")
    data = read_json(f, PHASE_MANIFEST)
    if data.get("format") != PHASE_FORMAT:
        raise InputError(f"{full_path(f)}/{PHASE_MANIFEST}: unknown format {data.get('format')!r}")
    return PhaseManifest.from_dict(data)


def verify_folder(path: DataFolderLike, *, tokenizer_id: str | None = None) -> int:
    """Verify every shard listed by the manifest (phase or source) in ``path``.

    Returns the number of shards checked; raises ``InputError`` naming the first bad shard.
    """
    f = folder(path)
    if f.exists(PHASE_MANIFEST):
        m: PhaseManifest | SourceCounts = read_phase_manifest(f)
    else:
        m = read_source_counts(f)
    if tokenizer_id is not None and m.tokenizer.id != tokenizer_id:
        raise InputError(
            f"{full_path(f)}: tokenizer {m.tokenizer.id!r} differs from expected {tokenizer_id!r}"
        )
    for info in m.shards:
        verify_shard(f, info, tokenizer_id=m.tokenizer.id)
    return len(m.shards)

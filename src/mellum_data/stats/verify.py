"""Verify every phase or source folder under a path against its manifest."""

from __future__ import annotations

from datatrove.io import get_datafolder

from mellum_data.errors import InputError
from mellum_data.io import full_path
from mellum_data.tokenize.manifest import PHASE_MANIFEST, SOURCE_COUNTS, verify_folder


def verify_tree(path: str, *, tokenizer_id: str | None = None) -> dict[str, int]:
    """Verify ``path`` if it holds a manifest, else every manifest folder below it.

    Returns shards checked per folder; raises ``InputError`` at the first bad shard.
    """
    root = get_datafolder(path)
    manifests = [
        p.rsplit("/", 1)[0] if "/" in p else ""
        for p in root.list_files(recursive=True)
        if p.rsplit("/", 1)[-1] in (PHASE_MANIFEST, SOURCE_COUNTS)
    ]
    if not manifests:
        raise InputError(f"{path}: no {PHASE_MANIFEST} or {SOURCE_COUNTS} found")
    checked: dict[str, int] = {}
    for rel in sorted(set(manifests)):
        full = full_path(root, rel) if rel else full_path(root)
        checked[rel or "."] = verify_folder(full, tokenizer_id=tokenizer_id)
    return checked

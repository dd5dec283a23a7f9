"""Small I/O helpers over fsspec paths (local or ``s3://``): atomic writes and checksums."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from typing import Any

from datatrove.io import DataFolder, DataFolderLike, get_datafolder

# Passed as ``use_threads`` to every parquet read of ours. pyarrow 26, decoding parquet from
# a Python file object on its thread pool, sometimes aborted the interpreter at exit
# ("terminate called without an active exception", exit status 134: about one process in
# five that read a few shard sidecars; tests/tokenization/test_reader_exit.py). Single-threaded
# decoding costs nothing measurable on files of this size.
PARQUET_THREADS = False


def folder(path: DataFolderLike | os.PathLike) -> DataFolder:
    """A datatrove ``DataFolder`` for a path, ``pathlib.Path``, (path, options) or folder."""
    return get_datafolder(os.fspath(path) if isinstance(path, os.PathLike) else path)


def full_path(f: DataFolder, relpath: str = "") -> str:
    """The absolute path or URL (with its ``s3://`` protocol) of ``relpath`` inside ``f``."""
    return f.resolve_paths(relpath) if relpath else f.resolve_paths("").rstrip("/")


def atomic_write_bytes(out: DataFolder, relpath: str, data: bytes, *, sync: bool = True) -> None:
    """Write ``relpath`` so that readers never see a partial file.

    Locally: a temp file in the same folder, then ``os.replace``; with ``sync`` the data is
    also flushed to disk before the rename (``fsync``). Shard files pass ``sync=False``: on
    ext4 an fsync commits the journal and with it every dirty block written before, so one per
    shard file made emission wait for the disk (about half its wall time in
    ``benchmarks/mix.py``); a shard damaged by a power cut is caught by ``verify`` against
    its manifest, which is synced. On object stores a single PUT is already all-or-nothing,
    so the object is written directly.
    """
    if out.is_local():
        full = out._join(relpath)
        os.makedirs(os.path.dirname(full) or ".", exist_ok=True)
        tmp = f"{full}.tmp-{uuid.uuid4().hex[:8]}"
        with open(tmp, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, full)
    else:
        with out.open(relpath, "wb") as f:
            f.write(data)


def atomic_write_text(out: DataFolder, relpath: str, text: str, *, sync: bool = True) -> None:
    atomic_write_bytes(out, relpath, text.encode("utf-8"), sync=sync)


def atomic_write_json(out: DataFolder, relpath: str, data: Any, *, sync: bool = True) -> None:
    text = json.dumps(data, indent=2, sort_keys=False) + "\n"
    atomic_write_text(out, relpath, text, sync=sync)


def read_json(src: DataFolder, relpath: str) -> Any:
    with src.open(relpath, "rt") as f:
        return json.load(f)


def sha256_of(src: DataFolder, relpath: str, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with src.open(relpath, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_exists(path: str) -> bool:
    """True when a local or remote path exists, or when a glob matches at least one file."""
    import fsspec

    fs, _, paths = fsspec.get_fs_token_paths(path)
    if any(ch in path for ch in "*?["):
        return bool(paths)
    return bool(paths) and fs.exists(paths[0])

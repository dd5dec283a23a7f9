"""Statistics over what the stages wrote: parquet outputs, shard sidecars and manifests.

``summarize(path)`` finds, under ``path`` (up to a few levels deep), every stage output
(``<source>/*.parquet`` plus ``removed/``), every tokenized source (``counts.json``) and every
mixed phase (``manifest.json``), and aggregates each with polars. Token data is never read:
token counts come from the sidecars and manifests.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow.parquet as pq
from datatrove.io import DataFolder, get_datafolder

from mellum_data.errors import InputError
from mellum_data.io import PARQUET_THREADS, full_path
from mellum_data.layout import RESERVED_NAMES
from mellum_data.tokenize.manifest import (
    PHASE_MANIFEST,
    SOURCE_COUNTS,
    read_phase_manifest,
    read_source_counts,
)
from mellum_data.tokenize.shards import ShardReader

MAX_DEPTH = 3


def _docs_frame(folder: DataFolder, files: list[str], fields: list[str]) -> pl.DataFrame:
    """One row per document: ``bytes`` of text plus the given metadata fields as strings."""
    frames = []
    for path in files:
        with folder.open(path, "rb") as f:
            table = pq.read_table(f, columns=["text", "metadata"], use_threads=PARQUET_THREADS)
        meta = table.column("metadata").combine_chunks()
        names = {meta.type.field(i).name for i in range(meta.type.num_fields)}
        cols: dict[str, Any] = {
            "bytes": pl.from_arrow(table.column("text")).str.len_bytes().cast(pl.Int64)
        }
        for name in fields:
            values = meta.field(name).to_pylist() if name in names else [None] * len(meta)
            cols[name] = pl.Series(name, [None if v is None else str(v) for v in values])
        frames.append(
            pl.DataFrame(cols, schema={"bytes": pl.Int64, **dict.fromkeys(fields, pl.Utf8)})
        )
    if not frames:
        return pl.DataFrame(schema={"bytes": pl.Int64, **dict.fromkeys(fields, pl.Utf8)})
    return pl.concat(frames)


def _kept_doc_files(folder: DataFolder) -> list[str]:
    """``<source>/*.parquet`` files that hold documents (a ``text`` column), not sidecars."""
    files = []
    for p in folder.list_files(glob_pattern="*/*.parquet"):
        if p.split("/")[0] in RESERVED_NAMES or p.endswith(".ds.docs.parquet"):
            continue
        with folder.open(p, "rb") as f:
            if "text" in pq.read_schema(f).names:
                files.append(p)
    return files


def stage_summary(folder: DataFolder, kept_files: list[str]) -> dict[str, Any]:
    """Kept documents per source and removed documents per step and reason."""
    kept = _docs_frame(folder, kept_files, ["source"])
    removed: dict[str, dict[str, int]] = {}
    n_removed = 0
    if folder.isdir("removed"):
        files = folder.list_files(subdirectory="removed", glob_pattern="*/*.parquet")
        by_step: dict[str, list[str]] = {}
        for p in files:
            by_step.setdefault(p.split("/")[-2], []).append(p)
        for step, step_files in sorted(by_step.items()):
            frame = _docs_frame(folder, step_files, ["drop_reason"])
            counts = (
                frame.with_columns(pl.col("drop_reason").fill_null("unknown"))
                .group_by("drop_reason")
                .agg(pl.len().alias("n"))
                .sort(["n", "drop_reason"], descending=[True, False])
            )
            removed[step] = {r["drop_reason"]: r["n"] for r in counts.to_dicts()}
            n_removed += frame.height
    by_source = (
        kept.group_by("source")
        .agg(pl.len().alias("documents"), pl.col("bytes").sum())
        .sort("source")
    )
    return {
        "documents_in": kept.height + n_removed,
        "documents_kept": kept.height,
        "documents_removed": n_removed,
        "kept": {
            r["source"]: {"documents": r["documents"], "bytes": r["bytes"]}
            for r in by_source.to_dicts()
        },
        "removed": removed,
    }


def tokens_summary(folder: DataFolder) -> dict[str, Any]:
    """Per tokenized source: documents, tokens and the document-length distribution."""
    counts = read_source_counts(folder)
    lengths = []
    for info in counts.shards:
        reader = ShardReader(full_path(folder, info.path))
        lengths.append(pl.from_arrow(reader.docs(columns=["tokens"])))
    frame = (
        pl.concat(lengths) if lengths else pl.DataFrame({"tokens": []}, schema={"tokens": pl.Int64})
    )
    tok = frame["tokens"]
    return {
        "source": counts.source,
        "tokenizer": counts.tokenizer.id,
        "documents": counts.documents,
        "tokens": counts.tokens,
        "shards": len(counts.shards),
        "tokens_per_doc_mean": round(float(tok.mean()), 1) if len(tok) else 0.0,
        "tokens_per_doc_p50": int(tok.median()) if len(tok) else 0,
        "tokens_per_doc_p90": int(tok.quantile(0.9)) if len(tok) else 0,
        "dropped": counts.dropped,
    }


def phase_summary(folder: DataFolder) -> dict[str, Any]:
    m = read_phase_manifest(folder)
    total = max(m.tokens, 1)
    return {
        "phase": m.phase,
        "index": m.index,
        "tokens": m.tokens,
        "documents": m.documents,
        "shards": len(m.shards),
        "bytes": sum(s.bytes for s in m.shards),
        "tokenizer": m.tokenizer.id,
        "sources": {
            name: {**info, "share": round(100.0 * info.get("tokens", 0) / total, 2)}
            for name, info in m.sources.items()
        },
    }


def summarize(path: str) -> dict[str, Any]:
    """Everything recognisable under ``path``; keys are folders relative to ``path``."""
    root = get_datafolder(path)
    if not root.isdir(""):
        raise InputError(f"{path}: folder not found")
    out: dict[str, Any] = {"path": path, "stages": {}, "tokens": {}, "phases": {}}

    def visit(rel: str, depth: int) -> None:
        sub = get_datafolder(full_path(root, rel)) if rel else root
        name = rel or "."
        if sub.exists(PHASE_MANIFEST):
            out["phases"][name] = phase_summary(sub)
            return
        if sub.exists(SOURCE_COUNTS):
            out["tokens"][name] = tokens_summary(sub)
            return
        kept_files = _kept_doc_files(sub)
        if kept_files or sub.isdir("removed"):
            out["stages"][name] = stage_summary(sub, kept_files)
        if depth >= MAX_DEPTH:
            return
        doc_folders = {p.split("/")[0] for p in kept_files}
        for child in sorted(sub.ls("", detail=False)):
            base = child.rstrip("/").rsplit("/", 1)[-1]
            if base in RESERVED_NAMES or base in doc_folders or not sub.isdir(base):
                continue
            visit(f"{rel}/{base}" if rel else base, depth + 1)

    visit("", 0)
    if not (out["stages"] or out["tokens"] or out["phases"]):
        raise InputError(
            f"{path}: nothing to summarise (no stage output, counts.json or manifest.json "
            f"within {MAX_DEPTH} levels)"
        )
    out["phases"] = dict(sorted(out["phases"].items(), key=lambda kv: kv[1]["index"]))
    return out

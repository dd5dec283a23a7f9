"""What a mixture source holds: its tokenized folders, and per document its tokens.

A source path is a tokenized source folder (with ``counts.json``, written by the tokenize
stage) or a glob matching several. Without ``select``/``exclude`` the counts are read from
``counts.json``; with them, and for emitting, from the shards' sidecar tables (token counts
and metadata only, never token data).
"""

from __future__ import annotations

from dataclasses import dataclass
from glob import has_magic

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.io import get_datafolder

from mellum_data.errors import DataError, InputError
from mellum_data.mixtures.spec import SourceSpec
from mellum_data.tokenize.manifest import SOURCE_COUNTS, SourceCounts, read_source_counts


def source_folders(path: str) -> list[str]:
    """The tokenized folders behind a source path (one, or every glob match)."""
    path = path.rstrip("/")
    if not has_magic(path):
        folder = get_datafolder(path)
        if not folder.exists(SOURCE_COUNTS):
            below = sorted(p.split("/")[0] for p in folder.list_files(glob_pattern="*/counts.json"))
            hint = (
                f"; it holds tokenized sources {', '.join(below)} (use PATH/<name>)"
                if below
                else ""
            )
            raise InputError(f"{path}: no {SOURCE_COUNTS} (not a tokenized source folder){hint}")
        return [path]
    parts = path.split("/")
    cut = next(i for i, p in enumerate(parts) if has_magic(p))
    base = "/".join(parts[:cut]) or "."
    pattern = "/".join(parts[cut:]) + "/" + SOURCE_COUNTS
    found = get_datafolder(base).list_files(glob_pattern=pattern)
    if not found:
        raise InputError(f"{path}: no tokenized source folder matches")
    return [f"{base}/{p[: -len(SOURCE_COUNTS) - 1]}" for p in sorted(found)]


def source_counts(spec: SourceSpec) -> list[tuple[str, SourceCounts]]:
    return [(folder, read_source_counts(folder)) for folder in source_folders(spec.path)]


@dataclass
class SourceDocs:
    """The documents of one mixture source, as parallel arrays (one entry per document)."""

    name: str
    shard_paths: list[str]  # full paths of the .ds files
    shard: np.ndarray  # int32 index into shard_paths
    row: np.ndarray  # int64 row in the shard's sidecar
    offset: np.ndarray  # int64 first token in the shard
    tokens: np.ndarray  # int64 stored tokens (with EOS, and BOS if any)
    is_code: np.ndarray  # bool: kind == "code" (FIM candidates)
    tokenizer_id: str

    @property
    def documents(self) -> int:
        return int(self.tokens.size)

    @property
    def unique_tokens(self) -> int:
        return int(self.tokens.sum())


def _strings(table: pa.Table, name: str) -> pa.ChunkedArray:
    column = table.column(name)
    # A column that is null in every row of a shard is stored with the null type.
    return column.cast(pa.string()) if pa.types.is_null(column.type) else column


def _matches(table: pa.Table, fields: dict[str, list[str]], where: str) -> np.ndarray:
    mask = np.ones(table.num_rows, dtype=bool)
    for field, values in fields.items():
        if field not in table.column_names:
            raise DataError(
                f"{where}: sidecar has no column {field!r} to select on; columns: "
                f"{', '.join(table.column_names)}"
            )
        # Case-insensitive: the code stage writes "Python", a mixture may say "python".
        wanted = pa.array([v.lower() for v in values], type=pa.string())
        hit = pc.is_in(pc.utf8_lower(_strings(table, field)), value_set=wanted)
        mask &= hit.fill_null(False).to_numpy(zero_copy_only=False)
    return mask


def _any_match(table: pa.Table, fields: dict[str, list[str]], where: str) -> np.ndarray:
    mask = np.zeros(table.num_rows, dtype=bool)
    for field, values in fields.items():
        mask |= _matches(table, {field: values}, where)
    return mask


def load_source_docs(name: str, spec: SourceSpec) -> SourceDocs:
    """Read the sidecars of every shard of a source and apply its ``select``/``exclude``."""
    select = spec.select.fields() if spec.select else {}
    exclude = spec.exclude.fields() if spec.exclude else {}
    wanted = {"tokens", "offset", "kind", *select, *exclude}
    paths: list[str] = []
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("shard", "row", "offset", "tokens")}
    code: list[np.ndarray] = []
    tokenizer_ids = set()
    for folder_path, counts in source_counts(spec):
        tokenizer_ids.add(counts.tokenizer.id)
        folder = get_datafolder(folder_path)
        for info in counts.shards:
            rel = info.path[: -len(".ds")] + ".ds.docs.parquet"
            where = f"{folder_path}/{rel}"
            try:
                with folder.open(rel, "rb") as f, pq.ParquetFile(f) as pf:
                    present = [c for c in pf.schema_arrow.names if c in wanted]
                    table = pf.read(columns=present)
            except FileNotFoundError:
                raise InputError(f"{where}: missing (listed in {SOURCE_COUNTS})") from None
            mask = _matches(table, select, where)
            if exclude:
                mask &= ~_any_match(table, exclude, where)
            rows = np.flatnonzero(mask)
            cols["shard"].append(np.full(rows.size, len(paths), dtype=np.int32))
            cols["row"].append(rows.astype(np.int64))
            cols["offset"].append(table.column("offset").to_numpy()[rows].astype(np.int64))
            cols["tokens"].append(table.column("tokens").to_numpy()[rows].astype(np.int64))
            if "kind" in table.column_names:
                kind = pc.equal(_strings(table, "kind"), "code").fill_null(False)
                code.append(kind.to_numpy(zero_copy_only=False)[rows])
            else:
                code.append(np.zeros(rows.size, dtype=bool))
            paths.append(f"{folder_path}/{info.path}")
    if len(tokenizer_ids) > 1:
        raise DataError(f"source {name!r}: its folders use different tokenizers {tokenizer_ids}")

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    return SourceDocs(
        name=name,
        shard_paths=paths,
        shard=cat(cols["shard"], np.int32),
        row=cat(cols["row"], np.int64),
        offset=cat(cols["offset"], np.int64),
        tokens=cat(cols["tokens"], np.int64),
        is_code=cat(code, bool),
        tokenizer_id=tokenizer_ids.pop() if tokenizer_ids else "",
    )

"""The datatrove steps of the tokenize stage: tokenize into per-source shards, then merge counts.

Each task writes, per source, shards ``OUTPUT/<source>/<rank:05d>_<n:05d>`` and its partial
counts ``OUTPUT/<source>/counts.<rank:05d>.json``; the merge step (one task, run after all
tokenize tasks) turns the partials into ``OUTPUT/<source>/counts.json``. Names depend only on
the rank, so a rerun task overwrites its own files and never duplicates documents.

Memory of a tokenize task is flat in corpus size (``tests/tokenization/test_step_memory.py``):
documents stream through in batches of ``batch_size``; what a task holds at once is

- the tokenizer (its vocabulary and merges; tens of MB at 98,304 tokens) and tree-sitter
  parsers;
- one batch: its texts and encodings (~20 bytes per token on the Rust side), e.g. ~25 MB for
  1,000 documents of 1,000 tokens;
- per source, the open shard: a 1 MiB write buffer, 8 bytes per document of index and the
  sidecar rows as Arrow columns (~40 bytes plus the id and 4 bytes per FIM point per
  document), all bounded by ``shard_tokens``;
- per closed shard, its manifest entry (sizes, checksums, three integers per MiB): a few KB
  per ``shard_tokens`` tokens, the only state that grows with the task's input.
"""

from __future__ import annotations

import contextlib
import re
import struct
from typing import Any

import numpy as np
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.batching import batched

from mellum_data.errors import InputError
from mellum_data.io import atomic_write_json, read_json
from mellum_data.layout import RESERVED_NAMES
from mellum_data.tokenize.manifest import (
    SourceCounts,
    TokenizerInfo,
    subfolder,
    write_source_counts,
)
from mellum_data.tokenize.shards import ShardInfo, ShardWriter, dtype_for
from mellum_data.tokenize.split_points import (
    byte_lengths,
    parsed_starts,
    split_points,
    token_byte_starts,
)
from mellum_data.tokenize.tokenizer import load_tokenizer

DROP_MIN_UNIQUE = "tokenize_min_unique_tokens"
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_EMPTY_POINTS = np.zeros(0, dtype=np.int32)


def partial_counts_name(rank: int) -> str:
    return f"counts.{rank:05d}.json"


class _SourceShards:
    """The open shard of one source in one task, rolled over at ``shard_tokens``."""

    def __init__(self, folder: DataFolder, rank: int, info: TokenizerInfo, limit: int):
        self.folder, self.rank, self.info, self.limit = folder, rank, info, limit
        self.name = folder.path.rstrip("/").rsplit("/", 1)[-1]
        self.writer: ShardWriter | None = None
        self.shards: list[ShardInfo] = []
        self.documents = 0
        self.tokens = 0
        self.dropped: dict[str, int] = {}

    def add(self, tokens: np.ndarray, **fields: Any) -> None:
        if self.writer is not None and self.writer.num_tokens + tokens.size > self.limit:
            self._close()
        if self.writer is None:
            name = f"{self.rank:05d}_{len(self.shards):05d}"
            self.writer = ShardWriter(
                self.folder,
                name,
                token_size=self.info.token_size,
                tokenizer_id=self.info.id,
                tokenizer_name=self.info.name,
            )
        self.writer.add(tokens, **fields)
        self.documents += 1
        self.tokens += int(tokens.size)

    def _close(self) -> None:
        if self.writer is not None:
            self.shards.append(self.writer.close())
            self.writer = None

    def finish(self) -> dict[str, Any]:
        self._close()
        return {
            "source": self.name,
            "documents": self.documents,
            "tokens": self.tokens,
            "dropped": self.dropped,
            "shards": [s.to_dict() for s in self.shards],
        }


class ShardTokenizer(PipelineStep):
    """Tokenize documents into per-source token shards (see ``tokenize.shards``).

    Every document gets EOS appended (and BOS prepended with ``add_bos``). Documents with
    fewer than ``min_unique_tokens`` distinct tokens are dropped: Mellum 2 dropped samples
    under 82 unique tokens after linking them to periodic loss drops (MELLUM2.md); ``None``
    keeps all. Code documents (``metadata["kind"] == "code"``) get candidate FIM split points
    when ``fim_split_points`` is set.

    ``tokenizer_known`` is ``(file_digest, TokenizerInfo)`` from the stage's own load of the
    tokenizer (see ``load_tokenizer``); without it each task computes the identity again.
    """

    name = "🔢 Shard tokenizer"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        output_folder: DataFolderLike,
        tokenizer_path: str,
        *,
        min_unique_tokens: int | None = 82,
        add_bos: bool = False,
        shard_tokens: int = 100_000_000,
        batch_size: int = 1000,
        fim_split_points: bool = True,
        exclusion_writer: DiskWriter | None = None,
        tokenizer_known: tuple[str, TokenizerInfo] | None = None,
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.tokenizer_path = tokenizer_path
        self.min_unique_tokens = min_unique_tokens
        self.add_bos = add_bos
        self.shard_tokens = shard_tokens
        self.batch_size = batch_size
        self.fim_split_points = fim_split_points
        self.exclusion_writer = exclusion_writer
        # (file digest, info) as the stage loaded it: spares each worker the identity hash.
        self.tokenizer_known = tokenizer_known

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        tok, info = load_tokenizer(self.tokenizer_path, known=self.tokenizer_known)
        # Text that spells a special token (e.g. "<|eos|>" in a tutorial) stays text.
        tok.encode_special_tokens = True
        if self.add_bos and info.bos_id is None:
            raise InputError(f"{self.tokenizer_path}: add_bos is set but the tokenizer has no BOS")
        self._tok = tok
        self._byte_lengths = byte_lengths(tok) if self.fim_split_points else None
        self._head = [info.bos_id] if self.add_bos else []
        self._eos = info.eos_id
        self._dtype = dtype_for(info.token_size)
        self._code = "H" if info.token_size == 2 else "I"
        sources: dict[str, _SourceShards] = {}
        with self.exclusion_writer or contextlib.nullcontext() as excluded:
            for batch in batched(data or [], self.batch_size):
                with self.track_time(unit="batch"):
                    texts = [doc.text for doc in batch]
                    encodings = tok.encode_batch_fast(texts, add_special_tokens=False)
                    kept = 0
                    for doc, enc in zip(batch, encodings, strict=True):
                        source = doc.metadata.get("source")
                        shards = sources.get(source) if isinstance(source, str) else None
                        if shards is None:  # a new source: check its name once
                            source = self._source(doc)
                            folder = subfolder(self.output_folder, source)
                            shards = _SourceShards(folder, rank, info, self.shard_tokens)
                            sources[source] = shards
                        ids = enc.ids  # each access builds a new list
                        if not self._keep(doc, ids, shards):
                            if excluded is not None:
                                excluded.write(doc, rank)
                            continue
                        self._add(doc, ids, shards)
                        kept += 1
                    self.stat_update("documents", value=kept)
        for shards in sources.values():
            atomic_write_json(shards.folder, partial_counts_name(rank), shards.finish())
        return
        yield  # a generator that yields nothing: this step ends the pipeline

    def _keep(self, doc: Document, ids: list[int], shards: _SourceShards) -> bool:
        least = self.min_unique_tokens
        if least and (len(ids) < least or len(set(ids)) < least):
            shards.dropped[DROP_MIN_UNIQUE] = shards.dropped.get(DROP_MIN_UNIQUE, 0) + 1
            self.stat_update("dropped", f"dropped_{DROP_MIN_UNIQUE}")
            doc.metadata["dropped_by"] = "tokenize"
            doc.metadata["drop_reason"] = DROP_MIN_UNIQUE
            return False
        return True

    def _add(self, doc: Document, ids: list[int], shards: _SourceShards) -> None:
        # struct packs a list of ids ~4x faster than numpy converts one (datatrove does the
        # same); the array is a read-only view of the packed bytes.
        head = self._head
        try:
            packed = struct.pack(f"<{len(head) + len(ids) + 1}{self._code}", *head, *ids, self._eos)
        except struct.error:
            raise InputError(
                f"document {doc.id!r}: token id {max(ids)} does not fit in "
                f"{self._dtype.itemsize} bytes (tokenizer {self.tokenizer_path})"
            ) from None
        tokens = np.frombuffer(packed, dtype=self._dtype)
        meta = doc.metadata
        kind, lang = meta.get("kind"), meta.get("lang")
        points = _EMPTY_POINTS
        if self.fim_split_points and kind == "code":
            text = doc.text
            data = text.encode("utf-8")
            content = tokens[len(head) : -1]
            starts = token_byte_starts(content, self._byte_lengths, text, data, self._tok)
            parsed = parsed_starts(meta, data)
            points = split_points(data, lang, starts, first_token=len(head), parsed=parsed)
        shards.add(
            tokens,
            id=doc.id,
            source=shards.name,
            quality_tier=meta.get("quality_tier"),
            extra={
                "kind": kind,
                "lang": lang,
                "fim_points": points,
                # written by dedup; mixtures rehydrate by it (null: not deduplicated)
                "minhash_cluster_size": meta.get("minhash_cluster_size"),
            },
        )
        self.stat_update("tokens", value=tokens.size)

    def _source(self, doc: Document) -> str:
        source = doc.metadata.get("source")
        if not isinstance(source, str) or not SOURCE_NAME.match(source):
            raise InputError(
                f"document {doc.id!r}: metadata 'source' {source!r} is missing or not a valid "
                "folder name"
            )
        if source in RESERVED_NAMES:
            raise InputError(f"document {doc.id!r}: source may not be named {source!r}")
        return source


class MergeSourceCounts(PipelineStep):
    """Merge the partial counts of ``tasks`` tokenize tasks into ``<source>/counts.json``.

    ``tokenizer`` is the tokenizer's path or its ``TokenizerInfo`` (as the stage computed it
    when it started, which saves loading the tokenizer again).
    """

    name = "🧮 Merge token counts"
    type = "🔢 - TOKENIZER"

    def __init__(
        self, output_folder: DataFolderLike, tokenizer: str | TokenizerInfo, *, tasks: int
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.tokenizer = tokenizer
        self.tasks = tasks

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        info = self.tokenizer
        if not isinstance(info, TokenizerInfo):
            info = load_tokenizer(info)[1]
        merged = merge_partial_counts(self.output_folder, info, tasks=self.tasks)
        for source, counts in merged.items():
            self.stat_update("sources")
            self.stat_update("tokens", value=counts.tokens, unit="source")
            write_source_counts(subfolder(self.output_folder, source), counts)
        return
        yield


def merge_partial_counts(
    output: DataFolderLike, info: TokenizerInfo, *, tasks: int
) -> dict[str, SourceCounts]:
    """Sum the partial counts of ranks ``0..tasks-1`` per source (older ranks are ignored)."""
    folder = get_datafolder(output)
    wanted = {partial_counts_name(r) for r in range(tasks)}
    merged: dict[str, SourceCounts] = {}
    for path in folder.list_files(glob_pattern="*/counts.*.json"):
        if path.rsplit("/", 1)[-1] not in wanted:
            continue
        part = read_json(folder, path)
        source = part["source"]
        counts = merged.setdefault(source, SourceCounts(source, info, 0, 0, [], {}))
        counts.documents += part["documents"]
        counts.tokens += part["tokens"]
        counts.shards.extend(ShardInfo.from_dict(s) for s in part["shards"])
        for reason, n in part["dropped"].items():
            counts.dropped[reason] = counts.dropped.get(reason, 0) + n
    for counts in merged.values():
        counts.shards.sort(key=lambda s: s.path)
    return dict(sorted(merged.items()))

"""Export token shards to Megatron-LM's indexed dataset: ``PREFIX.bin`` and ``PREFIX.idx``.

The format (Megatron-LM, ``megatron/core/datasets/indexed_dataset.py``, "MMIDIDX" version 1):

``PREFIX.bin``
    The tokens of every sequence, concatenated, in the dtype the index names.
``PREFIX.idx``, little-endian:
    - 9 bytes of magic, ``b"MMIDIDX\\x00\\x00"``;
    - ``<Q`` version, 1;
    - ``<B`` dtype code: 1 uint8, 2 int8, 3 int16, 4 int32, 5 int64, 6 float64, 7 float32,
      8 uint16;
    - ``<Q`` sequence count S, then ``<Q`` document-index count D;
    - S ``int32`` sequence lengths (in tokens);
    - S ``int64`` sequence pointers (byte offset of each sequence in ``.bin``);
    - D ``int64`` document indices: the first sequence of each document, then S.

One of our documents is one Megatron sequence and one document (Megatron's preprocessing cuts
documents into sentences only when asked), so D = S + 1; documents already end with EOS, as
Megatron's ``--append-eod`` gives. uint16 shards export as uint16 (code 8) and uint32 shards
as int32 (code 4, what Megatron picks past 65,500 tokens): ids below 2**31 have the same bytes
in both, so the token data is copied unchanged.

The export streams: token files are copied 1 MiB at a time (checked against the manifest's
block CRCs on the way) and the index is written from one shard's document index at a time,
read twice (lengths, then pointers), so memory does not grow with the corpus.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass

import numpy as np
from datatrove.io import DataFolder

from mellum_data.errors import InputError
from mellum_data.io import atomic_write_json, folder, full_path
from mellum_data.tokenize.integrity import BLOCK_BYTES, read_block
from mellum_data.tokenize.manifest import (
    PHASE_MANIFEST,
    TokenizerInfo,
    read_phase_manifest,
    read_source_counts,
)
from mellum_data.tokenize.shards import ShardInfo, ShardReader

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
DTYPE_CODES = {2: (8, "uint16"), 4: (4, "int32")}  # token size -> (Megatron code, name)
_CHUNK_DOCS = 1 << 20  # document indices written this many at a time


@dataclass
class _Part:
    folder: DataFolder
    shards: list[ShardInfo]


def _load(path: str) -> tuple[TokenizerInfo, _Part]:
    f = folder(path)
    m = read_phase_manifest(f) if f.exists(PHASE_MANIFEST) else read_source_counts(f)
    return m.tokenizer, _Part(f, m.shards)


def export_megatron(sources: str | list[str], out_prefix: str) -> dict:
    """Write ``out_prefix.bin`` and ``out_prefix.idx`` from the shards listed by the manifest
    (``manifest.json`` of a phase or ``counts.json`` of a tokenized source) of each folder in
    ``sources``, in manifest order, folders in the order given. All must share one tokenizer.

    Also writes ``out_prefix.json`` (what was exported, with the tokenizer's identity) and
    returns it.
    """
    paths = [sources] if isinstance(sources, str) else list(sources)
    if not paths:
        raise InputError("export: no input folder given")
    loaded = [_load(p) for p in paths]
    info = loaded[0][0]
    for p, (other, _) in zip(paths, loaded, strict=True):
        if other.id != info.id:
            raise InputError(
                f"{p}: tokenizer {other.id!r} differs from {paths[0]}'s {info.id!r}; "
                "one Megatron dataset holds one tokenizer's ids"
            )
    parts = [part for _, part in loaded]
    if info.token_size not in DTYPE_CODES:
        raise InputError(f"{paths[0]}: token size {info.token_size} has no Megatron dtype")
    code, dtype_name = DTYPE_CODES[info.token_size]
    base, _, name = out_prefix.rstrip("/").rpartition("/")
    if not name:
        raise InputError(f"export: {out_prefix!r} is not a file prefix (e.g. out/phase1)")
    out = folder(base or ".")
    tag = uuid.uuid4().hex[:8]
    tmp_bin, tmp_idx = f"{name}.bin.tmp-{tag}", f"{name}.idx.tmp-{tag}"
    try:
        tokens = _write_bin(out, tmp_bin, parts, info)
        sequences = _write_idx(out, tmp_idx, parts, code, info.token_size)
    except BaseException:
        for tmp in (tmp_bin, tmp_idx):
            if out.exists(tmp):
                out.rm_file(tmp)
        raise
    out.mv(tmp_bin, f"{name}.bin")
    out.mv(tmp_idx, f"{name}.idx")
    record = {
        "format": "megatron-mmidx/v1",
        "bin": full_path(out, f"{name}.bin"),
        "idx": full_path(out, f"{name}.idx"),
        "dtype": dtype_name,
        "dtype_code": code,
        "sequences": sequences,
        "documents": sequences,
        "tokens": tokens,
        "tokenizer": {"id": info.id, "name": info.name, "eos_id": info.eos_id},
        "inputs": [full_path(p.folder) for p in parts],
        "shards": sum(len(p.shards) for p in parts),
    }
    atomic_write_json(out, f"{name}.json", record)
    return record


def _write_bin(out: DataFolder, rel: str, parts: list[_Part], info: TokenizerInfo) -> int:
    total = 0
    with out.open(rel, "wb") as dst:
        for part in parts:
            for shard in part.shards:
                src = full_path(part.folder, shard.path)
                # Checks the shard's metadata: tokenizer identity and token width.
                ShardReader(src, expect_tokenizer_id=info.id, expect_token_size=info.token_size)
                expected = shard.tokens * info.token_size
                done = 0
                crcs = shard.block_crc32
                with part.folder.open(shard.path, "rb") as fh:
                    i = 0
                    while block := read_block(fh):
                        if i < len(crcs) and zlib.crc32(block) != crcs[i]:
                            start = i * BLOCK_BYTES
                            raise InputError(
                                f"{src}: checksum mismatch in bytes {start}.."
                                f"{start + len(block) - 1}; run `mellum-data verify`"
                            )
                        dst.write(block)
                        done += len(block)
                        i += 1
                if done != expected:
                    raise InputError(
                        f"{src}: {done} bytes, expected {expected} ({shard.tokens} tokens)"
                    )
                total += shard.tokens
    return total


def _shard_lengths(part: _Part, shard: ShardInfo) -> np.ndarray:
    src = full_path(part.folder, shard.path)
    with part.folder.open(shard.path[:-3] + ".ds.index", "rb") as fh:
        ends = np.frombuffer(fh.read(), dtype="<u8").astype(np.int64)
    if ends.size != shard.documents or (ends.size and int(ends[-1]) != shard.tokens):
        raise InputError(f"{src}.index: document bounds do not match the manifest")
    lengths = np.diff(ends, prepend=0)
    if lengths.size and (lengths.min() < 0 or lengths.max() > np.iinfo(np.int32).max):
        raise InputError(f"{src}.index: a document length is negative or past int32")
    return lengths


def _write_idx(out: DataFolder, rel: str, parts: list[_Part], code: int, token_size: int) -> int:
    shards = [(part, shard) for part in parts for shard in part.shards]
    count = sum(shard.documents for _, shard in shards)
    with out.open(rel, "wb") as dst:
        dst.write(MAGIC)
        dst.write(struct.pack("<Q", VERSION))
        dst.write(struct.pack("<B", code))
        dst.write(struct.pack("<Q", count))
        dst.write(struct.pack("<Q", count + 1))
        for part, shard in shards:
            dst.write(_shard_lengths(part, shard).astype("<i4").tobytes())
        offset = 0  # in tokens, over all shards
        for part, shard in shards:
            lengths = _shard_lengths(part, shard)
            starts = offset + np.cumsum(lengths) - lengths
            dst.write((starts * token_size).astype("<i8").tobytes())
            offset += shard.tokens
        for start in range(0, count + 1, _CHUNK_DOCS):
            dst.write(np.arange(start, min(count + 1, start + _CHUNK_DOCS), dtype="<i8").tobytes())
    return count

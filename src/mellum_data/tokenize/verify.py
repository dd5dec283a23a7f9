"""Verify one shard against what its manifest recorded, naming the first bad file and byte.

The checks run in this order, so that the first message is the most useful one:

1. the four files exist;
2. per file (``.ds.metadata``, ``.ds``, ``.ds.index``, ``.ds.docs.parquet``): its size, then
   its bytes block by block, in one streaming pass that also recomputes the sha256; when the
   metadata names another tokenizer than the manifest, that is the message (a shard of another
   tokenization), unless one damaged byte of the metadata explains the difference;
3. the document index fits the token count.

A size difference names the first byte past the shorter length. A content difference names
the exact byte, with its value now and as written, when one byte of a 1 MiB block changed
(``integrity``); when several did, it names the first damaged block's byte range: CRCs and
sums say which block but cannot untangle several changes. Verifying costs one CRC-32 and one
sha256 pass per file (~1 ms per MiB); the sums are computed only for a block whose CRC
differs. Manifests written before ``ShardInfo.blocks`` existed get the block range for the
token file and a sha256 difference for the other files.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import numpy as np
from datatrove.io import DataFolder, DataFolderLike

from mellum_data.errors import InputError
from mellum_data.io import folder, full_path
from mellum_data.tokenize.integrity import BLOCK_BYTES, locate_byte, read_block
from mellum_data.tokenize.shards import ShardInfo, parse_metadata

# The metadata first: it is tiny, and it says how wide a token is.
CHECK_ORDER = (".ds.metadata", ".ds", ".ds.index", ".ds.docs.parquet")


def verify_shard(path: DataFolderLike, info: ShardInfo, *, tokenizer_id: str | None) -> None:
    """Check one shard of the manifest in ``path``; raises ``InputError`` at the first problem."""
    f = folder(path)
    name = info.path[:-3] if info.path.endswith(".ds") else info.path
    where = full_path(f, name)
    for suffix in CHECK_ORDER:
        if not f.exists(name + suffix):
            raise InputError(f"{where}{suffix}: missing")
    meta = _read_metadata(f, f"{name}.ds.metadata")
    token_size = meta[2] if meta is not None else None
    for suffix in CHECK_ORDER:
        problem = _check_bytes(f, name + suffix, f"{where}{suffix}", info, suffix, token_size)
        if suffix == ".ds.metadata" and meta is not None and tokenizer_id is not None:
            # Another tokenizer's shard, unless one damaged byte explains the difference.
            if meta[1] != tokenizer_id and not (problem and problem.exact):
                raise InputError(
                    f"{where}.ds.metadata: tokenizer {meta[1]!r} differs from the manifest's "
                    f"{tokenizer_id!r}"
                )
        if problem is not None:
            raise InputError(problem.message)
    if meta is None:
        raise InputError(f"{where}.ds.metadata: unreadable shard metadata")
    with f.open(f"{name}.ds.index", "rb") as fh:
        ends = np.frombuffer(fh.read(), dtype="<u8").astype(np.int64)
    if ends.size != info.documents or (ends.size and int(ends[-1]) != info.tokens):
        raise InputError(f"{where}.ds.index: document bounds do not match {info.tokens} tokens")
    if ends.size and np.any(np.diff(ends) < 0):
        raise InputError(f"{where}.ds.index: document ends are not increasing")


def _read_metadata(f: DataFolder, rel: str) -> tuple[str, str, int, int] | None:
    try:
        with f.open(rel, "rt") as fh:
            return parse_metadata(fh.read())
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _expected_size(info: ShardInfo, suffix: str, token_size: int | None) -> int | None:
    if suffix in info.sizes:
        return info.sizes[suffix]
    if suffix == ".ds" and token_size is not None:
        return info.tokens * token_size
    if suffix == ".ds.index":
        return info.documents * 8
    return None


@dataclass(frozen=True)
class _Problem:
    message: str
    exact: bool  # one byte changed, and the manifest's checks say what it was


def _check_bytes(
    f: DataFolder,
    rel: str,
    label: str,
    info: ShardInfo,
    suffix: str,
    token_size: int | None,
) -> _Problem | None:
    size = _expected_size(info, suffix, token_size)
    actual = f.size(rel)
    if size is not None and actual != size:
        what = {".ds": f" ({info.tokens} tokens)", ".ds.index": f" ({info.documents} documents)"}
        return _Problem(
            f"{label}: {actual} bytes, expected {size}{what.get(suffix, '')}; "
            f"first bad byte {min(actual, size)}",
            exact=False,
        )
    blocks = info.blocks.get(suffix)
    crcs = [b[0] for b in blocks] if blocks else (info.block_crc32 if suffix == ".ds" else [])
    sha = hashlib.sha256()
    with f.open(rel, "rb") as fh:
        i = 0
        while block := read_block(fh):
            sha.update(block)
            if i < len(crcs) and zlib.crc32(block) != crcs[i]:
                start = i * BLOCK_BYTES
                bad = locate_byte(block, blocks[i], start) if blocks else None
                if bad is None:
                    return _Problem(
                        f"{label}: checksum mismatch in bytes {start}..{start + len(block) - 1} "
                        "(more than one byte differs there)",
                        exact=False,
                    )
                token = (
                    f" (token {bad.offset // token_size})" if suffix == ".ds" and token_size else ""
                )
                return _Problem(
                    f"{label}: first bad byte {bad.offset}{token} is 0x{bad.now:02x}, "
                    f"was 0x{bad.was:02x}",
                    exact=True,
                )
            i += 1
    expected_sha = info.sha256.get(suffix)
    if expected_sha is not None and sha.hexdigest() != expected_sha:
        return _Problem(f"{label}: sha256 {sha.hexdigest()[:12]}… differs from the manifest", False)
    return None

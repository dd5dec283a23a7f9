"""Tokenized sources built by hand: shards with known token counts and metadata."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from mellum_data.tokenize.manifest import SourceCounts, TokenizerInfo, write_source_counts
from mellum_data.tokenize.shards import ShardWriter

TOK = TokenizerInfo(
    id="sha256:0123456789abcdef",
    name="bpe-1000",
    vocab_size=1000,
    token_size=2,
    eos_id=1,
    bos_id=0,
    pad_id=2,
    fim_prefix_id=3,
    fim_middle_id=4,
    fim_suffix_id=5,
)


def write_source(
    folder: Path | str,
    name: str,
    docs: list[dict],
    *,
    docs_per_shard: int = 50,
    tokenizer: TokenizerInfo = TOK,
) -> Path:
    """Each doc: ``tokens`` (count, EOS included) and optional ``quality_tier``, ``kind``,
    ``lang``, ``minhash_cluster_size`` (a sidecar column only when some doc has it). Token ids
    are drawn from 10..999 (never a special token); code documents get FIM split points every
    7 tokens."""
    if isinstance(folder, Path):
        folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    clusters = any("minhash_cluster_size" in d for d in docs)
    shards = []
    for start in range(0, len(docs), docs_per_shard):
        w = ShardWriter(
            str(folder),
            f"00000_{start // docs_per_shard:05d}",
            token_size=2,
            tokenizer_id=tokenizer.id,
            tokenizer_name=tokenizer.name,
        )
        for i, d in enumerate(docs[start : start + docs_per_shard], start=start):
            n = d["tokens"]
            tokens = np.append(rng.integers(10, 1000, size=n - 1), 1).astype(np.uint16)
            kind = d.get("kind", "web")
            points = (
                np.arange(7, n - 1, 7, dtype=np.int32) if kind == "code" else np.zeros(0, np.int32)
            )
            extra = {"kind": kind, "lang": d.get("lang"), "fim_points": points}
            if clusters:
                extra["minhash_cluster_size"] = d.get("minhash_cluster_size")
            w.add(
                tokens,
                id=f"{name}/{i}",
                source=name,
                quality_tier=d.get("quality_tier"),
                extra=extra,
            )
        shards.append(w.close())
    write_source_counts(
        str(folder),
        SourceCounts(
            source=name,
            tokenizer=tokenizer,
            documents=len(docs),
            tokens=sum(d["tokens"] for d in docs),
            shards=shards,
        ),
    )
    return folder


@pytest.fixture(scope="session")
def make_source():
    """``make_source(folder, name, docs, docs_per_shard=50)``: a tokenized source folder."""
    return write_source


@pytest.fixture(scope="session")
def tok_info() -> TokenizerInfo:
    return TOK

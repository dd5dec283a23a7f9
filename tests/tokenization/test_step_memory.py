"""The tokenize step streams: its memory does not grow with the corpus, only with shard size."""

import tracemalloc
from pathlib import Path

from datatrove.data import Document

from mellum_data.tokenize.manifest import read_source_counts
from mellum_data.tokenize.step import MergeSourceCounts, ShardTokenizer


def documents(pool: dict[str, list[dict]], n: int):
    """``n`` documents, alternately code and web, reusing the pool's texts under new ids
    (generating text would cost more than tokenizing it)."""
    for i in range(n):
        kind = "code" if i % 2 == 0 else "web"
        row = pool[kind][(i // 2) % len(pool[kind])]
        yield Document(text=row["text"], id=f"{kind}/{i}", metadata=dict(row["metadata"]))


def peak_bytes(out: Path, tokenizer_path: str, pool: dict, n: int) -> int:
    step = ShardTokenizer(
        str(out), tokenizer_path, min_unique_tokens=None, shard_tokens=5_000, batch_size=50
    )
    tracemalloc.start()
    try:
        for _ in step.run(documents(pool, n)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def shard_files(out: Path) -> list[Path]:
    return list(out.glob("*/*.ds.metadata"))


def test_peak_memory_is_flat_in_corpus_size(
    tmp_path: Path, tokenizer_path: str, make_corpus
) -> None:
    pool = make_corpus(n_web=20, n_code=20)
    peak_bytes(tmp_path / "warm", tokenizer_path, pool, 10)  # imports, grammar, caches
    small = peak_bytes(tmp_path / "small", tokenizer_path, pool, 100)
    large = peak_bytes(tmp_path / "large", tokenizer_path, pool, 400)
    # 4x the documents (and shards): what grows is one manifest entry per shard, ~7 KB here
    # with the copies ``finish`` makes to write them (a leak of a text per document, ~1 KB,
    # would add ~300 KB).
    extra_shards = len(shard_files(tmp_path / "large")) - len(shard_files(tmp_path / "small"))
    assert extra_shards >= 10
    assert large < 1.25 * small + 10_000 * extra_shards, (small, large, extra_shards)
    merge = MergeSourceCounts(str(tmp_path / "large"), tokenizer_path, tasks=1)
    for _ in merge.run(None):
        pass
    counts = read_source_counts(tmp_path / "large" / "code")
    assert counts.documents == 200 and len(counts.shards) >= 4

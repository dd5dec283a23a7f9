"""A tiny three-phase mixture output written with the real shard writer and manifests.

Each source speaks its own learnable "language": a fixed cycle of token ids, so that the
next token is a function of the current one and a small model learns it in a few steps.
Phases shift the source mix from web towards code and math, as the curriculum does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mellum_data.tokenize.manifest import PhaseManifest, TokenizerInfo, write_phase_manifest
from mellum_data.tokenize.shards import ShardWriter

VOCAB = 512
EOS = 1
TOKENIZER = TokenizerInfo(
    id="sha256:test", name="test-512", vocab_size=VOCAB, token_size=2, eos_id=EOS
)
# Token ranges per source: disjoint, so per-source validation losses mean something.
SOURCES = {"web": (10, 170), "code": (170, 340), "math": (340, 510)}
MIX = {  # documents per source per phase (Mellum 2's web -> code/math drift, roughly)
    "phase1": {"web": 70, "code": 24, "math": 8},
    "phase2": {"web": 44, "code": 42, "math": 14},
    "phase3": {"web": 40, "code": 59, "math": 30},
}


def _cycle(source: str) -> np.ndarray:
    lo, hi = SOURCES[source]
    rng = np.random.default_rng(sum(map(ord, source)))
    return rng.permutation(np.arange(lo, hi))


def write_phases(root: Path, *, mix: dict[str, dict[str, int]] = MIX, seed: int = 0) -> Path:
    """Write ``root/phase1..`` (two shards each, ``manifest.json``) and return ``root``."""
    rng = np.random.default_rng(seed)
    cycles = {s: _cycle(s) for s in SOURCES}
    for index, (phase, counts) in enumerate(mix.items()):
        folder = root / phase
        folder.mkdir(parents=True)
        docs = [(s, i) for s, n in counts.items() for i in range(n)]
        order = rng.permutation(len(docs))
        writers = [
            ShardWriter(str(folder), f"shard{k}", token_size=2, tokenizer_id=TOKENIZER.id)
            for k in range(2)
        ]
        per_source: dict[str, dict[str, int]] = {}
        for j, d in enumerate(order):
            source, i = docs[d]
            cyc = cycles[source]
            start, length = int(rng.integers(len(cyc))), int(rng.integers(20, 120))
            toks = np.append(cyc[(start + np.arange(length)) % len(cyc)], EOS)
            # Ids repeat across phases for low i (repetition across phases is intended).
            writers[j % 2].add(toks, id=f"{source}/{i}", source=source, quality_tier="high")
            stats = per_source.setdefault(source, {"documents": 0, "tokens": 0})
            stats["documents"] += 1
            stats["tokens"] += len(toks)
        shards = [w.close() for w in writers]
        manifest = PhaseManifest(
            phase=phase,
            index=index,
            spec_sha256="0" * 64,
            tokenizer=TOKENIZER,
            seed=seed,
            sequence_length=64,
            sources=per_source,
            documents=sum(s.documents for s in shards),
            tokens=sum(s.tokens for s in shards),
            shards=shards,
            code_version="test",
        )
        write_phase_manifest(str(folder), manifest)
    return root


@pytest.fixture
def phase_shards(tmp_path: Path) -> Path:
    return write_phases(tmp_path / "shards")


@pytest.fixture(scope="session")
def make_phases() -> Callable[..., Path]:
    return write_phases

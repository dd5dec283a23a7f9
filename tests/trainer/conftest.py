"""A tiny three-phase mixture output written with the real shard writer and manifests, a
word-level tokenizer for it (token ``tK`` is id K), and one short training run on it.

Each source speaks its own learnable "language": a fixed cycle of token ids, so that the
next token is a function of the current one and a small model learns it in a few steps.
Phases shift the source mix from web towards code and math, as the curriculum does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers

from mellum_data.tokenize.manifest import PhaseManifest, TokenizerInfo, write_phase_manifest
from mellum_data.tokenize.shards import ShardWriter
from mellum_data.tokenize.tokenizer import EOS as EOS_TEXT
from mellum_data.tokenize.tokenizer import tokenizer_identity

VOCAB = 512
EOS = 1


def _tokenizer_json() -> str:
    vocab = {"<|unk|>": 0, EOS_TEXT: EOS, **{f"t{i}": i for i in range(2, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<|unk|>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.add_special_tokens([EOS_TEXT])
    return tok.to_str()


TOKENIZER_JSON = _tokenizer_json()
TOKENIZER = TokenizerInfo(
    id=tokenizer_identity(TOKENIZER_JSON),
    name="wordlevel-512",
    vocab_size=VOCAB,
    token_size=2,
    eos_id=EOS,
)
# Token ranges per source: disjoint, so per-source validation losses mean something.
SOURCES = {"web": (10, 170), "code": (170, 340), "math": (340, 510)}
MIX = {  # documents per source per phase (Mellum 2's web -> code/math drift, roughly)
    "phase1": {"web": 70, "code": 24, "math": 8},
    "phase2": {"web": 44, "code": 42, "math": 14},
    "phase3": {"web": 40, "code": 59, "math": 30},
}


def cycle(source: str) -> np.ndarray:
    lo, hi = SOURCES[source]
    rng = np.random.default_rng(sum(map(ord, source)))
    return rng.permutation(np.arange(lo, hi))


def write_phases(root: Path, *, mix: dict[str, dict[str, int]] = MIX, seed: int = 0) -> Path:
    """Write ``root/phase1..`` (two shards each, ``manifest.json``) and return ``root``."""
    rng = np.random.default_rng(seed)
    cycles = {s: cycle(s) for s in SOURCES}
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


@pytest.fixture(autouse=True)
def one_thread():
    """Torch on one thread: the test machine's 2 cores are shared, and idle OpenMP workers
    spinning for a busy core made decoding ~20x slower with two (see TrainConfig.threads)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def make_phases() -> Callable[..., Path]:
    return write_phases


@pytest.fixture(scope="session")
def cycles() -> dict[str, list[int]]:
    """Each source's token cycle: a document is a stretch of it, ended by EOS."""
    return {s: cycle(s).tolist() for s in SOURCES}


# Smaller than the tiny preset so that each run takes seconds on 2 cores; 12 steps a phase.
TRAIN_YAML = """\
preset: tiny
model:
  d_model: 64
  n_experts: 4
  expert_dim: 64
  window: 16
data:
  seq_len: 64
  batch_size: 4
  max_steps_per_phase: 12
schedule:
  warmup_steps: 3
log_every: 5
threads: 1  # other jobs share the 2 cores; spinning OpenMP workers would slow every step
"""


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    """One training run over the three phases: ``(root, shards, cfg, result, log lines)``.
    ``root/tokenizer.json`` is the tokenizer of the shards. Read it, never write to it."""
    from mellum_data.trainer import load_train_config, train

    root = tmp_path_factory.mktemp("run")
    shards = write_phases(root / "shards")
    (root / "tokenizer.json").write_text(TOKENIZER_JSON)
    (root / "train.yaml").write_text(TRAIN_YAML)
    cfg = load_train_config(str(root / "train.yaml"))
    lines: list[str] = []
    result = train(str(shards), cfg, str(root / "out"), log=lines.append)
    return root, shards, cfg, result, lines

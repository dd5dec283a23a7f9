"""Training the byte-level BPE tokenizer on a sample of stage outputs.

The sample is drawn per source with given shares (default: in proportion to the bytes each
source holds) up to ``max_bytes`` of text. Sizes come from parquet footers, so choosing the
sample reads no text: row groups (about a thousand documents each in datatrove's parquet) are
taken in a seeded random order until each source's quota is covered, then only those are read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow.parquet as pq
from datatrove.io import DataFolder, get_datafolder
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

from mellum_data.errors import ConfigError, InputError
from mellum_data.io import PARQUET_THREADS, atomic_write_text
from mellum_data.layout import stage_docs_glob
from mellum_data.tokenize.tokenizer import (
    INFO_FILE,
    SPECIAL_TOKENS,
    file_digest,
    tokenizer_identity,
    tokenizer_info,
)

TOKENIZER_FILE = "tokenizer.json"

# Pre-tokenization for code (applied before byte-level BPE, which never merges across these
# pieces): a word with at most one leading space (identifiers keep ``_``); every digit alone,
# so numbers are spelled digit by digit (as in LLaMA and StarCoder2: arithmetic and versions
# tokenize consistently); operator runs with at most one leading space; a line break together
# with the next line's indentation (the commonest "word" in code); any other run of whitespace
# (alignment, trailing spaces) as one piece, never glued to the following word.
CODE_PATTERN = (
    r" ?[\p{L}\p{M}_]+"
    r"| ?\p{N}"
    r"| ?[^\s\p{L}\p{M}\p{N}_]+"
    r"|[\r\n]+[ \t]*"
    r"|\s+"
)


def build_tokenizer() -> Tokenizer:
    """An untrained byte-level BPE with the code pre-tokenizer (every byte is a token, so
    nothing is ever unknown)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(CODE_PATTERN), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    return tok


@dataclass
class _Group:
    """One parquet row group: the unit of sampling."""

    folder: DataFolder
    path: str
    row_group: int
    source: str
    text_bytes: int


def _row_groups(input_path: str) -> list[_Group]:
    folder = get_datafolder(input_path)
    glob = stage_docs_glob(folder)
    groups = []
    for path in folder.list_files(glob_pattern=glob):
        with folder.open(path, "rb") as f, pq.ParquetFile(f) as pf:
            meta = pf.metadata
            names = [meta.schema.column(j).path for j in range(meta.num_columns)]
            if "text" not in names:
                raise InputError(f"{folder.path}/{path}: no 'text' column")
            text_col = names.index("text")
            if "/" in path:
                source = path.split("/", 1)[0]
            elif "metadata.source" in names and meta.num_row_groups:
                # A flat stage output holds one source: read it from the first row.
                first = pf.read_row_group(
                    0, columns=["metadata.source"], use_threads=PARQUET_THREADS
                ).column(0)
                source = first[0]["source"].as_py() or "default"
            else:
                source = "default"
            for i in range(meta.num_row_groups):
                size = meta.row_group(i).column(text_col).total_uncompressed_size
                groups.append(_Group(folder, path, i, source, size))
    return groups


def _quotas(
    available: dict[str, int], shares: dict[str, float] | None, max_bytes: int
) -> dict[str, int]:
    if shares is None:
        shares = {s: float(b) for s, b in available.items()}
    unknown = sorted(set(shares) - set(available))
    if unknown:
        raise ConfigError(
            f"tokenizer shares name unknown sources {unknown}; "
            f"valid: {', '.join(sorted(available))}"
        )
    if any(v < 0 for v in shares.values()) or sum(shares.values()) <= 0:
        raise ConfigError(f"tokenizer shares must be non-negative and not all zero: {shares}")
    total = sum(shares.values())
    return {s: min(available[s], int(max_bytes * shares.get(s, 0.0) / total)) for s in available}


def sample_texts(
    inputs: list[str], *, shares: dict[str, float] | None, max_bytes: int, seed: int
) -> tuple[list[str], dict[str, int]]:
    """The training sample (texts in a deterministic order) and the bytes taken per source."""
    groups = [g for path in inputs for g in _row_groups(path)]
    if not groups:
        raise InputError(f"no documents found in {inputs}")
    available: dict[str, int] = {}
    for g in groups:
        available[g.source] = available.get(g.source, 0) + g.text_bytes
    quotas = _quotas(available, shares, max_bytes)
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    taken: dict[str, int] = {}
    for source in sorted(available):
        mine = [g for g in groups if g.source == source]
        got = 0
        for k in rng.permutation(len(mine)):
            if got >= quotas[source]:
                break
            g = mine[int(k)]
            with g.folder.open(g.path, "rb") as f, pq.ParquetFile(f) as pf:
                column = pf.read_row_group(
                    g.row_group, columns=["text"], use_threads=PARQUET_THREADS
                ).column(0)
            for text in column.to_pylist():
                if got >= quotas[source]:
                    break
                if text:
                    texts.append(text)
                    got += len(text.encode("utf-8"))
        taken[source] = got
    return texts, taken


def train_tokenizer(
    inputs: list[str],
    output_dir: str,
    *,
    vocab_size: int = 98304,
    shares: dict[str, float] | None = None,
    max_bytes: int = 200_000_000,
    seed: int = 0,
) -> str:
    """Train a tokenizer on stage outputs; returns the path of ``output_dir/tokenizer.json``.

    The default vocabulary is Mellum 2's (98,304 tokens). The same inputs and seed give the
    same file, byte for byte.
    """
    if vocab_size < 256 + len(SPECIAL_TOKENS):
        raise ConfigError(f"vocab_size {vocab_size} is below the byte alphabet plus specials")
    texts, taken = sample_texts(inputs, shares=shares, max_bytes=max_bytes, seed=seed)
    tok = build_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer, length=len(texts))
    text = tok.to_str()
    identity = tokenizer_identity(text)
    info = asdict(tokenizer_info(tok, identity, "bpe"))
    info.update(sample_bytes=taken, seed=seed, max_bytes=max_bytes, file_sha256=file_digest(text))
    out = get_datafolder(output_dir)
    atomic_write_text(out, TOKENIZER_FILE, text)
    atomic_write_text(out, INFO_FILE, json.dumps(info, indent=2) + "\n")
    return f"{out.path.rstrip('/')}/{TOKENIZER_FILE}"

"""Loading a local ``tokenizer.json`` and naming it by content (never from a hub)."""

from __future__ import annotations

import hashlib
import json

import fsspec
from tokenizers import Tokenizer

from mellum_data.errors import InputError
from mellum_data.tokenize.manifest import TokenizerInfo
from mellum_data.tokenize.shards import token_size_for

BOS = "<|bos|>"
EOS = "<|eos|>"
PAD = "<|pad|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
SPECIAL_TOKENS = [BOS, EOS, PAD, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX]


def tokenizer_identity(tokenizer_json: str) -> str:
    """Content hash of a tokenizer: ``sha256:`` + 16 hex digits of its canonical JSON."""
    canonical = json.dumps(json.loads(tokenizer_json), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def read_tokenizer_json(path: str) -> str:
    try:
        with fsspec.open(path, "rt", encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: tokenizer file not found") from None


def load_tokenizer(path: str) -> tuple[Tokenizer, TokenizerInfo]:
    """Load a local or ``s3://`` ``tokenizer.json``; returns it and its identity record."""
    text = read_tokenizer_json(path)
    try:
        tok = Tokenizer.from_str(text)
    except Exception as e:  # tokenizers raises a bare Exception on bad JSON
        raise InputError(f"{path}: not a valid tokenizer.json ({e})") from None
    name = json.loads(text).get("model", {}).get("type", "tokenizer").lower()
    return tok, tokenizer_info(tok, tokenizer_identity(text), name)


def tokenizer_info(tok: Tokenizer, identity: str, name: str = "bpe") -> TokenizerInfo:
    vocab = tok.get_vocab_size()
    eos = tok.token_to_id(EOS)
    if eos is None:
        raise InputError(f"tokenizer {identity} has no {EOS} token")
    return TokenizerInfo(
        id=identity,
        name=f"{name}-{vocab}",
        vocab_size=vocab,
        token_size=token_size_for(vocab),
        eos_id=eos,
        bos_id=tok.token_to_id(BOS),
        pad_id=tok.token_to_id(PAD),
        fim_prefix_id=tok.token_to_id(FIM_PREFIX),
        fim_middle_id=tok.token_to_id(FIM_MIDDLE),
        fim_suffix_id=tok.token_to_id(FIM_SUFFIX),
    )

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
# Written by ``train.train_tokenizer`` next to ``tokenizer.json``.
INFO_FILE = "tokenizer_info.json"
SPECIAL_TOKENS = [BOS, EOS, PAD, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX]
# Names other tokenizers give the same roles, so that any local tokenizer.json works: ours
# first, then GPT-2 / StarCoder's, Llama 3's and SentencePiece-style names. The first found wins.
ROLE_NAMES = {
    BOS: (BOS, "<|begin_of_text|>", "<s>", "<bos>"),
    EOS: (EOS, "<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>"),
    PAD: (PAD, "<pad>", "<|padding|>"),
    FIM_PREFIX: (FIM_PREFIX, "<fim_prefix>"),
    FIM_MIDDLE: (FIM_MIDDLE, "<fim_middle>"),
    FIM_SUFFIX: (FIM_SUFFIX, "<fim_suffix>"),
}


def tokenizer_identity(tokenizer_json: str | dict) -> str:
    """Content hash of a tokenizer: ``sha256:`` + 16 hex digits of its canonical JSON (the
    text of a ``tokenizer.json``, or that text already parsed)."""
    data = json.loads(tokenizer_json) if isinstance(tokenizer_json, str) else tokenizer_json
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def read_tokenizer_json(path: str) -> str:
    try:
        with fsspec.open(path, "rt", encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: tokenizer file not found") from None


def file_digest(text: str) -> str:
    """sha256 of a ``tokenizer.json``'s text as it is: a cheap key under which an identity
    computed once is reused (the identity proper needs the canonical JSON, ~20x slower)."""
    return hashlib.sha256(text.encode()).hexdigest()


def load_tokenizer(
    path: str, *, known: tuple[str, TokenizerInfo] | None = None
) -> tuple[Tokenizer, TokenizerInfo]:
    """Load a local or ``s3://`` ``tokenizer.json``; returns it and its identity record.

    ``known`` is ``(file_digest(text), info)`` from an earlier load (a stage passes it to its
    workers): when the file still has that digest, ``info`` is reused as it is. Otherwise the
    identity is the one ``train_tokenizer`` recorded beside the file, if it recorded this
    file's digest, or it is computed.
    """
    text = read_tokenizer_json(path)
    try:
        tok = Tokenizer.from_str(text)
    except Exception as e:  # tokenizers raises a bare Exception on bad JSON
        raise InputError(f"{path}: not a valid tokenizer.json ({e})") from None
    if known is not None and known[0] == file_digest(text):
        return tok, known[1]
    if (identity := _recorded_identity(path, text)) is not None:
        return tok, tokenizer_info(tok, identity, type(tok.model).__name__.lower())
    data = json.loads(text)  # once: the identity and the name both come from it
    name = (data.get("model") or {}).get("type", "tokenizer").lower()
    return tok, tokenizer_info(tok, tokenizer_identity(data), name)


def _recorded_identity(path: str, text: str) -> str | None:
    """The identity that ``train_tokenizer`` recorded next to ``path`` (``INFO_FILE``) when
    it still describes this very file (its ``file_sha256``), else None."""
    info_path = f"{path.rsplit('/', 1)[0]}/{INFO_FILE}" if "/" in path else INFO_FILE
    try:
        with fsspec.open(info_path, "rt", encoding="utf-8") as f:
            recorded = json.load(f)
    except (OSError, ValueError):  # absent or unreadable: compute the identity instead
        return None
    if not isinstance(recorded, dict) or recorded.get("file_sha256") != file_digest(text):
        return None
    identity = recorded.get("id")
    return identity if isinstance(identity, str) else None


def role_id(tok: Tokenizer, role: str) -> int | None:
    """Id of the special token that plays ``role`` (one of ``SPECIAL_TOKENS``), if any."""
    for name in ROLE_NAMES[role]:
        if (i := tok.token_to_id(name)) is not None:
            return i
    return None


def tokenizer_info(tok: Tokenizer, identity: str, name: str = "bpe") -> TokenizerInfo:
    vocab = tok.get_vocab_size()
    eos = role_id(tok, EOS)
    if eos is None:
        raise InputError(
            f"tokenizer {identity} has no end-of-document token (looked for "
            f"{', '.join(ROLE_NAMES[EOS])})"
        )
    return TokenizerInfo(
        id=identity,
        name=f"{name}-{vocab}",
        vocab_size=vocab,
        token_size=token_size_for(vocab),
        eos_id=eos,
        bos_id=role_id(tok, BOS),
        pad_id=role_id(tok, PAD),
        fim_prefix_id=role_id(tok, FIM_PREFIX),
        fim_middle_id=role_id(tok, FIM_MIDDLE),
        fim_suffix_id=role_id(tok, FIM_SUFFIX),
    )

"""Fill-in-the-middle (FIM) transformation of a tokenized document.

A document is cut at two points into ``prefix | middle | suffix`` and re-ordered so that a
left-to-right model learns to produce the middle from both sides (Bavarian et al. 2022,
"Efficient Training of Language Models to Fill in the Middle", arXiv 2207.14255):

- PSM: ``<fim_prefix> prefix <fim_suffix> suffix <fim_middle> middle``
- SPM: ``<fim_prefix> <fim_suffix> suffix <fim_middle> prefix middle``

SPM is the variant of the paper's appendix D (also StarCoder's and Code Llama's), where the
sentinels come first so that prefix and middle stay contiguous. Either way the original
document is ``(everything after <fim_middle>) + suffix``, which ``invert_fim`` uses.

Cut points are chosen among the document's candidate split points (syntax boundaries found
at tokenization, see ``split_points``) plus its two ends, so a middle never starts or ends
inside a statement. The transformation adds exactly three tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mellum_data.errors import DataError
from mellum_data.tokenize.manifest import TokenizerInfo

FimMode = Literal["psm", "spm"]
FIM_EXTRA_TOKENS = 3


@dataclass(frozen=True)
class FimIds:
    prefix: int
    middle: int
    suffix: int

    @classmethod
    def from_info(cls, info: TokenizerInfo) -> FimIds:
        ids = (info.fim_prefix_id, info.fim_middle_id, info.fim_suffix_id)
        if any(i is None for i in ids):
            raise DataError(f"tokenizer {info.id} lacks FIM sentinel tokens; FIM needs them")
        return cls(*ids)  # type: ignore[arg-type]


def choose_cuts(
    n: int, split_points: np.ndarray | None, rng: np.random.Generator
) -> tuple[int, int]:
    """Two cut points ``0 <= a < b <= n`` (a non-empty middle when ``n > 0``).

    With ``split_points`` the cuts are drawn from them plus ``0`` and ``n``; with ``None``
    any token boundary may be a cut (the paper's character-level rule, at token level).
    """
    if n == 0:
        return 0, 0
    if split_points is None:
        a, b = sorted(rng.choice(n + 1, size=2, replace=False).tolist())
        return a, b
    points = np.asarray(split_points, dtype=np.int64)
    points = points[(points > 0) & (points < n)]
    candidates = np.unique(np.concatenate([[0, n], points]))
    i, j = sorted(rng.choice(candidates.size, size=2, replace=False).tolist())
    return int(candidates[i]), int(candidates[j])


def fim_order(tokens: np.ndarray, a: int, b: int, mode: FimMode, ids: FimIds) -> np.ndarray:
    """Re-order ``tokens`` cut at ``a`` and ``b`` into PSM or SPM form."""
    prefix, middle, suffix = tokens[:a], tokens[a:b], tokens[b:]
    dtype = tokens.dtype
    pre = np.array([ids.prefix], dtype=dtype)
    mid = np.array([ids.middle], dtype=dtype)
    suf = np.array([ids.suffix], dtype=dtype)
    if mode == "psm":
        parts = [pre, prefix, suf, suffix, mid, middle]
    elif mode == "spm":
        parts = [pre, suf, suffix, mid, prefix, middle]
    else:
        raise ValueError(f"FIM mode must be 'psm' or 'spm', got {mode!r}")
    return np.concatenate(parts)


def apply_fim(
    tokens: np.ndarray,
    split_points: np.ndarray | None,
    rng: np.random.Generator,
    mode: FimMode,
    ids: FimIds,
) -> np.ndarray:
    """FIM-transform a document's content tokens (without BOS/EOS)."""
    tokens = np.asarray(tokens)
    a, b = choose_cuts(tokens.size, split_points, rng)
    return fim_order(tokens, a, b, mode, ids)


def invert_fim(fim_tokens: np.ndarray, ids: FimIds) -> np.ndarray:
    """The original content of a PSM or SPM sequence (content never holds sentinels)."""
    t = np.asarray(fim_tokens)
    if t.size < FIM_EXTRA_TOKENS or t[0] != ids.prefix:
        raise ValueError("not a FIM sequence: it does not start with the prefix sentinel")
    suf = int(np.flatnonzero(t == ids.suffix)[0])
    mid = int(np.flatnonzero(t == ids.middle)[0])
    # PSM: t[1:suf] is the prefix; SPM: it is empty and the prefix leads t[mid + 1:].
    return np.concatenate([t[1:suf], t[mid + 1 :], t[suf + 1 : mid]])


def fim_document(
    doc: np.ndarray,
    split_points: np.ndarray | None,
    rng: np.random.Generator,
    mode: FimMode,
    ids: FimIds,
    *,
    bos_id: int | None,
    eos_id: int,
) -> np.ndarray:
    """FIM-transform a stored document, keeping its BOS and EOS in place.

    ``split_points`` are offsets in the stored document (as written by the tokenize stage).
    """
    start = 1 if bos_id is not None and doc.size and doc[0] == bos_id else 0
    end = doc.size - 1 if doc.size > start and doc[-1] == eos_id else doc.size
    points = None if split_points is None else np.asarray(split_points, dtype=np.int64) - start
    body = apply_fim(doc[start:end], points, rng, mode, ids)
    return np.concatenate([doc[:start], body, doc[end:]])

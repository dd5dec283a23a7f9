"""Stateless random draws per document: the order a source is read in, FIM modes, the shuffle.

Every draw is a function of a document's ``uid`` and a salt (seed, source, phase, epoch,
purpose), never of a generator's state, so any task computes the same value for a document
without seeing the others, and nothing has to hold a permutation of a source in memory.

A document copy's ``uid`` packs the source-local shard number (24 bits), the row in that
shard's sidecar (32 bits) and the copy number (8 bits; rehydration repeats a document). Keys
are ``fmix64(fmix64(uid ^ salt) + salt)``; the splitmix64 finalizer ``fmix64`` is a bijection
of 64-bit integers, so two copies of one source never share a key within an epoch and "the
first documents in key order" is a well-defined uniform random sample (Steele et al. 2014,
"Fast splittable pseudorandom number generators").
"""

from __future__ import annotations

import hashlib

import numpy as np

SHARD_BITS, ROW_BITS, COPY_BITS = 24, 32, 8
MAX_SHARDS, MAX_ROWS, MAX_COPIES = 1 << SHARD_BITS, 1 << ROW_BITS, 1 << COPY_BITS
KEY_END = 1 << 64  # an exclusive upper bound past every key

FIM_NONE, FIM_PSM, FIM_SPM = 0, 1, 2
FIM_MODES = {FIM_PSM: "psm", FIM_SPM: "spm"}

_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))


def fmix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer on a ``uint64`` array (a bijection; wraps modulo 2**64)."""
    x = np.asarray(x, dtype=np.uint64).copy()
    x ^= x >> _S30
    x *= _C1
    x ^= x >> _S27
    x *= _C2
    x ^= x >> _S31
    return x


def salt(*parts: int | str) -> np.uint64:
    """A 64-bit salt from names and numbers (stable across runs, unlike ``hash``)."""
    text = "\x1f".join(str(p) for p in parts)
    return np.uint64(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little"))


def keyed(uids: np.ndarray, s: np.uint64) -> np.ndarray:
    """A salted bijection of uids. Two rounds: one round's outputs for the same uids under two
    salts were visibly correlated on small samples (one salt's order, the other's FIM draws)."""
    return fmix64(fmix64(np.asarray(uids, dtype=np.uint64) ^ s) + s)


def unit(x: np.ndarray) -> np.ndarray:
    """Uniform floats in [0, 1) from 64-bit hashes (their top 53 bits)."""
    return (x >> _S11).astype(np.float64) * (1.0 / (1 << 53))


def make_uids(shard: int, rows: np.ndarray, copies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The uid of every copy of every document, and the document each copy belongs to."""
    if shard >= MAX_SHARDS:
        raise ValueError(f"a source may have at most {MAX_SHARDS} shards")
    copies = np.asarray(copies, dtype=np.int64)
    doc = np.repeat(np.arange(copies.size), copies)
    starts = np.cumsum(copies) - copies
    copy = np.arange(doc.size, dtype=np.uint64) - np.repeat(starts, copies).astype(np.uint64)
    uid = (
        (np.uint64(shard) << np.uint64(ROW_BITS + COPY_BITS))
        | (np.asarray(rows, dtype=np.uint64)[doc] << np.uint64(COPY_BITS))
        | copy
    )
    return uid, doc


def fim_modes(
    uids: np.ndarray, is_code: np.ndarray, s: np.uint64, rate: float, spm_share: float
) -> np.ndarray:
    """FIM_NONE / FIM_PSM / FIM_SPM per copy: code copies become FIM with ``rate``, SPM among
    them with ``spm_share``."""
    if rate <= 0:
        return np.zeros(len(uids), dtype=np.int8)
    h = keyed(uids, s)
    fim = np.asarray(is_code, dtype=bool) & (unit(h) < rate)
    spm = unit(fmix64(h)) < spm_share
    return np.where(fim, np.where(spm, FIM_SPM, FIM_PSM), FIM_NONE).astype(np.int8)

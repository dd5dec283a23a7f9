"""Phase shards to training batches: discovery and verification, held-out validation
documents, and the two packings.

A mixture output folder holds one folder per phase with a ``manifest.json``; phases are
trained in the order of the manifests' ``index``. Each document is followed by EOS (added
here unless the document already ends with it).

Packing (``DataConfig.packing``):

- ``concat``: documents back to back in one stream, cut into windows of ``seq_len + 1``
  tokens that overlap by one (so every token is a target once). No padding, but a
  sequence usually starts mid-document and spans several documents.
- ``best_fit``: best-fit-decreasing bin packing (Ding et al. 2024, "Fewer Truncations
  Improve Language Modeling"): each document is placed whole into the fullest sequence it
  still fits in; documents longer than a sequence are first cut into full-sequence chunks.
  Sequences are padded (padding is not a target). Costs O(n log n) per window of
  ``best_fit_window`` documents, and a few percent of padding.

Document masking (``DataConfig.doc_mask``) works with either packing: a batch then also
carries each position's document index within its sequence (the model keeps attention
inside a document), and a target that starts another document is ``IGNORE``. With
``best_fit`` every document that fits a sequence is then seen whole and alone.

Sequence order within a phase is a permutation drawn from the seed, so a batch is a pure
function of (phase, step): resuming needs only the step.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import torch
from datatrove.io import get_datafolder

from mellum_data.errors import DataError, InputError
from mellum_data.tokenize.manifest import (
    PHASE_MANIFEST,
    PhaseManifest,
    TokenizerInfo,
    read_phase_manifest,
    verify_folder,
)
from mellum_data.tokenize.shards import ShardReader
from mellum_data.trainer.config import DataConfig
from mellum_data.trainer.model import IGNORE


@dataclass
class Phase:
    name: str
    path: str
    manifest: PhaseManifest
    _readers: list[ShardReader] = field(default_factory=list, repr=False)

    @property
    def readers(self) -> list[ShardReader]:
        if not self._readers:
            tok = self.manifest.tokenizer.id
            self._readers = [
                ShardReader(f"{self.path}/{s.path}", expect_tokenizer_id=tok)
                for s in self.manifest.shards
            ]
        return self._readers


def discover_phases(shards_dir: str) -> list[Phase]:
    """Phase folders under ``shards_dir`` (those with a manifest), ordered by ``index``."""
    folder = get_datafolder(shards_dir)
    if not folder.isdir(""):
        raise InputError(f"{shards_dir}: not a folder")
    names = sorted(p.split("/")[-2] for p in folder.glob(f"*/{PHASE_MANIFEST}"))
    if not names:
        raise InputError(f"{shards_dir}: no phase folders (*/{PHASE_MANIFEST})")
    base = shards_dir.rstrip("/")
    phases = [Phase(n, f"{base}/{n}", read_phase_manifest(f"{base}/{n}")) for n in names]
    phases.sort(key=lambda p: p.manifest.index)
    seen: dict[int, str] = {}
    for p in phases:
        if p.manifest.index in seen:
            raise InputError(
                f"{p.path}/{PHASE_MANIFEST}: index {p.manifest.index} also used by "
                f"{seen[p.manifest.index]}"
            )
        seen[p.manifest.index] = p.name
    return phases


def verify_phases(phases: list[Phase]) -> TokenizerInfo:
    """Verify every shard against its manifest and that all phases share one tokenizer."""
    first = phases[0].manifest.tokenizer
    for p in phases:
        tok = p.manifest.tokenizer
        if (tok.id, tok.vocab_size, tok.eos_id) != (first.id, first.vocab_size, first.eos_id):
            raise InputError(
                f"{p.path}/{PHASE_MANIFEST}: tokenizer {tok.id} (vocab {tok.vocab_size}) differs "
                f"from {phases[0].name}'s {first.id} (vocab {first.vocab_size})"
            )
        verify_folder(p.path, tokenizer_id=first.id)
    return first


def _doc_table(phase: Phase) -> pa.Table:
    parts = []
    for r, reader in enumerate(phase.readers):
        t = reader.docs(["id", "source", "tokens", "offset"])
        parts.append(t.append_column("reader", pa.array(np.full(t.num_rows, r, np.int32))))
    return pa.concat_tables(parts)


def _id_hash(doc_id: str) -> float:
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "big") / 2**64


def select_validation(phase: Phase, cfg: DataConfig) -> pa.Table:
    """Held-out documents per source, from ``phase`` (the last one): those whose id hashes
    below ``val_fraction``, lowest hash first, at most ``val_max_docs_per_source``; a source
    with none gets its single lowest-hash document so that every source is measured."""
    table = _doc_table(phase)
    ids = np.array(table.column("id").to_pylist(), dtype=object)
    h = np.array([_id_hash(i) for i in ids])
    sources = np.array(table.column("source").to_pylist(), dtype=object)
    keep: list[int] = []
    for source in sorted(set(sources)):
        rows = np.flatnonzero(sources == source)
        rows = rows[np.argsort(h[rows], kind="stable")]
        # A document repeated within the phase (another epoch) is held out once.
        rows = rows[np.r_[True, ids[rows[1:]] != ids[rows[:-1]]]]
        chosen = rows[h[rows] < cfg.val_fraction][: cfg.val_max_docs_per_source]
        keep.extend((chosen if chosen.size else rows[:1]).tolist())
    return table.take(sorted(keep))


class DocStore:
    """Documents of one table as a token stream, each followed by EOS."""

    def __init__(self, readers: list[ShardReader], table: pa.Table, eos_id: int) -> None:
        self.readers, self.eos_id, self.table = readers, eos_id, table
        self.reader = table.column("reader").to_numpy()
        self.start = table.column("offset").to_numpy().astype(np.int64)
        self.raw_len = table.column("tokens").to_numpy().astype(np.int64)
        last = np.full(len(self.raw_len), -1, np.int64)
        for r, reader in enumerate(readers):
            rows = np.flatnonzero((self.reader == r) & (self.raw_len > 0))
            last[rows] = reader.tokens[self.start[rows] + self.raw_len[rows] - 1]
        self.length = self.raw_len + (last != eos_id)
        self.cum = np.concatenate(([0], np.cumsum(self.length)))

    @property
    def num_tokens(self) -> int:
        return int(self.cum[-1])

    def piece(self, i: int, lo: int, hi: int) -> np.ndarray:
        """Tokens ``lo:hi`` of document ``i`` (its EOS included as the last position)."""
        raw_hi = min(hi, int(self.raw_len[i]))
        s = int(self.start[i])
        out = np.asarray(self.readers[self.reader[i]].tokens[s + lo : s + raw_hi], np.int64)
        if hi > raw_hi:
            out = np.concatenate((out, [self.eos_id]))
        return out

    def starts(self, a: int, b: int) -> np.ndarray:
        """Offsets, relative to ``a``, where a document begins strictly inside ``a:b``."""
        lo, hi = np.searchsorted(self.cum, [a, b], side="right")
        return self.cum[lo:hi][self.cum[lo:hi] < b] - a

    def stream(self, a: int, b: int) -> np.ndarray:
        """Tokens ``a:b`` of the concatenated stream."""
        parts, i = [], int(np.searchsorted(self.cum, a, side="right")) - 1
        while i < len(self.length) and self.cum[i] < b:
            lo, hi = max(a - int(self.cum[i]), 0), min(b - int(self.cum[i]), int(self.length[i]))
            parts.append(self.piece(i, lo, hi))
            i += 1
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def best_fit_bins(lengths: np.ndarray, capacity: int, window: int) -> list[list[tuple]]:
    """Bins of ``(doc, lo, hi)`` pieces, none over ``capacity`` tokens; see module doc."""
    bins: list[list[tuple]] = []
    for w0 in range(0, len(lengths), window):
        pieces = []
        for d in range(w0, min(w0 + window, len(lengths))):
            n = int(lengths[d])
            full = n // capacity
            bins.extend([[(d, k * capacity, (k + 1) * capacity)] for k in range(full)])
            if n % capacity:
                pieces.append((n % capacity, d, full * capacity, n))
        pieces.sort(key=lambda p: -p[0])
        free: list[tuple[int, int]] = []  # (remaining capacity, bin index), sorted
        for size, d, lo, hi in pieces:
            k = bisect.bisect_left(free, (size, -1))
            if k == len(free):
                bins.append([(d, lo, hi)])
                bisect.insort(free, (capacity - size, len(bins) - 1))
            else:
                room, b = free.pop(k)
                bins[b].append((d, lo, hi))
                bisect.insort(free, (room - size, b))
    return bins


class PackedPhase:
    """Fixed-length training sequences of one phase; ``batch(step, micro)`` is deterministic."""

    def __init__(self, store: DocStore, cfg: DataConfig, seed: int) -> None:
        self.store, self.cfg = store, cfg
        self.t = cfg.seq_len
        if cfg.packing == "best_fit":
            self.bins = best_fit_bins(store.length, self.t + 1, cfg.best_fit_window)
            n = len(self.bins)
        else:
            n = max(0, (store.num_tokens - 1) // self.t)
        g = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(n, generator=g) if cfg.shuffle else torch.arange(n)
        self.micro = cfg.micro_batch_size or cfg.batch_size

    @property
    def num_sequences(self) -> int:
        return len(self.order)

    def sequence(self, i: int) -> Sequence:
        if self.cfg.packing == "best_fit":
            pieces = [self.store.piece(d, lo, hi) for d, lo, hi in self.bins[i]]
            toks = np.concatenate(pieces)
            starts = np.cumsum([len(p) for p in pieces[:-1]], dtype=np.int64)
        else:
            a, b = i * self.t, i * self.t + self.t + 1
            toks, starts = self.store.stream(a, b), self.store.starts(a, b)
        n = len(toks)
        toks = np.pad(toks, (0, self.t + 1 - n), constant_values=self.store.eos_id)
        return Sequence(toks, n, starts)

    def batch(self, step: int, micro: int) -> Batch:
        first = step * self.cfg.batch_size + micro * self.micro
        return sequences_to_batch(
            [self.sequence(int(i)) for i in self.order[first : first + self.micro]],
            doc_mask=self.cfg.doc_mask,
        )


class Sequence(NamedTuple):
    tokens: np.ndarray  # seq_len + 1 tokens, padded with EOS
    n: int  # how many of them are real
    starts: np.ndarray  # positions (> 0) where a document begins


class Batch(NamedTuple):
    x: torch.Tensor  # (batch, seq_len) inputs
    y: torch.Tensor  # (batch, seq_len) next tokens; IGNORE where nothing is to be learned
    doc: torch.Tensor | None  # (batch, seq_len) document index per position, if masking


def sequences_to_batch(seqs: list[Sequence], *, doc_mask: bool = False) -> Batch:
    """Inputs and targets; padding is not a target. With ``doc_mask`` also the document
    index of each position, and a target in another document than its input is IGNORE."""
    toks = torch.from_numpy(np.stack([s.tokens for s in seqs]))
    x, y = toks[:, :-1].clone(), toks[:, 1:].clone()
    for row, s in enumerate(seqs):
        y[row, max(s.n - 1, 0) :] = IGNORE
    if not doc_mask:
        return Batch(x, y, None)
    seg = np.zeros(toks.shape, np.int64)
    for row, s in enumerate(seqs):
        seg[row, s.starts] = 1
        seg[row, s.n :] = 1  # padding is a document of its own
    seg = torch.from_numpy(np.cumsum(seg, axis=1))
    y[seg[:, 1:] != seg[:, :-1]] = IGNORE
    return Batch(x, y, seg[:, :-1].contiguous())


def training_data(phase: Phase, held_out: set[str], cfg: DataConfig, eos_id: int, seed: int):
    """The phase's documents minus held-out ids, packed; fails if not one batch fits."""
    table = _doc_table(phase)
    if held_out:
        table = table.filter(pc.invert(pc.is_in(table.column("id"), pa.array(sorted(held_out)))))
    packed = PackedPhase(DocStore(phase.readers, table, eos_id), cfg, seed)
    if packed.num_sequences < cfg.batch_size:
        raise DataError(
            f"{phase.path}: {packed.store.num_tokens} training tokens make "
            f"{packed.num_sequences} sequences of {cfg.seq_len}, fewer than one batch of "
            f"{cfg.batch_size}"
        )
    return packed


def validation_batches(
    phase: Phase, table: pa.Table, cfg: DataConfig, eos_id: int
) -> dict[str, Batch]:
    """Per source: held-out documents as a stream cut into ``seq_len`` windows, at most
    ``val_max_tokens_per_source`` tokens; each token is a target once (with ``doc_mask``,
    every token but a document's first, and attention stays in the document as in training)."""
    out = {}
    t = cfg.seq_len
    for source in sorted(set(table.column("source").to_pylist())):
        rows = table.filter(pc.equal(table.column("source"), source))
        store = DocStore(phase.readers, rows, eos_id)
        n = min(store.num_tokens, cfg.val_max_tokens_per_source)
        seqs = []
        for a in range(0, n - 1, t):
            toks = store.stream(a, min(a + t + 1, n))
            pad = np.pad(toks, (0, t + 1 - len(toks)), constant_values=eos_id)
            seqs.append(Sequence(pad, len(toks), store.starts(a, a + len(toks))))
        if seqs:
            out[source] = sequences_to_batch(seqs, doc_mask=cfg.doc_mask)
    return out

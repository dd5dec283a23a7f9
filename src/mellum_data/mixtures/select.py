"""Which documents of each source every phase takes, computed by streaming over sidecars.

A source is read in *key order*: in epoch ``e`` every document copy has the key
``fmix64(uid ^ salt(seed, source, e))`` (see ``keys``), a uniform random permutation that no
process materialises. A source's reading position (``Cursor``) is an epoch and a key
threshold: the copies with smaller keys have been read. A phase takes a source's next
copies in key order until its planned tokens are reached, and records what it took as
``Segment``s: key ranges of an epoch, plus the few documents taken out of order.

- Phases continue where earlier ones stopped; no copy repeats within a phase before the
  source's epoch is exhausted (the next epoch has new keys).
- Documents are indivisible: the last one is whichever of the next ``LOOKAHEAD`` in key order
  lands closest to the plan (or none). It is *pulled forward*: the copies it skipped stay next
  in line, and the pulled one is remembered (``Cursor.taken``) so that no later phase takes it
  again in that epoch.
- A code copy becomes a FIM example with the phase's rate (PSM or SPM by ``spm_share``); FIM
  adds three sentinel tokens, which count towards the phase's tokens.
- Never past a source's epoch cap (the plan keeps requests under it; this guards rounding).

Finding where a phase stops takes two passes over the source's sidecars per epoch it reaches:
a histogram of tokens by the top bits of the key (``2**bits`` buckets of about
``BUCKET_DOCS`` copies), then the copies of the bucket where the budget runs out (plus
``LOOKAHEAD``). Memory per source: the histogram (40 bytes a bucket, at most
``2**MAX_BUCKET_BITS``), one shard's sidecar and one bucket's copies; never the source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from mellum_data.mixtures.keys import FIM_PSM, FIM_SPM, KEY_END, fim_modes, keyed, salt
from mellum_data.mixtures.sources import Block
from mellum_data.tokenize.fim import FIM_EXTRA_TOKENS

# Candidates for a phase's last document of a source.
LOOKAHEAD = 256
# Copies per histogram bucket: the refining pass holds about this many (plus LOOKAHEAD).
BUCKET_DOCS = 1024
MAX_BUCKET_BITS = 20
# The realised share of each source must match the plan within half a percentage point.
SHARE_TOLERANCE = 0.005
# Rows of the histogram.
DOCS, TOKENS, STORED, PSM, SPM = range(5)


def order_salt(seed: int, source: str, epoch: int) -> np.uint64:
    return salt(seed, "order", source, epoch)


def fim_salt(seed: int, source: str, phase: int, epoch: int) -> np.uint64:
    return salt(seed, "fim", source, phase, epoch)


@dataclass
class Segment:
    """The copies of ``epoch`` with ``lo <= key < hi``, less ``exclude`` (taken earlier), plus
    ``include`` (pulled forward from past ``hi``)."""

    epoch: int
    lo: int
    hi: int
    exclude: list[int] = field(default_factory=list)
    include: list[int] = field(default_factory=list)

    def mask(self, uids: np.ndarray, keys: np.ndarray) -> np.ndarray:
        m = keys >= np.uint64(self.lo)
        if self.hi < KEY_END:
            m &= keys < np.uint64(self.hi)
        if self.exclude:
            m &= ~np.isin(uids, np.array(self.exclude, dtype=np.uint64))
        if self.include:
            m |= np.isin(uids, np.array(self.include, dtype=np.uint64))
        return m


@dataclass
class Cursor:
    """Where a source's reading stands: the epoch, the key threshold in it, the copies past
    the threshold already read, and the stored tokens read so far (all epochs)."""

    epoch: int = 0
    lo: int = 0
    taken: list[int] = field(default_factory=list)
    consumed: int = 0


@dataclass
class PhaseParams:
    index: int
    fim_rate: float
    spm_share: float


def bucket_bits(copies_per_epoch: int) -> int:
    return int(min(MAX_BUCKET_BITS, max(1, (copies_per_epoch // BUCKET_DOCS).bit_length())))


class SourceStream:
    """A source as seen by the selection: ``blocks()`` streams its shards, one at a time."""

    def __init__(
        self, name: str, blocks: Callable[[], Iterable[Block]], *, seed: int, copies: int
    ) -> None:
        self.name, self.blocks, self.seed = name, blocks, seed
        self.copies = copies
        self.bits = bucket_bits(copies)
        self.shift = np.uint64(64 - self.bits)

    def _valid(self, cursor: Cursor, phase: PhaseParams) -> Iterable[tuple[np.ndarray, ...]]:
        """Per block, the unread copies of the cursor's epoch: uid, key, stored, emitted, fim."""
        order = order_salt(self.seed, self.name, cursor.epoch)
        fsalt = fim_salt(self.seed, self.name, phase.index, cursor.epoch)
        taken = np.array(cursor.taken, dtype=np.uint64)
        for block in self.blocks():
            uid, doc = block.expand()
            key = keyed(uid, order)
            ok = key >= np.uint64(cursor.lo)
            if taken.size:
                ok &= ~np.isin(uid, taken)
            uid, key, doc = uid[ok], key[ok], doc[ok]
            fim = fim_modes(uid, block.is_code[doc], fsalt, phase.fim_rate, phase.spm_share)
            stored = block.tokens[doc]
            yield uid, key, stored, stored + FIM_EXTRA_TOKENS * (fim > 0), fim

    def histogram(self, cursor: Cursor, phase: PhaseParams) -> np.ndarray:
        nb = 1 << self.bits
        hist = np.zeros((5, nb), dtype=np.int64)
        pending: list[tuple[np.ndarray, ...]] = []

        def add() -> None:
            # bincount costs O(buckets) per call: batch small shards into one call.
            b, emitted, stored, fim = (np.concatenate(c) for c in zip(*pending, strict=True))
            pending.clear()
            hist[DOCS] += np.bincount(b, minlength=nb)
            for row, w in ((TOKENS, emitted), (STORED, stored)):
                hist[row] += np.bincount(b, weights=w, minlength=nb).astype(np.int64)
            hist[PSM] += np.bincount(b[fim == FIM_PSM], minlength=nb)
            hist[SPM] += np.bincount(b[fim == FIM_SPM], minlength=nb)

        waiting = 0
        for _, key, stored, emitted, fim in self._valid(cursor, phase):
            pending.append(((key >> self.shift).astype(np.int64), emitted, stored, fim))
            waiting += key.size
            if waiting >= nb:
                add()
                waiting = 0
        if pending:
            add()
        return hist

    def collect(
        self, cursor: Cursor, phase: PhaseParams, lo: int, hi: int
    ) -> tuple[np.ndarray, ...]:
        """The unread copies in buckets ``lo..hi`` (inclusive), sorted by key."""
        parts = []
        for uid, key, stored, emitted, fim in self._valid(cursor, phase):
            b = key >> self.shift
            ok = (b >= np.uint64(lo)) & (b <= np.uint64(hi))
            parts.append((uid[ok], key[ok], stored[ok], emitted[ok], fim[ok]))
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)] if parts else []
        if not cols:
            return tuple(
                np.zeros(0, dt) for dt in (np.uint64, np.uint64, np.int64, np.int64, np.int8)
            )
        order = np.argsort(cols[1], kind="stable")
        return tuple(c[order] for c in cols)

    def advance(
        self, cursor: Cursor, phase: PhaseParams, target: int, cap: float
    ) -> tuple[list[Segment], np.ndarray]:
        """Read ``target`` emitted tokens from ``cursor`` (which moves); returns the segments
        taken and their tally (the histogram rows summed)."""
        segments: list[Segment] = []
        tally = np.zeros(5, dtype=np.int64)
        while tally[TOKENS] < target and self.copies:
            room = cap - cursor.consumed
            if room < 1:
                break
            hist = self.histogram(cursor, phase)
            total = hist.sum(axis=1)
            need = target - int(tally[TOKENS])
            if total[TOKENS] < need and total[STORED] <= room:
                if total[DOCS]:
                    segments.append(Segment(cursor.epoch, cursor.lo, KEY_END, sorted(cursor.taken)))
                tally += total
                cursor.consumed += int(total[STORED])
                cursor.epoch, cursor.lo, cursor.taken = cursor.epoch + 1, 0, []
                continue
            segment, part = self._cut(cursor, phase, hist, need, room)
            segments.append(segment)
            tally += part
            break
        return segments, tally

    def _cut(
        self, cursor: Cursor, phase: PhaseParams, hist: np.ndarray, need: int, room: float
    ) -> tuple[Segment, np.ndarray]:
        """Take ``need`` tokens from the cursor's epoch, which holds more than that."""
        nb = hist.shape[1]
        b = min(
            int(np.searchsorted(np.cumsum(hist[TOKENS]), need, side="left")),
            int(np.searchsorted(np.cumsum(hist[STORED]), room, side="right")),
        )
        after = np.cumsum(hist[DOCS, b + 1 :])
        last = min(nb - 1, b + 1 + int(np.searchsorted(after, LOOKAHEAD, side="left")))
        before = hist[:, :b].sum(axis=1)
        uid, key, stored, emitted, fim = self.collect(cursor, phase, b, last)
        ends = before[TOKENS] + np.cumsum(emitted)
        n = int(np.searchsorted(ends, need, side="left"))
        order = np.arange(n)
        pick = None
        if n < uid.size:
            gap = need - (int(ends[n - 1]) if n else int(before[TOKENS]))
            errors = np.abs(emitted[n : n + LOOKAHEAD] - gap)
            j = int(np.argmin(errors))
            if errors[j] < gap:
                pick = n + j
                order = np.append(order, pick)
        keep = int(np.searchsorted(before[STORED] + np.cumsum(stored[order]), room, "right"))
        order = order[:keep]
        contiguous = min(n, order.size)
        if pick is not None and (keep <= n or pick == n):
            contiguous += int(pick == n and keep > n)
            pick = None
        if contiguous < uid.size:
            hi = int(key[contiguous])
        else:
            hi = KEY_END if last == nb - 1 else (last + 1) << (64 - self.bits)
        old = np.array(cursor.taken, dtype=np.uint64)
        old_keys = keyed(old, order_salt(self.seed, self.name, cursor.epoch))
        below = old_keys < np.uint64(hi) if hi < KEY_END else np.ones(old.size, bool)
        pulled = [int(uid[pick])] if pick is not None else []
        segment = Segment(cursor.epoch, cursor.lo, hi, sorted(map(int, old[below])), pulled)
        part = before.copy()
        part[DOCS] += order.size
        part[TOKENS] += int(emitted[order].sum())
        part[STORED] += int(stored[order].sum())
        part[PSM] += int((fim[order] == FIM_PSM).sum())
        part[SPM] += int((fim[order] == FIM_SPM).sum())
        cursor.consumed += int(part[STORED])
        if hi >= KEY_END:
            cursor.epoch, cursor.lo, cursor.taken = cursor.epoch + 1, 0, []
        else:
            cursor.lo, cursor.taken = hi, sorted(map(int, old[~below])) + pulled
        return segment, part


@dataclass
class SourceCut:
    """What one phase takes of one source."""

    segments: list[Segment]
    stats: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceCut:
        return cls([Segment(**s) for s in data["segments"]], data["stats"])


def tally_stats(tally: np.ndarray) -> dict[str, int]:
    return {
        "documents": int(tally[DOCS]),
        "tokens": int(tally[TOKENS]),
        "stored_tokens": int(tally[STORED]),
        "fim_psm": int(tally[PSM]),
        "fim_spm": int(tally[SPM]),
    }


def share_warnings(phase: str, stats: dict[str, dict[str, Any]]) -> list[str]:
    """Fills in each source's realised share; warns where it misses the plan."""
    total = sum(s["tokens"] for s in stats.values())
    out = []
    for name, s in stats.items():
        s["share"] = s["tokens"] / total if total else 0.0
        if abs(s["share"] - s["planned_share"]) > SHARE_TOLERANCE:
            out.append(
                f"phase {phase}: source {name} got {s['share']:.2%} of the tokens, planned "
                f"{s['planned_share']:.2%} (documents too long for this budget?)"
            )
    return out

"""Which documents each phase takes, in which order, in which shard, with which FIM mode.

Computed from per-document token counts only (``SourceDocs``), before any token is copied:

- Each source is read through a seeded permutation of its documents, re-drawn per epoch and
  consumed across phases: a phase continues where the previous one stopped, and no document
  repeats within a phase before the source is exhausted.
- A source takes documents until its planned tokens are reached; documents are indivisible,
  so the last one is the document among the next few in the permutation that lands closest
  to the plan (or none); it moves forward, the ones it skips stay next in line.
- A code document becomes a FIM example with the phase's rate (PSM or SPM by ``spm_share``);
  FIM adds its three sentinel tokens, which count towards the phase's tokens.
- The phase's documents are shuffled with the seed and cut into shards of ``shard_tokens``.

Every random draw comes from a generator seeded by (seed, source, phase, purpose), so the same
spec gives the same selection whatever the number of tasks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mellum_data.mixtures.planner import PhasePlan, Plan
from mellum_data.mixtures.sources import SourceDocs
from mellum_data.tokenize.fim import FIM_EXTRA_TOKENS

FIM_NONE, FIM_PSM, FIM_SPM = 0, 1, 2
FIM_MODES = {FIM_PSM: "psm", FIM_SPM: "spm"}
# Purposes of the random generators (part of their seeds).
_PERMUTE, _FIM, _SHUFFLE, FIM_CUTS = 1, 2, 3, 4
# Documents considered at once while filling a source's share (bounds temporary memory).
BLOCK = 1 << 20
# Candidates for a phase's last document of a source.
LOOKAHEAD = 256
# The realised share of each source must match the plan within half a percentage point.
SHARE_TOLERANCE = 0.005


def name_key(name: str) -> int:
    """A stable 64-bit integer for a name (Python's ``hash`` changes between runs)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


class Cursor:
    """Where a source's reading stands: epoch, position in that epoch's permutation, and the
    source tokens consumed so far."""

    def __init__(self, docs: SourceDocs, seed: int) -> None:
        self.docs, self.seed = docs, seed
        self.epoch = -1
        self.pos = 0
        self.perm = np.zeros(0, dtype=np.int64)
        self.consumed = 0

    def block(self) -> np.ndarray:
        if self.pos >= self.perm.size:
            self.epoch += 1
            rng = np.random.default_rng([self.seed, name_key(self.docs.name), self.epoch, _PERMUTE])
            self.perm = rng.permutation(self.docs.documents)
            self.pos = 0
        return self.perm[self.pos : self.pos + BLOCK]


def take(
    cursor: Cursor,
    target: int,
    cap_tokens: float,
    rate: float,
    spm_share: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Documents for ``target`` emitted tokens: (rows, epochs, fim modes, emitted lengths)."""
    docs = cursor.docs
    out: list[tuple[np.ndarray, ...]] = []
    total = 0
    while total < target and docs.documents:
        rows = cursor.block()  # a view: swaps below reorder the permutation itself
        u, v = rng.random(rows.size), rng.random(rows.size)
        fim = np.where(
            docs.is_code[rows] & (u < rate), np.where(v < spm_share, FIM_SPM, FIM_PSM), 0
        )
        fim = fim.astype(np.int8)
        length = docs.tokens[rows] + FIM_EXTRA_TOKENS * (fim > 0)
        ends = total + np.cumsum(length)
        n = int(np.searchsorted(ends, target, side="left"))
        if n < rows.size:
            # The last document: whichever of the next LOOKAHEAD lands closest to the target
            # (or none), moved forward in the permutation; the others stay next in line.
            need = target - (int(ends[n - 1]) if n else total)
            errors = np.abs(length[n : n + LOOKAHEAD] - need)
            j = int(np.argmin(errors))
            if errors[j] < need:
                for a in (rows, fim, length):
                    a[n], a[n + j] = a[n + j], a[n]
                n += 1
        stored = docs.tokens[rows[:n]]
        # Never past the epoch cap (the plan keeps requests under it; this guards rounding).
        n = min(n, int(np.searchsorted(cursor.consumed + np.cumsum(stored), cap_tokens, "right")))
        out.append((rows[:n].copy(), np.full(n, cursor.epoch, np.int32), fim[:n], length[:n]))
        cursor.pos += n
        cursor.consumed += int(stored[:n].sum())
        total += int(length[:n].sum())
        if n < rows.size:
            break
    if not out:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.astype(np.int32), empty.astype(np.int8), empty
    return tuple(np.concatenate(parts) for parts in zip(*out, strict=True))  # type: ignore[return-value]


@dataclass
class PhaseSelection:
    name: str
    index: int
    source: np.ndarray  # int16 index into ``sources``
    row: np.ndarray  # int64 index into that source's SourceDocs arrays
    epoch: np.ndarray  # int32 epoch of the source the document was read in
    fim: np.ndarray  # int8 FIM_NONE / FIM_PSM / FIM_SPM
    length: np.ndarray  # int64 emitted tokens
    shard: np.ndarray  # int32 output shard
    sources: list[str]
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return int(self.length.sum())

    @property
    def num_shards(self) -> int:
        return int(self.shard.max()) + 1 if self.shard.size else 0


def _phase(
    phase: PhasePlan, plan: Plan, docs: dict[str, SourceDocs], cursors: dict[str, Cursor]
) -> PhaseSelection:
    names = list(plan.sources)
    parts = []
    stats: dict[str, dict[str, Any]] = {}
    for s, sp in phase.sources.items():
        cursor = cursors[s]
        avail = plan.sources[s]
        rng = np.random.default_rng([plan.seed, name_key(s), phase.index, _FIM])
        before = cursor.consumed
        rows, epochs, fim, length = take(
            cursor,
            sp.requested_tokens,
            avail.max_epochs * avail.tokens,
            phase.fim_rate,
            phase.spm_share,
            rng,
        )
        unique = docs[s].unique_tokens or 1
        stats[s] = {
            "documents": int(rows.size),
            "tokens": int(length.sum()),
            "planned_tokens": sp.requested_tokens,
            "planned_share": sp.share,
            "epochs_before": before / unique,
            "epochs_after": cursor.consumed / unique,
            "fim_psm": int((fim == FIM_PSM).sum()),
            "fim_spm": int((fim == FIM_SPM).sum()),
        }
        parts.append((np.full(rows.size, names.index(s), np.int16), rows, epochs, fim, length))
    if parts:
        source, row, epoch, fim, length = (np.concatenate(p) for p in zip(*parts, strict=True))
    else:
        source, row, epoch, fim, length = (
            np.zeros(0, dt) for dt in (np.int16, np.int64, np.int32, np.int8, np.int64)
        )
    order = np.random.default_rng([plan.seed, phase.index, _SHUFFLE]).permutation(row.size)
    source, row, epoch, fim, length = (
        source[order],
        row[order],
        epoch[order],
        fim[order],
        length[order],
    )
    starts = np.cumsum(length) - length
    # A document longer than a shard would leave a gap in the numbering: renumber densely.
    _, shard = np.unique(starts // plan.shard_tokens, return_inverse=True)
    total = int(length.sum())
    warnings = []
    for s, st in stats.items():
        st["share"] = st["tokens"] / total if total else 0.0
        if abs(st["share"] - st["planned_share"]) > SHARE_TOLERANCE:
            warnings.append(
                f"phase {phase.name}: source {s} got {st['share']:.2%} of the tokens, planned "
                f"{st['planned_share']:.2%} (documents too long for this budget?)"
            )
    return PhaseSelection(
        phase.name,
        phase.index,
        source,
        row,
        epoch,
        fim,
        length,
        shard.astype(np.int32),
        names,
        stats,
        warnings,
    )


def select_phases(plan: Plan, docs: dict[str, SourceDocs]) -> list[PhaseSelection]:
    """The selection of every phase, in order (phases share the sources' cursors)."""
    cursors = {s: Cursor(docs[s], plan.seed) for s in plan.sources}
    return [_phase(phase, plan, docs, cursors) for phase in plan.phases]

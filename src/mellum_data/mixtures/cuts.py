"""Every phase's cut of every source, in order, each cached under its phase hash.

A phase's cut (``PhaseCut``) is small: per source a few key ranges, the documents pulled
forward, the tally, and where the source's reading stands afterwards. It is saved as
``OUTPUT/selection/<phase>/cut.json``; a phase whose hash is unchanged reuses it, so changing
phase ``k`` re-reads sidecars only from phase ``k`` on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from mellum_data.mixtures.planner import PhasePlan, Plan
from mellum_data.mixtures.select import (
    Cursor,
    PhaseParams,
    SourceCut,
    SourceStream,
    share_warnings,
    tally_stats,
)
from mellum_data.mixtures.sources import Block, ShardRef, iter_blocks, source_shards
from mellum_data.mixtures.spec import MixtureSpec, SourceSpec


@dataclass
class PhaseCut:
    name: str
    index: int
    sha256: str
    sources: dict[str, SourceCut]
    cursors: dict[str, Cursor]  # every source's reading position after this phase
    warnings: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return sum(c.stats["tokens"] for c in self.sources.values())

    @property
    def documents(self) -> int:
        return sum(c.stats["documents"] for c in self.sources.values())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhaseCut:
        return cls(
            name=data["name"],
            index=data["index"],
            sha256=data["sha256"],
            sources={k: SourceCut.from_dict(v) for k, v in data["sources"].items()},
            cursors={k: Cursor(**v) for k, v in data["cursors"].items()},
            warnings=list(data.get("warnings", [])),
        )


# Bytes of per-document arrays (about 40 per document) kept in memory between the passes over
# sources' sidecars, for all sources together; past it, every pass reads the sidecars again.
CACHE_BYTES = 64 << 20


class _CachedBlocks:
    """A source's blocks: read from the sidecars on the first pass, kept for the next ones
    while the shared budget allows."""

    def __init__(self, refs: list[ShardRef], src: SourceSpec, budget: list[int]) -> None:
        self.refs, self.src, self.budget = refs, src, budget
        self.cache: list[Block] | None = None

    def __call__(self) -> Iterator[Block]:
        if self.cache is not None:
            yield from self.cache
            return
        kept: list[Block] | None = []
        used = 0
        for block in iter_blocks(self.refs, self.src):
            if kept is not None:
                arrays = (block.rows, block.tokens, block.offset, block.is_code, block.copies)
                size = sum(a.nbytes for a in arrays)
                if size <= self.budget[0]:
                    self.budget[0] -= size
                    used += size
                    kept.append(block)
                else:  # over budget: give back what this source took, read it every time
                    self.budget[0] += used
                    kept = None
            yield block
        self.cache = kept


def source_streams(spec: MixtureSpec, plan: Plan) -> dict[str, SourceStream]:
    budget = [CACHE_BYTES]
    return {
        name: SourceStream(
            name,
            _CachedBlocks(source_shards(name, src), src, budget),
            seed=plan.seed,
            copies=plan.sources[name].documents,
        )
        for name, src in spec.sources.items()
    }


def cut_phase(
    phase: PhasePlan, plan: Plan, streams: dict[str, SourceStream], cursors: dict[str, Cursor]
) -> PhaseCut:
    """Cut ``phase`` from the cursors (copied, not moved)."""
    after = {s: Cursor(c.epoch, c.lo, list(c.taken), c.consumed) for s, c in cursors.items()}
    params = PhaseParams(phase.index, phase.fim_rate, phase.spm_share)
    sources = {}
    for s, sp in phase.sources.items():
        avail = plan.sources[s]
        per_epoch = avail.tokens or 1
        before = after[s].consumed
        segments, tally = streams[s].advance(
            after[s], params, sp.requested_tokens, avail.max_epochs * avail.tokens
        )
        stats = {
            **tally_stats(tally),
            "planned_tokens": sp.requested_tokens,
            "planned_share": sp.share,
            "epochs_before": before / per_epoch,
            "epochs_after": after[s].consumed / per_epoch,
        }
        sources[s] = SourceCut(segments, stats)
    warnings = share_warnings(phase.name, {s: c.stats for s, c in sources.items()})
    return PhaseCut(phase.name, phase.index, phase.sha256, sources, after, warnings)


def cut_phases(
    spec: MixtureSpec,
    plan: Plan,
    cached: Callable[[PhasePlan], PhaseCut | None],
    *,
    upto: int | None = None,
) -> list[PhaseCut]:
    """The cuts of phases ``0..upto`` (default: all); ``cached(phase)`` returns a saved cut
    whose hash matches, or None."""
    last = len(plan.phases) - 1 if upto is None else upto
    cursors = {s: Cursor() for s in plan.sources}
    streams: dict[str, SourceStream] | None = None
    cuts = []
    for phase in plan.phases[: last + 1]:
        cut = cached(phase)
        if cut is None or cut.sha256 != phase.sha256:
            streams = streams or source_streams(spec, plan)
            cut = cut_phase(phase, plan, streams, cursors)
        cuts.append(cut)
        cursors = cut.cursors
    return cuts

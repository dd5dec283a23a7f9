"""The mixture plan: tokens per phase and source, and the epochs each source is taken.

Plain arithmetic over token counts (``counts.json`` or sidecars), done before any shard is
written: a source that cannot supply its share within its epoch cap stops the run here, with
the budget, weight or cap that would fit (as OLMo-core's source mixtures fail before training).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from mellum_data.errors import DataError
from mellum_data.mixtures.sources import source_counts, source_size
from mellum_data.mixtures.spec import MixtureSpec, PhaseSpec, SourceSpec
from mellum_data.tokenize.manifest import TokenizerInfo
from mellum_data.tokenize.tokenizer import read_tokenizer_json, tokenizer_identity

# Slack for floating-point epoch arithmetic.
EPS = 1e-9
# Part of every phase hash: bump it when the selection or the shard layout changes, so that
# phases emitted by older code are rewritten.
SELECTION_VERSION = 2


def fmt_tokens(n: float) -> str:
    """3 significant digits with a K/M/B/T suffix (exact below 10,000)."""
    if abs(n) < 10_000:
        return f"{n:,.0f}"
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:.0f}"


@dataclass
class SourceAvailability:
    name: str
    path: str
    tokens: int  # in one epoch: each document times its copies (rehydration)
    documents: int  # in one epoch
    max_epochs: float
    unique_tokens: int
    unique_documents: int
    data_sha256: str  # of the shard checksums in its folders' counts.json


@dataclass
class SourcePhasePlan:
    source: str
    key: str  # the weight key it came from: itself or its group
    share: float
    requested_tokens: int
    epochs_before: float
    epochs_after: float


@dataclass
class PhasePlan:
    name: str
    index: int
    tokens: int
    fim_rate: float
    spm_share: float
    sources: dict[str, SourcePhasePlan]
    sha256: str  # see ``phase_hashes``


@dataclass
class Plan:
    spec_sha256: str
    seed: int
    sequence_length: int
    shard_tokens: int
    tokenizer: TokenizerInfo
    sources: dict[str, SourceAvailability]
    phases: list[PhasePlan]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        lines = [
            f"mixture plan: seed {self.seed}, sequence length {self.sequence_length}, "
            f"tokenizer {self.tokenizer.name}@{self.tokenizer.id}",
            "",
            f"  {'source':<16}{'tokens/epoch':>15}{'documents':>12}{'max epochs':>12}  path",
        ]
        for s in self.sources.values():
            rehydrated = (
                f" (rehydrated from {fmt_tokens(s.unique_tokens)} unique)"
                if s.tokens != s.unique_tokens or s.documents != s.unique_documents
                else ""
            )
            lines.append(
                f"  {s.name:<16}{fmt_tokens(s.tokens):>15}{s.documents:>12,}"
                f"{s.max_epochs:>12g}  {s.path}{rehydrated}"
            )
        for p in self.phases:
            fim = (
                f"FIM {p.fim_rate:.0%} of code (SPM {p.spm_share:.0%})" if p.fim_rate else "no FIM"
            )
            lines += [
                "",
                f"phase {p.index + 1}/{len(self.phases)} {p.name}: "
                f"{fmt_tokens(p.tokens)} tokens, {fim}",
            ]
            lines.append(f"  {'source':<16}{'share':>9}{'tokens':>12}{'epochs':>18}")
            for sp in p.sources.values():
                epochs = f"{sp.epochs_before:.2f} -> {sp.epochs_after:.2f}"
                lines.append(
                    f"  {sp.source:<16}{sp.share:>9.2%}{fmt_tokens(sp.requested_tokens):>12}"
                    f"{epochs:>18}"
                )
        if self.warnings:
            lines += ["", "warnings:"] + [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def split_integer(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` into integers summing to ``total``
    (largest remainder; ties go to the earlier key)."""
    norm = sum(weights.values())
    exact = {k: total * w / norm for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for k in sorted(exact, key=lambda k: out[k] - exact[k])[:left]:
        out[k] += 1
    return out


def _availability(spec: MixtureSpec) -> tuple[dict[str, SourceAvailability], TokenizerInfo]:
    infos: dict[str, TokenizerInfo] = {}
    out = {}
    for name, src in spec.sources.items():
        counts = source_counts(src)
        for folder, c in counts:
            infos[f"{name} ({folder})"] = c.tokenizer
        size = source_size(src)
        listing = [[folder, [[s.path, s.sha256] for s in c.shards]] for folder, c in counts]
        out[name] = SourceAvailability(
            name,
            src.path,
            size.tokens,
            size.documents,
            spec.max_epochs_of(name),
            size.unique_tokens,
            size.unique_documents,
            hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest(),
        )
    ids = {i.id for i in infos.values()}
    if len(ids) > 1:
        listing = "; ".join(f"{k}: {v.id}" for k, v in infos.items())
        raise DataError(f"{spec.where('sources')}: sources use different tokenizers: {listing}")
    tokenizer = next(iter(infos.values()))
    if spec.tokenizer:
        expected = spec.tokenizer
        if expected.endswith(".json"):
            expected = tokenizer_identity(read_tokenizer_json(expected))
        if expected != tokenizer.id:
            raise DataError(
                f"{spec.where('tokenizer')}: sources are tokenized with {tokenizer.id}, "
                f"the spec expects {expected}"
            )
    return out, tokenizer


def phase_hashes(
    spec: MixtureSpec, avail: dict[str, SourceAvailability], tokenizer: TokenizerInfo
) -> list[str]:
    """Per phase, a hash of everything its shards depend on: the global settings, every
    source (spec and data), the tokenizer, and this phase and all earlier ones (they decide
    where each source's reading stands when the phase starts). Later phases do not count, so
    changing phase k leaves the hashes of phases before k, and their shards, as they are."""
    # Formats are exports of the shards, not part of them.
    settings = spec.model_dump(mode="json", exclude={"phases", "sources", "tokenizer", "formats"})
    sources = {
        name: {**src.model_dump(mode="json"), "data": avail[name].data_sha256}
        for name, src in spec.sources.items()
    }
    common = {
        "version": SELECTION_VERSION,
        "settings": settings,
        "sources": sources,
        "tokenizer": tokenizer.id,
    }
    out = []
    for i in range(len(spec.phases)):
        phases = [p.model_dump(mode="json") for p in spec.phases[: i + 1]]
        text = json.dumps({**common, "phases": phases}, sort_keys=True, separators=(",", ":"))
        out.append(hashlib.sha256(text.encode()).hexdigest())
    return out


def _phase_requests(
    spec: MixtureSpec, phase: PhaseSpec, avail: dict[str, SourceAvailability], index: int
) -> tuple[dict[str, int], dict[str, str], dict[str, float]]:
    """Requested tokens per source, the key each came from, and its fraction of that key."""
    values: dict[str, float] = {}
    key_of: dict[str, str] = {}
    fraction: dict[str, float] = {}
    for key, value in phase.requests().items():
        members = spec.members(key)
        if any(w is None for w in members.values()):
            total = sum(avail[m].tokens for m in members)
            if total == 0 and value > 0:
                raise DataError(f"{spec.where('groups', key)}: group {key!r} has no tokens")
            weights = {m: avail[m].tokens / total if total else 0.0 for m in members}
        else:
            norm = sum(members.values())
            weights = {m: w / norm for m, w in members.items()}  # type: ignore[operator]
        for m, f in weights.items():
            values[m], key_of[m], fraction[m] = value * f, key, f
    if phase.weights is not None:
        requested = split_integer(phase.budget, values)
    else:
        requested = {}
        for key, value in phase.requests().items():
            mine = {m: values[m] for m in values if key_of[m] == key}
            requested.update(split_integer(int(value), mine) if value else dict.fromkeys(mine, 0))
    for s, r in requested.items():
        if r > 0 and avail[s].tokens == 0:
            raise DataError(
                f"{spec.where('phases', index)}: phase {phase.name!r} asks source {s!r} for "
                f"{fmt_tokens(r)} tokens but it has none ({avail[s].path})"
            )
    return requested, key_of, fraction


def _exhausted(
    spec: MixtureSpec,
    phase: PhaseSpec,
    index: int,
    source: str,
    key: str,
    fraction: float,
    requested: int,
    used: int,
    avail: SourceAvailability,
) -> DataError:
    cap = avail.max_epochs
    allowed = max(0, math.floor(cap * avail.tokens) - used)
    after = (used + requested) / avail.tokens
    fits = []
    if phase.weights is not None:
        share = requested / phase.budget
        fits.append(f"phases[{index}].tokens <= {fmt_tokens(math.floor(allowed / share))}")
        a = allowed / phase.budget
        total = sum(phase.weights.values())
        if fraction > a:
            max_w = a * (total - phase.weights[key]) / (fraction - a)
            fits.append(f"weights.{key} <= {max_w:.4g} (now {phase.weights[key]:g})")
    else:
        fits.append(f"tokens_per_source.{key} <= {fmt_tokens(math.floor(allowed / fraction))}")
    fits.append(f"sources.{source}.max_epochs >= {math.ceil(after * 100) / 100:g}")
    field = "weights" if phase.weights is not None else "tokens_per_source"
    kind = "unique tokens" if avail.tokens == avail.unique_tokens else "tokens per rehydrated epoch"
    return DataError(
        f"{spec.where('phases', index, field, key)}: phase {phase.name!r}: source {source!r} "
        f"cannot supply {fmt_tokens(requested)} tokens within its cap of {cap:g} epochs: it has "
        f"{fmt_tokens(avail.tokens)} {kind} and earlier phases used "
        f"{fmt_tokens(used)}, so it would reach {after:.2f} epochs (short by "
        f"{fmt_tokens(requested - allowed)} tokens). It fits with " + ", or ".join(fits)
    )


def make_plan(spec: MixtureSpec) -> Plan:
    """Plan every phase; raises ``DataError`` when a source would exceed its epoch cap."""
    avail, tokenizer = _availability(spec)
    hashes = phase_hashes(spec, avail, tokenizer)
    used = dict.fromkeys(spec.sources, 0)
    warnings: list[str] = []
    phases = []
    for index, phase in enumerate(spec.phases):
        requested, key_of, fraction = _phase_requests(spec, phase, avail, index)
        plans = {}
        for s, r in requested.items():
            a = avail[s]
            if r and (used[s] + r) > a.max_epochs * a.tokens + EPS:
                raise _exhausted(spec, phase, index, s, key_of[s], fraction[s], r, used[s], a)
            before = used[s] / a.tokens if a.tokens else 0.0
            after = (used[s] + r) / a.tokens if a.tokens else 0.0
            if r and after > 1 + EPS:
                within = " (within this phase)" if r > a.tokens else ""
                warnings.append(
                    f"phase {phase.name}: source {s} repeats{within}: "
                    f"epochs {before:.2f} -> {after:.2f}"
                )
            share = r / phase.budget if phase.budget else 0.0
            plans[s] = SourcePhasePlan(s, key_of[s], share, r, before, after)
            used[s] += r
        phases.append(
            PhasePlan(
                phase.name,
                index,
                phase.budget,
                phase.fim.rate,
                phase.fim.spm_share,
                plans,
                hashes[index],
            )
        )
    warnings += _shared_folder_warnings(spec)
    return Plan(
        spec_sha256=spec.sha256(),
        seed=spec.seed,
        sequence_length=spec.sequence_length,
        shard_tokens=spec.shard_tokens,
        tokenizer=tokenizer,
        sources=avail,
        phases=phases,
        warnings=warnings,
    )


def _disjoint(a: SourceSpec, b: SourceSpec) -> bool:
    """Whether two selections over the same folder can never match the same document."""
    sel_a = a.select.fields() if a.select else {}
    sel_b = b.select.fields() if b.select else {}
    exc_a = a.exclude.fields() if a.exclude else {}
    exc_b = b.exclude.fields() if b.exclude else {}
    for f, values in sel_a.items():
        if f in sel_b and not set(values) & set(sel_b[f]):
            return True
        if set(values) <= set(exc_b.get(f, [])):
            return True
    return any(set(values) <= set(exc_a.get(f, [])) for f, values in sel_b.items())


def _shared_folder_warnings(spec: MixtureSpec) -> list[str]:
    names = list(spec.sources)
    out = []
    for i, x in enumerate(names):
        for y in names[i + 1 :]:
            a, b = spec.sources[x], spec.sources[y]
            if a.path.rstrip("/") == b.path.rstrip("/") and not _disjoint(a, b):
                out.append(
                    f"sources {x} and {y} read the same folder {a.path} with overlapping "
                    "selections: a document may be drawn by both"
                )
    return out

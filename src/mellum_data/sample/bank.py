"""Banks of hand-written code units, dealt into the source files of the permissive repositories.

A unit is one function or class (or a few that belong together) with the imports it needs and
a few identifier choices. A repository takes units from its language's bank and writes one
module per unit, now and then two units to a module, under a header that says what the file
holds. So a repository has many realistic files without each being written by hand.

Within a replica every unit is used at most once: two repositories of one language take
disjoint parts of the bank. Files that shared a unit would be half-duplicates, and MinHash
deduplication (word 5-grams, 14 bands of 8 hashes) removes even 50 %-similar pairs now and
then. Replicas of a scale above 1 reuse the bank, as they reuse every other template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mellum_data.sample.repo_context import RepoContext
from mellum_data.sample.templating import fill

PAIR_EVERY = 4  # every fourth file holds two units; the others one


@dataclass(frozen=True)
class Unit:
    key: str  # identifier of the unit and its file stem when it leads a file
    summary: str  # noun phrase for the file header, e.g. "edit distance between strings"
    body: str  # the code, with {{slots}}
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    imports: tuple[str, ...] = ()  # as the language writes them (modules, headers, use lines)
    exports: tuple[str, ...] = ()  # JavaScript export names; C prototypes for the header


@dataclass(frozen=True)
class Bank:
    lang: str
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Filled:
    """A file's units, with their slots filled."""

    stem: str
    summaries: tuple[str, ...]
    bodies: tuple[str, ...]
    imports: tuple[str, ...]  # sorted, without repeats
    exports: tuple[str, ...]


def deal(ctx: RepoContext, bank: Bank, n_units: int | None = None) -> list[list[Unit]]:
    """Take ``n_units`` units of the bank that this replica has not used yet (all that are
    left by default) and group them into files.

    Which units, and in which order, is random; how many files there are depends only on
    ``n_units`` and the bank, so that every replica has the same file counts.
    """
    pool = [u for u in bank.units if (bank.lang, u.key) not in ctx.used_units]
    ctx.rng.shuffle(pool)
    take = pool if n_units is None else pool[:n_units]
    ctx.used_units.update((bank.lang, u.key) for u in take)
    files: list[list[Unit]] = []
    i = 0
    while i < len(take):
        k = 2 if len(files) % PAIR_EVERY == PAIR_EVERY - 1 else 1
        files.append(take[i : i + k])
        i += k
    return files


def filled(ctx: RepoContext, bank: Bank, n_units: int | None = None) -> list[Filled]:
    """Deal the bank and fill each unit's slots (repository names plus its own choices)."""
    base = {
        "name": ctx.name,
        "pkg": ctx.pkg,
        "Pkg": ctx.Pkg,
        "PREFIX": ctx.pkg.upper(),
        "prefix": ctx.pkg,
    }
    out: list[Filled] = []
    stems: set[str] = set()
    for units in deal(ctx, bank, n_units):
        bodies, imports, exports = [], set(), []
        for unit in units:
            values = base | {k: ctx.rng.choice(v) for k, v in sorted(unit.choices.items())}
            bodies.append(fill(unit.body, values).strip("\n"))
            imports.update(fill(i, values) for i in unit.imports)
            exports.extend(fill(e, values) for e in unit.exports)
        stem = next((u.key for u in units if u.key not in stems), f"{units[0].key}_{len(stems)}")
        stems.add(stem)
        out.append(
            Filled(
                stem,
                tuple(u.summary for u in units),
                tuple(bodies),
                tuple(sorted(imports)),
                tuple(exports),
            )
        )
    return out


HEADINGS = (
    "{S}.",
    "{S}.",
    "Helpers for {s}.",
    "{S}, as used across {name}.",
    "{S}.\n\nNo dependencies beyond the standard library, so the file can be copied as it is.",
    "{S}.\n\nKept small on purpose: read it top to bottom before changing it.",
)


def heading(ctx: RepoContext, summaries: tuple[str, ...]) -> str:
    """A header sentence naming what the file holds: "A, b and c." in one of a few phrasings."""
    s = summaries[0] if len(summaries) == 1 else ", ".join(summaries[:-1]) + " and " + summaries[-1]
    text = ctx.rng.choice(HEADINGS).replace("{S}", s[0].upper() + s[1:])
    return text.replace("{s}", s).replace("{name}", ctx.name)


def block_comment(text: str, style: str) -> str:
    """``text`` as a comment: ``//``, ``//!``, ``#`` lines, or a ``/** ... */`` block."""
    lines = text.split("\n")
    if style == "/**":
        return "/**\n" + "".join(f" * {line}".rstrip() + "\n" for line in lines) + " */\n"
    return "".join(f"{style} {line}".rstrip() + "\n" for line in lines)


def join_bodies(bodies: tuple[str, ...], gap: str = "\n\n") -> str:
    """The units' code, separated by blank lines, ending in a newline."""
    return gap.join(bodies) + "\n"

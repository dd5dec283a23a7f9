"""What every repository generator gets: names, an owner, and a data entity to write code about."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from mellum_data.sample.templating import pascal, snake


@dataclass(frozen=True)
class Entity:
    name: str  # words, e.g. "weather station"
    plural: str
    fields: tuple[tuple[str, str], ...]  # (name in words, "str" | "int" | "float" | "bool")

    @property
    def cls(self) -> str:
        return pascal(self.name)

    @property
    def var(self) -> str:
        return snake(self.name)

    @property
    def vars(self) -> str:
        return snake(self.plural)

    def sample_value(self, field: str, kind: str, i: int) -> str:
        """A literal of the field's type, the same in every language (strings in double quotes)."""
        if kind == "str":
            return f'"{snake(field)}-{i}"'
        if kind == "int":
            return str(7 * i + 3)
        if kind == "float":
            return f"{2.5 * i + 0.25}"
        return "true" if i % 2 else "false"


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "book", "books", (("title", "str"), ("author", "str"), ("year", "int"), ("rating", "float"))
    ),
    Entity(
        "sensor",
        "sensors",
        (("name", "str"), ("location", "str"), ("reading", "float"), ("active", "bool")),
    ),
    Entity(
        "invoice",
        "invoices",
        (("number", "str"), ("customer", "str"), ("amount", "float"), ("paid", "bool")),
    ),
    Entity(
        "recipe",
        "recipes",
        (("name", "str"), ("servings", "int"), ("minutes", "int"), ("vegetarian", "bool")),
    ),
    Entity(
        "ticket",
        "tickets",
        (("title", "str"), ("priority", "int"), ("assignee", "str"), ("closed", "bool")),
    ),
    Entity(
        "station",
        "stations",
        (("code", "str"), ("city", "str"), ("latitude", "float"), ("longitude", "float")),
    ),
    Entity(
        "track",
        "tracks",
        (("title", "str"), ("artist", "str"), ("duration", "int"), ("rating", "float")),
    ),
    Entity(
        "package",
        "packages",
        (("name", "str"), ("version", "str"), ("downloads", "int"), ("deprecated", "bool")),
    ),
    Entity(
        "order",
        "orders",
        (("customer", "str"), ("total", "float"), ("items", "int"), ("shipped", "bool")),
    ),
    Entity(
        "plant",
        "plants",
        (("species", "str"), ("bed", "str"), ("height", "float"), ("perennial", "bool")),
    ),
    Entity(
        "course",
        "courses",
        (("title", "str"), ("teacher", "str"), ("credits", "int"), ("online", "bool")),
    ),
    Entity(
        "flight",
        "flights",
        (("number", "str"), ("origin", "str"), ("delay", "int"), ("cancelled", "bool")),
    ),
)

PREFIXES = (
    "tiny",
    "quick",
    "micro",
    "plain",
    "little",
    "open",
    "swift",
    "neat",
    "simple",
    "bright",
    "calm",
    "lean",
    "pocket",
    "sturdy",
    "humble",
    "nimble",
    "quiet",
    "rapid",
)
NOUNS = (
    "ledger",
    "queue",
    "parse",
    "stack",
    "graph",
    "lex",
    "ini",
    "hash",
    "depot",
    "shelf",
    "relay",
    "pulse",
    "forge",
    "cache",
    "batch",
    "sieve",
    "beacon",
    "atlas",
    "quill",
    "harbor",
    "lantern",
    "orbit",
)
OWNERS = (
    "Maya Lindqvist",
    "Tomasz Nowak",
    "Priya Raman",
    "Daniel Okafor",
    "Grace Whitfield",
    "Owen Harper",
    "Lena Hoffmann",
    "Samuel Adeyemi",
    "Ruth Castellano",
    "Kenji Watanabe",
    "Amara Mensah",
    "Felix Brandt",
    "Nora Delaney",
    "Isaac Moreau",
    "Hannah Kowalski",
    "Jonas Berg",
    "Elif Demir",
    "Marcus Thorne",
)


@dataclass
class RepoContext:
    rng: Random
    name: str  # directory and package name, e.g. "tinyledger"
    owner: str
    year: int
    entity: Entity
    license: str | None  # the SPDX expression the repository is under, None for no license
    description: str = ""
    # (language, unit) pairs of the code bank used so far in this replica (see bank.py).
    used_units: set[tuple[str, str]] = field(default_factory=set)

    @property
    def pkg(self) -> str:
        return self.name.replace("-", "_")

    @property
    def handle(self) -> str:
        return self.owner.split()[0].lower() + self.owner.split()[1][0].lower()

    @property
    def Pkg(self) -> str:  # the PascalCase form, as templates spell it
        return pascal(self.name.replace("-", " "))


def new_context(
    rng: Random,
    taken: set[str],
    license: str | None,
    used_units: set[tuple[str, str]] | None = None,
) -> RepoContext:
    name = rng.choice(PREFIXES) + rng.choice(NOUNS)
    base, n = name, 2
    while name in taken:  # large scales run out of pairs: number them
        name, n = (rng.choice(PREFIXES) + rng.choice(NOUNS) if n < 40 else f"{base}{n}"), n + 1
    taken.add(name)
    return RepoContext(
        rng=rng,
        name=name,
        owner=rng.choice(OWNERS),
        year=rng.randint(2015, 2024),
        entity=rng.choice(ENTITIES),
        license=license,
        used_units=set() if used_units is None else used_units,
    )


SPECIAL_KINDS = ("generated", "minified", "data", "syntax_error", "binary", "non_utf8", "vendored")


@dataclass
class Generated:
    """A repository's files (text or bytes) and the paths of its special files, by kind."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    special: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in SPECIAL_KINDS})

    def add(self, path: str, content: str | bytes, kind: str | None = None) -> None:
        self.files[path] = content
        if kind is not None:
            self.special[kind].append(path)

    def add_new(self, path: str, content: str | bytes) -> None:
        """Add a file that must not replace one already there."""
        if path in self.files:
            raise ValueError(f"generated twice: {path}")
        self.add(path, content)

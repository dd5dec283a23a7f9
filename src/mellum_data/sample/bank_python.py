"""Python units for the code bank (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, filled, heading, join_bodies
from mellum_data.sample.bank_python_more import (
    CLI,
    DIJKSTRA,
    ENV_CONFIG,
    HASHRING,
    RETRY,
    RLE,
    SLUG,
    WSGI,
)
from mellum_data.sample.repo_context import Generated, RepoContext

EDIT_DISTANCE = Unit(
    "edit_distance",
    "edit distance between strings and closest-match suggestions",
    '''def {{lev}}(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions, each costing one."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,  # deletion
                    current[j - 1] + 1,  # insertion
                    previous[j - 1] + (ca != cb),  # substitution
                )
            )
        previous = current
    return previous[-1]


def {{suggest}}(word: str, candidates: Iterable[str], max_distance: int = {{maxd}}) -> list[str]:
    """Candidates within ``max_distance`` edits of ``word``, closest first, ties alphabetical.

    Used to turn "unknown command 'stauts'" into "did you mean 'status'?".
    """
    scored = []
    for candidate in candidates:
        edits = {{lev}}(word.lower(), candidate.lower())
        if edits <= max_distance:
            scored.append((edits, candidate))
    return [candidate for _, candidate in sorted(scored)]
''',
    {
        "lev": ("levenshtein", "edit_distance", "distance"),
        "suggest": ("suggest", "closest_matches", "did_you_mean"),
        "maxd": ("2", "3"),
    },
    ("from collections.abc import Iterable",),
)

TOPOSORT = Unit(
    "toposort",
    "dependency ordering with cycle detection",
    '''class CycleError(ValueError):
    """Raised when the dependencies loop back on themselves."""

    def __init__(self, nodes: list[str]) -> None:
        super().__init__("dependency cycle among: " + ", ".join(sorted(nodes)))
        self.nodes = nodes


def {{order}}({{deps}}: Mapping[str, Iterable[str]]) -> list[str]:
    """Order the keys so that each comes after everything it depends on (Kahn's algorithm).

    Nodes that only appear as dependencies are included. Among nodes that are ready at the
    same time the alphabetical order is kept, so the result is stable between runs.
    """
    graph: dict[str, set[str]] = defaultdict(set)
    indegree: dict[str, int] = defaultdict(int)
    for node, requirements in {{deps}}.items():
        indegree.setdefault(node, 0)
        for requirement in requirements:
            if node not in graph[requirement]:
                graph[requirement].add(node)
                indegree[node] += 1
            indegree.setdefault(requirement, 0)
    ready = sorted(n for n, d in indegree.items() if d == 0)
    ordered: list[str] = []
    while ready:
        node = ready.pop(0)
        ordered.append(node)
        for dependent in sorted(graph[node]):
            indegree[dependent] -= 1
            if indegree[dependent] == 0:
                ready.append(dependent)
        ready.sort()
    if len(ordered) != len(indegree):
        raise CycleError([n for n, d in indegree.items() if d > 0])
    return ordered
''',
    {
        "order": ("topological_order", "build_order", "toposort"),
        "deps": ("deps", "requires", "graph"),
    },
    ("from collections import defaultdict", "from collections.abc import Iterable, Mapping"),
)

TRIE = Unit(
    "trie",
    "a prefix tree for autocompletion",
    '''class {{Trie}}:
    """A prefix tree of words; ``complete`` lists the stored words that start with a prefix."""

    __slots__ = ("children", "terminal", "count")

    def __init__(self) -> None:
        self.children: dict[str, {{Trie}}] = {}
        self.terminal = False
        self.count = 0  # words stored at or below this node

    def insert(self, word: str) -> bool:
        """Add ``word``; returns False when it was already there."""
        if word in self:
            return False
        node = self
        node.count += 1
        for char in word:
            node = node.children.setdefault(char, {{Trie}}())
            node.count += 1
        node.terminal = True
        return True

    def _find(self, prefix: str) -> {{Trie}} | None:
        node = self
        for char in prefix:
            node = node.children.get(char)
            if node is None:
                return None
        return node

    def __contains__(self, word: str) -> bool:
        node = self._find(word)
        return node is not None and node.terminal

    def count_prefix(self, prefix: str) -> int:
        node = self._find(prefix)
        return node.count if node else 0

    def complete(self, prefix: str, limit: int = {{limit}}) -> list[str]:
        """Up to ``limit`` stored words starting with ``prefix``, in alphabetical order."""
        start = self._find(prefix)
        found: list[str] = []
        stack = [(start, prefix)] if start else []
        while stack and len(found) < limit:
            node, text = stack.pop()
            if node.terminal:
                found.append(text)
            for char in sorted(node.children, reverse=True):
                stack.append((node.children[char], text + char))
        return found
''',
    {"Trie": ("Trie", "PrefixTree", "WordTrie"), "limit": ("10", "20", "8")},
)

CSV_LINE = Unit(
    "csvline",
    "splitting of quoted CSV lines",
    '''def {{split}}(line: str, sep: str = "{{sep}}") -> list[str]:
    """Split one CSV line, honouring double quotes and doubled quotes inside them.

    The standard ``csv`` module wants a file object; this works on lines that arrive one by
    one from a socket or a log tail.
    """
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(line):
        char = line[i]
        if quoted:
            if char == '"' and i + 1 < len(line) and line[i + 1] == '"':
                current.append('"')
                i += 1
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = True
        elif char == sep:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if quoted:
        raise ValueError(f"unterminated quote in line: {line[:40]!r}")
    fields.append("".join(current))
    return fields


def {{records}}(lines: Iterable[str], sep: str = "{{sep}}") -> Iterator[dict[str, str]]:
    """Yield one dict per data line, keyed by the header line's column names."""
    it = iter(lines)
    header = {{split}}(next(it).rstrip("\\r\\n"), sep)
    for number, line in enumerate(it, start=2):
        if not line.strip():
            continue
        values = {{split}}(line.rstrip("\\r\\n"), sep)
        if len(values) != len(header):
            raise ValueError(f"line {number}: {len(values)} fields, header has {len(header)}")
        yield dict(zip(header, values, strict=True))
''',
    {
        "split": ("split_csv_line", "split_fields", "parse_line"),
        "records": ("read_records", "iter_rows", "records"),
        "sep": (",", ";"),
    },
    ("from collections.abc import Iterable, Iterator",),
)

DURATION = Unit(
    "durations",
    "parsing and formatting of human-readable durations",
    '''_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_PART = re.compile(r"(\\d+(?:\\.\\d+)?)(ms|d|h|m|s)")


def {{parse}}(text: str) -> float:
    """Seconds in a duration such as ``"1h30m"``, ``"90s"`` or ``"2.5d"``.

    A bare number is taken as seconds, so config files written before units existed still work.
    """
    text = text.strip().lower().replace(" ", "")
    if not text:
        raise ValueError("empty duration")
    try:
        return float(text)
    except ValueError:
        pass
    total, pos = 0.0, 0
    for match in _PART.finditer(text):
        if match.start() != pos:
            raise ValueError(f"bad duration {text!r} at position {pos}")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        raise ValueError(f"bad duration {text!r} at position {pos}")
    return total


def {{format}}(seconds: float) -> str:
    """The inverse of parsing, rounded to whole seconds: ``5400`` -> ``"1h30m"``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    remaining = int(round(seconds))
    parts = []
    for name, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, remaining = divmod(remaining, size)
        if amount:
            parts.append(f"{amount}{name}")
    return "".join(parts)
''',
    {"parse": ("parse_duration", "to_seconds"), "format": ("format_duration", "humanize")},
    ("import re",),
)

INTERVALS = Unit(
    "intervals",
    "merging of overlapping intervals",
    '''Interval = tuple[float, float]


def {{merge}}(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching ``(start, end)`` intervals; the result is sorted."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if start > end:
            raise ValueError(f"interval ends before it starts: ({start}, {end})")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def {{covered}}(intervals: Iterable[Interval]) -> float:
    """Total length covered by the intervals, counting overlaps once."""
    return sum(end - start for start, end in {{merge}}(intervals))


def {{gaps}}(intervals: Iterable[Interval], lo: float, hi: float) -> list[Interval]:
    """The parts of ``[lo, hi]`` that no interval covers, e.g. free slots in a calendar."""
    free: list[Interval] = []
    cursor = lo
    for start, end in {{merge}}(intervals):
        if end <= lo or start >= hi:
            continue
        if start > cursor:
            free.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < hi:
        free.append((cursor, hi))
    return free


def {{intersect}}(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """Parts covered by both lists, e.g. when two people are both available (two pointers)."""
    xs, ys = {{merge}}(a), {{merge}}(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        start = max(xs[i][0], ys[j][0])
        end = min(xs[i][1], ys[j][1])
        if start < end:
            out.append((start, end))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out
''',
    {
        "merge": ("merge_intervals", "merge", "coalesce"),
        "covered": ("covered_length", "total_covered"),
        "gaps": ("find_gaps", "free_slots", "uncovered"),
        "intersect": ("intersect", "common_slots", "overlap"),
    },
    ("from collections.abc import Iterable",),
)

BLOOM = Unit(
    "bloom",
    "a Bloom filter for cheap membership tests",
    '''class {{Bloom}}:
    """A set that may answer "maybe" for items never added, but never misses an added one.

    Sized from the expected number of items and the false-positive rate one accepts; the
    usual formulas give the bit count and the number of hash functions.
    """

    def __init__(self, expected: int, error_rate: float = {{rate}}) -> None:
        if expected <= 0 or not 0 < error_rate < 1:
            raise ValueError("need expected > 0 and 0 < error_rate < 1")
        self.size = max(8, int(-expected * math.log(error_rate) / math.log(2) ** 2))
        self.hashes = max(1, round(self.size / expected * math.log(2)))
        self.bits = bytearray((self.size + 7) // 8)
        self.added = 0

    def _positions(self, item: str) -> Iterator[int]:
        # Double hashing: two halves of one digest stand in for k independent hashes.
        digest = hashlib.blake2b(item.encode("utf-8"), digest_size=16).digest()
        h1 = int.from_bytes(digest[:8], "little")
        h2 = int.from_bytes(digest[8:], "little") | 1
        for i in range(self.hashes):
            yield (h1 + i * h2) % self.size

    def add(self, item: str) -> None:
        for pos in self._positions(item):
            self.bits[pos >> 3] |= 1 << (pos & 7)
        self.added += 1

    def __contains__(self, item: str) -> bool:
        return all(self.bits[pos >> 3] & (1 << (pos & 7)) for pos in self._positions(item))

    def estimated_error(self) -> float:
        """False-positive rate expected after ``self.added`` insertions."""
        return (1 - math.exp(-self.hashes * self.added / self.size)) ** self.hashes
''',
    {"Bloom": ("BloomFilter", "Bloom", "ApproximateSet"), "rate": ("0.01", "0.001", "0.02")},
    ("import hashlib", "import math", "from collections.abc import Iterator"),
)

PERCENTILES = Unit(
    "percentiles",
    "percentiles and fixed-width histograms",
    '''def {{pct}}(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be in [0, 100], got {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def {{hist}}(values: Sequence[float], bins: int = {{bins}}) -> list[tuple[float, float, int]]:
    """Counts in ``bins`` equal-width bins spanning the data, as (low, high, count)."""
    if bins < 1:
        raise ValueError("bins must be positive")
    lo, hi = min(values), max(values)
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(int((value - lo) / width), bins - 1)] += 1
    return [(lo + i * width, lo + (i + 1) * width, c) for i, c in enumerate(counts)]


def {{bars}}(rows: list[tuple[float, float, int]], width: int = 40) -> str:
    """A text rendering of a histogram, one line per bin, for terminals and logs."""
    peak = max((c for _, _, c in rows), default=0) or 1
    lines = []
    for low, high, count in rows:
        bar = "#" * round(width * count / peak)
        lines.append(f"{low:10.2f} .. {high:10.2f} | {bar} {count}")
    return "\\n".join(lines)
''',
    {
        "pct": ("percentile", "quantile"),
        "hist": ("histogram", "bin_counts"),
        "bars": ("render_histogram", "ascii_histogram"),
        "bins": ("10", "12", "20"),
    },
    ("import math", "from collections.abc import Sequence"),
)

UNITS = (
    EDIT_DISTANCE,
    TOPOSORT,
    TRIE,
    CSV_LINE,
    DURATION,
    INTERVALS,
    BLOOM,
    PERCENTILES,
    CLI,
    WSGI,
    DIJKSTRA,
    HASHRING,
    RETRY,
    ENV_CONFIG,
    SLUG,
    RLE,
)
BANK = Bank("python", UNITS)


def import_lines(imports: tuple[str, ...]) -> list[str]:
    """``import x`` lines, then one ``from m import a, b`` line per module, all sorted."""
    plain = sorted({i for i in imports if i.startswith("import ")})
    names: dict[str, set[str]] = {}
    for line in imports:
        if line.startswith("from "):
            module, _, items = line[5:].partition(" import ")
            names.setdefault(module, set()).update(n.strip() for n in items.split(","))
    froms = [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(names.items())]
    return plain + froms


def render(ctx: RepoContext, f: Filled) -> str:
    """A module: docstring, ``from __future__`` import, imports (plain before ``from``), code."""
    doc = heading(ctx, f.summaries)
    doc = f'"""{doc}"""\n' if "\n" not in doc else f'"""{doc}\n"""\n'
    lines = import_lines(f.imports)
    imports = "\n".join(["from __future__ import annotations", *([""] if lines else []), *lines])
    # isort's spacing: two blank lines before a def or class, one before other statements.
    gap = "\n\n\n" if f.bodies[0].startswith(("def ", "class ", "@")) else "\n\n"
    return f"{doc}\n{imports}{gap}" + join_bodies(f.bodies, "\n\n\n")


def add_modules(
    ctx: RepoContext, out: Generated, package_dir: str, n_units: int | None = None
) -> list[str]:
    """Deal the bank into ``package_dir/<stem>.py`` files; returns the module names."""
    stems = []
    for f in filled(ctx, BANK, n_units):
        out.add_new(f"{package_dir}/{f.stem}.py", render(ctx, f))
        stems.append(f.stem)
    return stems

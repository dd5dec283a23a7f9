"""Python units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

CLI = Unit(
    "cli",
    "the command-line interface",
    """def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="{{name}}", description="{{name}} command-line tool")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more output; repeat for debug")
    commands = parser.add_subparsers(dest="command", required=True)

    count = commands.add_parser("{{cmd1}}", help="count lines, words and bytes of files")
    count.add_argument("paths", nargs="+", type=Path)

    find = commands.add_parser("{{cmd2}}", help="print lines that contain a word")
    find.add_argument("word")
    find.add_argument("paths", nargs="+", type=Path)
    find.add_argument("-i", "--ignore-case", action="store_true")
    return parser


def _count(paths: list[Path]) -> int:
    for path in paths:
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace")
        print(f"{text.count(chr(10)):8d} {len(text.split()):8d} {len(data):8d} {path}")
    return 0


def _find(word: str, paths: list[Path], ignore_case: bool) -> int:
    needle = word.lower() if ignore_case else word
    hits = 0
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                haystack = line.lower() if ignore_case else line
                if needle in haystack:
                    hits += 1
                    print(f"{path}:{number}: {line.rstrip()}")
    return 0 if hits else 1  # like grep: 1 means "nothing found", not an error


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2))
    try:
        if args.command == "{{cmd1}}":
            return _count(args.paths)
        return _find(args.word, args.paths, args.ignore_case)
    except OSError as exc:
        print(f"{{name}}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
""",
    {"cmd1": ("count", "wc", "stats"), "cmd2": ("find", "grep", "search")},
    ("import argparse", "import logging", "import sys", "from pathlib import Path"),
)


WSGI = Unit(
    "routes",
    "a small WSGI router with path parameters",
    '''Handler = Callable[..., tuple[int, object]]
_STATUS = {200: "200 OK", 201: "201 Created", 400: "400 Bad Request", 404: "404 Not Found", 405: "405 Method Not Allowed"}


class {{Router}}:
    """Maps ``(method, "/items/<id>")`` patterns to handlers; the app speaks JSON."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        regex = re.compile("^" + re.sub(r"<(\\w+)>", r"(?P<\\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self._routes.append((method.upper(), regex, handler))
            return handler

        return register

    def dispatch(self, method: str, path: str, body: bytes) -> tuple[int, object]:
        allowed = False
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if not match:
                continue
            if route_method != method:
                allowed = True
                continue
            payload = json.loads(body) if body else None
            return handler(payload, **match.groupdict())
        return (405, {"error": "method not allowed"}) if allowed else (404, {"error": "not found"})

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            status, result = self.dispatch(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), body)
        except (ValueError, KeyError) as exc:
            status, result = 400, {"error": str(exc)}
        data = json.dumps(result).encode("utf-8")
        start_response(_STATUS.get(status, f"{status} Unknown"), [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
''',
    {"Router": ("Router", "App", "JsonApp")},
    ("import json", "import re", "from collections.abc import Callable"),
)


DIJKSTRA = Unit(
    "paths",
    "shortest paths in weighted graphs",
    '''Graph = Mapping[Hashable, Mapping[Hashable, float]]


def {{dijkstra}}(graph: Graph, source: Hashable) -> tuple[dict, dict]:
    """Distances from ``source`` and each node's predecessor on a shortest path.

    Edge weights must be non-negative. Entries left in the heap after a shorter path was found
    are skipped when they come out, instead of being decreased in place.
    """
    dist = {source: 0.0}
    prev: dict = {}
    heap = [(0.0, 0, source)]
    counter = 1  # tie-breaker: nodes need not be comparable
    while heap:
        d, _, node = heapq.heappop(heap)
        if d > dist.get(node, math.inf):
            continue
        for neighbour, weight in graph.get(node, {}).items():
            if weight < 0:
                raise ValueError(f"negative weight on edge {node!r} -> {neighbour!r}")
            candidate = d + weight
            if candidate < dist.get(neighbour, math.inf):
                dist[neighbour] = candidate
                prev[neighbour] = node
                heapq.heappush(heap, (candidate, counter, neighbour))
                counter += 1
    return dist, prev


def {{path}}(prev: Mapping, source: Hashable, target: Hashable) -> list:
    """The node sequence from ``source`` to ``target``; empty when unreachable."""
    if target != source and target not in prev:
        return []
    route = [target]
    while route[-1] != source:
        route.append(prev[route[-1]])
    route.reverse()
    return route
''',
    {
        "dijkstra": ("dijkstra", "shortest_distances"),
        "path": ("reconstruct_path", "path_to", "walk_back"),
    },
    ("import heapq", "import math", "from collections.abc import Hashable, Mapping"),
)


HASHRING = Unit(
    "hashring",
    "consistent hashing over a set of nodes",
    '''class {{Ring}}:
    """Assigns keys to nodes so that adding or removing a node moves only ~1/n of the keys.

    Each node is placed on the ring at ``replicas`` points to even out the load.
    """

    def __init__(self, nodes: list[str] | None = None, replicas: int = {{replicas}}) -> None:
        self.replicas = replicas
        self._points: list[int] = []
        self._owner: dict[int, str] = {}
        for node in nodes or []:
            self.add(node)

    @staticmethod
    def _hash(text: str) -> int:
        return int.from_bytes(hashlib.md5(text.encode("utf-8")).digest()[:8], "big")

    def add(self, node: str) -> None:
        for i in range(self.replicas):
            point = self._hash(f"{node}#{i}")
            if point in self._owner:
                continue  # a 64-bit collision: vanishingly rare, skip the point
            bisect.insort(self._points, point)
            self._owner[point] = node

    def remove(self, node: str) -> None:
        keep = [p for p in self._points if self._owner[p] != node]
        for point in set(self._points) - set(keep):
            del self._owner[point]
        self._points = keep

    def node_for(self, key: str) -> str:
        if not self._points:
            raise LookupError("the ring has no nodes")
        index = bisect.bisect(self._points, self._hash(key)) % len(self._points)
        return self._owner[self._points[index]]

    def spread(self, keys: list[str]) -> dict[str, int]:
        """How many of ``keys`` each node gets; useful to check the balance in tests."""
        counts: dict[str, int] = {}
        for key in keys:
            node = self.node_for(key)
            counts[node] = counts.get(node, 0) + 1
        return counts
''',
    {"Ring": ("HashRing", "ConsistentHash", "Ring"), "replicas": ("64", "100", "160")},
    ("import bisect", "import hashlib"),
)


RETRY = Unit(
    "retry",
    "retrying with exponential backoff",
    '''T = TypeVar("T")
log = logging.getLogger(__name__)


def {{retry}}(
    attempts: int = {{attempts}},
    base_delay: float = {{delay}},
    max_delay: float = 30.0,
    retry_on: tuple[type[BaseException], ...] = (OSError, TimeoutError),
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: call again after failures listed in ``retry_on``, waiting longer each time.

    The wait doubles per attempt, capped at ``max_delay``, with "full jitter" (a random
    fraction of it) so that many clients failing together do not retry together.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(func)
        def wrapper(*args, **kwargs) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except retry_on as exc:
                    if attempt == attempts:
                        raise
                    delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
                    log.warning("%s failed (%s); attempt %d of %d in %.2fs", func.__name__, exc, attempt + 1, attempts, delay)
                    sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorate
''',
    {
        "retry": ("retry", "with_backoff", "retrying"),
        "attempts": ("3", "4", "5"),
        "delay": ("0.5", "0.2", "1.0"),
    },
    (
        "import functools",
        "import logging",
        "import random",
        "import time",
        "from collections.abc import Callable",
        "from typing import TypeVar",
    ),
)


ENV_CONFIG = Unit(
    "settings",
    "settings read from environment variables",
    '''_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class {{Settings}}:
    host: str = "127.0.0.1"
    port: int = {{port}}
    debug: bool = False
    workers: int = 4
    timeout: float = 10.0
    database_url: str = "sqlite:///{{name}}.db"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, prefix: str = "{{PREFIX}}_") -> {{Settings}}:
        """Read ``{{PREFIX}}_PORT`` and friends; unset variables keep their defaults.

        Values are converted to the field's type, and a bad value names the variable, which
        beats a traceback from deep inside the server at the first request.
        """
        values = {}
        for f in fields(cls):
            key = prefix + f.name.upper()
            if key not in environ:
                continue
            raw = environ[key].strip()
            try:
                values[f.name] = _convert(raw, type(getattr(cls, f.name)))
            except ValueError as exc:
                raise ValueError(f"{key}={raw!r}: {exc}") from None
        return cls(**values)


def _convert(raw: str, kind: type) -> object:
    if kind is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ValueError("expected a boolean (1/0, true/false, yes/no, on/off)")
    if kind is int:
        return int(raw, 0)
    if kind is float:
        return float(raw)
    return raw
''',
    {"Settings": ("Settings", "Config", "AppConfig"), "port": ("8000", "8080", "5000")},
    (
        "import os",
        "from collections.abc import Mapping",
        "from dataclasses import dataclass, fields",
    ),
)


SLUG = Unit(
    "text",
    "slugs, wrapping and truncation of text",
    '''_NON_WORD = re.compile(r"[^a-z0-9]+")


def {{slugify}}(title: str, max_length: int = {{maxlen}}) -> str:
    """A URL-safe, lower-case form of ``title``: accents dropped, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "untitled"


def {{truncate}}(text: str, limit: int, ellipsis: str = "...") -> str:
    """Cut ``text`` at a word boundary so that the result, ellipsis included, fits ``limit``."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + ellipsis


def {{wrap}}(text: str, width: int = 72) -> list[str]:
    """Greedy word wrap; a word longer than ``width`` gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines
''',
    {
        "slugify": ("slugify", "make_slug"),
        "truncate": ("truncate", "shorten"),
        "wrap": ("wrap", "wrap_words", "fill_lines"),
        "maxlen": ("60", "80", "50"),
    },
    ("import re", "import unicodedata"),
)


RLE = Unit(
    "rle",
    "run-length encoding",
    '''def {{encode}}(data: bytes) -> bytes:
    """Encode as (count, byte) pairs with counts up to 255.

    Good for images with large flat areas and sparse bitmaps; it doubles the size of data
    without runs, so callers should keep the shorter of the two.
    """
    out = bytearray()
    i = 0
    while i < len(data):
        run = 1
        while i + run < len(data) and data[i + run] == data[i] and run < 255:
            run += 1
        out += bytes((run, data[i]))
        i += run
    return bytes(out)


def {{decode}}(encoded: bytes) -> bytes:
    if len(encoded) % 2:
        raise ValueError("run-length data must have an even length")
    out = bytearray()
    for count, value in zip(encoded[::2], encoded[1::2], strict=True):
        if count == 0:
            raise ValueError("zero-length run")
        out += bytes((value,)) * count
    return bytes(out)


def {{runs}}(items: Iterable) -> list[tuple[object, int]]:
    """Group equal neighbours: ``"aaab"`` -> ``[("a", 3), ("b", 1)]``."""
    return [(key, sum(1 for _ in group)) for key, group in itertools.groupby(items)]
''',
    {
        "encode": ("rle_encode", "encode_runs"),
        "decode": ("rle_decode", "decode_runs"),
        "runs": ("runs", "group_runs"),
    },
    ("import itertools", "from collections.abc import Iterable"),
)

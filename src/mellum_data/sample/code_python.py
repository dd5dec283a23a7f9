"""Python repository: a small caching and rate-limiting library."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank_python import add_modules
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import fill
from mellum_data.sample.vendored import strings_py

PY_TYPES = {"str": "str", "int": "int", "float": "float", "bool": "bool"}
SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER"}
PY_LITERAL = {"true": "True", "false": "False"}

LRU = '''"""A least-recently-used cache with a fixed capacity."""

from collections import OrderedDict
from threading import Lock


class {{Cache}}:
    """Maps keys to values and evicts the entry that was used longest ago.

    All operations are O(1). A lock makes the cache safe to share between threads.
    """

    def __init__(self, {{cap}}=128):
        if {{cap}} <= 0:
            raise ValueError("{{cap}} must be positive")
        self.{{cap}} = {{cap}}
        self._data = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key, default=None):
        with self._lock:
            if key not in self._data:
                self.misses += 1
                return default
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]

    def put(self, key, value):
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.{{cap}}:
                self._data.popitem(last=False)

    def __contains__(self, key):
        return key in self._data

    def __len__(self):
        return len(self._data)

    def clear(self):
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    @property
    def hit_rate(self):
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
'''

RATELIMIT = '''"""Token-bucket rate limiting."""

import time


class TokenBucket:
    """Allows bursts of up to ``capacity`` calls and ``rate`` calls per second on average."""

    def __init__(self, rate, capacity, clock=time.monotonic):
        self.rate = float(rate)
        self.capacity = float(capacity)
        self.{{tokens}} = float(capacity)
        self._clock = clock
        self._last = clock()

    def _refill(self):
        now = self._clock()
        elapsed = now - self._last
        self._last = now
        self.{{tokens}} = min(self.capacity, self.{{tokens}} + elapsed * self.rate)

    def try_acquire(self, n=1):
        """Take n tokens if available; never blocks."""
        self._refill()
        if self.{{tokens}} >= n:
            self.{{tokens}} -= n
            return True
        return False

    def wait_time(self, n=1):
        """Seconds until n tokens will be available."""
        self._refill()
        missing = n - self.{{tokens}}
        return max(0.0, missing / self.rate)

    def acquire(self, n=1, sleep=time.sleep):
        while not self.try_acquire(n):
            sleep(self.wait_time(n))
'''

TEST_LRU = """from {{pkg}}.lru import {{Cache}}


def test_evicts_least_recently_used():
    cache = {{Cache}}({{cap}}=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3


def test_hit_rate():
    cache = {{Cache}}({{cap}}=4)
    cache.put("x", 10)
    cache.get("x")
    cache.get("y")
    assert cache.hit_rate == 0.5


def test_rejects_zero_capacity():
    try:
        {{Cache}}({{cap}}=0)
    except ValueError:
        pass
    else:
        raise AssertionError("expected ValueError")
"""

TEST_RATELIMIT = """from {{pkg}}.ratelimit import TokenBucket


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_burst_then_refill():
    clock = FakeClock()
    bucket = TokenBucket(rate=2, capacity=3, clock=clock)
    assert all(bucket.try_acquire() for _ in range(3))
    assert not bucket.try_acquire()
    clock.now += 0.5
    assert bucket.try_acquire()


def test_wait_time():
    clock = FakeClock()
    bucket = TokenBucket(rate=4, capacity=1, clock=clock)
    bucket.try_acquire()
    assert bucket.wait_time() == 0.25
"""

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{{name}}"
version = "{{version}}"
description = "{{description}}"
readme = "README.md"
requires-python = ">=3.10"
authors = [{ name = "{{owner}}" }]
{{license_line}}dependencies = [{{deps}}]

[project.optional-dependencies]
test = ["pytest>=7"]

[tool.setuptools.packages.find]
where = ["src"]
"""


def pyproject(ctx: RepoContext, description: str, deps: str, license_line: str) -> str:
    return fill(
        PYPROJECT,
        {
            "name": ctx.name,
            "version": f"0.{ctx.rng.randint(1, 9)}.{ctx.rng.randint(0, 12)}",
            "description": description,
            "owner": ctx.owner,
            "deps": deps,
            "license_line": license_line,
        },
    )


def python_library(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    v = {
        "pkg": ctx.pkg,
        "Cache": rng.choice(("LRUCache", "LruCache", "BoundedCache")),
        "cap": rng.choice(("capacity", "maxsize", "limit")),
        "tokens": rng.choice(("tokens", "_tokens", "level")),
    }
    src = f"src/{ctx.pkg}"
    out.add(
        "pyproject.toml",
        pyproject(
            ctx,
            "Small caching and rate-limiting helpers.",
            "",
            f'license = "{ctx.license}"\n' if ctx.license else "",
        ),
    )
    out.add(
        f"{src}/__init__.py",
        fill(
            '"""Caching and rate limiting."""\n\nfrom {{pkg}}.lru import {{Cache}}\n'
            'from {{pkg}}.ratelimit import TokenBucket\n\n__all__ = ["{{Cache}}", "TokenBucket"]\n'
            '__version__ = "0.3.1"\n',
            v,
        ),
    )
    out.add(f"{src}/lru.py", fill(LRU, v))
    out.add(f"{src}/ratelimit.py", fill(RATELIMIT, v))
    out.add(f"{src}/utils/__init__.py", "")
    out.add(f"{src}/utils/strings.py", strings_py(rng), "vendored")
    out.add("tests/test_lru.py", fill(TEST_LRU, v))
    out.add("tests/test_ratelimit.py", fill(TEST_RATELIMIT, v))
    out.add(".gitignore", "__pycache__/\n*.egg-info/\n.pytest_cache/\n.venv/\ndist/\n")
    add_modules(ctx, out, src, n_units=8)  # of 16: python_service takes the rest

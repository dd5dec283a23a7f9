"""The code bank: units dealt once per replica, and source files a code pipeline keeps."""

import itertools
import re
from random import Random

from datatrove.utils.text import TextNormConfig, simplify_text

from mellum_data.filters.code_quality import simple_tokens
from mellum_data.sample import bank_python
from mellum_data.sample.bank import deal
from mellum_data.sample.repo_context import new_context

MAIN = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".java": "java",
    ".c": "c",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".go": "go",
    ".rs": "rust",
}
PERMISSIVE = {"MIT", "Apache-2.0", "ISC", "BSD-3-Clause", "MIT OR Apache-2.0"}
SPECIAL = ("generated", "minified", "data", "syntax_error", "binary", "non_utf8", "vendored")


def _sources(sample_dir, summary, permissive_only):
    """(repo, path, text) of every non-special source file in the eight main languages."""
    for repo in summary["code"]:
        if permissive_only and repo["license"] not in PERMISSIVE:
            continue
        special = {p for kind in SPECIAL for p in repo["special"][kind]}
        root = sample_dir / repo["path"]
        for path in sorted(root.rglob("*")):
            rel = str(path.relative_to(root))
            if path.suffix in MAIN and rel not in special:
                yield repo["name"], rel, path.read_text(encoding="utf-8")


def test_units_are_dealt_once_per_replica():
    used = set()
    first = deal(new_context(Random(1), set(), "MIT", used), bank_python.BANK, n_units=8)
    rest = deal(new_context(Random(2), set(), "MIT", used), bank_python.BANK)
    keys = [[u.key for u in f] for f in first + rest]
    flat = [k for f in keys for k in f]
    assert sorted(flat) == sorted(u.key for u in bank_python.UNITS)  # each unit exactly once
    # The file count depends only on the number of units: one unit a file, every fourth two.
    assert [len(f) for f in keys] == [1, 1, 1, 2, 1, 1, 1] * 2
    # Another random stream deals other units to the first repository, in as many files.
    other = deal(new_context(Random(3), set(), "MIT", set()), bank_python.BANK, n_units=8)
    assert [len(f) for f in other] == [len(f) for f in first]
    assert {u.key for f in other for u in f} != {u.key for f in first for u in f}


def test_permissive_sources_clear_the_unique_token_floor(sample_dir, summary):
    kept: dict[str, list[int]] = {lang: [] for lang in set(MAIN.values())}
    for _, rel, text in _sources(sample_dir, summary, permissive_only=True):
        if len(set(simple_tokens(text))) >= 82:  # Mellum 2's floor, as the code pipeline applies it
            kept[MAIN["." + rel.rsplit(".", 1)[1]]].append(len(text.encode("utf-8")))
    assert all(len(sizes) >= 8 for sizes in kept.values()), {k: len(v) for k, v in kept.items()}
    assert sum(len(sizes) for sizes in kept.values()) >= 100
    assert sum(sum(sizes) for sizes in kept.values()) >= 150_000


def test_sources_are_not_near_duplicates(sample_dir, summary):
    """No two source files come close to MinHash's threshold (word 5-grams after datatrove's
    normalisation); the vendored copies, which are near-duplicates on purpose, are left out."""
    shingles = {}
    for name, rel, text in _sources(sample_dir, summary, permissive_only=False):
        words = simplify_text(text, TextNormConfig()).split()
        grams = {tuple(words[i : i + 5]) for i in range(len(words) - 4)}
        if len(grams) >= 50:  # tiny files (an __init__.py) share little but boilerplate
            shingles[f"{name}/{rel}"] = grams
    worst = max(
        (len(a & b) / len(a | b), x, y)
        for (x, a), (y, b) in itertools.combinations(shingles.items(), 2)
    )
    assert worst[0] < 0.3, worst


def test_headers_name_their_contents(sample_dir, summary):
    repo = next(r for r in summary["code"] if r["generator"] == "cpp_headers")
    root = sample_dir / repo["path"]
    umbrella = (root / "include" / f"{repo['name']}.hpp").read_text()
    headers = sorted(p.name for p in (root / "include" / repo["name"]).iterdir())
    assert re.findall(r'#include "[a-z]+/(\w+\.hpp)"', umbrella) == headers
    assert len(headers) == repo["file_languages"]["cpp"] - 2  # plus the umbrella and the test

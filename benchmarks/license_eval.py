"""Licence detection accuracy on real packages: every ``*.dist-info`` folder of an installed
environment is a repository whose licence files are read at run time (nothing is copied).

Ground truth comes from the package's own metadata (``METADATA``), never from our detector:
``License-Expression`` when present, else a ``License:`` field that is already a valid SPDX
expression of known ids, else exactly one licence classifier that names one licence.
A package is skipped when its truth is ambiguous ("BSD License" classifier, several
classifiers), when it ships no licence file, or when it ships licence files in sub-folders
(vendored code: its expression then describes the bundle, not the repository's own licence).

    .venv/bin/python benchmarks/license_eval.py [--site-packages DIR] [--show-skipped]

Prints a table of failures (a confusion list) and, as its last line, one JSON object.
"""

from __future__ import annotations

import os
import sys

# benchmarks/tokenize.py is named like the standard library's module and Python puts the
# script's folder first on sys.path: drop it before anything imports ``tokenize``.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sysconfig  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from email.parser import HeaderParser  # noqa: E402
from pathlib import Path  # noqa: E402

from mellum_data.filters.license import is_permissive
from mellum_data.filters.license_detect import (
    canonical_id,
    normalize_license_text,
    parse_expression,
)
from mellum_data.filters.licenses_data import KNOWN_IDS, PERMISSIVE_DEFAULT
from mellum_data.pipelines.code_provenance import is_license_file, repo_license

# Classifiers that name exactly one licence. "BSD License" (2- or 3-clause?), "GPL" without a
# version and the like are left out: a package that uses them has no unambiguous truth.
CLASSIFIERS = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "License :: OSI Approved :: zlib/libpng License": "Zlib",
    "License :: OSI Approved :: Zope Public License": "ZPL-2.1",
    "License :: OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0",
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0",
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0",
    "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "License :: OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)": "BlueOak-1.0.0",
}
_KNOWN = {k.lower() for k in KNOWN_IDS}
# A "BSD License" classifier is ambiguous unless the License field names the variant.
_BSD_VARIANT = re.compile(
    r"(?:the\s+)?(?:new\s+)?bsd[\s-]([234])[\s-]clause(?:\s+licen[cs]e)?", re.I
)


def expression_key(expr: str) -> str | None:
    """A canonical form of an SPDX expression: ids canonicalised, operands of AND / OR sorted
    and flattened, so that ``MIT OR Apache-2.0`` equals ``(Apache-2.0 OR MIT)``."""
    tokens = parse_expression(expr)
    if tokens is None:
        return None
    pos = 0

    def term() -> str:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = binary("OR")
            pos += 1
        else:
            value = canonical_id(tok)
        if pos < len(tokens) and tokens[pos] == "WITH":
            value += " WITH " + tokens[pos + 1]
            pos += 2
        return value

    def binary(op: str) -> str:
        nonlocal pos
        parts = [term() if op == "AND" else binary("AND")]
        while pos < len(tokens) and tokens[pos] == op:
            pos += 1
            parts.append(term() if op == "AND" else binary("AND"))
        flat = sorted({p for part in parts for p in _split(part, op)})
        joined = f" {op} ".join(flat)
        return f"({joined})" if len(flat) > 1 else flat[0]

    return binary("OR").removeprefix("(").removesuffix(")") if tokens else None


def _split(part: str, op: str) -> list[str]:
    inner = part[1:-1] if part.startswith("(") and part.endswith(")") else None
    if inner is not None and f" {op} " in inner and "(" not in inner:
        return inner.split(f" {op} ")
    return [part]


def ground_truth(metadata: str) -> tuple[str | None, str]:
    """``(expression key, where it came from)``; ``(None, why)`` when ambiguous."""
    msg = HeaderParser().parsestr(metadata)
    expression = msg.get("License-Expression")
    if expression:
        key = expression_key(expression.strip())
        return (key, "License-Expression") if key else (None, "unparsable License-Expression")
    field = (msg.get("License") or "").strip()
    tokens = parse_expression(field) if field and "\n" not in field else None
    if tokens and all(t.lower() in _KNOWN for t in tokens if t not in ("(", ")", "AND", "OR")):
        return expression_key(field), "License"
    classifiers = [c for c in msg.get_all("Classifier") or [] if c.startswith("License ::")]
    variant = _BSD_VARIANT.fullmatch(field.split("\n", 1)[0].strip())
    if classifiers == ["License :: OSI Approved :: BSD License"] and variant:
        return f"BSD-{variant.group(1)}-Clause", "Classifier + License"
    if len(classifiers) == 1 and classifiers[0] in CLASSIFIERS:
        return CLASSIFIERS[classifiers[0]], "Classifier"
    if classifiers:
        return None, "ambiguous classifiers: " + "; ".join(c[11:] for c in classifiers)
    return None, "no licence metadata"


# The baseline: keyword spotting, the licence named first in each file holds.
KEYWORDS = {
    "apache license": "Apache-2.0",
    "mit license": "MIT",
    "bsd": "BSD-3-Clause",
    "isc license": "ISC",
    "mozilla public license": "MPL-2.0",
    "python software foundation": "PSF-2.0",
    "gnu general public license": "GPL-3.0",
    "gnu lesser general public license": "LGPL-3.0",
    "unlicense": "Unlicense",
    "zlib": "Zlib",
    "boost software license": "BSL-1.0",
}


def keyword_baseline(files: dict[str, bytes]) -> str | None:
    found = set()
    for data in files.values():
        norm = normalize_license_text(data.decode("utf-8", "replace"))
        hits = [(norm.find(word), spdx) for word, spdx in KEYWORDS.items() if word in norm]
        if hits:
            found.add(min(hits)[1])
    return " AND ".join(sorted(found)) or None


def licence_files(dist: Path) -> tuple[dict[str, bytes], bool]:
    """The dist-info's own licence files (its root and ``licenses/``) and whether it also
    ships licence files deeper down (vendored components)."""
    files: dict[str, bytes] = {}
    nested = False
    for folder in (dist, dist / "licenses"):
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_file() and is_license_file(path.name):
                files[path.name] = path.read_bytes()
    sub = dist / "licenses"
    if sub.is_dir():
        nested = any(p.is_file() and p.parent != sub for p in sub.rglob("*"))
    return files, nested


def evaluate(site_packages: Path) -> tuple[list[dict], list[tuple[str, str]]]:
    rows, skipped = [], []
    for dist in sorted(site_packages.glob("*.dist-info")):
        name = dist.name.removesuffix(".dist-info")
        meta = dist / "METADATA"
        if not meta.is_file():
            skipped.append((name, "no METADATA"))
            continue
        truth, origin = ground_truth(meta.read_text(encoding="utf-8", errors="replace"))
        files, nested = licence_files(dist)
        if truth is None:
            skipped.append((name, origin))
        elif not files:
            skipped.append((name, "no licence file"))
        elif nested:
            skipped.append((name, "vendored licence files in sub-folders"))
        else:
            found, source = repo_license(files)
            got = expression_key(found) if found else None
            rows.append(
                {
                    "package": name,
                    "truth": truth,
                    "origin": origin,
                    "detected": got,
                    "source": source,
                    "files": sorted(files),
                    "correct": got == truth,
                    "baseline_correct": expression_key(base) == truth
                    if (base := keyword_baseline(files))
                    else False,
                    "decision_correct": _permissive(got) == _permissive(truth),
                }
            )
    return rows, skipped


def _permissive(expr: str | None) -> bool:
    return bool(expr) and is_permissive(expr, PERMISSIVE_DEFAULT)


def main() -> None:
    default = Path(sysconfig.get_paths()["purelib"])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-packages", type=Path, default=default, help="folder of *.dist-info")
    parser.add_argument("--show-skipped", action="store_true", help="list skipped packages")
    args = parser.parse_args()
    start = time.perf_counter()
    rows, skipped = evaluate(args.site_packages)
    elapsed = time.perf_counter() - start
    if not rows:
        sys.exit(f"{args.site_packages}: no dist-info with licence files and clear metadata")
    correct = sum(r["correct"] for r in rows)
    decisions = sum(r["decision_correct"] for r in rows)
    baseline = sum(r["baseline_correct"] for r in rows)
    failures = [r for r in rows if not r["correct"]]
    print(f"{'package':40} {'truth (metadata)':32} {'detected (files)':32} files")
    for r in failures:
        print(f"{r['package']:40} {r['truth']:32} {r['detected'] or '-':32} {','.join(r['files'])}")
    if args.show_skipped:
        for name, why in skipped:
            print(f"skipped {name}: {why}")
    by_truth = Counter(r["truth"] for r in rows)
    print(
        f"\n{len(rows)} packages evaluated, {len(skipped)} skipped "
        f"({Counter(w.split(':')[0] for _, w in skipped).most_common()})"
    )
    print(f"truth: {by_truth.most_common()}")
    print(
        f"exact SPDX accuracy {correct}/{len(rows)} = {correct / len(rows):.3f}; "
        f"keep/drop decision accuracy {decisions}/{len(rows)} = {decisions / len(rows):.3f}"
    )
    print(
        f"baseline (keyword spotting) exact accuracy {baseline}/{len(rows)} = "
        f"{baseline / len(rows):.3f}"
    )
    print(json.dumps({
        "n": len(rows),
        "correct": correct,
        "accuracy": round(correct / len(rows), 4),
        "decision_accuracy": round(decisions / len(rows), 4),
        "baseline_keyword_accuracy": round(baseline / len(rows), 4),
        "skipped": len(skipped),
        "failures": [
            {"package": r["package"], "truth": r["truth"], "detected": r["detected"]}
            for r in failures
        ],
        "seconds": round(elapsed, 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()

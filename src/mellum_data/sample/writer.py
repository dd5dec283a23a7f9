"""``write_sample``: the built-in sample corpus (web WARCs, code repositories, math documents)
with its ground-truth labels in ``OUT/sample.json``.

``sample.json`` holds ``format``, ``seed``, ``scale``, ``counts`` (per kind), ``bytes`` (per part,
files on disk, without sample.json itself) and one label per item:

- ``web``: per page, in file and record order: ``url``, ``file`` (``web/sample-NNNNN.warc.gz``),
  ``record_id`` (its WARC-Record-ID, which datatrove's WarcReader uses as document id),
  ``language`` (ISO 639-1; null for filler in no language), ``label`` (``article`` |
  ``junk:<type>`` | ``near_dup_of:<url of the original article>``), ``topic``, ``technical``,
  ``has_math``, ``bad`` (null | ``invalid_utf8`` | ``xhtml``) and ``exact_dup`` (the body is
  byte-identical to the original's).
- ``code``: per repository: ``name``, ``path``, ``language``, ``license`` (SPDX expression or
  null), ``license_source`` (``file`` | ``metadata`` | ``none``), ``license_files``, ``files``,
  ``bytes``, ``file_languages``, ``special`` (paths by kind: generated, minified, data,
  syntax_error, binary, non_utf8, vendored), ``generator`` and ``replica``.
- ``vendored_families``: file name -> the paths (relative to OUT) of its vendored copies.
- ``math``: per document: ``path``, ``format`` (tex | md | html), ``is_math``, ``kind`` (the
  topic, or the distractor's type) and ``title``.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from mellum_data.errors import ConfigError, InputError
from mellum_data.io import atomic_write_json, folder
from mellum_data.sample.mathdocs import write_math
from mellum_data.sample.repos import vendored_families, write_code
from mellum_data.sample.web import write_web

PARTS = ("web", "code", "math")
SUMMARY = "sample.json"
FORMAT_VERSION = 1


def _tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _prepare(out: Path) -> None:
    """Refuse a non-empty folder that is not a previous sample; clear a previous sample's parts
    so that a smaller scale leaves no stale files behind."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / SUMMARY).is_file():
            raise InputError(
                f"{out}: folder is not empty and holds no {SUMMARY}; give an empty or new folder"
            )
        for part in PARTS:
            shutil.rmtree(out / part, ignore_errors=True)
        (out / SUMMARY).unlink()
    out.mkdir(parents=True, exist_ok=True)


def write_sample(out: str, *, seed: int = 0, scale: int = 1) -> dict:
    """Write the sample corpus under the local folder ``out`` and return its summary.

    The same ``seed`` and ``scale`` give byte-identical files. ``scale`` K writes K times as many
    web pages, repositories and math documents, each replica from its own random stream, so
    scale K's files include scale 1's. The summary (also written to ``out/sample.json``) holds
    counts, sizes and a label for every page, repository and document.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"sample: seed must be a non-negative integer, got {seed!r}")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ConfigError(f"sample: scale must be a positive integer, got {scale!r}")
    root = Path(out)
    _prepare(root)
    web = write_web(root, seed, scale)
    code = write_code(root, seed, scale)
    math = write_math(root, seed, scale)
    sizes = {part: _tree_bytes(root / part) for part in PARTS}
    summary = {
        "format": FORMAT_VERSION,
        "seed": seed,
        "scale": scale,
        "counts": {
            "web_files": len({p["file"] for p in web}),
            "web_pages": len(web),
            "web_articles": sum(p["label"] == "article" for p in web),
            "web_near_duplicates": sum(p["label"].startswith("near_dup_of:") for p in web),
            "web_exact_duplicates": sum(p["exact_dup"] for p in web),
            "web_junk": sum(p["label"].startswith("junk:") for p in web),
            "web_technical": sum(p["technical"] for p in web),
            "web_with_math": sum(p["has_math"] for p in web),
            "web_bad_records": sum(p["bad"] is not None for p in web),
            "web_languages": dict(sorted(Counter(p["language"] or "none" for p in web).items())),
            "web_junk_types": dict(
                sorted(
                    Counter(p["label"][5:] for p in web if p["label"].startswith("junk:")).items()
                )
            ),
            "code_repos": len(code),
            "code_files": sum(r["files"] for r in code),
            "code_languages": dict(sorted(Counter(r["language"] for r in code).items())),
            "code_licenses": dict(sorted(Counter(r["license"] or "none" for r in code).items())),
            "math_docs": len(math),
            "math_math": sum(d["is_math"] for d in math),
            "math_distractors": sum(not d["is_math"] for d in math),
            "math_formats": dict(sorted(Counter(d["format"] for d in math).items())),
        },
        "bytes": sizes | {"total": sum(sizes.values())},
        "web": web,
        "code": code,
        "vendored_families": vendored_families(code),
        "math": math,
    }
    atomic_write_json(folder(str(root)), SUMMARY, summary)
    return summary

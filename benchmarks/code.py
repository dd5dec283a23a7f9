"""Code stage: throughput on the built-in sample, and a run on real repositories.

1. Throughput. The sample (``mellum_data.sample.write_sample``) at ``--scale K`` goes through
   ``run_code`` with one task and one worker, so every rate is per core: the full stage
   (read, licence, quality, tree-sitter syntax) and, as the baseline in the same run, the
   stage with the syntax steps off. Best of ``--rounds`` alternating runs.
2. Licence agreement: each sample repository's detected licence against its label.
3. Real repositories (``--real-packages N``, 0 to skip): packages installed in this
   environment, each assembled into a repository with the licence files of its dist-info at
   its root (read at run time, never copied into the project); one in three is packed as a
   ``.tar.gz`` or ``.zip``. ``mellum-data run code`` (the command line) runs on them and every
   file read must come out either kept or under ``removed/``.

    .venv/bin/python benchmarks/code.py [--scale 4] [--rounds 2] [--real-packages 12]

The last line is JSON: ``files_per_s``, ``files_per_s_no_syntax``, ``mb_per_s`` (per core),
``syntax_cost`` (time with syntax over time without) and the real-repository counts.
"""

from __future__ import annotations

import os
import sys

# benchmarks/tokenize.py is named like the standard library's module and Python puts the
# script's folder first on sys.path: drop it before anything imports ``tokenize``.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sysconfig  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402

from mellum_data.filters.license_detect import parse_expression  # noqa: E402
from mellum_data.pipelines.code import CodeConfig, run_code  # noqa: E402
from mellum_data.pipelines.code_provenance import is_root_file, repo_license  # noqa: E402
from mellum_data.pipelines.executor import Execution  # noqa: E402
from mellum_data.sample import write_sample  # noqa: E402

# Installed packages whose source folders make small real repositories, permissive and not.
PACKAGES = ("idna", "click", "attrs", "h11", "pluggy", "iniconfig", "jmespath", "packaging",
            "markupsafe", "certifi", "tqdm", "tld", "fasteners", "wcwidth", "annotated_types",
            "typing_inspection")  # fmt: skip


def quiet() -> None:
    from loguru import logger

    logger.remove()
    logging.disable(logging.WARNING)


def timed_run(src: Path, out: Path, config: CodeConfig) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    # datatrove adds a stderr log handler per task: its stats tables would bury ours.
    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        run_code([str(src)], str(out), config, Execution(tasks=1, workers=1))
    return time.perf_counter() - start


def counts(out: Path) -> tuple[int, Counter]:
    kept = sum(pl.read_parquet(p).height for p in (out / "code").glob("*.parquet"))
    reasons: Counter = Counter()
    for p in (out / "removed").glob("*/*.parquet"):
        reasons.update(pl.read_parquet(p)["metadata"].struct.field("drop_reason").to_list())
    return kept, reasons


def licence_agreement(sample: dict, root: Path) -> tuple[int, int, list]:
    """Detected licence of each sample repository against its label (operands sorted)."""

    def key(expression: str | None) -> list[str]:
        return sorted(parse_expression(expression) or [expression]) if expression else []

    wrong = []
    for repo in sample["code"]:
        folder = root / repo["path"]
        files = {
            p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and is_root_file(p.name)
        }
        found = repo_license(files)[0]
        if key(found) != key(repo["license"]):
            wrong.append((repo["name"], repo["license"], found))
    return len(sample["code"]) - len(wrong), len(sample["code"]), wrong


def assemble_real_repos(dest: Path, names: tuple[str, ...]) -> dict[str, int]:
    """Real repositories from installed packages; returns repository -> files written."""
    site = Path(sysconfig.get_paths()["purelib"])
    written: dict[str, int] = {}
    for i, name in enumerate(names):
        pkg = site / name
        dists = sorted(site.glob(f"{name.replace('-', '_')}-*.dist-info"))
        if not pkg.is_dir() or not dists:
            continue
        repo = dest / name
        shutil.copytree(pkg, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        for folder in (dists[0], dists[0] / "licenses"):
            for f in folder.iterdir() if folder.is_dir() else []:
                if f.is_file() and is_root_file(f.name):
                    shutil.copy(f, repo / f.name)
        files = [p for p in repo.rglob("*") if p.is_file()]
        written[name] = len(files)
        if i % 3 == 1:  # packed: a GitHub-style tarball with one top folder
            with tarfile.open(dest / f"{name}.tar.gz", "w:gz") as tar:
                tar.add(repo, arcname=f"{name}-main")
            shutil.rmtree(repo)
        elif i % 3 == 2:
            with zipfile.ZipFile(dest / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as z:
                for p in files:
                    z.write(p, p.relative_to(repo).as_posix())
            shutil.rmtree(repo)
    return written


def real_run(work: Path, n: int) -> dict:
    src, out = work / "real", work / "real_out"
    src.mkdir()
    written = assemble_real_repos(src, PACKAGES[:n])
    cmd = [sys.executable, "-m", "mellum_data", "run", "code", "--input", str(src),
           "--output", str(out), "--tasks", "2", "--workers", "2"]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    kept_ids = pl.concat([pl.read_parquet(p) for p in (out / "code").glob("*.parquet")])
    removed = pl.concat([pl.read_parquet(p) for p in (out / "removed").glob("*/*.parquet")])
    licences = {}
    for frame in (kept_ids, removed):
        meta = frame["metadata"]
        for repo, lic in zip(
            meta.struct.field("repo").to_list(), meta.struct.field("license").to_list()
        ):
            licences.setdefault(repo.removesuffix("-main"), lic)
    kept_by_repo = Counter(
        r.removesuffix("-main") for r in kept_ids["metadata"].struct.field("repo")
    )
    reasons = Counter(removed["metadata"].struct.field("drop_reason").to_list())
    return {
        "repos": len(written),
        "files_read": sum(written.values()),
        "kept": kept_ids.height,
        "removed": removed.height,
        "accounted": kept_ids.height + removed.height == sum(written.values()),
        "seconds": round(seconds, 1),
        "licences": licences,
        "kept_by_repo": dict(kept_by_repo),
        "removed_reasons": dict(reasons.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=4, help="sample scale (repositories x K)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per configuration (best)")
    parser.add_argument(
        "--real-packages",
        type=int,
        default=len(PACKAGES),
        help="installed packages assembled into real repositories (0: skip)",
    )
    args = parser.parse_args()
    quiet()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sample = write_sample(str(work / "sample"), scale=args.scale)
        src = work / "sample" / "code"
        files = [p for p in src.rglob("*") if p.is_file()]
        mb = sum(p.stat().st_size for p in files) / 1e6
        full, plain = CodeConfig(), CodeConfig.model_validate({"syntax": {"enabled": False}})
        best = {"full": float("inf"), "no_syntax": float("inf")}
        for _ in range(args.rounds):
            best["full"] = min(best["full"], timed_run(src, work / "out_full", full))
            best["no_syntax"] = min(best["no_syntax"], timed_run(src, work / "out_plain", plain))
        kept, reasons = counts(work / "out_full")
        agree, n_repos, wrong = licence_agreement(sample, work / "sample")
        real = real_run(work, args.real_packages) if args.real_packages else None

    print(f"sample scale {args.scale}: {len(files)} files, {mb:.1f} MB, {n_repos} repositories")
    print(f"{'configuration':16} {'seconds':>8} {'files/s':>9} {'MB/s':>7}")
    for name, seconds in best.items():
        print(f"{name:16} {seconds:8.2f} {len(files) / seconds:9.1f} {mb / seconds:7.2f}")
    print(f"kept {kept}, removed {sum(reasons.values())}: {dict(reasons.most_common())}")
    print(f"licence agreement with the sample's labels: {agree}/{n_repos} {wrong or ''}")
    if real:
        print(f"real repositories: {json.dumps(real, indent=1)}")
    print(json.dumps({
        "files": len(files),
        "mb": round(mb, 2),
        "files_per_s": round(len(files) / best["full"], 1),
        "files_per_s_no_syntax": round(len(files) / best["no_syntax"], 1),
        "mb_per_s": round(mb / best["full"], 3),
        "syntax_cost": round(best["full"] / best["no_syntax"], 2),
        "cores": 1,
        "licence_agreement": round(agree / n_repos, 3),
        "real": None if real is None else {k: real[k] for k in (
            "repos", "files_read", "kept", "removed", "accounted", "removed_reasons")},
    }))  # fmt: skip


if __name__ == "__main__":
    main()

"""Benchmark of phase emission (``mellum-data mix``): throughput, share accuracy, memory.

Writes synthetic tokenized sources (web, code with FIM split points, math; log-normal
document lengths) at ``--scale K`` and ``4K`` (about 40 MB of tokens per unit of scale), then
emits a three-phase curriculum with Mellum 2's shares from each, in a subprocess per scale so
that its peak resident memory is its own. In the same run it copies the same number of bytes
from the source shards with ``shutil.copyfile`` (the baseline for ``vs_copy``), and gathers
them document by document in a shuffled order (one ``os.preadv`` each, written in 4M-token
files: the least a document-level emitter does, the baseline for ``vs_gather``).

Prints a table, then as its last line a JSON object: ``emit_mb_per_s``, ``vs_copy`` and
``vs_gather`` (at the larger scale; token bytes written per second of ``emit``),
``max_share_error_pp`` (realised share vs plan, worst source and phase), ``peak_rss_mb_s1``
and ``peak_rss_mb_s4``.

    .venv/bin/python benchmarks/mix.py [--scale K] [--tasks N] [--workers W]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder leads sys.path, and it holds scripts named like standard
# modules (tokenize.py, code.py) that would shadow them for every import below.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from mellum_data.tokenize.manifest import (  # noqa: E402
    SourceCounts,
    TokenizerInfo,
    write_source_counts,
)
from mellum_data.tokenize.shards import ShardWriter  # noqa: E402

TOK = TokenizerInfo(
    id="sha256:benchmark",
    name="bench-32k",
    vocab_size=32768,
    token_size=2,
    eos_id=1,
    bos_id=None,
    pad_id=2,
    fim_prefix_id=3,
    fim_middle_id=4,
    fim_suffix_id=5,
)
# Tokens per source at scale 1 (web : code : math about as in the sample corpus).
SOURCE_TOKENS = {"web": 12_000_000, "code": 6_000_000, "math": 2_000_000}
INPUT_SHARD_TOKENS = 2_000_000
MEAN_DOC_TOKENS = 800
# Buckets of 8M tokens: both scales have several, so a writer task holds one bucket's
# records whatever the phase's size (production default: 1B tokens).
MIX = """\
seed: 7
shard_tokens: 4M
bucket_tokens: 8M
sources:
  web:  {{path: tokens/web}}
  code: {{path: tokens/code}}
  math: {{path: tokens/math}}
phases:
  - {{name: phase1, tokens: {p1}, weights: {{web: 70, code: 23, math: 6}}, fim: {{rate: 0.5}}}}
  - {{name: phase2, tokens: {p2}, weights: {{web: 44, code: 42, math: 14}}, fim: {{rate: 0.1}}}}
  - {{name: phase3, tokens: {p3}, weights: {{web: 23, code: 59, math: 18}}, fim: {{rate: 0.5}}}}
"""


def write_sources(root: Path, scale: int) -> int:
    """Tokenized sources under ``root/tokens``; returns their total tokens."""
    rng = np.random.default_rng(scale)
    total = 0
    for name, tokens in SOURCE_TOKENS.items():
        folder = root / "tokens" / name
        folder.mkdir(parents=True)
        shards, docs, written = [], 0, 0
        while written < tokens * scale:
            writer = ShardWriter(
                str(folder),
                f"00000_{len(shards):05d}",
                token_size=2,
                tokenizer_id=TOK.id,
                tokenizer_name=TOK.name,
            )
            while writer.num_tokens < INPUT_SHARD_TOKENS and written < tokens * scale:
                n = int(np.clip(rng.lognormal(np.log(MEAN_DOC_TOKENS) - 0.5, 1.0), 20, 30_000))
                doc = rng.integers(10, TOK.vocab_size, size=n, dtype=np.uint16)
                doc[-1] = TOK.eos_id
                points = np.arange(12, n - 1, 12, dtype=np.int32) if name == "code" else None
                writer.add(
                    doc,
                    id=f"{name}/{docs}",
                    source=name,
                    quality_tier="high" if docs % 3 == 0 else "low",
                    extra={"kind": name, "lang": "en", "fim_points": points},
                )
                docs, written = docs + 1, written + n
            shards.append(writer.close())
        write_source_counts(str(folder), SourceCounts(name, TOK, docs, written, shards))
        total += written
    return total


def child(root: Path, tasks: int, workers: int) -> None:
    """Emit ``root/mix.yaml`` into ``root/out`` and report time, bytes, shares and memory."""
    from mellum_data.mixtures import emit, load_mixture
    from mellum_data.pipelines.executor import Execution

    spec = load_mixture(root / "mix.yaml")
    cpu = time.process_time()
    start = time.perf_counter()
    manifests = emit(spec, str(root / "out"), Execution(tasks=tasks, workers=workers))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    errors = [
        abs(s["share"] - s["planned_share"]) * 100 for m in manifests for s in m.sources.values()
    ]
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    report = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "token_bytes": sum(m.tokens for m in manifests) * TOK.token_size,
        "documents": sum(m.documents for m in manifests),
        "max_share_error_pp": max(errors),
        "peak_rss_mb": rss / 1024,
    }
    print(json.dumps(report))


def copy_baseline(root: Path, nbytes: int) -> float:
    """MB/s of copying ``nbytes`` from the source shards (cycling through them)."""
    sources = sorted((root / "tokens").glob("*/*.ds"))
    dest = root / "copy"
    dest.mkdir()
    copied, k = 0, 0
    start = time.perf_counter()
    while copied < nbytes:
        src = sources[k % len(sources)]
        shutil.copyfile(src, dest / f"{k:05d}.ds")
        copied += src.stat().st_size
        k += 1
    seconds = time.perf_counter() - start
    shutil.rmtree(dest)
    return copied / seconds / 1e6


def gather_baseline(root: Path, nbytes: int, seed: int = 0) -> float:
    """MB/s of the least a document-level emitter does: copy whole documents of the source
    shards, in a shuffled order, into 4M-token output files, until ``nbytes`` are written
    (one ``os.preadv`` per document, as the emitter reads; no FIM, sidecar or checksums)."""
    import os

    docs = []  # (file index, byte offset, byte length) of every source document
    files = sorted((root / "tokens").glob("*/*.ds"))
    for k, path in enumerate(files):
        ends = np.fromfile(f"{path}.index", dtype="<u8") * TOK.token_size
        starts = np.concatenate([[0], ends[:-1]])
        docs.append(np.stack([np.full(ends.size, k), starts, ends - starts], axis=1))
    table = np.concatenate(docs).astype(np.int64)
    table = table[np.random.default_rng(seed).permutation(len(table))]
    dest = root / "gather"
    dest.mkdir()
    fds = [os.open(p, os.O_RDONLY) for p in files]
    limit = 4_000_000 * TOK.token_size
    buffer = bytearray(limit + int(table[:, 2].max()))
    view = memoryview(buffer)
    written, filled, n, i = 0, 0, 0, 0
    start = time.perf_counter()
    while written < nbytes:
        k, offset, length = (int(x) for x in table[i % len(table)])
        os.preadv(fds[k], [view[filled : filled + length]], offset)
        filled, i = filled + length, i + 1
        if filled >= limit or written + filled >= nbytes:
            (dest / f"{n:05d}.ds").write_bytes(view[:filled])
            written, filled, n = written + filled, 0, n + 1
    seconds = time.perf_counter() - start
    for fd in fds:
        os.close(fd)
    shutil.rmtree(dest)
    return written / seconds / 1e6


def run_scale(workdir: Path, scale: int, tasks: int, workers: int) -> dict:
    root = workdir / f"scale{scale}"
    root.mkdir()
    total = write_sources(root, scale)
    budgets = {f"p{i + 1}": int(total * f) for i, f in enumerate((0.58, 0.26, 0.16))}
    (root / "mix.yaml").write_text(MIX.format(**budgets))
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(root), "--tasks", str(tasks)]
        + ["--workers", str(workers)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"emit failed at scale {scale}:\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["emit_mb_per_s"] = report["token_bytes"] / report["seconds"] / 1e6
    report["copy_mb_per_s"] = copy_baseline(root, report["token_bytes"])
    report["gather_mb_per_s"] = gather_baseline(root, report["token_bytes"])
    report["source_mb"] = total * TOK.token_size / 1e6
    shutil.rmtree(root)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="base scale (also runs 4x this)")
    parser.add_argument("--tasks", type=int, default=1, help="datatrove tasks of each stage")
    parser.add_argument(
        "--workers", type=int, default=1, help="tasks run at once (local processes)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.tasks, args.workers)
        return
    with tempfile.TemporaryDirectory(prefix="mix-bench-") as tmp:
        reports = {
            k: run_scale(Path(tmp), k * args.scale, args.tasks, args.workers) for k in (1, 4)
        }
    print(
        f"{'scale':>6}{'source MB':>11}{'emitted MB':>12}{'documents':>11}{'emit s':>8}"
        f"{'CPU s':>7}{'emit MB/s':>11}{'copy MB/s':>11}{'gather MB/s':>13}{'share err pp':>14}"
        f"{'peak RSS MB':>13}"
    )
    for k, r in reports.items():
        print(
            f"{k * args.scale:>6}{r['source_mb']:>11.1f}{r['token_bytes'] / 1e6:>12.1f}"
            f"{r['documents']:>11,}{r['seconds']:>8.2f}{r['cpu_seconds']:>7.2f}"
            f"{r['emit_mb_per_s']:>11.1f}{r['copy_mb_per_s']:>11.1f}{r['gather_mb_per_s']:>13.1f}"
            f"{r['max_share_error_pp']:>14.3f}{r['peak_rss_mb']:>13.1f}"
        )
    print(
        "emit MB/s: token bytes written per wall second of emit() (plan, cuts, routing, "
        "writing, manifests); CPU s shows how much of that wall time the process got."
    )
    big = reports[4]
    result = {
        "emit_mb_per_s": round(big["emit_mb_per_s"], 1),
        "emit_mb_per_cpu_s": round(big["token_bytes"] / big["cpu_seconds"] / 1e6, 1),
        "copy_mb_per_s": round(big["copy_mb_per_s"], 1),
        "vs_copy": round(big["emit_mb_per_s"] / big["copy_mb_per_s"], 3),
        "gather_mb_per_s": round(big["gather_mb_per_s"], 1),
        "vs_gather": round(big["emit_mb_per_s"] / big["gather_mb_per_s"], 3),
        "max_share_error_pp": round(max(r["max_share_error_pp"] for r in reports.values()), 3),
        "peak_rss_mb_s1": round(reports[1]["peak_rss_mb"], 1),
        "peak_rss_mb_s4": round(reports[4]["peak_rss_mb"], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

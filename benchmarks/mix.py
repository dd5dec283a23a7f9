"""Benchmark of phase emission (``mellum-data mix``): throughput, share accuracy, memory.

Writes synthetic tokenized sources (web, code with FIM split points, math; log-normal
document lengths, 800 tokens on average; tokens of Mellum 2's 98,304-id vocabulary, so stored
as 4 bytes, as that tokenizer's shards are) at ``--scale K`` and ``4K`` (about 80 MB of tokens
per unit of scale; ``--token-size 2`` writes 2-byte tokens of a 32,768-id vocabulary), then
emits a three-phase curriculum with Mellum 2's shares from each, in a subprocess per scale so
that its peak resident memory is its own. In the same run, on the same number of bytes of
the same source shards, it measures four baselines:

- ``copy``: ``shutil.copyfile`` (the kernel copies page cache to page cache; ``vs_copy``);
- ``read_write``: a copy through this process, ``read`` 1 MiB into a buffer and ``write`` it
  (``vs_read_write``: a program that must see the bytes copies no faster);
- ``gather``: whole documents in a shuffled order into 4M-token files, one ``os.preadv`` each,
  no FIM, sidecar or checksums: the least a document-level emitter does (``vs_gather``);
- ``native``: the same gather in C (``gather_floor.c``, built with the system's ``cc``; null
  without one), with one ``pread`` per document or one ``memcpy`` from sources mapped for the
  whole run: ``native_pread_vs_copy`` and ``native_mmap_vs_copy`` say how close to a copy a
  document-level shuffle can come at all on this machine.

Each measurement is taken ``--rounds`` times, in turn, and its best round counts (this
machine's write speed swings between runs). Prints a table, then as its last line a JSON
object: ``emit_mb_per_s`` (token bytes written per second of ``emit``), the baselines' MB/s
and the ratios above (at the larger scale), ``max_share_error_pp`` (realised share vs plan,
worst source and phase), ``peak_rss_mb_s1`` and ``peak_rss_mb_s4`` (the worst round's).

    .venv/bin/python benchmarks/mix.py [--scale K] [--tasks N] [--workers W] [--rounds R]
                                       [--token-size 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder leads sys.path, and it holds scripts named like standard
# modules (tokenize.py, code.py) that would shadow them for every import below.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
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
    name="bench-98k",
    vocab_size=98304,
    token_size=4,
    eos_id=1,
    bos_id=None,
    pad_id=2,
    fim_prefix_id=3,
    fim_middle_id=4,
    fim_suffix_id=5,
)
TOK2 = dataclasses.replace(
    TOK, id="sha256:benchmark-2", name="bench-32k", vocab_size=32768, token_size=2
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


def write_sources(root: Path, scale: int, tok: TokenizerInfo = TOK) -> int:
    """Tokenized sources under ``root/tokens``; returns their total tokens."""
    rng = np.random.default_rng(scale)
    dtype = np.uint16 if tok.token_size == 2 else np.uint32
    total = 0
    for name, tokens in SOURCE_TOKENS.items():
        folder = root / "tokens" / name
        folder.mkdir(parents=True)
        shards, docs, written = [], 0, 0
        while written < tokens * scale:
            writer = ShardWriter(
                str(folder),
                f"00000_{len(shards):05d}",
                token_size=tok.token_size,
                tokenizer_id=tok.id,
                tokenizer_name=tok.name,
            )
            while writer.num_tokens < INPUT_SHARD_TOKENS and written < tokens * scale:
                n = int(np.clip(rng.lognormal(np.log(MEAN_DOC_TOKENS) - 0.5, 1.0), 20, 30_000))
                doc = rng.integers(10, tok.vocab_size, size=n, dtype=dtype)
                doc[-1] = tok.eos_id
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
        write_source_counts(str(folder), SourceCounts(name, tok, docs, written, shards))
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
    stages = {}
    for stage in ("route", "write"):
        # Seconds the stage's step ran, added over its tasks (datatrove's stats).
        (stats,) = (root / "out" / "logs" / "emit").glob(f"*/{stage}/stats.json")
        stages[f"{stage}_seconds"] = json.loads(stats.read_text())[0]["time_stats"]["total"]
    report = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        **stages,
        "token_bytes": sum(m.tokens * m.tokenizer.token_size for m in manifests),
        "documents": sum(m.documents for m in manifests),
        "max_share_error_pp": max(errors),
        "peak_rss_mb": rss / 1024,
    }
    print(json.dumps(report))


def read_write(src: Path, dest: Path) -> None:
    """Copies ``src`` through this process: ``read`` 1 MiB into a buffer, ``write`` it (as a
    program that must see the bytes copies them)."""
    buffer = bytearray(1 << 20)
    with open(src, "rb") as f, open(dest, "wb") as out:
        while n := f.readinto(buffer):
            out.write(memoryview(buffer)[:n])


def copy_baseline(root: Path, nbytes: int, copy=shutil.copyfile) -> float:  # noqa: ANN001
    """MB/s of copying ``nbytes`` from the source shards (cycling through them), each with
    ``copy(src, dest)``: by default ``shutil.copyfile`` (the kernel copies), or ``read_write``."""
    sources = sorted((root / "tokens").glob("*/*.ds"))
    dest = root / "copy"
    dest.mkdir()
    copied, k = 0, 0
    start = time.perf_counter()
    while copied < nbytes:
        src = sources[k % len(sources)]
        copy(src, dest / f"{k:05d}.ds")
        copied += src.stat().st_size
        k += 1
    seconds = time.perf_counter() - start
    shutil.rmtree(dest)
    return copied / seconds / 1e6


def doc_table(root: Path, nbytes: int, token_size: int, seed: int = 0) -> tuple[list, np.ndarray]:
    """The source shards, and (file index, byte offset, byte length) of their documents in a
    shuffled order, repeated as needed to reach ``nbytes``."""
    docs = []
    files = sorted((root / "tokens").glob("*/*.ds"))
    for k, path in enumerate(files):
        ends = np.fromfile(f"{path}.index", dtype="<u8") * token_size
        starts = np.concatenate([[0], ends[:-1]])
        docs.append(np.stack([np.full(ends.size, k), starts, ends - starts], axis=1))
    table = np.concatenate(docs).astype(np.int64)
    table = table[np.random.default_rng(seed).permutation(len(table))]
    rounds = -(-nbytes // int(table[:, 2].sum()))
    table = np.concatenate([table] * rounds)
    return files, table[: int(np.searchsorted(np.cumsum(table[:, 2]), nbytes)) + 1]


def gather_baseline(root: Path, nbytes: int, token_size: int) -> float:
    """MB/s of the least a document-level emitter does: copy whole documents of the source
    shards, in a shuffled order, into 4M-token output files, until ``nbytes`` are written
    (one ``os.preadv`` per document, as the emitter reads; no FIM, sidecar or checksums)."""
    files, table = doc_table(root, nbytes, token_size)
    dest = root / "gather"
    dest.mkdir()
    fds = [os.open(p, os.O_RDONLY) for p in files]
    limit = 4_000_000 * token_size
    buffer = bytearray(limit + int(table[:, 2].max()))
    view = memoryview(buffer)
    written, filled, n = 0, 0, 0
    start = time.perf_counter()
    for k, offset, length in table.tolist():
        os.preadv(fds[k], [view[filled : filled + length]], offset)
        filled += length
        if filled >= limit:
            (dest / f"{n:05d}.ds").write_bytes(view[:filled])
            written, filled, n = written + filled, 0, n + 1
    (dest / f"{n:05d}.ds").write_bytes(view[:filled])
    seconds = time.perf_counter() - start
    for fd in fds:
        os.close(fd)
    shutil.rmtree(dest)
    return (written + filled) / seconds / 1e6


def native_floor(root: Path, nbytes: int, token_size: int) -> dict[str, float | None]:
    """MB/s of ``gather_floor.c`` (the same gather in C: one ``pread`` per document, or one
    ``memcpy`` from sources mapped for the whole run); None without a C compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    result: dict[str, float | None] = {"pread": None, "mmap": None}
    if compiler is None:
        return result
    binary = root / "gather_floor"
    source = Path(__file__).with_name("gather_floor.c")
    if subprocess.run([compiler, "-O2", "-o", binary, source], check=False).returncode != 0:
        return result
    files, table = doc_table(root, nbytes, token_size)
    (root / "files.txt").write_text("".join(f"{f}\n" for f in files))
    table.astype("<i8").tofile(root / "table.bin")
    for mode in result:
        dest = root / f"native-{mode}"
        dest.mkdir()
        args = [binary, root / "files.txt", root / "table.bin", mode, dest]
        out = subprocess.run(
            [*map(str, args), str(4_000_000 * token_size)], capture_output=True, text=True
        )
        if out.returncode == 0:
            report = json.loads(out.stdout)
            result[mode] = report["bytes"] / report["seconds"] / 1e6
        shutil.rmtree(dest)
    return result


def settle(measure, root: Path, *args):  # noqa: ANN001, ANN201
    """``measure(root, *args)`` on the same footing as every other measurement: every dirty
    page written to disk first (else the kernel's writeback of files written earlier, after
    30 s by default, lands in whichever measurement runs then), and the source shards read
    once (else one measurement reads them from disk, where the page cache has let them go,
    and the next from memory)."""
    os.sync()
    buffer = bytearray(1 << 20)
    for path in sorted((root / "tokens").rglob("*")):
        if path.is_file():
            with open(path, "rb") as f:
                while f.readinto(buffer):
                    pass
    return measure(root, *args)


def run_scale(
    workdir: Path, scale: int, tasks: int, workers: int, tok: TokenizerInfo, rounds: int
) -> dict:
    root = workdir / f"scale{scale}"
    root.mkdir()
    total = write_sources(root, scale, tok)
    budgets = {f"p{i + 1}": int(total * f) for i, f in enumerate((0.58, 0.26, 0.16))}
    (root / "mix.yaml").write_text(MIX.format(**budgets))
    report: dict = {}
    for _ in range(rounds):
        shutil.rmtree(root / "out", ignore_errors=True)
        proc = settle(
            lambda root: subprocess.run(
                [sys.executable, __file__, "--child", str(root), "--tasks", str(tasks)]
                + ["--workers", str(workers)],
                capture_output=True,
                text=True,
                check=False,
            ),
            root,
        )
        if proc.returncode != 0:
            sys.exit(f"emit failed at scale {scale}:\n{proc.stderr[-3000:]}")
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        run["emit_mb_per_s"] = run["token_bytes"] / run["seconds"] / 1e6
        nbytes = run["token_bytes"]
        run["copy_mb_per_s"] = settle(copy_baseline, root, nbytes)
        run["read_write_mb_per_s"] = settle(copy_baseline, root, nbytes, read_write)
        run["gather_mb_per_s"] = settle(gather_baseline, root, nbytes, tok.token_size)
        for mode, mb_per_s in settle(native_floor, root, nbytes, tok.token_size).items():
            run[f"native_{mode}_mb_per_s"] = mb_per_s
        # Each measurement's best round (the emit's whole report with it); the worst memory
        # and share error.
        if not report or run["emit_mb_per_s"] > report["emit_mb_per_s"]:
            report = {**report, **{k: v for k, v in run.items() if not k.endswith("mb_per_s")}}
            report["emit_mb_per_s"] = run["emit_mb_per_s"]
        for key in [k for k in run if k.endswith("mb_per_s") and k != "emit_mb_per_s"]:
            if run[key] is not None and (report.get(key) is None or run[key] > report[key]):
                report[key] = run[key]
            report.setdefault(key, run[key])
        for key in ("peak_rss_mb", "max_share_error_pp"):
            report[key] = max(report.get(key, 0.0), run[key])
    report["source_mb"] = total * tok.token_size / 1e6
    shutil.rmtree(root)
    return report


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="base scale (also runs 4x this)")
    parser.add_argument("--tasks", type=int, default=1, help="datatrove tasks of each stage")
    parser.add_argument(
        "--workers", type=int, default=1, help="tasks run at once (local processes)"
    )
    parser.add_argument(
        "--token-size",
        type=int,
        choices=(2, 4),
        default=4,
        help="bytes per stored token: 4 (98,304-id vocabulary, Mellum 2's) or 2 (32,768 ids)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="emit and baselines this many times in turn; each one's best round counts",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.tasks, args.workers)
        return
    tok = TOK if args.token_size == 4 else TOK2
    with tempfile.TemporaryDirectory(prefix="mix-bench-") as tmp:
        reports = {
            k: run_scale(Path(tmp), k * args.scale, args.tasks, args.workers, tok, args.rounds)
            for k in (1, 4)
        }
    print(
        f"{'scale':>6}{'source MB':>11}{'emitted MB':>12}{'documents':>11}{'emit s':>8}"
        f"{'route s':>9}{'write s':>9}"
        f"{'CPU s':>7}{'emit MB/s':>11}{'copy MB/s':>11}{'r/w MB/s':>10}{'gather MB/s':>13}"
        f"{'C pread MB/s':>14}{'C mmap MB/s':>13}{'share err pp':>14}{'peak RSS MB':>13}"
    )
    for k, r in reports.items():
        print(
            f"{k * args.scale:>6}{r['source_mb']:>11.1f}{r['token_bytes'] / 1e6:>12.1f}"
            f"{r['documents']:>11,}{r['seconds']:>8.2f}{r['route_seconds']:>9.2f}"
            f"{r['write_seconds']:>9.2f}{r['cpu_seconds']:>7.2f}"
            f"{r['emit_mb_per_s']:>11.1f}{r['copy_mb_per_s']:>11.1f}"
            f"{r['read_write_mb_per_s']:>10.1f}{r['gather_mb_per_s']:>13.1f}"
            f"{_mb(r['native_pread_mb_per_s']):>14}{_mb(r['native_mmap_mb_per_s']):>13}"
            f"{r['max_share_error_pp']:>14.3f}{r['peak_rss_mb']:>13.1f}"
        )
    print(
        "emit MB/s: token bytes written per wall second of emit() (plan, cuts, routing, "
        "writing, manifests); route s and write s: those stages' task seconds (added over "
        "tasks); CPU s: this process's CPU (its own tasks with --workers 1)."
    )
    big = reports[4]
    result = {
        "emit_mb_per_s": round(big["emit_mb_per_s"], 1),
        "emit_mb_per_cpu_s": round(big["token_bytes"] / big["cpu_seconds"] / 1e6, 1),
        "copy_mb_per_s": round(big["copy_mb_per_s"], 1),
        "vs_copy": round(big["emit_mb_per_s"] / big["copy_mb_per_s"], 3),
        "read_write_mb_per_s": round(big["read_write_mb_per_s"], 1),
        "vs_read_write": round(big["emit_mb_per_s"] / big["read_write_mb_per_s"], 3),
        "gather_mb_per_s": round(big["gather_mb_per_s"], 1),
        "vs_gather": round(big["emit_mb_per_s"] / big["gather_mb_per_s"], 3),
        **{
            key: None if big[f"native_{m}_mb_per_s"] is None else round(value(m), 3)
            for m in ("pread", "mmap")
            for key, value in (
                (f"native_{m}_mb_per_s", lambda m: big[f"native_{m}_mb_per_s"]),
                (
                    f"native_{m}_vs_copy",
                    lambda m: big[f"native_{m}_mb_per_s"] / big["copy_mb_per_s"],
                ),
            )
        },
        "max_share_error_pp": round(max(r["max_share_error_pp"] for r in reports.values()), 3),
        "peak_rss_mb_s1": round(reports[1]["peak_rss_mb"], 1),
        "peak_rss_mb_s4": round(reports[4]["peak_rss_mb"], 1),
        "token_size": tok.token_size,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

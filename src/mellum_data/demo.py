"""The end-to-end demo on the built-in sample: every stage, real parts, a few minutes on CPU.

Layout of ``OUT``::

    sample/                 the generated corpus (web WARCs, code repositories, math)
    clean/{web,code,math}/  source pipelines: kept <source>/*.parquet, removed/<step>/, logs/
    dedup/                  MinHash near-dedup over all three sources
    tokenizer/              byte-level BPE (tokenizer.json)
    tokens/<source>/        token shards + counts.json per source
    mixture.yaml            the mixture used (edit it and rerun plan / mix)
    mix/phase{1,2,3}/       phase shards + manifest.json, mix/plan.json
    stats/                  stats.json and phases.png
    train/                  metrics.jsonl, loss.png, ckpt.pt
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The demo trains a small vocabulary: the sample is a few MB, far too little for 98,304.
DEMO_VOCAB = 4096
# 100 steps of 512 tokens per phase: about 30 s per phase on one CPU core, enough for the
# loss (and the code validation loss) to fall visibly from phase to phase.
DEMO_TRAIN = ["data.max_steps_per_phase=100"]


class _Steps:
    def __init__(self, total: int, log: Callable[[str], None]) -> None:
        self.total, self.n, self.log = total, 0, log
        self.times: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        self.n += 1
        self.log(f"[{self.n}/{self.total}] {name} ...")
        start = time.time()
        result = fn()
        self.times[name] = round(time.time() - start, 1)
        self.log(f"[{self.n}/{self.total}] {name}: done in {self.times[name]:.1f}s")
        return result


def write_demo_mixture(out: Path, *, scale: int = 1) -> Path:
    """Copy the shipped demo mixture next to the outputs (its source paths are relative to
    the YAML file, so ``OUT/mixture.yaml`` resolves to ``OUT/tokens/<source>``)."""
    import yaml

    from mellum_data.mixtures import preset_path

    text = Path(preset_path("demo")).read_text()
    if scale != 1:
        data = yaml.safe_load(text)
        for phase in data["phases"]:
            phase["tokens"] = int(phase["tokens"] * scale)
        text = f"# demo mixture, token budgets scaled x{scale}\n" + yaml.safe_dump(
            data, sort_keys=False
        )
    path = out / "mixture.yaml"
    path.write_text(text)
    return path


def run_demo(
    out_dir: str,
    *,
    seed: int = 0,
    scale: int = 1,
    train_overrides: list[str] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Run every stage on the sample into ``out_dir``; returns the report also written to
    ``out_dir/demo.json``. ``train_overrides`` are ``--set`` strings for the trainer."""
    from mellum_data.mixtures import emit, load_mixture, make_plan
    from mellum_data.pipelines.code import CodeConfig, run_code
    from mellum_data.pipelines.dedup import DedupConfig, run_dedup
    from mellum_data.pipelines.executor import Execution
    from mellum_data.pipelines.math import MathConfig, run_math
    from mellum_data.pipelines.tokenize import TokenizeConfig, run_tokenize
    from mellum_data.pipelines.web import WebConfig, run_web
    from mellum_data.sample import write_sample
    from mellum_data.stats import plot_phases, render_tables, summarize, verify_tree
    from mellum_data.tokenize.train import train_tokenizer
    from mellum_data.trainer import load_train_config, train

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    o = str(out)
    ex = Execution()
    steps = _Steps(11, log)
    started = time.time()

    summary = steps.run(
        "sample corpus", lambda: write_sample(f"{o}/sample", seed=seed, scale=scale)
    )
    steps.run(
        "web pipeline",
        lambda: run_web([f"{o}/sample/web/*.warc.gz"], f"{o}/clean/web", WebConfig(), ex),
    )
    steps.run(
        "code pipeline", lambda: run_code([f"{o}/sample/code"], f"{o}/clean/code", CodeConfig(), ex)
    )
    steps.run(
        "math pipeline", lambda: run_math([f"{o}/sample/math"], f"{o}/clean/math", MathConfig(), ex)
    )
    steps.run(
        "MinHash dedup",
        lambda: run_dedup(
            [f"{o}/clean/web", f"{o}/clean/code", f"{o}/clean/math"],
            f"{o}/dedup",
            DedupConfig(),
            ex,
        ),
    )
    tokenizer = steps.run(
        "tokenizer training",
        lambda: train_tokenizer([f"{o}/dedup"], f"{o}/tokenizer", vocab_size=DEMO_VOCAB, seed=seed),
    )
    steps.run(
        "tokenize",
        lambda: run_tokenize(f"{o}/dedup", tokenizer, f"{o}/tokens", TokenizeConfig(), ex),
    )
    mixture = write_demo_mixture(out, scale=scale)

    def plan_and_mix() -> Any:
        spec = load_mixture(str(mixture))
        plan = make_plan(spec)
        log(plan.table())
        return emit(spec, f"{o}/mix", ex, plan=plan)

    steps.run("plan and phase shards", plan_and_mix)

    def stats() -> dict:
        (out / "stats").mkdir(exist_ok=True)
        st = summarize(o)
        (out / "stats" / "stats.json").write_text(json.dumps(st, indent=2) + "\n")
        plot_phases(st, str(out / "stats" / "phases.png"))
        log(render_tables(st))
        return st

    stats_summary = steps.run("stats", stats)
    steps.run("verify shards against manifests", lambda: verify_tree(f"{o}/mix"))
    result = steps.run(
        "reference trainer (tiny MoE, CPU)",
        lambda: train(
            f"{o}/mix",
            load_train_config(None, [*DEMO_TRAIN, *(train_overrides or [])], preset="tiny"),
            f"{o}/train",
            log=log,
        ),
    )
    wall = round(time.time() - started, 1)
    report = {
        "wall_s": wall,
        "stage_s": steps.times,
        "sample": summary.get("counts", {}),
        "sample_bytes": summary.get("total_bytes"),
        "phases": {k: v["tokens"] for k, v in stats_summary["phases"].items()},
        "train": result.get("phases", []),
    }
    (out / "demo.json").write_text(json.dumps(report, indent=2) + "\n")
    log("")
    log(f"demo finished in {wall:.0f}s. Outputs under {o}:")
    for rel, what in (
        ("sample/", "the generated corpus"),
        (
            "clean/{web,code,math}/",
            "kept documents; removed/<step>/ holds every drop with its reason",
        ),
        ("dedup/", "after MinHash near-dedup"),
        ("tokenizer/tokenizer.json", f"byte-level BPE, {DEMO_VOCAB} tokens"),
        ("tokens/<source>/", "token shards + counts.json"),
        ("mixture.yaml", "the mixture used: edit it, then `mellum-data plan` / `mellum-data mix`"),
        ("mix/phase{1,2,3}/", "phase shards + manifest.json"),
        ("stats/", "stats.json, phases.png"),
        ("train/", "metrics.jsonl, loss.png, ckpt.pt"),
    ):
        log(f"  {rel:<26} {what}")
    return report

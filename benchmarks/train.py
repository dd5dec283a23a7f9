"""Training throughput of the reference trainer on synthetic phase shards.

On CUDA: the ``small`` preset (~100M total parameters) with bf16 autocast, and MFU against
the H100/H200 SXM dense bf16 peak. On CPU: the ``tiny`` preset at the demo's 8k vocabulary.
The shards are written with the real ``ShardWriter`` and manifest, so the measured steps
include the loader (packing, batching) as in training. Variants, each after warmup steps:
concatenation (the baseline), best-fit packing with document masking, and with
``--compile`` the baseline under ``torch.compile`` (CUDA only).

    .venv/bin/python benchmarks/train.py [--scale K] [--device auto|cpu|cuda] [--compile]

Prints a table and, as its last line, one JSON object with ``tokens_per_s`` (the baseline)
and, on CUDA, ``mfu``. Meant to finish in well under 3 minutes on one GPU or 2 CPU cores.
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
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mellum_data.tokenize.manifest import (  # noqa: E402
    PhaseManifest,
    TokenizerInfo,
    write_phase_manifest,
)
from mellum_data.tokenize.shards import ShardWriter  # noqa: E402
from mellum_data.trainer import TrainConfig, flops_per_token, load_train_config  # noqa: E402
from mellum_data.trainer.device import resolve_device  # noqa: E402
from mellum_data.trainer.train import build, prepare, train_step  # noqa: E402

# NVIDIA H100 SXM datasheet: 1,979 bf16 TFLOPS "with sparsity", i.e. 989 dense; the H200
# has the same compute. MFU on another GPU needs --peak-tflops.
H100_BF16_DENSE_FLOPS = 989e12
CPU_VOCAB = 8192  # the demo tokenizer's size (demo.DEMO_VOCAB)
EOS = 1


def settings(device: torch.device) -> dict:
    """Preset, config overrides and step counts for a device. CUDA: ``small`` in micro-
    batches of 16 (see the preset), bf16 autocast (``train.autocast``); CPU: ``tiny``."""
    if device.type == "cuda":
        return {
            "preset": "small",
            "overrides": ["device=cuda"],
            "vocab": 32_768,
            "warmup": 3,
            "steps": 20,
            "autocast": "bf16",
        }
    return {
        "preset": "tiny",
        "overrides": ["device=cpu"],
        "vocab": CPU_VOCAB,
        "warmup": 3,
        "steps": 30,
        "autocast": None,
    }


def mfu(tokens_per_s: float, flops_token: float, peak: float = H100_BF16_DENSE_FLOPS) -> float:
    """Model FLOPs utilisation: achieved training FLOPs per second over the peak."""
    return tokens_per_s * flops_token / peak


def write_synthetic_phase(root: Path, *, vocab: int, tokens: int, seed: int = 0) -> Path:
    """One phase folder of about ``tokens`` tokens in three sources, as the mixer writes it.
    Documents (64 to 4096 tokens, log-uniform) are stretches of a per-source random cycle
    ended by EOS, so the loss can fall like on real data while nothing is stored."""
    rng = np.random.default_rng(seed)
    tok = TokenizerInfo(
        id="sha256:synthetic", name=f"synthetic-{vocab}", vocab_size=vocab, token_size=2, eos_id=EOS
    )
    folder = root / "phase1"
    folder.mkdir(parents=True)
    writer = ShardWriter(str(folder), "shard0", token_size=2, tokenizer_id=tok.id)
    cycles = {s: rng.permutation(np.arange(2, vocab))[:4000] for s in ("web", "code", "math")}
    sources: dict[str, dict[str, int]] = {}
    written, i = 0, 0
    while written < tokens:
        source = ("web", "code", "math")[i % 3]
        cyc = cycles[source]
        n = int(np.exp(rng.uniform(np.log(64), np.log(4096))))
        doc = np.append(cyc[(int(rng.integers(len(cyc))) + np.arange(n)) % len(cyc)], EOS)
        writer.add(doc, id=f"{source}/{i}", source=source)
        stats = sources.setdefault(source, {"documents": 0, "tokens": 0})
        stats["documents"] += 1
        stats["tokens"] += len(doc)
        written, i = written + len(doc), i + 1
    shard = writer.close()
    write_phase_manifest(
        str(folder),
        PhaseManifest(
            phase="phase1",
            index=0,
            spec_sha256="0" * 64,
            tokenizer=tok,
            seed=seed,
            sequence_length=0,
            sources=sources,
            documents=shard.documents,
            tokens=shard.tokens,
            shards=[shard],
            code_version="benchmark",
        ),
    )
    return root


def measure(shards: str, cfg: TrainConfig, warmup: int, steps: int) -> dict:
    """Tokens per second over ``steps`` optimizer steps after ``warmup`` untimed ones."""
    plan = prepare(shards, cfg)
    cfg = plan.cfg
    device = resolve_device(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    model, optimizers = build(cfg, device)
    fwd = torch.compile(model) if cfg.compile and device.type == "cuda" else model
    data = plan.packed[0]
    if data.num_sequences < (warmup + steps) * cfg.data.batch_size:
        raise SystemExit(f"synthetic phase too small: {data.num_sequences} sequences")
    losses = []
    for step in range(warmup + steps):
        if step == warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        res, _ = train_step(fwd, model, optimizers, data, step, 1.0, cfg, device)
        losses.append(res["loss"])  # .item() in train_step synchronises each step
    seconds = time.perf_counter() - t0
    tokens = steps * cfg.data.batch_size * cfg.data.seq_len
    return {
        "tokens_per_s": tokens / seconds,
        "step_s": seconds / steps,
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "flops_per_token": flops_per_token(cfg.model, cfg.data.seq_len),
    }


def variants(compile_model: bool, device: torch.device) -> dict[str, list[str]]:
    out = {"concat": [], "best_fit+doc_mask": ["data.packing=best_fit", "data.doc_mask=true"]}
    if compile_model and device.type == "cuda":
        out["concat+compile"] = ["compile=true"]
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the timed steps")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--compile", action="store_true", help="add a torch.compile variant")
    parser.add_argument("--peak-tflops", type=float, help="bf16 dense peak (default H100/H200)")
    parser.add_argument(
        "--set", action="append", default=[], help="trainer override, e.g. data.batch_size=8"
    )
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    run = settings(device)
    steps = max(1, round(run["steps"] * args.scale))
    peak = args.peak_tflops * 1e12 if args.peak_tflops else H100_BF16_DENSE_FLOPS
    base = load_train_config(None, [*run["overrides"], *args.set], run["preset"])
    need = (run["warmup"] + steps) * base.data.batch_size * (base.data.seq_len + 1)
    started = time.perf_counter()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Best-fit pads (a few percent), and validation holds out at least one document
        # (up to 4k tokens) per source: headroom for both.
        tokens = int(1.3 * need) + 3 * 4096
        shards = write_synthetic_phase(Path(tmp), vocab=run["vocab"], tokens=tokens)
        for name, extra in variants(args.compile, device).items():
            cfg = load_train_config(None, [*run["overrides"], *args.set, *extra], run["preset"])
            results[name] = measure(str(shards), cfg, run["warmup"], steps)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(
        f"preset {run['preset']} on {gpu}: {steps} timed steps of "
        f"{base.data.batch_size} x {base.data.seq_len} tokens after {run['warmup']} warmup"
    )
    print(f"{'variant':<20} {'tokens/s':>12} {'s/step':>8} {'loss first->last':>18} {'mfu':>6}")
    baseline = results["concat"]["tokens_per_s"]
    for name, r in results.items():
        m = f"{mfu(r['tokens_per_s'], r['flops_per_token'], peak):.1%}" if gpu != "cpu" else "-"
        print(
            f"{name:<20} {r['tokens_per_s']:>12,.0f} {r['step_s']:>8.3f} "
            f"{r['loss_first']:>8.3f} -> {r['loss_last']:<7.3f} {m:>6}"
        )
    report = {
        "benchmark": "train",
        "device": gpu,
        "preset": run["preset"],
        "autocast": run["autocast"],
        "seq_len": base.data.seq_len,
        "batch_size": base.data.batch_size,
        "steps": steps,
        "tokens_per_s": round(baseline, 1),
        "flops_per_token": results["concat"]["flops_per_token"],
        "variants": {k: round(v["tokens_per_s"], 1) for k, v in results.items()},
        "ratio_vs_concat": {k: round(v["tokens_per_s"] / baseline, 3) for k, v in results.items()},
        "wall_s": round(time.perf_counter() - started, 1),
    }
    if device.type == "cuda":
        report["mfu"] = round(mfu(baseline, report["flops_per_token"], peak), 4)
        report["peak_flops"] = peak
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()

"""The training loop: phases in manifest order, one WSD schedule across them, per-source
validation at each phase boundary, and a checkpoint that resumes exactly.

Everything that can fail on the input fails in ``prepare``, before a step is taken or a
file is written: every shard is verified against its manifest, the phases must share one
tokenizer, and each phase must hold at least one batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from mellum_data.tokenize.manifest import TokenizerInfo
from mellum_data.trainer.checkpoint import (
    load_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from mellum_data.trainer.config import TrainConfig
from mellum_data.trainer.data import (
    Batch,
    PackedPhase,
    Phase,
    discover_phases,
    select_validation,
    training_data,
    validation_batches,
    verify_phases,
)
from mellum_data.trainer.device import autocast, resolve_device
from mellum_data.trainer.metrics import MetricsLog, plot_loss
from mellum_data.trainer.model import IGNORE, Transformer
from mellum_data.trainer.muon import Muon, param_groups
from mellum_data.trainer.params import count_params
from mellum_data.trainer.schedule import WSD, wsd_from_phases

EDGE = 5  # a phase's start/end loss is the mean of its first/last EDGE steps


@dataclass
class Plan:
    cfg: TrainConfig  # with the tokenizer's vocabulary
    tokenizer: TokenizerInfo
    phases: list[Phase]
    packed: list[PackedPhase]
    steps: list[int]
    schedule: WSD
    val: dict[str, Batch]


def prepare(shards_dir: str, cfg: TrainConfig) -> Plan:
    """Verify the input and lay out the run: data per phase, steps, schedule, validation."""
    phases = discover_phases(shards_dir)
    tok = verify_phases(phases)
    model_cfg = cfg.model.model_copy(update={"vocab_size": tok.vocab_size})
    cfg = cfg.model_copy(update={"model": model_cfg})
    d = cfg.data
    # Held out from the last phase, excluded by id from every phase (documents may repeat).
    val_table = select_validation(phases[-1], d)
    held_out = set(val_table.column("id").to_pylist())
    val = validation_batches(phases[-1], val_table, d, tok.eos_id)
    packed = [training_data(p, held_out, d, tok.eos_id, cfg.seed + i) for i, p in enumerate(phases)]
    cap = d.max_steps_per_phase or math.inf
    steps = [int(min(p.num_sequences // d.batch_size, cap)) for p in packed]
    return Plan(cfg, tok, phases, packed, steps, wsd_from_phases(steps, cfg.schedule), val)


def build(
    cfg: TrainConfig, device: torch.device
) -> tuple[Transformer, list[torch.optim.Optimizer]]:
    torch.manual_seed(cfg.seed)
    model = Transformer(cfg.model).to(device)
    muon_groups, adam_groups = param_groups(model, weight_decay=cfg.optim.weight_decay)
    o = cfg.optim
    optimizers = [
        Muon(muon_groups, lr=o.muon_lr, momentum=o.muon_momentum),
        torch.optim.AdamW(adam_groups, lr=o.lr, betas=o.betas, fused=device.type == "cuda"),
    ]
    for opt in optimizers:
        for group in opt.param_groups:
            group["peak_lr"] = group["lr"]  # the schedule scales this each step
    return model, optimizers


def _to(batch: Batch, device: torch.device) -> Batch:
    return Batch(*(None if t is None else t.to(device, non_blocking=True) for t in batch))


def train_step(
    fwd: Callable[..., Any],
    model: Transformer,
    optimizers: list[torch.optim.Optimizer],
    data: PackedPhase,
    step: int,
    mult: float,
    cfg: TrainConfig,
    device: torch.device,
) -> tuple[dict[str, float], float]:
    """One optimizer step on batch ``step`` of ``data`` at ``mult`` x the peak learning
    rates: gradient accumulation over micro-batches, clipping, Muon and AdamW, then the
    router-bias update. ``fwd`` is ``model`` or its compiled version. Returns the mean
    losses and the expert imbalance (busiest expert's load / mean, worst layer)."""
    d = cfg.data
    micro = d.micro_batch_size or d.batch_size
    for opt in optimizers:
        for group in opt.param_groups:
            group["lr"] = group["peak_lr"] * mult
    losses = {"loss": 0.0, "mtp_loss": 0.0, "aux_loss": 0.0}
    for m in range(d.batch_size // micro):  # gradient accumulation
        x, y, doc = _to(data.batch(step, m), device)
        with autocast(device):
            res = fwd(x, y, doc)
        (res.loss * micro / d.batch_size).backward()
        for key, value in (("loss", res.lm_loss), ("mtp_loss", res.mtp_loss)):
            losses[key] += 0.0 if value is None else value.item() * micro / d.batch_size
        losses["aux_loss"] += res.aux_loss.item() * micro / d.batch_size
    if cfg.optim.grad_clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip)
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
    loads = [moe.take_load(cfg.model.bias_update_rate) for moe in model.moe_layers()]
    return losses, max(float(ld.max() / ld.mean().clamp(min=1)) for ld in loads)


@torch.no_grad()
def evaluate(
    model: torch.nn.Module, val: dict[str, Batch], batch: int, device: torch.device
) -> dict[str, float]:
    """Mean next-token loss per source over its held-out tokens."""
    model.eval()
    out = {}
    for source, (x, y, doc) in val.items():
        total, count = 0.0, 0
        for i in range(0, len(x), batch):
            xb, yb = x[i : i + batch].to(device), y[i : i + batch].to(device)
            db = None if doc is None else doc[i : i + batch].to(device)
            with autocast(device):
                logits = model(xb, doc=db).logits
            total += F.cross_entropy(
                logits.flatten(0, 1).float(), yb.flatten(), ignore_index=IGNORE, reduction="sum"
            ).item()
            count += int((yb != IGNORE).sum())
        out[source] = total / max(count, 1)
    model.train()
    return out


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def train(
    shards_dir: str,
    cfg: TrainConfig,
    out_dir: str,
    *,
    log: Callable[[str], Any] = print,
    resume: str | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Train through the phases under ``shards_dir``; writes ``metrics.jsonl``, ``loss.png``
    and ``ckpt.pt`` to ``out_dir``. ``resume``: a checkpoint to continue from (its config
    is used). ``stop_after``: stop, with a checkpoint, after that many steps in total."""
    threads = torch.get_num_threads()
    try:
        return _run(shards_dir, cfg, Path(out_dir), log, resume, stop_after)
    finally:
        torch.set_num_threads(threads)  # ``cfg.threads`` must not outlive the run


def _run(
    shards_dir: str,
    cfg: TrainConfig,
    out: Path,
    log: Callable[[str], Any],
    resume: str | None,
    stop_after: int | None,
) -> dict[str, Any]:
    ckpt = load_checkpoint(resume) if resume else None
    if ckpt is not None:
        cfg = TrainConfig.model_validate(ckpt["config"])
    plan = prepare(shards_dir, cfg)
    cfg, d, phases = plan.cfg, plan.cfg.data, plan.phases
    device = resolve_device(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    model, optimizers = build(cfg, device)
    fwd = torch.compile(model) if cfg.compile and device.type == "cuda" else model
    counts = count_params(cfg.model)
    pos = {"phase": 0, "step": 0, "global_step": 0, "tokens": 0, "metrics_lines": 0}
    history: dict[str, Any] = {"results": [], "losses": []}
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        for opt, state in zip(optimizers, ckpt["optimizers"], strict=True):
            opt.load_state_dict(state)
        set_rng_state(ckpt["rng"])
        pos, history = dict(ckpt["position"]), ckpt["history"]
        log(f"resuming {resume} after step {pos['global_step']}")
    out.mkdir(parents=True, exist_ok=True)
    metrics = MetricsLog(out / "metrics.jsonl", keep_lines=pos["metrics_lines"])
    log(
        f"model {counts['total']:,} params ({counts['active']:,} active), vocab "
        f"{cfg.model.vocab_size:,} from tokenizer {plan.tokenizer.id}, {device.type}; "
        f"{sum(plan.steps)} steps over {len(phases)} phases"
    )
    micro = d.micro_batch_size or d.batch_size
    step_tokens = d.batch_size * d.seq_len

    def checkpoint(phase: int, step: int) -> None:
        pos.update(phase=phase, step=step, metrics_lines=metrics.lines)
        payload = {
            "model": model.state_dict(),
            "optimizers": [opt.state_dict() for opt in optimizers],
            "schedule": plan.schedule.state_dict(),
            "rng": rng_state(),
            "position": dict(pos),
            "history": history,
            "config": cfg.model_dump(),
            "tokenizer": asdict(plan.tokenizer),
        }
        save_checkpoint(out / "ckpt.pt", payload)

    stopped = False
    for pi, (phase, data) in enumerate(zip(phases, plan.packed, strict=True)):
        if pi < pos["phase"]:
            continue
        n_steps, first = plan.steps[pi], (pos["step"] if pi == pos["phase"] else 0)
        if first == 0:
            history["losses"] = []
            log(
                f"{phase.name} [{pi + 1}/{len(phases)}]: {n_steps} steps x {step_tokens:,} "
                f"tokens ({data.store.num_tokens:,} available)"
            )
        t0, imbalance = time.perf_counter(), math.nan
        for step in range(first, n_steps):
            mult = plan.schedule(pos["global_step"])
            losses, imbalance = train_step(fwd, model, optimizers, data, step, mult, cfg, device)
            pos["global_step"] += 1
            pos["tokens"] += step_tokens
            history["losses"].append(losses["loss"])
            metrics.write(
                {
                    "kind": "train",
                    "phase": phase.name,
                    "step": pos["global_step"],
                    **losses,
                    "lr": cfg.optim.lr * mult,
                    "tokens": pos["tokens"],
                    "expert_load_max": imbalance,  # busiest expert's load / mean, worst layer
                }
            )
            done = step + 1
            if done % cfg.log_every == 0 and done < n_steps:
                rate = (done - first) / (time.perf_counter() - t0)
                log(
                    f"  {phase.name} step {done}/{n_steps} loss {losses['loss']:.3f} "
                    f"lr x{mult:.2f} {rate:.1f} steps/s"
                )
            if cfg.ckpt_every and pos["global_step"] % cfg.ckpt_every == 0:
                checkpoint(pi, done)
            if stop_after is not None and pos["global_step"] >= stop_after:
                stopped = True
                checkpoint(pi, done)
                log(f"stopped after step {pos['global_step']}; checkpoint {out / 'ckpt.pt'}")
                break
        if stopped:
            break
        val_loss = evaluate(model, plan.val, micro, device)
        for source, loss in val_loss.items():
            metrics.write(
                {
                    "kind": "val",
                    "phase": phase.name,
                    "source": source,
                    "loss": loss,
                    "step": pos["global_step"],
                }
            )
        result = {
            "phase": phase.name,
            "steps": n_steps,
            "tokens": n_steps * step_tokens,
            "loss_start": _mean(history["losses"][:EDGE]),
            "loss_end": _mean(history["losses"][-EDGE:]),
            "val": val_loss,
        }
        history["results"].append(result)
        vals = " ".join(f"{s} {v:.3f}" for s, v in val_loss.items())
        log(
            f"{phase.name} done: loss {result['loss_start']:.3f} -> {result['loss_end']:.3f} "
            f"| val {vals} | expert load max/mean {imbalance:.2f}"
        )
        checkpoint(pi + 1, 0)
    metrics.close()
    plot_loss(metrics.records(), out / "loss.png")
    return {
        "phases": history["results"],
        "metrics": str(out / "metrics.jsonl"),
        "plot": str(out / "loss.png"),
        "checkpoint": str(out / "ckpt.pt"),
        "params_total": counts["total"],
        "params_active": counts["active"],
        "stopped": stopped,
    }

"""Model accounting without building weights: parameter counts (on the meta device), training
FLOPs per token, and the ``describe`` text that ``mellum-data train --dry-run`` prints."""

from __future__ import annotations

import torch

from mellum_data.trainer.config import ModelConfig, TrainConfig
from mellum_data.trainer.model import Transformer, layer_windows


def count_params(cfg: ModelConfig) -> dict[str, int]:
    """Parameter counts of the model built on the meta device (no memory, no init cost).

    ``total``/``active`` cover the main model, as DeepSeek-V3 reports its counts; the MTP
    module is counted apart (``mtp_total``/``mtp_active``). Active = everything except the
    experts a token does not visit; embeddings and the output head are included.
    """
    with torch.device("meta"):
        model = Transformer(cfg)
    per_expert = 3 * cfg.d_model * cfg.expert_dim
    idle = (cfg.n_experts - cfg.top_k) * per_expert
    mtp = sum(p.numel() for p in model.mtp.parameters()) if model.mtp is not None else 0
    total = sum(p.numel() for p in model.parameters()) - mtp
    return {
        "total": total,
        "active": total - cfg.n_layers * idle,
        "mtp_total": mtp,
        "mtp_active": mtp - idle if mtp else 0,
        "embedding": cfg.vocab_size * cfg.d_model,
    }


def flops_per_token(cfg: ModelConfig, seq_len: int) -> int:
    """Training FLOPs per token (forward + backward = 3x forward), main model and MTP.

    Matmuls: 6 per active weight used as a matmul (the input embedding is a lookup; the
    output head is used twice with MTP).
    Attention scores and values: 2 matmuls x 2 FLOPs x heads x head_dim x attended keys,
    where a causal layer attends to (t+1) keys on average over t, a windowed one to at most
    ``window``.
    """
    n = count_params(cfg)
    matmul = n["active"] + n["mtp_active"]
    if not cfg.tie_embeddings:  # an untied input embedding is only looked up
        matmul -= n["embedding"]
    if cfg.mtp:  # the MTP head runs the shared output head once more
        matmul += n["embedding"]

    def mean_keys(window: int | None) -> float:
        w = seq_len if window is None else min(window, seq_len)
        # Position i attends to min(i + 1, w) keys.
        return (w * (w + 1) / 2 + (seq_len - w) * w) / seq_len

    windows = layer_windows(cfg) + ([None] if cfg.mtp else [])
    attn = sum(4 * cfg.n_heads * cfg.dim_head * mean_keys(w) for w in windows)
    return int(6 * matmul + 3 * attn)


def _human(n: float) -> str:
    for unit, div in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= div:
            return f"{n / div:.3g}{unit}" if n < 100 * div else f"{n / div:.0f}{unit}"
    return f"{n:.0f}"


def describe(cfg: TrainConfig) -> str:
    """Shape, parameter counts (total and active) and training FLOPs per token."""
    m = cfg.model
    n = count_params(m)
    flops = flops_per_token(m, cfg.data.seq_len)
    mtp = f"; MTP head +{_human(n['mtp_total'])} total, +{_human(n['mtp_active'])} active"
    return "\n".join(
        [
            f"preset {cfg.preset}: {m.n_layers} layers, d_model {m.d_model}, {m.n_heads} heads "
            f"({m.n_kv_heads} KV) x {m.dim_head}, vocab {m.vocab_size:,} (training uses "
            f"the tokenizer's), "
            f"{'tied' if m.tie_embeddings else 'untied'} embeddings",
            f"  attention: window {m.window} on {m.global_every - 1} of every {m.global_every} "
            f"layers, the others global; seq_len {cfg.data.seq_len}",
            f"  MoE: {m.n_experts} experts x {m.expert_dim}, top-{m.top_k}, "
            f"shared {m.shared_expert_dim or 'none'}, balance {m.balance}",
            f"  parameters: {n['total']:,} total ({_human(n['total'])}), "
            f"{n['active']:,} active ({_human(n['active'])})" + (mtp if m.mtp else ""),
            f"  training FLOPs per token: {flops:.3e} (6 x active matmul params + attention)",
        ]
    )

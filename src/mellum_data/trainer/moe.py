"""Mixture-of-experts feed-forward: top-k routing, no token dropping, two balancing schemes.

Every token goes to exactly ``top_k`` experts and every routed token is computed (no
capacity factor, so nothing is dropped). The experts' weights are stacked 3-D tensors
``(experts, out, in)``; Muon orthogonalises each expert's matrix separately.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from mellum_data.trainer.config import ModelConfig


def switch_balance_loss(
    probs: torch.Tensor, topk_idx: torch.Tensor, n_experts: int
) -> torch.Tensor:
    """Switch-transformer balance loss (Fedus et al. 2021, eq. 4), extended to top-k.

    ``n_experts * sum_i f_i * P_i`` with ``f_i`` the fraction of routing slots that chose
    expert ``i`` and ``P_i`` its mean router probability: 1.0 when routing is uniform,
    up to ``n_experts`` when every token picks the same expert.
    """
    counts = torch.bincount(topk_idx.flatten(), minlength=n_experts).to(probs.dtype)
    fraction = counts / topk_idx.numel()
    return n_experts * (fraction * probs.mean(dim=0)).sum()


def route(
    logits: torch.Tensor, top_k: int, bias: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(probs, topk_idx, gates)`` for router logits ``(tokens, experts)``.

    The bias (auxiliary-loss-free balancing) shifts only which experts are chosen; the
    gates stay the router's own probabilities, renormalised over the chosen experts.
    """
    probs = logits.float().softmax(dim=-1)
    scores = probs if bias is None else probs + bias
    topk_idx = scores.topk(top_k, dim=-1).indices
    gates = probs.gather(-1, topk_idx)
    return probs, topk_idx, gates / gates.sum(dim=-1, keepdim=True)


class SwiGLU(nn.Module):
    def __init__(self, d_model: int, hidden: int) -> None:
        super().__init__()
        self.w_gate = nn.Linear(d_model, hidden, bias=False)
        self.w_up = nn.Linear(d_model, hidden, bias=False)
        self.w_down = nn.Linear(hidden, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w_down(F.silu(self.w_gate(x)) * self.w_up(x))


class MoE(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        d, f, e = cfg.d_model, cfg.expert_dim, cfg.n_experts
        self.n_experts, self.top_k = e, cfg.top_k
        self.use_bias = cfg.balance == "bias"
        self.router = nn.Linear(d, e, bias=False)
        self.w_gate = nn.Parameter(torch.empty(e, f, d))
        self.w_up = nn.Parameter(torch.empty(e, f, d))
        self.w_down = nn.Parameter(torch.empty(e, d, f))
        self.shared = SwiGLU(d, cfg.shared_expert_dim) if cfg.shared_expert_dim else None
        # The router bias is state, not a learned parameter: it is nudged after each step
        # towards under-loaded experts (``update_bias``) and saved with the model.
        self.register_buffer("bias", torch.zeros(e))
        # Tokens routed to each expert since the last ``take_load`` (training only).
        self.register_buffer("load", torch.zeros(e), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        shape = x.shape
        flat = x.reshape(-1, shape[-1])
        probs, topk_idx, gates = route(
            self.router(flat), self.top_k, self.bias if self.use_bias else None
        )
        out = self.experts(flat, topk_idx, gates)
        if self.shared is not None:
            out = out + self.shared(flat)
        aux = switch_balance_loss(probs, topk_idx, self.n_experts)
        return out.view(shape), aux

    # The loop's shapes depend on the routing (tokens per expert), which torch.compile would
    # specialise on and recompile for; it runs eagerly and the rest of the model compiles.
    @torch.compiler.disable
    def experts(self, flat: torch.Tensor, topk_idx: torch.Tensor, gates: torch.Tensor):
        """Sum over each token's experts of gate x SwiGLU expert output; counts the load."""
        # Sort the (token, expert) slots by expert so that each expert sees one contiguous
        # batch; the Python loop over experts is the readable, unfused version of this.
        slot_expert = topk_idx.flatten()
        order = slot_expert.argsort(stable=True)
        slot_token = order // self.top_k
        slot_gate = gates.flatten()[order].to(flat.dtype)
        counts = torch.bincount(slot_expert, minlength=self.n_experts)
        out = torch.zeros_like(flat)
        start = 0
        for e, n in enumerate(counts.tolist()):
            if n == 0:
                continue
            tok = slot_token[start : start + n]
            h = flat[tok]
            h = F.silu(h @ self.w_gate[e].T) * (h @ self.w_up[e].T)
            y = (h @ self.w_down[e].T) * slot_gate[start : start + n, None]
            out.index_add_(0, tok, y.to(out.dtype))  # autocast may compute y in bf16
            start += n
        if self.training:
            self.load += counts.to(self.load.dtype)
        return out

    @torch.no_grad()
    def take_load(self, bias_rate: float) -> torch.Tensor:
        """Return and reset the load since the last call; in bias mode, move the bias by
        ``bias_rate`` towards the experts that received fewer tokens than the mean."""
        load = self.load.clone()
        if self.use_bias and load.sum() > 0:
            self.bias += bias_rate * torch.sign(load.mean() - load)
        self.load.zero_()
        return load

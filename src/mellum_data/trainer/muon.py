"""Muon (MomentUm Orthogonalized by Newton-Schulz; Jordan et al. 2024, kellerjordan.github.io/
posts/muon) for hidden weight matrices, and the rule that splits parameters between Muon and
AdamW.

Muon replaces each matrix's momentum by its nearest semi-orthogonal matrix, so every
direction of the update has the same size. That suits hidden matrices only: embeddings
and the output head are lookups and a classifier, gains have no matrix structure, and the
router's rows are per-expert scores. Those go to AdamW (``param_groups``).
"""

from __future__ import annotations

import torch
from torch import nn

# Quintic Newton-Schulz coefficients from the Muon write-up: they push singular values of
# a normalised matrix into roughly [0.7, 1.2] in 5 steps, trading exactness for speed.
NS_COEFFS = (3.4445, -4.7750, 2.0315)


def newton_schulz(g: torch.Tensor, steps: int = 5, eps: float = 1e-7) -> torch.Tensor:
    """Approximate ``U V^T`` of ``g = U S V^T`` for a matrix or a stack of them (``..., m, n``)."""
    a, b, c = NS_COEFFS
    x = g.to(torch.bfloat16 if g.is_cuda else torch.float32)
    tall = x.size(-2) > x.size(-1)
    if tall:  # iterate on the wide side: X X^T is then the smaller Gram matrix
        x = x.mT
    # Frobenius normalisation bounds every singular value by 1, inside NS's basin.
    x = x / (x.norm(dim=(-2, -1), keepdim=True) + eps)
    for _ in range(steps):
        gram = x @ x.mT
        x = a * x + (b * gram + c * gram @ gram) @ x
    return (x.mT if tall else x).to(g.dtype)


def muon_update(
    grad: torch.Tensor, momentum: torch.Tensor, beta: float, nesterov: bool = True
) -> torch.Tensor:
    """Update momentum in place and return the orthogonalised step for one matrix (stack)."""
    momentum.lerp_(grad, 1 - beta)
    step = grad.lerp(momentum, beta) if nesterov else momentum
    step = newton_schulz(step)
    # Scale so that tall matrices (more outputs than inputs) take comparably sized steps.
    return step * max(1.0, step.size(-2) / step.size(-1)) ** 0.5


class Muon(torch.optim.Optimizer):
    """Holds momentum buffers; the math is in ``muon_update``. Only for >= 2-D parameters
    whose last two dimensions are ``(out, in)``; leading dimensions (experts) are a batch."""

    def __init__(
        self,
        params,
        lr: float = 0.02,
        momentum: float = 0.95,
        weight_decay: float = 0.0,
        nesterov: bool = True,
    ) -> None:
        defaults = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay}
        defaults["nesterov"] = nesterov
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim < 2:
                    raise ValueError(f"Muon got a {p.ndim}-D parameter; give it to AdamW")

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum" not in state:
                    state["momentum"] = torch.zeros_like(p)
                update = muon_update(
                    p.grad, state["momentum"], group["momentum"], group["nesterov"]
                )
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(update, alpha=-group["lr"])


def param_groups(model: nn.Module, *, weight_decay: float) -> tuple[list[dict], list[dict]]:
    """THE rule: ``(muon_groups, adamw_groups)``.

    Muon: every parameter with >= 2 dimensions inside the transformer blocks (attention
    projections, expert matrices, shared experts, the MTP projection) except the router.
    AdamW with weight decay: the embedding, the output head and the routers.
    AdamW without weight decay: 1-D gains (norm weights) and any bias.
    """
    muon, adam_decay, adam_plain = [], [], []
    seen: set[int] = set()
    for name, p in model.named_parameters():
        if not p.requires_grad or id(p) in seen:
            continue
        seen.add(id(p))
        if p.ndim < 2:
            adam_plain.append(p)
        elif name.startswith(("embed.", "head.")) or ".router." in name:
            adam_decay.append(p)
        else:
            muon.append(p)
    muon_groups = [{"params": muon, "weight_decay": weight_decay}]
    adamw_groups = [
        {"params": adam_decay, "weight_decay": weight_decay},
        {"params": adam_plain, "weight_decay": 0.0},
    ]
    return muon_groups, adamw_groups

"""A Mellum-2-style decoder: RMSNorm, RoPE, grouped-query attention with sliding windows on
three of every four layers, MoE feed-forward, and one multi-token-prediction (MTP) head.

No biases anywhere. The MTP module follows DeepSeek-V3 (arXiv 2412.19437, sec. 2.2): at
position t it joins the final hidden state h_t with the embedding of token t+1 (each
RMS-normalised, concatenated, projected), runs one transformer block, and predicts token
t+2 through the shared output head. Its loss is added with weight ``mtp_weight``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from mellum_data.trainer.config import ModelConfig
from mellum_data.trainer.moe import MoE

IGNORE = -100  # target id of padding positions (torch's cross-entropy default)


def layer_windows(cfg: ModelConfig) -> list[int | None]:
    """Window per layer: every ``global_every``-th layer (1-based) is global (``None``)."""
    return [None if (i + 1) % cfg.global_every == 0 else cfg.window for i in range(cfg.n_layers)]


def attention_mask(
    t: int,
    window: int | None,
    device: torch.device | None = None,
    doc: torch.Tensor | None = None,
) -> torch.Tensor:
    """Boolean ``(t, t)`` mask, True where query i may attend key j: causal, and when
    ``window`` is set only the ``window`` most recent positions (itself included).

    With ``doc`` (``(batch, t)`` document index per position) also only keys of the query's
    own document: the mask is then ``(batch, 1, t, t)``, broadcast over heads.
    """
    i = torch.arange(t, device=device)[:, None]
    j = torch.arange(t, device=device)[None, :]
    mask = j <= i
    if window is not None:
        mask &= (i - j) < window
    if doc is not None:
        mask = (mask & (doc[:, :, None] == doc[:, None, :]))[:, None]
    return mask


def rope_tables(
    t: int, dim: int, theta: float, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / theta ** (torch.arange(0, dim, 2, device=device, dtype=torch.float32) / dim)
    angles = torch.outer(torch.arange(t, device=device, dtype=torch.float32), inv)
    return angles.cos(), angles.sin()


@dataclass
class Positions:
    """What attention needs to know about positions: the RoPE tables and, with document
    masking, the document of each position. RoPE is relative, so a document packed after
    others gets the same attention scores as alone once its keys are masked to itself."""

    cos: torch.Tensor
    sin: torch.Tensor
    doc: torch.Tensor | None = None  # (batch, t) document index per position
    _masks: dict = field(default_factory=dict, repr=False)  # per window, shared by layers

    def mask(self, window: int | None) -> torch.Tensor | None:
        """The boolean mask for a layer with ``window``; None when plain causal attention
        is exact (no document masking, no window shorter than the sequence)."""
        t = self.cos.shape[0]
        if self.doc is None and (window is None or window >= t):
            return None
        if window not in self._masks:
            self._masks[window] = attention_mask(t, window, self.cos.device, self.doc)
        return self._masks[window]


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half].float(), x[..., half:].float()
    out = torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.type_as(x)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig, window: int | None) -> None:
        super().__init__()
        self.n_heads, self.n_kv, self.hd = cfg.n_heads, cfg.n_kv_heads, cfg.dim_head
        self.window = window
        self.wq = nn.Linear(cfg.d_model, self.n_heads * self.hd, bias=False)
        self.wk = nn.Linear(cfg.d_model, self.n_kv * self.hd, bias=False)
        self.wv = nn.Linear(cfg.d_model, self.n_kv * self.hd, bias=False)
        self.wo = nn.Linear(self.n_heads * self.hd, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor, pos: Positions) -> torch.Tensor:
        b, t, _ = x.shape
        q = self.wq(x).view(b, t, self.n_heads, self.hd).transpose(1, 2)
        k = self.wk(x).view(b, t, self.n_kv, self.hd).transpose(1, 2)
        v = self.wv(x).view(b, t, self.n_kv, self.hd).transpose(1, 2)
        q, k = apply_rope(q, pos.cos, pos.sin), apply_rope(k, pos.cos, pos.sin)
        mask = pos.mask(self.window)
        if mask is None:
            # A plain causal mask lets SDPA pick its fused (flash) kernel.
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
        return self.wo(y.transpose(1, 2).reshape(b, t, -1))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig, window: int | None) -> None:
        super().__init__()
        self.attn_norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.attn = Attention(cfg, window)
        self.ffn_norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.ffn = MoE(cfg)

    def forward(self, x: torch.Tensor, pos: Positions) -> tuple[torch.Tensor, torch.Tensor]:
        x = x + self.attn(self.attn_norm(x), pos)
        h, aux = self.ffn(self.ffn_norm(x))
        return x + h, aux


class MTPHead(nn.Module):
    """Predicts token t+2 from h_t and the embedding of token t+1 (DeepSeek-V3 MTP, depth 1)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.hidden_norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.embed_norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.proj = nn.Linear(2 * cfg.d_model, cfg.d_model, bias=False)
        self.block = Block(cfg, window=None)
        self.out_norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)

    def forward(
        self, hidden: torch.Tensor, next_embed: torch.Tensor, pos: Positions
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.proj(torch.cat((self.hidden_norm(hidden), self.embed_norm(next_embed)), dim=-1))
        x = x.to(hidden.dtype)  # keep the residual stream in the trunk's precision (autocast)
        x, aux = self.block(x, pos)
        return self.out_norm(x), aux


def mtp_shift(targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per position t: token t+1, whose embedding the MTP head reads, and its target,
    token t+2. ``targets[t]`` is token t+1 already, so both come from ``targets``. The last
    position has no t+2 and padding has no token, so those targets are ``IGNORE``; so is
    t+2 when token t+1 is not a target of t (a document boundary under document masking):
    the MTP head must not predict across a boundary either."""
    nxt = targets.clamp(min=0)  # an IGNORE position's own MTP target is IGNORE too
    tail = torch.full_like(targets[:, :1], IGNORE)
    mtp_targets = torch.cat((targets[:, 1:], tail), dim=1)
    return nxt, mtp_targets.masked_fill(targets == IGNORE, IGNORE)


@dataclass
class Output:
    loss: torch.Tensor | None  # what backward() runs on: lm + weighted aux + weighted mtp
    lm_loss: torch.Tensor | None
    aux_loss: torch.Tensor  # mean switch balance term over MoE layers (logged in both modes)
    mtp_loss: torch.Tensor | None
    logits: torch.Tensor | None = None


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.layers = nn.ModuleList(Block(cfg, w) for w in layer_windows(cfg))
        self.norm = nn.RMSNorm(cfg.d_model, eps=cfg.norm_eps)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.head.weight = self.embed.weight
        self.mtp = MTPHead(cfg) if cfg.mtp else None
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        if self.embed.weight.is_meta:  # built only to be counted: nothing to initialise
            return
        std = self.cfg.init_std
        # Output projections into the residual stream are scaled down with depth (GPT-2).
        out_std = std / math.sqrt(2 * self.cfg.n_layers)
        for name, p in self.named_parameters():
            if p.ndim == 1:
                nn.init.ones_(p)
            elif name.endswith(("wo.weight", "w_down", "w_down.weight")):
                nn.init.normal_(p, std=out_std)
            else:
                nn.init.normal_(p, std=std)

    def moe_layers(self) -> list[MoE]:
        return [m for m in self.modules() if isinstance(m, MoE)]

    def positions(
        self, t: int, device: torch.device | None = None, doc: torch.Tensor | None = None
    ) -> Positions:
        cos, sin = rope_tables(t, self.cfg.dim_head, self.cfg.rope_theta, device)
        return Positions(cos, sin, doc)

    def trunk(
        self, idx: torch.Tensor, doc: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list, Positions]:
        """Final hidden states (before the final norm), balance terms, and the positions.
        ``doc``: ``(batch, t)`` document index per position, for document masking."""
        pos = self.positions(idx.shape[1], idx.device, doc)
        x = self.embed(idx)
        auxes = []
        for layer in self.layers:
            x, aux = layer(x, pos)
            auxes.append(aux)
        return x, auxes, pos

    def mtp_logits(
        self, hidden: torch.Tensor, targets: torch.Tensor, pos: Positions
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """MTP logits per position (predicting token t+2), their targets, the balance term.
        ``targets[t]`` is token t+1 (as in ``forward``)."""
        nxt, mtp_targets = mtp_shift(targets)
        h, aux = self.mtp(hidden, self.embed(nxt), pos)
        return self.head(h), mtp_targets, aux

    def forward(
        self,
        idx: torch.Tensor,
        targets: torch.Tensor | None = None,
        doc: torch.Tensor | None = None,
    ) -> Output:
        """``doc`` (document index per position) masks attention to each document; the
        targets of a document-masked batch carry ``IGNORE`` at the boundaries (``data``)."""
        x, auxes, pos = self.trunk(idx, doc)
        logits = self.head(self.norm(x))
        if targets is None:
            return Output(None, None, torch.stack(auxes).mean().detach(), None, logits)
        lm_loss = F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())
        loss = lm_loss
        mtp_loss = None
        if self.mtp is not None:
            mtp_logits, mtp_targets, aux = self.mtp_logits(x, targets, pos)
            auxes.append(aux)
            mtp_loss = F.cross_entropy(mtp_logits.flatten(0, 1).float(), mtp_targets.flatten())
            loss = loss + self.cfg.mtp_weight * mtp_loss
        aux_loss = torch.stack(auxes).mean()
        if self.cfg.balance == "aux_loss":
            loss = loss + self.cfg.aux_loss_weight * aux_loss
        return Output(loss, lm_loss, aux_loss.detach(), mtp_loss)

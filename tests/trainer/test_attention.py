import math

import pytest
import torch

from mellum_data.trainer import ModelConfig
from mellum_data.trainer.model import (
    Attention,
    Positions,
    apply_rope,
    attention_mask,
    layer_windows,
    rope_tables,
)


def reference_mask(t: int, window: int | None) -> torch.Tensor:
    mask = torch.zeros(t, t, dtype=torch.bool)
    for i in range(t):
        for j in range(t):
            mask[i, j] = j <= i and (window is None or i - j < window)
    return mask


def reference_attention(q, k, v, mask):
    """Naive masked softmax attention, KV heads repeated for grouped-query attention."""
    rep = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(dim=-1) @ v


@pytest.mark.parametrize("window", [None, 1, 3, 8, 20])
def test_mask_matches_reference(window):
    assert torch.equal(attention_mask(12, window), reference_mask(12, window))


def test_window_counts_itself():
    m = attention_mask(6, 2)
    assert m[5].tolist() == [False, False, False, False, True, True]


def test_every_fourth_layer_is_global():
    cfg = ModelConfig(n_layers=8, window=32)
    assert layer_windows(cfg) == [32, 32, 32, None, 32, 32, 32, None]


@pytest.mark.parametrize("window", [None, 5, 64])
def test_attention_module_equals_reference(window):
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=4, n_kv_heads=2, window=window or 1)
    attn = Attention(cfg, window)
    b, t = 2, 17
    x = torch.randn(b, t, 32)
    cos, sin = rope_tables(t, cfg.dim_head, cfg.rope_theta)
    got = attn(x, Positions(cos, sin))

    q = attn.wq(x).view(b, t, 4, 8).transpose(1, 2)
    k = attn.wk(x).view(b, t, 2, 8).transpose(1, 2)
    v = attn.wv(x).view(b, t, 2, 8).transpose(1, 2)
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    ref = reference_attention(q, k, v, reference_mask(t, window))
    want = attn.wo(ref.transpose(1, 2).reshape(b, t, -1))
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_sliding_window_ignores_distant_tokens():
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=4, n_kv_heads=2)
    attn = Attention(cfg, window=4)
    x = torch.randn(1, 12, 32)
    y = x.clone()
    y[0, :6] = torch.randn(6, 32)  # change only tokens more than 4 positions before 11
    cos, sin = rope_tables(12, cfg.dim_head, cfg.rope_theta)
    pos = Positions(cos, sin)
    torch.testing.assert_close(attn(x, pos)[0, 10:], attn(y, pos)[0, 10:])


def test_rope_relative():
    """RoPE makes q.k depend only on the distance between positions."""
    cos, sin = rope_tables(10, 8, 10_000.0)
    q, k = torch.randn(8), torch.randn(8)
    qs = apply_rope(q.expand(10, 8), cos, sin)
    ks = apply_rope(k.expand(10, 8), cos, sin)
    torch.testing.assert_close((qs[5] * ks[2]).sum(), (qs[8] * ks[5]).sum())

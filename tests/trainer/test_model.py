import pytest
import torch

from mellum_data.trainer import (
    PRESETS,
    ModelConfig,
    Transformer,
    count_params,
    describe,
    flops_per_token,
)
from mellum_data.trainer.model import IGNORE, mtp_shift


def test_mtp_targets_are_two_ahead():
    seq = torch.arange(10, 20).unsqueeze(0)  # tokens 10..19
    idx, targets = seq[:, :-1], seq[:, 1:]  # position t predicts token t+1
    nxt, mtp_targets = mtp_shift(targets)
    t = torch.arange(idx.shape[1])
    assert torch.equal(nxt[0], seq[0, t + 1])  # the MTP head reads token t+1 ...
    assert torch.equal(mtp_targets[0, :-1], seq[0, t[:-1] + 2])  # ... and predicts t+2
    assert mtp_targets[0, -1] == IGNORE  # the last position has no t+2 in the window


def test_mtp_padding_stays_ignored():
    targets = torch.tensor([[5, 6, IGNORE, IGNORE]])
    nxt, mtp_targets = mtp_shift(targets)
    assert mtp_targets.tolist() == [[6, IGNORE, IGNORE, IGNORE]]
    assert (nxt >= 0).all()


def test_mtp_logits_see_token_after_next_but_never_their_target():
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=32,
        n_layers=2,
        n_heads=2,
        n_kv_heads=1,
        expert_dim=16,
        n_experts=2,
        top_k=1,
        vocab_size=50,
    )
    model = Transformer(cfg).eval()
    seq = torch.randint(0, 50, (1, 11))

    def mtp(seq):
        x, y = seq[:, :-1], seq[:, 1:]
        h, _, pos = model.trunk(x)
        logits, targets, _ = model.mtp_logits(h, y, pos)
        return logits, targets

    logits, targets = mtp(seq)
    assert torch.equal(targets[0, :-1], seq[0, 2:])  # position t is scored against t+2
    out = model(seq[:, :-1], seq[:, 1:])
    want = torch.nn.functional.cross_entropy(logits[0, :-1], seq[0, 2:])
    torch.testing.assert_close(out.mtp_loss, want)
    t = 4
    later = seq.clone()
    later[0, t + 2 :] = (seq[0, t + 2 :] + 1) % 50  # change token t+2 onwards
    torch.testing.assert_close(mtp(later)[0][:, : t + 1], logits[:, : t + 1])
    nxt = seq.clone()
    nxt[0, t + 1] = (seq[0, t + 1] + 1) % 50  # change token t+1: position t must react
    assert not torch.allclose(mtp(nxt)[0][:, t], logits[:, t])


@pytest.mark.parametrize("balance", ["aux_loss", "bias"])
def test_forward_shapes_and_losses(balance):
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=32,
        n_layers=4,
        n_heads=4,
        n_kv_heads=2,
        expert_dim=16,
        window=4,
        vocab_size=64,
        tie_embeddings=True,
        balance=balance,
    )
    model = Transformer(cfg)
    x = torch.randint(0, 64, (2, 12))
    assert model(x).logits.shape == (2, 12, 64)
    out = model(x, torch.randint(0, 64, (2, 12)))
    want = out.lm_loss + cfg.mtp_weight * out.mtp_loss
    if balance == "aux_loss":  # with the router bias, the balance term is only logged
        want = want + cfg.aux_loss_weight * out.aux_loss
    torch.testing.assert_close(out.loss, want)
    assert model.head.weight is model.embed.weight


def test_mellum2_preset_matches_report():
    """12B total and 2.5B active parameters, within 5% (MELLUM2.md); built on meta."""
    cfg = PRESETS["mellum2"].model
    assert (cfg.n_experts, cfg.top_k, cfg.n_kv_heads, cfg.vocab_size) == (64, 8, 4, 98_304)
    n = count_params(cfg)
    assert abs(n["total"] / 12e9 - 1) < 0.05
    assert abs(n["active"] / 2.5e9 - 1) < 0.05
    # Counting the MTP module in as well still lands within 5%.
    assert abs((n["total"] + n["mtp_total"]) / 12e9 - 1) < 0.05
    assert abs((n["active"] + n["mtp_active"]) / 2.5e9 - 1) < 0.05
    text = describe(PRESETS["mellum2"])
    assert "11.7B" in text and "2.48B" in text and "FLOPs per token" in text


def test_small_preset_is_about_100m():
    n = count_params(PRESETS["small"].model)
    assert 90e6 < n["total"] < 110e6


def test_active_count_matches_a_forward_pass():
    """Active = parameters a token actually touches: count them by gradient on one token."""
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=16,
        n_layers=2,
        n_heads=2,
        n_kv_heads=1,
        expert_dim=8,
        n_experts=4,
        top_k=2,
        vocab_size=32,
        mtp=False,
    )
    model = Transformer(cfg)
    model(torch.tensor([[3]]), torch.tensor([[4]])).lm_loss.backward()
    touched = 0
    for p in model.parameters():
        if p.grad is None:
            continue
        if p.ndim == 3:  # stacked experts: count the experts that got a gradient
            touched += sum(p[e].numel() for e in range(p.shape[0]) if p.grad[e].any())
        elif p is model.embed.weight:
            touched += p.numel()  # a lookup touches one row, but counts as the whole matrix
        else:
            touched += p.numel()
    assert touched == count_params(cfg)["active"]


def test_flops_per_token_by_hand():
    cfg = ModelConfig(
        d_model=32,
        n_layers=1,
        global_every=1,
        n_heads=4,
        n_kv_heads=2,
        expert_dim=16,
        n_experts=4,
        top_k=2,
        vocab_size=100,
        mtp=False,
    )
    n = count_params(cfg)
    t = 64
    attention = 3 * 4 * 4 * 8 * (t + 1) / 2  # 3x (fwd) 2 matmuls x 2 FLOPs, mean (t+1)/2 keys
    assert flops_per_token(cfg, t) == int(6 * (n["active"] - 100 * 32) + attention)
    windowed = cfg.model_copy(update={"global_every": 2, "window": 8})
    assert flops_per_token(windowed, t) < flops_per_token(cfg, t)

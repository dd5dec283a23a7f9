import torch
import torch.nn.functional as F

from mellum_data.trainer import ModelConfig
from mellum_data.trainer.moe import MoE, route, switch_balance_loss


def test_each_token_goes_to_exactly_k_distinct_experts():
    logits = torch.randn(500, 8, generator=torch.Generator().manual_seed(0))
    probs, idx, gates = route(logits, top_k=3)
    assert idx.shape == (500, 3)
    assert all(len(set(row)) == 3 for row in idx.tolist())
    torch.testing.assert_close(gates.sum(-1), torch.ones(500))
    # The chosen experts are the k most probable ones.
    assert torch.equal(idx.sort(-1).values, probs.topk(3).indices.sort(-1).values)


def test_bias_changes_choice_not_gates():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]])
    bias = torch.tensor([0.0, 0.0, 0.0, 10.0])
    probs, idx, gates = route(logits, top_k=2, bias=bias)
    assert sorted(idx[0].tolist()) == [0, 3]
    p = probs[0]
    torch.testing.assert_close(gates[0], p[idx[0]] / p[idx[0]].sum())


def test_balance_loss_is_higher_when_imbalanced():
    n, e = 256, 8
    uniform_logits = torch.zeros(n, e) + torch.randn(n, e) * 1e-3
    skewed_logits = uniform_logits.clone()
    skewed_logits[:, :2] += 5.0  # everyone prefers experts 0 and 1
    losses = {}
    for name, logits in (("uniform", uniform_logits), ("skewed", skewed_logits)):
        probs, idx, _ = route(logits, top_k=2)
        losses[name] = switch_balance_loss(probs, idx, e).item()
    assert abs(losses["uniform"] - 1.0) < 0.05
    assert losses["skewed"] > 3.5  # close to e/2 = 4 when 2 of 8 experts take everything


def test_balance_loss_gradient_pushes_toward_balance():
    logits = torch.zeros(64, 4)
    logits[:, 0] = 2.0
    logits.requires_grad_(True)
    probs, idx, _ = route(logits, top_k=1)
    switch_balance_loss(probs, idx, 4).backward()
    assert (logits.grad[:, 0] > 0).all()  # descent lowers the overloaded expert's score


def reference_moe(moe: MoE, x: torch.Tensor) -> torch.Tensor:
    """Token by token: every token through its k experts, weighted by its gates."""
    flat = x.reshape(-1, x.shape[-1])
    _, idx, gates = route(moe.router(flat), moe.top_k)
    out = torch.zeros_like(flat)
    for n in range(flat.shape[0]):
        for slot in range(moe.top_k):
            e = idx[n, slot]
            h = F.silu(moe.w_gate[e] @ flat[n]) * (moe.w_up[e] @ flat[n])
            out[n] += gates[n, slot] * (moe.w_down[e] @ h)
    return out.view_as(x)


def test_moe_computes_every_routed_token():
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=16, expert_dim=8, n_experts=4, top_k=2)
    moe = MoE(cfg)
    for p in (moe.w_gate, moe.w_up, moe.w_down):
        torch.nn.init.normal_(p, std=0.3)
    x = torch.randn(2, 9, 16)
    out, aux = moe(x)
    torch.testing.assert_close(out, reference_moe(moe, x), atol=1e-5, rtol=1e-5)
    assert moe.load.sum().item() == 2 * 9 * 2  # no token dropped: 18 tokens x top-2
    assert aux.item() >= 1.0 - 1e-6


def test_bias_update_favours_underloaded_experts():
    cfg = ModelConfig(d_model=8, expert_dim=4, n_experts=4, top_k=1, balance="bias")
    moe = MoE(cfg)
    moe.load.copy_(torch.tensor([10.0, 0.0, 2.0, 4.0]))
    load = moe.take_load(0.5)
    assert load.tolist() == [10.0, 0.0, 2.0, 4.0]
    assert moe.bias.tolist() == [-0.5, 0.5, 0.5, 0.0]  # mean load 4: expert 3 stays
    assert moe.load.sum().item() == 0
    moe.eval()
    moe(torch.randn(1, 3, 8))
    assert moe.load.sum().item() == 0  # evaluation does not count toward balancing

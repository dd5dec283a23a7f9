import pytest
import torch

from mellum_data.trainer import ModelConfig, Transformer
from mellum_data.trainer.muon import Muon, muon_update, newton_schulz, param_groups


@pytest.mark.parametrize("shape", [(64, 32), (32, 64), (48, 48), (3, 40, 24)])
def test_newton_schulz_is_near_orthogonal(shape):
    g = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    x = newton_schulz(g)
    assert x.shape == g.shape
    s = torch.linalg.svdvals(x)
    # The quintic coefficients trade exactness for speed: singular values land in ~[0.7, 1.2].
    assert s.min() > 0.6 and s.max() < 1.25
    # And the result points along the exact polar factor U V^T.
    u, _, vh = torch.linalg.svd(g, full_matrices=False)
    polar = u @ vh
    cos = (x * polar).sum(dim=(-2, -1)) / (x.norm(dim=(-2, -1)) * polar.norm(dim=(-2, -1)))
    assert (cos > 0.97).all()


def test_muon_update_scales_tall_matrices_and_keeps_momentum():
    g = torch.randn(64, 16)
    buf = torch.zeros_like(g)
    step = muon_update(g, buf, beta=0.9)
    assert torch.allclose(buf, 0.1 * g)
    s = torch.linalg.svdvals(step)
    assert 0.6 * 2 < s.mean() < 1.25 * 2  # sqrt(64 / 16) = 2


def test_muon_rejects_vectors():
    with pytest.raises(ValueError, match="AdamW"):
        Muon([torch.nn.Parameter(torch.zeros(4))])


@pytest.mark.parametrize("tied", [False, True])
def test_param_groups_rule(tied):
    cfg = ModelConfig(
        d_model=32,
        n_layers=4,
        n_heads=4,
        n_kv_heads=2,
        expert_dim=16,
        n_experts=4,
        shared_expert_dim=8,
        vocab_size=64,
        tie_embeddings=tied,
    )
    model = Transformer(cfg)
    muon, adamw = param_groups(model, weight_decay=0.1)
    assert [set(g) for g in muon + adamw] == [{"params", "weight_decay"}] * 3
    by_id = {id(p): name for name, p in model.named_parameters()}
    muon_names = {by_id[id(p)] for g in muon for p in g["params"]}
    decay_names = {by_id[id(p)] for p in adamw[0]["params"]}
    plain_names = {by_id[id(p)] for p in adamw[1]["params"]}
    # Every parameter in exactly one group.
    assert len(muon_names) + len(decay_names) + len(plain_names) == len(by_id)
    assert muon_names | decay_names | plain_names == set(by_id.values())
    assert "embed.weight" in decay_names and ("head.weight" in decay_names) != tied
    assert all(".router." in n for n in decay_names - {"embed.weight", "head.weight"})
    assert all(model.get_parameter(n).ndim == 1 for n in plain_names)
    assert "layers.0.attn.wq.weight" in muon_names and "layers.0.ffn.w_gate" in muon_names
    assert "mtp.proj.weight" in muon_names and "layers.0.ffn.shared.w_up.weight" in muon_names
    assert adamw[1]["weight_decay"] == 0.0

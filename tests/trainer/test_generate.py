import json

import pytest
import torch

from mellum_data.errors import ConfigError, InputError
from mellum_data.trainer import ModelConfig, Transformer
from mellum_data.trainer.generate import decode, generate, verify_draft

EOS = 1


def _prompt(cyc: list[int], start: int = 5, length: int = 10) -> tuple[str, list[int]]:
    """A prompt in a fixture source's language and the tokens that continue it."""
    text = " ".join(f"t{k}" for k in cyc[start : start + length])
    return text, (cyc * 2)[start + length :]


@pytest.mark.parametrize("source", ["code", "web", "math"])
def test_speculative_greedy_equals_plain_greedy(run, cycles, source):
    root = run[0]
    ckpt, tok = root / "out" / "ckpt.pt", str(root / "tokenizer.json")
    text, _ = _prompt(cycles[source])
    spec = generate(ckpt, tok, text, 30)
    plain = generate(ckpt, tok, text, 30, speculative=False)
    assert spec["tokens"] == plain["tokens"]
    assert spec["completion"] == plain["completion"]
    assert plain["forward_passes"] == plain["new_tokens"] and plain["acceptance_rate"] is None
    # Each pass yields its own token plus, when the draft is kept, a second one (the last
    # pass may lose that second token to the length limit).
    n, passes, kept = spec["new_tokens"], spec["forward_passes"], spec["accepted"]
    assert passes + kept - 1 <= n <= passes + kept
    assert spec["tokens_per_forward"] == n / passes
    assert spec["acceptance_rate"] == kept / spec["drafted"]


def test_trained_model_continues_its_language_and_drafts_well(run, cycles):
    root = run[0]
    text, want = _prompt(cycles["code"])
    out = generate(root / "out" / "ckpt.pt", str(root / "tokenizer.json"), text, 30)
    assert out["prompt_tokens"] == 10 and out["new_tokens"] == 30
    assert out["completion"].split()[:10] == [f"t{k}" for k in want[:10]]
    # The MTP head learned the language too: most drafts are kept, so a pass yields
    # well over one token (1.0 and 0 without speculation).
    assert out["acceptance_rate"] > 0.6 and out["tokens_per_forward"] > 1.5


def _random_model(mtp: bool = True) -> Transformer:
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=32,
        n_layers=4,
        n_heads=4,
        n_kv_heads=2,
        window=3,
        expert_dim=16,
        n_experts=4,
        top_k=2,
        vocab_size=30,
        init_std=0.3,  # spread logits so that argmax ties cannot hide behind rounding
        mtp=mtp,
    )
    return Transformer(cfg).eval()


def test_decode_equal_and_stop_token_on_an_untrained_model():
    model = _random_model()
    plain = decode(model, [3, 4, 5], 25, speculative=False)
    spec = decode(model, [3, 4, 5], 25)
    assert spec.tokens == plain.tokens and len(plain.tokens) == 25
    assert spec.drafted == spec.forward_passes - 1  # every pass but the first checks one
    stop = plain.tokens[6]
    first = plain.tokens.index(stop)
    for speculative in (False, True):
        out = decode(model, [3, 4, 5], 25, speculative=speculative, stop_id=stop)
        assert out.tokens == plain.tokens[: first + 1]


def test_speculation_needs_an_mtp_head():
    with pytest.raises(ConfigError, match="MTP head"):
        decode(_random_model(mtp=False), [3], 4)
    assert len(decode(_random_model(mtp=False), [3], 4, speculative=False).tokens) == 4


def test_sampled_verification_keeps_the_model_distribution():
    """A kept-or-resampled draft is distributed as the main model's softmax, whatever the draft."""
    logits = torch.tensor([1.0, 0.2, 2.0, -1.0])
    want = (logits / 0.7).softmax(-1)
    g = torch.Generator().manual_seed(0)
    for draft in (2, 3):
        n = 6_000  # 4 standard errors of a frequency near 0.5 are 0.026
        counts = torch.zeros(4)
        kept = 0
        for _ in range(n):
            token, ok = verify_draft(logits, draft, 0.7, g)
            counts[token] += 1
            kept += ok
        torch.testing.assert_close(counts / n, want, atol=0.026, rtol=0)
        assert abs(kept / n - want[draft].item()) < 0.026  # kept with probability p(draft)
    assert verify_draft(logits, 2, 0.0, None) == (2, True)
    assert verify_draft(logits, 0, 0.0, None) == (2, False)


def test_sampling_is_seeded(run):
    root = run[0]
    ckpt, tok = root / "out" / "ckpt.pt", str(root / "tokenizer.json")
    a = generate(ckpt, tok, "t20 t21", 12, temperature=1.0, seed=3)
    b = generate(ckpt, tok, "t20 t21", 12, temperature=1.0, seed=3)
    assert a["tokens"] == b["tokens"] and a["temperature"] == 1.0


def test_generate_refuses_another_tokenizer_and_bad_settings(run, tmp_path):
    root = run[0]
    ckpt = root / "out" / "ckpt.pt"
    data = json.loads((root / "tokenizer.json").read_text())
    data["model"]["vocab"]["t2"], data["model"]["vocab"]["t3"] = 3, 2
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    with pytest.raises(InputError, match="other.json: tokenizer sha256:.* is not the one"):
        generate(ckpt, str(other), "t5", 4)
    with pytest.raises(ConfigError, match="max_new_tokens must be at least 1"):
        generate(ckpt, str(root / "tokenizer.json"), "t5", 0)
    with pytest.raises(InputError, match="checkpoint not found"):
        generate(tmp_path / "none.pt", str(root / "tokenizer.json"), "t5", 4)
    out = generate(ckpt, str(root / "tokenizer.json"), "", 3)  # EOS alone starts a document
    assert out["prompt_tokens"] == 0 and 1 <= out["new_tokens"] <= 3
    assert EOS not in out["tokens"][:-1]

"""Document masking: attention stays inside a document and no target crosses a boundary.

The reference is the obvious one: each document run through the model alone. RoPE is
relative, so once attention is masked a packed document must give the same logits and the
same losses as on its own.
"""

import math

import numpy as np
import pytest
import torch

from mellum_data.tokenize.shards import ShardReader, ShardWriter
from mellum_data.trainer import DataConfig, ModelConfig, Transformer
from mellum_data.trainer.data import DocStore, PackedPhase, Sequence, sequences_to_batch
from mellum_data.trainer.model import (
    IGNORE,
    Attention,
    Positions,
    attention_mask,
    mtp_shift,
    rope_tables,
)

EOS = 1


def reference_mask(t: int, window: int | None, doc: list[int]) -> torch.Tensor:
    mask = torch.zeros(t, t, dtype=torch.bool)
    for i in range(t):
        for j in range(t):
            near = window is None or i - j < window
            mask[i, j] = j <= i and near and doc[i] == doc[j]
    return mask


@pytest.mark.parametrize("window", [None, 2, 5])
def test_document_mask_matches_reference(window):
    docs = [[0, 0, 0, 1, 1, 1, 1, 1, 2, 2], [0] * 4 + [1] * 6]
    got = attention_mask(10, window, doc=torch.tensor(docs))
    assert got.shape == (2, 1, 10, 10)
    for row, doc in enumerate(docs):
        assert torch.equal(got[row, 0], reference_mask(10, window, doc))


def test_attention_does_not_cross_documents():
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=32, n_heads=4, n_kv_heads=2)
    attn = Attention(cfg, window=None)
    doc = torch.tensor([[0] * 5 + [1] * 7])
    x = torch.randn(1, 12, 32)
    y = x.clone()
    y[0, :5] = torch.randn(5, 32)  # a different first document
    cos, sin = rope_tables(12, cfg.dim_head, cfg.rope_theta)
    masked = Positions(cos, sin, doc)
    torch.testing.assert_close(attn(x, masked)[0, 5:], attn(y, masked)[0, 5:])
    # Without the mask the second document does see the first.
    plain = Positions(cos, sin)
    assert not torch.allclose(attn(x, plain)[0, 5:], attn(y, plain)[0, 5:])


def test_batch_targets_stop_at_boundaries():
    # Three documents (EOS-terminated) in 12 real tokens of a 14-token window, then padding.
    toks = np.array([5, 6, EOS, 7, 8, 9, EOS, 4, 3, 2, 2, EOS, EOS, EOS])
    x, y, doc = sequences_to_batch([Sequence(toks, 12, np.array([3, 7]))], doc_mask=True)
    assert x[0].tolist() == toks[:-1].tolist()
    assert doc[0].tolist() == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3]
    i = IGNORE
    #  inputs:           5  6  EOS 7  8  9  EOS 4  3  2  2  EOS pad
    assert y[0].tolist() == [6, EOS, i, 8, 9, EOS, i, 3, 2, 2, EOS, i, i]
    _, mtp = mtp_shift(y)
    assert mtp[0].tolist() == [EOS, i, i, 9, EOS, i, i, 2, 2, EOS, i, i, i]
    plain = sequences_to_batch([Sequence(toks, 12, np.array([3, 7]))])
    assert plain.doc is None and (plain.y[0, :11] != IGNORE).all()


def _model() -> Transformer:
    torch.manual_seed(0)
    cfg = ModelConfig(
        d_model=32,
        n_layers=4,
        n_heads=4,
        n_kv_heads=2,
        window=4,
        expert_dim=16,
        n_experts=4,
        top_k=2,
        vocab_size=40,
        init_std=0.2,  # large enough that positions matter and routing is not a coin toss
    )
    return Transformer(cfg).eval()


def test_packed_documents_equal_documents_alone():
    """Logits and both losses of a document-masked packed sequence equal the reference:
    every document run alone (its own targets, its own MTP targets)."""
    model = _model()
    g = torch.Generator().manual_seed(1)
    lengths = [6, 9, 3, 5]  # 23 real tokens in a 25-token window: 2 padding
    docs = [torch.randint(2, 40, (n,), generator=g) for n in lengths]
    real = torch.cat(docs)
    toks = torch.cat((real, torch.full((2,), EOS)))
    starts = np.cumsum(lengths[:-1])
    x, y, doc = sequences_to_batch([Sequence(toks.numpy(), len(real), starts)], doc_mask=True)
    with torch.no_grad():
        packed = model(x, y, doc)
        logits = model(x, doc=doc).logits[0]
        lm_sum = mtp_sum = 0.0
        lm_n = mtp_n = 0
        for d, a in zip(docs, [0, *starts], strict=True):
            alone = model(d[None, :-1], d[None, 1:])
            torch.testing.assert_close(
                model(d[None, :-1]).logits[0], logits[a : a + len(d) - 1], atol=1e-4, rtol=1e-4
            )
            lm_sum += alone.lm_loss.item() * (len(d) - 1)
            mtp_sum += alone.mtp_loss.item() * (len(d) - 2)
            lm_n, mtp_n = lm_n + len(d) - 1, mtp_n + len(d) - 2
    assert packed.lm_loss.item() == pytest.approx(lm_sum / lm_n, rel=1e-5)
    assert packed.mtp_loss.item() == pytest.approx(mtp_sum / mtp_n, rel=1e-5)
    unmasked = model(x, y)  # attending across documents changes the logits
    assert not math.isclose(unmasked.lm_loss.item(), packed.lm_loss.item(), rel_tol=1e-4)


def _store(tmp_path, lengths):
    w = ShardWriter(str(tmp_path), "s", token_size=2, tokenizer_id="sha256:test")
    for i, n in enumerate(lengths):
        w.add(list(range(10, 10 + n)), id=f"web/{i}", source="web")
    w.close()
    reader = ShardReader(f"{tmp_path}/s.ds")
    table = reader.docs().append_column("reader", [[0] * len(lengths)])
    return DocStore([reader], table, EOS)


def test_concat_and_best_fit_sequences_know_their_documents(tmp_path):
    store = _store(tmp_path, [5, 9, 3, 7])  # with EOS: 6, 10, 4, 8 tokens
    assert store.starts(0, 10).tolist() == [6]
    assert store.starts(4, 21).tolist() == [2, 12, 16]  # documents at 6, 16 and 20
    assert store.starts(6, 16).tolist() == []  # the window's first token is not "inside"
    concat = PackedPhase(store, DataConfig(seq_len=9, shuffle=False, doc_mask=True), seed=0)
    x, y, doc = concat.batch(0, 0)  # sequences at stream offsets 0, 9, 18 (10 tokens each)
    assert doc.tolist()[0] == [0] * 6 + [1] * 3
    assert doc.tolist()[1] == [0] * 7 + [1] * 2  # doc 1 continues, doc 2 starts at 16 = 9 + 7
    best = PackedPhase(
        store, DataConfig(seq_len=9, packing="best_fit", shuffle=False, doc_mask=True), seed=0
    )
    assert best.num_sequences == 3  # [10], [8] and [6 + 4] tokens
    for i in range(best.num_sequences):
        s = best.sequence(i)
        pieces = np.split(s.tokens[: s.n], s.starts)
        # Every document fits a sequence, so each is whole: it starts at its first token
        # (10) and ends with its EOS.
        assert all(p[0] == 10 and p[-1] == EOS for p in pieces)
        x, y, doc = sequences_to_batch([s], doc_mask=True)
        for k in s.starts:
            assert y[0, k - 1] == IGNORE and doc[0, k] == doc[0, k - 1] + 1


def test_document_masked_validation_and_training_run(phase_shards, tmp_path):
    from mellum_data.trainer import load_train_config, train

    cfg = load_train_config(
        None,
        [
            "model.d_model=32",
            "model.n_experts=2",
            "model.expert_dim=32",
            "data.seq_len=64",
            "data.packing=best_fit",
            "data.doc_mask=true",
            "data.max_steps_per_phase=2",
        ],
    )
    result = train(str(phase_shards), cfg, str(tmp_path), log=lambda s: None)
    assert [p["steps"] for p in result["phases"]] == [2, 2, 2]
    assert all(math.isfinite(v) for v in result["phases"][-1]["val"].values())
    assert abs(result["phases"][0]["loss_start"] - math.log(512)) < 0.3  # uniform at init

"""The emitter's vectorised FIM (``mixtures.fim_batch``) against the per-document reference."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from mellum_data.mixtures.fim_batch import fim_batch, fim_place
from mellum_data.mixtures.keys import FIM_NONE, FIM_PSM, FIM_SPM
from mellum_data.tokenize.fim import FimIds, fim_order, invert_fim

IDS = FimIds(prefix=3, middle=4, suffix=5)
EOS, BOS = 1, 2
POINTS = pa.list_(pa.int32())


def _random_window(rng: np.random.Generator, bos: int | None):
    lengths = rng.integers(0, 30, int(rng.integers(0, 12))).astype(np.int64)
    docs = []
    for n in lengths.tolist():
        d = rng.integers(10, 100, n).astype(np.uint16)
        if n and bos is not None and rng.random() < 0.7:
            d[0] = bos
        if n and rng.random() < 0.8:
            d[-1] = EOS
        docs.append(d)
    modes = rng.integers(0, 3, lengths.size).astype(np.int8)
    points = [
        None if rng.random() < 0.3 else sorted(rng.integers(-2, n + 3, rng.integers(0, 6)).tolist())
        for n in lengths.tolist()
    ]
    tokens = np.concatenate(docs) if docs else np.zeros(0, np.uint16)
    return docs, tokens, lengths, modes, points


def _fim(tokens, lengths, modes, points, seed: int, bos: int | None):
    """``fim_batch`` on a window, with the draws seeded by ``seed``."""
    return fim_batch(
        tokens,
        lengths,
        modes,
        pa.array(points, POINTS),
        np.random.default_rng(seed),
        IDS,
        bos_id=bos,
        eos_id=EOS,
    )


@pytest.mark.parametrize("bos", [None, BOS])
def test_matches_the_per_document_reference_for_its_cuts(bos: int | None) -> None:
    rng = np.random.default_rng(11)
    checked = 0
    for trial in range(200):
        docs, tokens, lengths, modes, points = _random_window(rng, bos)
        out, out_lengths, (a, b) = _fim(tokens, lengths, modes, points, trial, bos)
        assert out.dtype == tokens.dtype
        assert out_lengths.tolist() == (lengths + 3 * (modes > 0)).tolist()
        at, k = 0, 0
        for j, doc in enumerate(docs):
            got = out[at : at + out_lengths[j]]
            at += out_lengths[j]
            if modes[j] == FIM_NONE:
                assert got.tolist() == doc.tolist()
                continue
            head = int(bos is not None and doc.size > 0 and doc[0] == bos)
            tail = int(doc.size > head and doc[-1] == EOS)
            body = doc[head : doc.size - tail]
            mode = "psm" if modes[j] == FIM_PSM else "spm"
            want = np.concatenate(
                [
                    doc[:head],
                    fim_order(body, int(a[k]), int(b[k]), mode, IDS),
                    doc[doc.size - tail :],
                ]
            )
            assert got.tolist() == want.tolist()
            assert invert_fim(got[head : got.size - tail], IDS).tolist() == body.tolist()
            if body.size:
                assert 0 <= a[k] < b[k] <= body.size
                if points[j] is not None:
                    allowed = {0, body.size} | {
                        p - head for p in points[j] if 0 < p - head < body.size
                    }
                    assert {int(a[k]), int(b[k])} <= allowed
            else:
                assert a[k] == b[k] == 0
            k, checked = k + 1, checked + 1
        assert at == out.size and k == a.size
    assert checked > 300


@pytest.mark.parametrize("bos", [None, BOS])
def test_placing_fim_documents_from_elsewhere_gives_the_same_window(bos: int | None) -> None:
    """The phase writer reads plain documents straight to their place and FIM documents past
    the window's end, then ``fim_place`` moves those: the same tokens and cuts."""
    rng = np.random.default_rng(5)
    for trial in range(100):
        docs, tokens, lengths, modes, points = _random_window(rng, bos)
        want, out_lengths, cuts = _fim(tokens, lengths, modes, points, trial, bos)
        at = np.cumsum(out_lengths) - out_lengths
        fim = np.flatnonzero(modes > 0)
        size = int(out_lengths.sum())
        stored_at = size + np.cumsum(lengths[fim]) - lengths[fim]
        buffer = np.full(size + int(lengths[fim].sum()), 9999, dtype=np.uint16)
        for j, doc in enumerate(docs):
            dest = stored_at[np.searchsorted(fim, j)] if modes[j] > 0 else at[j]
            buffer[dest : dest + doc.size] = doc
        got = fim_place(
            buffer,
            at[fim],
            buffer,
            stored_at,
            lengths[fim],
            modes[fim],
            pa.array(points, POINTS).take(pa.array(fim)),
            np.random.default_rng(trial),
            IDS,
            bos_id=bos,
            eos_id=EOS,
        )
        assert buffer[:size].tolist() == want.tolist()
        assert [c.tolist() for c in got] == [c.tolist() for c in cuts]


def test_cuts_are_uniform_over_pairs_of_candidates() -> None:
    # One 40-token document (EOS last) with inner split points 10, 20, 30: five candidates
    # (0, 10, 20, 30, 39), ten pairs; 20,000 draws give each pair 2,000 expected.
    doc = np.arange(10, 50, dtype=np.uint16)
    doc[-1] = EOS
    k = 20_000
    tokens = np.tile(doc, k)
    lengths = np.full(k, doc.size, dtype=np.int64)
    modes = np.full(k, FIM_SPM, dtype=np.int8)
    points = pa.array([[10, 20, 30]] * k, POINTS)
    _, _, (a, b) = fim_batch(
        tokens, lengths, modes, points, np.random.default_rng(0), IDS, bos_id=None, eos_id=EOS
    )
    pairs = {p: 0 for p in itertools.combinations((0, 10, 20, 30, 39), 2)}
    for pair in zip(a.tolist(), b.tolist(), strict=True):
        pairs[pair] += 1
    assert len(pairs) == 10
    assert all(1800 < n < 2200 for n in pairs.values()), pairs


def test_without_fim_documents_the_tokens_pass_through() -> None:
    tokens = np.arange(10, 30, dtype=np.uint16)
    lengths = np.array([5, 15])
    out, out_lengths, _ = fim_batch(
        tokens,
        lengths,
        np.zeros(2, np.int8),
        pa.nulls(2, POINTS),
        np.random.default_rng(0),
        None,
        bos_id=None,
        eos_id=EOS,
    )
    assert out.tolist() == tokens.tolist() and out_lengths.tolist() == [5, 15]


def test_fim_documents_need_sentinel_ids() -> None:
    with pytest.raises(ValueError, match="sentinel ids"):
        fim_batch(
            np.arange(10, 20, dtype=np.uint16),
            np.array([10]),
            np.array([FIM_PSM], np.int8),
            pa.nulls(1, POINTS),
            np.random.default_rng(0),
            None,
            bos_id=None,
            eos_id=EOS,
        )

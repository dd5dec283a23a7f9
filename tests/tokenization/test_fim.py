import numpy as np
import pytest

from mellum_data.tokenize.fim import (
    FimIds,
    apply_fim,
    choose_cuts,
    fim_document,
    fim_order,
    invert_fim,
)

IDS = FimIds(prefix=3, middle=4, suffix=5)


def test_psm_and_spm_layouts() -> None:
    t = np.array([10, 11, 12, 13, 14, 15], dtype=np.uint16)
    assert fim_order(t, 2, 4, "psm", IDS).tolist() == [3, 10, 11, 5, 14, 15, 4, 12, 13]
    assert fim_order(t, 2, 4, "spm", IDS).tolist() == [3, 5, 14, 15, 4, 10, 11, 12, 13]


@pytest.mark.parametrize("mode", ["psm", "spm"])
def test_parts_reorder_back_exactly(mode: str) -> None:
    rng = np.random.default_rng(0)
    for trial in range(300):
        n = int(rng.integers(0, 40))
        tokens = rng.integers(10, 500, size=n).astype(np.uint32)
        points = None if trial % 3 == 0 else np.sort(rng.choice(n + 1, size=min(n, 5)))
        out = apply_fim(tokens, points, np.random.default_rng(trial), mode, IDS)
        assert out.size == n + 3 and out.dtype == tokens.dtype
        assert np.array_equal(invert_fim(out, IDS), tokens)
        # Each sentinel exactly once, the prefix sentinel first.
        assert out[0] == IDS.prefix
        assert [int((out == s).sum()) for s in (3, 4, 5)] == [1, 1, 1]


def test_cuts_fall_on_split_points_only() -> None:
    points = np.array([4, 9, 15])
    seen = set()
    for seed in range(200):
        a, b = choose_cuts(20, points, np.random.default_rng(seed))
        assert a < b and {a, b} <= {0, 4, 9, 15, 20}
        seen.add((a, b))
    assert len(seen) == 10  # every pair of the five candidates occurs


def test_document_keeps_bos_and_eos_in_place() -> None:
    doc = np.array([0, 20, 21, 22, 23, 1], dtype=np.uint16)
    out = fim_document(
        doc, np.array([2, 3]), np.random.default_rng(1), "spm", IDS, bos_id=0, eos_id=1
    )
    assert out[0] == 0 and out[-1] == 1 and out.size == doc.size + 3
    assert invert_fim(out[1:-1], IDS).tolist() == [20, 21, 22, 23]


def test_invert_rejects_plain_tokens() -> None:
    with pytest.raises(ValueError, match="prefix sentinel"):
        invert_fim(np.array([10, 11, 12, 13]), IDS)

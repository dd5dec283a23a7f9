import numpy as np

from mellum_data.mixtures.select import Cursor, take
from mellum_data.mixtures.sources import SourceDocs


def docs(lengths: list[int], code: bool = False) -> SourceDocs:
    n = len(lengths)
    return SourceDocs(
        name="s",
        shard_paths=["x.ds"],
        shard=np.zeros(n, np.int32),
        row=np.arange(n),
        offset=np.zeros(n, np.int64),
        tokens=np.array(lengths, dtype=np.int64),
        is_code=np.full(n, code),
        tokenizer_id="t",
    )


def cursor_at(d: SourceDocs, order: list[int]) -> Cursor:
    c = Cursor(d, seed=0)
    c.epoch, c.perm, c.pos = 0, np.array(order), 0
    return c


def test_last_document_is_the_closest_candidate_and_the_rest_stay_in_line() -> None:
    c = cursor_at(docs([10, 10, 10, 50, 5]), [0, 1, 2, 3, 4])
    rows, epochs, fim, length = take(c, 25, 1e9, 0.0, 0.5, np.random.default_rng(0))
    assert rows.tolist() == [0, 1, 4] and length.sum() == 25 and epochs.tolist() == [0, 0, 0]
    assert c.perm.tolist() == [0, 1, 4, 3, 2] and c.pos == 3 and c.consumed == 25
    # The next phase continues with the skipped documents, then a new epoch.
    rows, epochs, _, _ = take(c, 60, 1e9, 0.0, 0.5, np.random.default_rng(0))
    assert rows.tolist() == [3, 2] and epochs.tolist() == [0, 0]


def test_stopping_short_when_no_candidate_helps() -> None:
    c = cursor_at(docs([10, 40, 40]), [0, 1, 2])
    rows, _, _, _ = take(c, 20, 1e9, 0.0, 0.5, np.random.default_rng(0))
    assert rows.tolist() == [0]  # 10 tokens (error 10) beats 50 (error 30)


def test_epoch_cap_and_fim_overhead() -> None:
    c = cursor_at(docs([10] * 4, code=True), [0, 1, 2, 3])
    rows, epochs, fim, length = take(c, 200, 60, 1.0, 0.0, np.random.default_rng(0))
    # Every document is FIM (PSM) and costs 13 tokens; the cap of 60 source tokens stops the
    # second epoch after two documents.
    assert fim.tolist() == [1] * 6 and length.tolist() == [13] * 6
    assert epochs.tolist() == [0, 0, 0, 0, 1, 1] and c.consumed == 60
    assert sorted(rows[:4].tolist()) == [0, 1, 2, 3]

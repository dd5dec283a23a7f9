"""The streaming selection against a brute-force reference that sorts every copy by key."""

import numpy as np
import pytest

from mellum_data.mixtures.keys import KEY_END, keyed
from mellum_data.mixtures.select import (
    LOOKAHEAD,
    TOKENS,
    Cursor,
    PhaseParams,
    SourceStream,
    order_salt,
)
from mellum_data.mixtures.sources import Block, ShardRef

NO_FIM = PhaseParams(index=0, fim_rate=0.0, spm_share=0.5)


def stream(lengths, *, copies=None, code=False, per_shard=700, seed=0) -> SourceStream:
    lengths = np.asarray(lengths, dtype=np.int64)
    copies = np.ones(lengths.size, np.int64) if copies is None else np.asarray(copies)
    blocks = []
    for i, start in enumerate(range(0, lengths.size, per_shard)):
        end = min(lengths.size, start + per_shard)
        blocks.append(
            Block(
                ref=ShardRef("s", i, "mem", f"{i}", end - start),
                rows=np.arange(end - start, dtype=np.int64),
                tokens=lengths[start:end],
                offset=np.zeros(end - start, np.int64),
                is_code=np.full(end - start, code),
                copies=copies[start:end],
            )
        )
    return SourceStream("s", lambda: blocks, seed=seed, copies=int(copies.sum()))


def all_copies(s: SourceStream) -> tuple[np.ndarray, np.ndarray]:
    uids, lengths = [], []
    for block in s.blocks():
        uid, doc = block.expand()
        uids.append(uid)
        lengths.append(block.tokens[doc])
    return np.concatenate(uids), np.concatenate(lengths)


def reference(s: SourceStream, targets: list[int]) -> list[set[tuple[int, int]]]:
    """Each phase's (epoch, uid) set: read copies in key order, skipping those already read;
    the last one is the closest of the next LOOKAHEAD (or none)."""
    uids, lengths = all_copies(s)
    length = dict(zip(uids.tolist(), lengths.tolist(), strict=True))
    epoch, read, out = 0, set(), []
    for target in targets:
        taken, total = set(), 0
        while total < target:
            keys = keyed(uids, order_salt(s.seed, s.name, epoch))
            order = [u for u in uids[np.argsort(keys)].tolist() if u not in read]
            left = sum(length[u] for u in order)
            if left < target - total:
                taken |= {(epoch, u) for u in order}
                total += left
                epoch, read = epoch + 1, set()
                continue
            for i, u in enumerate(order):
                if total + length[u] < target:
                    taken.add((epoch, u))
                    read.add(u)
                    total += length[u]
                    continue
                gap = target - total
                cands = order[i : i + LOOKAHEAD]
                errors = [abs(length[c] - gap) for c in cands]
                j = int(np.argmin(errors))
                if errors[j] < gap:
                    taken.add((epoch, cands[j]))
                    read.add(cands[j])
                    total += length[cands[j]]
                break
            if len(read) == len(uids):
                epoch, read = epoch + 1, set()
            break
        out.append(taken)
    return out


def selected(s: SourceStream, segments) -> set[tuple[int, int]]:
    uids, _ = all_copies(s)
    got = set()
    for seg in segments:
        keys = keyed(uids, order_salt(s.seed, s.name, seg.epoch))
        got |= {(seg.epoch, int(u)) for u in uids[seg.mask(uids, keys)]}
    return got


@pytest.mark.parametrize("seed", [0, 1])
def test_phases_match_the_reference_across_buckets_and_epochs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = stream(rng.integers(5, 400, size=3000), seed=seed)
    assert s.bits >= 2  # several histogram buckets: cuts land inside and across them
    total = int(sum(all_copies(s)[1]))
    targets = [int(total * f) for f in (0.31, 0.02, 0.5, 0.9, 0.27)]  # wraps into epoch 1
    expected = reference(s, targets)
    cursor = Cursor()
    for target, want in zip(targets, expected, strict=True):
        segments, tally = s.advance(cursor, NO_FIM, target, cap=1e18)
        got = selected(s, segments)
        assert got == want
        assert abs(int(tally[TOKENS]) - target) < 400
    assert cursor.epoch == 2 or cursor.lo > 0


def test_the_last_document_is_pulled_forward_and_not_read_twice() -> None:
    # In key order the lengths are 10, 10, 10, 50, 5 (the same lengths put in key order).
    s = stream([10] * 5)
    uids, _ = all_copies(s)
    by_key = uids[np.argsort(keyed(uids, order_salt(0, "s", 0)))]
    lengths = dict(zip(by_key.tolist(), [10, 10, 10, 50, 5], strict=True))
    row = {int(u): int(u >> np.uint64(8)) for u in uids}
    s = stream([lengths[u] for u in sorted(lengths, key=row.get)])
    cursor = Cursor()
    segments, tally = s.advance(cursor, NO_FIM, 25, cap=1e9)
    assert int(tally[TOKENS]) == 25
    [seg] = segments
    assert seg.include == [int(by_key[4])]  # the 5-token document, pulled past the others
    assert selected(s, segments) == {(0, int(u)) for u in (by_key[0], by_key[1], by_key[4])}
    keys = keyed(by_key, order_salt(0, "s", 0))
    assert cursor.taken == [int(by_key[4])] and cursor.lo == int(keys[2])
    # The next phase reads the skipped documents, never the pulled one again.
    segments, tally = s.advance(cursor, NO_FIM, 60, cap=1e9)
    assert selected(s, segments) == {(0, int(by_key[2])), (0, int(by_key[3]))}
    assert segments[0].exclude == [int(by_key[4])] and segments[0].hi == KEY_END
    assert cursor.epoch == 1 and cursor.consumed == 85


def test_no_document_stops_short_when_none_helps() -> None:
    s = stream([40, 40, 40])
    segments, tally = s.advance(Cursor(), NO_FIM, 15, cap=1e9)
    assert int(tally[TOKENS]) == 0 and selected(s, segments) == set()


def test_epoch_cap_and_fim_overhead() -> None:
    s = stream([10] * 4, code=True)
    cursor = Cursor()
    fim = PhaseParams(index=0, fim_rate=1.0, spm_share=0.0)
    segments, tally = s.advance(cursor, fim, 200, cap=60)
    # Every copy is FIM (PSM) and costs 13 tokens; the cap of 60 stored tokens stops the
    # second epoch after two documents.
    assert tally.tolist() == [6, 78, 60, 6, 0]
    assert [seg.epoch for seg in segments] == [0, 1] and cursor.consumed == 60
    assert len(selected(s, segments[:1])) == 4 and len(selected(s, segments[1:])) == 2


def test_rehydrated_copies_are_read_once_each_per_epoch() -> None:
    s = stream([10, 20, 30], copies=[1, 3, 0])
    segments, tally = s.advance(Cursor(), NO_FIM, 70, cap=1e9)
    got = selected(s, segments)
    rows = sorted(int(u) >> 8 for _, u in got)
    assert rows == [0, 1, 1, 1] and int(tally[TOKENS]) == 70 and {e for e, _ in got} == {0}

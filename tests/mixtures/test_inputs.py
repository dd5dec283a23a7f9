"""Reading document tokens from input shards by offset (``mixtures.inputs.InputTokens``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mellum_data.errors import InputError
from mellum_data.mixtures import inputs
from mellum_data.mixtures.inputs import InputTokens
from mellum_data.tokenize.shards import ShardReader, list_shards


def _shards(folder: Path, make_source, shards: int) -> list[str]:
    docs = [{"tokens": 5 + (i % 7)} for i in range(shards * 4)]
    make_source(folder, "web", docs, docs_per_shard=4)
    return [str(folder / f"{name}.ds") for name in list_shards(str(folder))]


def _expected(paths: list[str], picks: list[tuple[int, int]]) -> list[np.ndarray]:
    return [ShardReader(paths[i]).document(d).copy() for i, d in picks]


def _read(tokens: InputTokens, paths: list[str], picks: list[tuple[int, int]]) -> np.ndarray:
    """Reads ``picks`` (input, document) in the given order into one array."""
    ends = [ShardReader(p).doc_ends for p in paths]
    inp = np.array([i for i, _ in picks])
    offsets = np.array([ends[i][d - 1] if d else 0 for i, d in picks])
    counts = np.array([ends[i][d] for i, d in picks]) - offsets
    out = np.zeros(int(counts.sum()), dtype=tokens.dtype)
    tokens.read_into(out, np.cumsum(counts) - counts, inp, offsets, counts)
    return out


def test_more_shards_than_open_files_are_read_right_and_checked_once(
    tmp_path: Path, make_source, tok_info, monkeypatch
) -> None:
    paths = _shards(tmp_path / "web", make_source, 6)
    monkeypatch.setattr(inputs, "OPEN_FILES", 2)
    made = []
    real = inputs.ShardReader

    def counting(path: str, **kw) -> ShardReader:
        made.append(path)
        return real(path, **kw)

    monkeypatch.setattr(inputs, "ShardReader", counting)
    tokens = InputTokens(paths, tok_info)
    # Every window touches all six shards, so with two kept open each is reopened every time.
    picks = [(i, (i + k) % 4) for k in range(3) for i in (5, 0, 3, 1, 4, 2)]
    for _ in range(3):
        got = _read(tokens, paths, picks)
        assert np.array_equal(got, np.concatenate(_expected(paths, picks)))
        assert len(tokens._open) == 2
    tokens.close()
    assert sorted(made) == sorted(paths)  # metadata read once per shard, not per reopen


def test_a_shard_shorter_than_its_documents_is_an_input_error(
    tmp_path: Path, make_source, tok_info
) -> None:
    paths = _shards(tmp_path / "web", make_source, 2)
    data = Path(paths[1]).read_bytes()
    Path(paths[1]).write_bytes(data[:-4])  # the last document loses its last two tokens
    tokens = InputTokens(paths, tok_info)
    with pytest.raises(InputError, match=rf"^{paths[1]}: ends before byte {len(data)}$"):
        _read(tokens, paths, [(0, 0), (1, 3)])
    tokens.close()


def test_a_shard_of_another_tokenizer_is_refused(tmp_path: Path, make_source, tok_info) -> None:
    paths = _shards(tmp_path / "web", make_source, 1)
    other = dataclasses.replace(tok_info, id="sha256:other")
    with pytest.raises(InputError, match="differs from the expected 'sha256:other'"):
        _read(InputTokens(paths, other), paths, [(0, 0)])

import dataclasses
import json
from pathlib import Path

import pytest

from mellum_data.errors import ConfigError, InputError
from mellum_data.tokenize.tokenizer import (
    SPECIAL_TOKENS,
    file_digest,
    load_tokenizer,
    read_tokenizer_json,
    tokenizer_identity,
)
from mellum_data.tokenize.train import sample_texts, train_tokenizer


def test_special_tokens_come_first_and_info_matches(tokenizer_path: str) -> None:
    tok, info = load_tokenizer(tokenizer_path)
    assert [tok.token_to_id(t) for t in SPECIAL_TOKENS] == list(range(len(SPECIAL_TOKENS)))
    assert (info.bos_id, info.eos_id, info.pad_id) == (0, 1, 2)
    assert (info.fim_prefix_id, info.fim_middle_id, info.fim_suffix_id) == (3, 4, 5)
    assert info.vocab_size == 600 and info.token_size == 2
    saved = json.loads((Path(tokenizer_path).parent / "tokenizer_info.json").read_text())
    assert saved["id"] == info.id and saved["eos_id"] == 1
    assert set(saved["sample_bytes"]) == {"web", "code"}


def test_digits_split_and_indentation_kept_apart(tokenizer_path: str) -> None:
    tok, _ = load_tokenizer(tokenizer_path)
    enc = tok.encode("x = 12345\n        return total\n", add_special_tokens=False)
    pieces = [tok.decode([i]) for i in enc.ids]
    assert [p for p in pieces if p.strip().isdigit()] == [" 1", "2", "3", "4", "5"]
    # A line break and the next line's indentation form one token, apart from the word.
    assert "\n        " in pieces
    assert not any(p.strip() and p.startswith("\n") for p in pieces)


def test_round_trip_of_any_bytes(tokenizer_path: str) -> None:
    tok, _ = load_tokenizer(tokenizer_path)
    text = "naïve 漢字 🙂 \t\ttabs\r\n  <|eos|> x"
    tok.encode_special_tokens = True
    ids = tok.encode(text, add_special_tokens=False).ids
    assert 1 not in ids  # the EOS string stays text
    assert tok.decode(ids, skip_special_tokens=False) == text


def test_same_input_and_seed_give_the_same_file(stage_output: Path, tmp_path: Path) -> None:
    a = train_tokenizer([str(stage_output)], str(tmp_path / "a"), vocab_size=400, seed=3)
    b = train_tokenizer([str(stage_output)], str(tmp_path / "b"), vocab_size=400, seed=3)
    assert Path(a).read_bytes() == Path(b).read_bytes()
    assert load_tokenizer(a)[1].id == load_tokenizer(b)[1].id


def test_shares_and_max_bytes_bound_the_sample(stage_output: Path) -> None:
    texts, taken = sample_texts(
        [str(stage_output)], shares={"web": 3, "code": 1}, max_bytes=20_000, seed=0
    )
    # Each source stops at the first document past its quota.
    assert 15_000 <= taken["web"] < 15_000 + 2_000
    assert 5_000 <= taken["code"] < 5_000 + 1_000
    assert sum(len(t.encode()) for t in texts) == sum(taken.values())
    _, only_web = sample_texts([str(stage_output)], shares={"web": 1}, max_bytes=10_000, seed=0)
    assert only_web["code"] == 0


def test_unknown_share_lists_valid_sources(stage_output: Path) -> None:
    with pytest.raises(ConfigError, match="unknown sources \\['math'\\]; valid: code, web"):
        sample_texts([str(stage_output)], shares={"math": 1}, max_bytes=1000, seed=0)


def test_any_local_tokenizer_json_loads_with_its_own_special_names(tmp_path: Path) -> None:
    """A tokenizer trained elsewhere (StarCoder-style names) loads; its roles are found."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    specials = ["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>"]
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(["def f(x):\n    return x + 1\n"] * 20, trainer=trainer)
    tok.save(str(tmp_path / "tokenizer.json"))
    _, info = load_tokenizer(str(tmp_path / "tokenizer.json"))
    assert (info.eos_id, info.fim_prefix_id, info.fim_middle_id, info.fim_suffix_id) == (0, 1, 2, 3)
    assert info.bos_id is None and info.pad_id is None and info.token_size == 2
    bare = Tokenizer(models.BPE())
    bare.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bare.train_from_iterator(["abc"], trainer=trainers.BpeTrainer(vocab_size=260))
    bare.save(str(tmp_path / "bare.json"))
    with pytest.raises(InputError, match=r"has no end-of-document token \(looked for <\|eos\|>, "):
        load_tokenizer(str(tmp_path / "bare.json"))


def test_known_identity_is_reused_only_for_the_same_file(
    tokenizer_path: str, tmp_path: Path
) -> None:
    _, info = load_tokenizer(tokenizer_path)
    digest = file_digest(read_tokenizer_json(tokenizer_path))
    fake = dataclasses.replace(info, id="sha256:given")
    assert load_tokenizer(tokenizer_path, known=(digest, fake))[1].id == "sha256:given"
    # Another file (one special token renamed) gets its own identity computed.
    other = tmp_path / "tokenizer.json"
    other.write_text(Path(tokenizer_path).read_text().replace("<|pad|>", "<|pad2|>"))
    assert load_tokenizer(str(other), known=(digest, fake))[1].id not in (fake.id, info.id)


def test_recorded_identity_is_used_only_for_the_file_it_describes(
    tokenizer_path: str, tmp_path: Path
) -> None:
    text = Path(tokenizer_path).read_text()
    recorded = json.loads((Path(tokenizer_path).parent / "tokenizer_info.json").read_text())
    assert recorded["file_sha256"] == file_digest(text)
    assert load_tokenizer(tokenizer_path)[1].id == tokenizer_identity(text) == recorded["id"]
    # A copy whose record says otherwise shows which one is used.
    (tmp_path / "tokenizer_info.json").write_text(json.dumps({**recorded, "id": "sha256:rec"}))
    (tmp_path / "tokenizer.json").write_text(text)
    assert load_tokenizer(str(tmp_path / "tokenizer.json"))[1].id == "sha256:rec"
    changed = text.replace("<|pad|>", "<|pad2|>")
    (tmp_path / "tokenizer.json").write_text(changed)
    assert load_tokenizer(str(tmp_path / "tokenizer.json"))[1].id == tokenizer_identity(changed)

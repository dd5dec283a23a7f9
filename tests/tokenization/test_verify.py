"""``verify`` names the first bad shard and byte: flipped bytes, truncations, wrong tokenizer."""

import json

import numpy as np
import pytest

from mellum_data.errors import InputError
from mellum_data.tokenize.integrity import BLOCK_BYTES, block_check, locate_byte
from mellum_data.tokenize.manifest import (
    SourceCounts,
    TokenizerInfo,
    verify_folder,
    write_source_counts,
)
from mellum_data.tokenize.shards import ShardWriter

TOK = TokenizerInfo(id="sha256:00aa", name="bpe-300", vocab_size=300, token_size=2, eos_id=1)
# 2 MiB of uint16 tokens in one document: two blocks of the token file.
BIG = (np.arange(BLOCK_BYTES, dtype=np.int64) % 250).astype(np.uint16)


def write_source(folder, docs, *, tokenizer_id=TOK.id, name="00000_00000"):
    w = ShardWriter(folder, name, token_size=2, tokenizer_id=tokenizer_id, tokenizer_name="bpe")
    for i, toks in enumerate(docs):
        w.add(toks, id=f"web/{i}", source="web", quality_tier="high" if i % 2 else None)
    info = w.close()
    counts = SourceCounts("web", TOK, len(docs), info.tokens, [info])
    write_source_counts(folder, counts)
    return info


def flip(path, *offsets):
    data = bytearray(path.read_bytes())
    for off in offsets:
        data[off] ^= 0xFF
    path.write_bytes(bytes(data))


def error(folder) -> str:
    with pytest.raises(InputError) as e:
        verify_folder(folder)
    return str(e.value)


def test_flipped_token_byte_is_named_exactly(tmp_path):
    write_source(tmp_path, [BIG[:10], BIG])
    assert verify_folder(tmp_path) == 1
    off = BLOCK_BYTES + 21  # high byte of token (BLOCK_BYTES + 21) // 2, in the second block
    flip(tmp_path / "00000_00000.ds", off)
    token = off // 2
    was = int(np.concatenate([BIG[:10], BIG])[token]) >> 8
    assert error(tmp_path) == (
        f"{tmp_path}/00000_00000.ds: first bad byte {off} (token {token}) "
        f"is 0x{was ^ 0xFF:02x}, was 0x{was:02x}"
    )


def test_several_bad_bytes_in_a_block_give_its_range(tmp_path):
    write_source(tmp_path, [BIG])
    flip(tmp_path / "00000_00000.ds", BLOCK_BYTES + 5, BLOCK_BYTES + 900)
    assert error(tmp_path) == (
        f"{tmp_path}/00000_00000.ds: checksum mismatch in bytes "
        f"{BLOCK_BYTES}..{2 * BLOCK_BYTES - 1} (more than one byte differs there)"
    )


def test_truncated_token_file_and_index(tmp_path):
    write_source(tmp_path, [[5, 6, 7, 1], [9, 1], [3, 3, 1]])
    ds = tmp_path / "00000_00000.ds"
    ds.write_bytes(ds.read_bytes()[:7])
    assert error(tmp_path) == (f"{ds}: 7 bytes, expected 18 (9 tokens); first bad byte 7")
    write_source(tmp_path, [[5, 6, 7, 1], [9, 1], [3, 3, 1]])
    index = tmp_path / "00000_00000.ds.index"
    index.write_bytes(index.read_bytes()[:-8])
    assert error(tmp_path) == (f"{index}: 16 bytes, expected 24 (3 documents); first bad byte 16")


def test_flipped_byte_in_sidecar_and_index(tmp_path):
    write_source(tmp_path, [[5, 6, 7, 1], [9, 1]])
    sidecar = tmp_path / "00000_00000.ds.docs.parquet"
    was = sidecar.read_bytes()[40]
    flip(sidecar, 40)
    assert error(tmp_path) == (
        f"{sidecar}: first bad byte 40 is 0x{was ^ 0xFF:02x}, was 0x{was:02x}"
    )
    write_source(tmp_path, [[5, 6, 7, 1], [9, 1]])
    flip(tmp_path / "00000_00000.ds.index", 8)  # low byte of the second end (6)
    assert error(tmp_path) == f"{tmp_path}/00000_00000.ds.index: first bad byte 8 is 0xf9, was 0x06"


def test_wrong_tokenizer_in_shard_or_expected(tmp_path):
    # A shard of another tokenization dropped into a folder is named as such.
    info = write_source(tmp_path, [[1, 2, 3]], tokenizer_id="sha256:other")
    counts = SourceCounts("web", TOK, 1, info.tokens, [info])
    write_source_counts(tmp_path, counts)
    assert error(tmp_path) == (
        f"{tmp_path}/00000_00000.ds.metadata: tokenizer 'sha256:other' differs from the "
        "manifest's 'sha256:00aa'"
    )
    write_source(tmp_path, [[1, 2, 3]])
    with pytest.raises(InputError) as e:
        verify_folder(tmp_path, tokenizer_id="sha256:want")
    assert (
        str(e.value) == f"{tmp_path}: tokenizer 'sha256:00aa' differs from expected 'sha256:want'"
    )


def test_missing_file(tmp_path):
    write_source(tmp_path, [[1, 2]])
    (tmp_path / "00000_00000.ds.metadata").unlink()
    assert error(tmp_path) == f"{tmp_path}/00000_00000.ds.metadata: missing"


def test_manifest_without_block_sums_still_names_the_block(tmp_path):
    """counts.json written before per-file sizes and blocks existed: CRCs of the token file
    and sha256 of every file."""
    write_source(tmp_path, [BIG])
    counts = json.loads((tmp_path / "counts.json").read_text())
    for shard in counts["shards"]:
        del shard["sizes"], shard["blocks"]
    (tmp_path / "counts.json").write_text(json.dumps(counts))
    assert verify_folder(tmp_path) == 1
    flip(tmp_path / "00000_00000.ds", 3)
    assert error(tmp_path) == (
        f"{tmp_path}/00000_00000.ds: checksum mismatch in bytes 0..{BLOCK_BYTES - 1} "
        "(more than one byte differs there)"
    )


def test_locate_byte_finds_any_single_change() -> None:
    rng = np.random.default_rng(0)
    block = rng.integers(0, 256, size=5000, dtype=np.uint8).tobytes()
    expected = block_check(block)
    for i, new in [(0, 0), (0, 255), (4999, 7), (1234, 200)]:
        changed = bytearray(block)
        if changed[i] == new:
            continue
        changed[i] = new
        bad = locate_byte(bytes(changed), expected, start=100)
        assert (bad.offset, bad.now, bad.was) == (100 + i, new, block[i])
    two = bytearray(block)
    two[10] ^= 1
    two[20] ^= 2
    assert locate_byte(bytes(two), expected, start=0) is None


def test_damaged_tokenizer_name_in_metadata_is_a_bad_byte(tmp_path):
    """One flipped byte inside the identity in .ds.metadata reads as damage, not as a shard of
    another tokenizer."""
    write_source(tmp_path, [[1, 2, 3]])
    meta = tmp_path / "00000_00000.ds.metadata"
    off = meta.read_bytes().index(b"00aa") + 3  # the last "a" becomes "b"
    data = bytearray(meta.read_bytes())
    data[off] = ord("b")
    meta.write_bytes(bytes(data))
    assert error(tmp_path) == f"{meta}: first bad byte {off} is 0x62, was 0x61"

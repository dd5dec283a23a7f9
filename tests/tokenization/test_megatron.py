"""Megatron export, read back by a reader written here from the published format description
(not from the exporter), and compared token for token with datatrove's reader of the shards."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from datatrove.utils.dataset import DatatroveFolderDataset

from mellum_data.errors import InputError
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.tokenize import TokenizeConfig, run_tokenize
from mellum_data.tokenize.manifest import (
    PhaseManifest,
    SourceCounts,
    TokenizerInfo,
    write_phase_manifest,
    write_source_counts,
)
from mellum_data.tokenize.megatron import export_megatron
from mellum_data.tokenize.shards import ShardReader, ShardWriter
from mellum_data.tokenize.tokenizer import load_tokenizer

# Megatron-LM's DType enum: the index stores one of these codes.
MEGATRON_DTYPES = {1: "u1", 2: "i1", 3: "<i2", 4: "<i4", 5: "<i8", 6: "<f8", 7: "<f4", 8: "<u2"}


def read_megatron(prefix: Path) -> tuple[np.dtype, list[np.ndarray], list[int]]:
    """(dtype, sequences, document indices) of an MMIDIDX version-1 dataset."""
    idx = (prefix.parent / (prefix.name + ".idx")).read_bytes()
    assert idx[:9] == b"MMIDIDX\x00\x00"
    (version,) = struct.unpack_from("<Q", idx, 9)
    (code,) = struct.unpack_from("<B", idx, 17)
    n_seq, n_doc = struct.unpack_from("<QQ", idx, 18)
    assert version == 1
    pos = 34
    lengths = np.frombuffer(idx, dtype="<i4", count=n_seq, offset=pos)
    pos += 4 * n_seq
    pointers = np.frombuffer(idx, dtype="<i8", count=n_seq, offset=pos)
    pos += 8 * n_seq
    documents = np.frombuffer(idx, dtype="<i8", count=n_doc, offset=pos)
    assert pos + 8 * n_doc == len(idx)
    dtype = np.dtype(MEGATRON_DTYPES[code])
    data = (prefix.parent / (prefix.name + ".bin")).read_bytes()
    seqs = [
        np.frombuffer(data, dtype=dtype, count=int(n), offset=int(p))
        for n, p in zip(lengths, pointers, strict=True)
    ]
    return dtype, seqs, documents.tolist()


def datatrove_tokens(folder: Path, token_size: int) -> list[int]:
    # Windows of seq_len + 1 = 1 token: the whole token stream of every .ds file, in order.
    ds = DatatroveFolderDataset(str(folder), seq_len=0, token_size=token_size)
    return [int(ds[i]["input_ids"][0]) for i in range(len(ds))]


def test_tokenized_source_exports_and_agrees_with_datatrove(
    tmp_path: Path, stage_output: Path, tokenizer_path: str, make_corpus
) -> None:
    cfg = TokenizeConfig(min_unique_tokens=None, shard_tokens=3000)
    out = tmp_path / "tokens"
    counts = run_tokenize(str(stage_output), tokenizer_path, str(out), cfg, Execution(tasks=2))
    code = counts["code"]
    assert len(code.shards) > 2
    record = export_megatron(str(out / "code"), str(tmp_path / "mega" / "code"))
    dtype, seqs, documents = read_megatron(tmp_path / "mega" / "code")
    assert dtype == np.dtype("<u2")
    assert len(seqs) == code.documents == 120 and documents == list(range(121))
    stream = np.concatenate(seqs).tolist()
    assert len(stream) == code.tokens == record["tokens"]
    assert stream == datatrove_tokens(out / "code", token_size=2)
    # Documents are the shards' documents, in manifest order, each ending with EOS.
    tok, info = load_tokenizer(tokenizer_path)
    texts = {d["id"]: d["text"] for d in make_corpus()["code"]}
    k = 0
    for shard in code.shards:
        r = ShardReader(str(out / "code" / shard.path))
        for i, row in enumerate(r.docs(["id"]).to_pylist()):
            assert seqs[k].tolist() == r.document(i).tolist()
            assert seqs[k][-1] == info.eos_id
            assert tok.decode(seqs[k][:-1].tolist()) == texts[row["id"]]
            k += 1
    assert record["dtype_code"] == 8 and record["tokenizer"]["id"] == info.id
    assert json.loads((tmp_path / "mega" / "code.json").read_text()) == record


TOK32 = TokenizerInfo(
    id="sha256:big", name="bpe-100000", vocab_size=100_000, token_size=4, eos_id=1
)


def write_shards(folder: Path, info: TokenizerInfo, shards: list[list[list[int]]]) -> list:
    infos = []
    for n, docs in enumerate(shards):
        w = ShardWriter(folder, f"{n:05d}", token_size=info.token_size, tokenizer_id=info.id)
        for i, toks in enumerate(docs):
            w.add(np.asarray(toks, dtype=np.uint32), id=f"d{n}.{i}", source="s")
        infos.append(w.close())
    return infos


def test_phase_folder_with_uint32_tokens(tmp_path: Path) -> None:
    docs = [[[70_000, 5, 1], [99_999, 1]], [[3, 1]], [[65_536, 2, 2, 2, 1]]]
    infos = write_shards(tmp_path / "p1", TOK32, docs)
    manifest = PhaseManifest(
        phase="p1",
        index=0,
        spec_sha256="0" * 64,
        tokenizer=TOK32,
        seed=0,
        sequence_length=8,
        sources={},
        documents=4,
        tokens=12,
        shards=infos,
    )
    write_phase_manifest(tmp_path / "p1", manifest)
    record = export_megatron(str(tmp_path / "p1"), str(tmp_path / "p1_megatron"))
    dtype, seqs, documents = read_megatron(tmp_path / "p1_megatron")
    assert dtype == np.dtype("<i4") and record["dtype_code"] == 4
    assert [s.tolist() for s in seqs] == [d for shard in docs for d in shard]
    assert documents == [0, 1, 2, 3, 4]
    assert np.concatenate(seqs).tolist() == datatrove_tokens(tmp_path / "p1", token_size=4)


def test_several_folders_need_one_tokenizer_and_sound_shards(tmp_path: Path) -> None:
    tok_a = TokenizerInfo(id="sha256:a", name="bpe-300", vocab_size=300, token_size=2, eos_id=1)
    tok_b = TokenizerInfo(id="sha256:b", name="bpe-300", vocab_size=300, token_size=2, eos_id=1)
    for name, tok in (("web", tok_a), ("code", tok_a), ("math", tok_b)):
        infos = write_shards(tmp_path / name, tok, [[[7, 8, 1]]])
        write_source_counts(tmp_path / name, SourceCounts(name, tok, 1, 3, infos))
    record = export_megatron([str(tmp_path / "web"), str(tmp_path / "code")], str(tmp_path / "wc"))
    assert record["sequences"] == 2 and record["tokens"] == 6
    assert [s.tolist() for s in read_megatron(tmp_path / "wc")[1]] == [[7, 8, 1], [7, 8, 1]]
    with pytest.raises(InputError) as e:
        export_megatron([str(tmp_path / "web"), str(tmp_path / "math")], str(tmp_path / "x"))
    assert str(e.value) == (
        f"{tmp_path / 'math'}: tokenizer 'sha256:b' differs from {tmp_path / 'web'}'s "
        "'sha256:a'; one Megatron dataset holds one tokenizer's ids"
    )
    ds = tmp_path / "code" / "00000.ds"
    ds.write_bytes(b"\x07\x00\x09\x00\x01\x00")
    with pytest.raises(InputError) as e:
        export_megatron(str(tmp_path / "code"), str(tmp_path / "y"))
    assert str(e.value) == f"{ds}: checksum mismatch in bytes 0..5; run `mellum-data verify`"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("y")) == []

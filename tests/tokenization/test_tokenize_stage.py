from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from datatrove.utils.dataset import DatatroveFolderDataset

from mellum_data.errors import ConfigError
from mellum_data.grammars import new_parser
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.tokenize import TokenizeConfig, read_all_counts, run_tokenize
from mellum_data.tokenize.manifest import verify_folder
from mellum_data.tokenize.shards import ShardReader, list_shards
from mellum_data.tokenize.split_points import syntax_metadata
from mellum_data.tokenize.step import DROP_MIN_UNIQUE
from mellum_data.tokenize.tokenizer import load_tokenizer

# The test tokenizer has 600 tokens; keep every corpus document unless a test says otherwise.
KEEP_ALL = TokenizeConfig(min_unique_tokens=None, shard_tokens=4000, batch_size=16)


@pytest.fixture(scope="module")
def tokens(stage_output: Path, tokenizer_path: str, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("tokens")
    counts = run_tokenize(str(stage_output), tokenizer_path, str(out), KEEP_ALL, Execution(tasks=2))
    return out, counts


def test_text_round_trips_through_shards(tokens, tokenizer_path: str, make_corpus) -> None:
    out, counts = tokens
    tok, info = load_tokenizer(tokenizer_path)
    texts = {d["id"]: d["text"] for rows in make_corpus().values() for d in rows}
    seen = 0
    for source in ("web", "code"):
        assert counts[source].documents == 120 and counts[source].dropped == {}
        for name in list_shards(out / source):
            r = ShardReader(str(out / source / f"{name}.ds"), expect_tokenizer_id=info.id)
            sidecar = r.docs().to_pylist()
            for i, row in enumerate(sidecar):
                doc = r.document(i)
                assert doc[-1] == info.eos_id and row["tokens"] == doc.size
                assert tok.decode(doc[:-1].tolist()) == texts[row["id"]]
                assert row["source"] == source and row["kind"] == source
                seen += 1
    assert seen == 240
    assert verify_folder(out / "web") == len(counts["web"].shards) > 1  # rolled at shard_tokens


def test_shards_are_named_by_rank_and_sidecar_has_tiers(tokens) -> None:
    out, counts = tokens
    names = [s.path for s in counts["web"].shards]
    assert all(len(n) == len("00000_00000.ds") and n[5] == "_" for n in names)
    tiers = pq.read_table(out / "web" / names[0].replace(".ds", ".ds.docs.parquet"))["quality_tier"]
    assert set(tiers.to_pylist()) == {"high", "low"}
    assert sum(s.tokens for s in counts["web"].shards) == counts["web"].tokens


def test_code_documents_carry_fim_points(tokens) -> None:
    out, counts = tokens
    code = pq.read_table(
        out / "code" / counts["code"].shards[0].path.replace(".ds", ".ds.docs.parquet")
    )
    web = pq.read_table(
        out / "web" / counts["web"].shards[0].path.replace(".ds", ".ds.docs.parquet")
    )
    for points, n in zip(code["fim_points"].to_pylist(), code["tokens"].to_pylist(), strict=True):
        assert len(points) >= 8 and 0 < points[0] and points[-1] < n - 1
    assert all(p == [] for p in web["fim_points"].to_pylist())


def test_boundaries_from_an_earlier_parse_give_the_same_points(
    tmp_path: Path, tokenizer_path: str, make_corpus, write_stage
) -> None:
    plain = make_corpus(n_web=0, n_code=8)["code"]
    plain[0]["text"] += "# changed after parsing\n"
    parsed = make_corpus(n_web=0, n_code=8)["code"]
    parser = new_parser("python")
    for doc in parsed:
        data = doc["text"].encode()
        doc["metadata"].update(syntax_metadata(parser.parse(data).root_node, data, "python"))
    # Boundaries of an older text are not used: the CRC no longer matches.
    parsed[0]["text"] = plain[0]["text"]
    # Those of the same text are used as they are (here: only the second one is kept; the
    # first, at byte 0, is never a point).
    starts = parsed[1]["metadata"]["syntax_starts"]
    assert starts[0] == 0
    parsed[1]["metadata"]["syntax_starts"] = starts[1:2]
    points = {}
    for name, rows in (("parsed", parsed), ("plain", plain)):
        out = tmp_path / name
        inp = write_stage(tmp_path / f"in-{name}", {"code": rows})
        run_tokenize(str(inp), tokenizer_path, str(out), KEEP_ALL, Execution(tasks=1))
        table = pq.read_table(next((out / "code").glob("*.docs.parquet")))
        points[name] = table["fim_points"].to_pylist()
    assert points["parsed"][1] == points["plain"][1][:1]
    del points["parsed"][1], points["plain"][1]
    assert points["parsed"] == points["plain"] and all(len(p) >= 8 for p in points["parsed"])


def test_datatrove_reads_our_shards(tokens) -> None:
    out, counts = tokens
    ds = DatatroveFolderDataset(str(out / "code"), seq_len=32, token_size=2)
    # datatrove cuts each file into whole windows of seq_len + 1 tokens.
    assert len(ds) == sum(s.tokens // 33 for s in counts["code"].shards)
    first = ShardReader(str(out / "code" / counts["code"].shards[0].path)).tokens[:33]
    assert ds[0]["input_ids"].tolist() == first.tolist()


def test_few_unique_tokens_are_removed_with_reason(
    tmp_path: Path, tokenizer_path: str, make_corpus, write_stage
) -> None:
    docs = make_corpus(n_web=6, n_code=0)
    docs["web"][2]["text"] = "ka ka ka ka ka ka ka ka\n" * 50
    # A second source whose metadata has a field the first lacks: the removed file has both.
    math = [
        {"text": "x " * 200, "id": "math/0", "metadata": {"source": "math", "score": 0.9}},
        *[
            {**d, "id": f"math/{i}", "metadata": {**d["metadata"], "source": "math", "score": 0.5}}
            for i, d in enumerate(docs["web"][3:], start=1)
        ],
    ]
    inp = write_stage(tmp_path / "in", {"web": docs["web"], "math": math})
    counts = run_tokenize(
        str(inp),
        tokenizer_path,
        str(tmp_path / "out"),
        TokenizeConfig(min_unique_tokens=40),
        Execution(),
    )
    assert counts["web"].documents == 5 and counts["web"].dropped == {DROP_MIN_UNIQUE: 1}
    assert counts["math"].documents == 3 and counts["math"].dropped == {DROP_MIN_UNIQUE: 1}
    removed = pq.read_table(tmp_path / "out" / "removed" / "tokenize").to_pylist()
    assert sorted(r["id"] for r in removed) == ["math/0", "web/2"]
    by_id = {r["id"]: r["metadata"] for r in removed}
    assert by_id["math/0"]["score"] == 0.9 and by_id["web/2"]["score"] is None
    assert by_id["web/2"]["quality_tier"] == "low" and by_id["math/0"]["quality_tier"] is None
    assert {m["drop_reason"] for m in by_id.values()} == {"tokenize_min_unique_tokens"}
    assert {m["dropped_by"] for m in by_id.values()} == {"tokenize"}


def test_bos_and_special_token_text(
    tmp_path: Path, tokenizer_path: str, make_corpus, write_stage
) -> None:
    docs = make_corpus(n_web=2, n_code=0)
    docs["web"][0]["text"] = "a <|eos|> b <|fim_middle|> c"
    inp = write_stage(tmp_path / "in", {"web": docs["web"]})
    cfg = TokenizeConfig(min_unique_tokens=None, add_bos=True)
    counts = run_tokenize(str(inp), tokenizer_path, str(tmp_path / "out"), cfg, Execution())
    r = ShardReader(str(tmp_path / "out" / "web" / counts["web"].shards[0].path))
    doc = r.document(0)
    assert doc[0] == 0 and doc[-1] == 1
    assert not np.isin(doc[1:-1], [0, 1, 2, 3, 4, 5]).any()


def test_rerun_does_not_duplicate_and_refuses_another_config(
    tmp_path: Path, tokenizer_path: str, make_corpus, write_stage
) -> None:
    inp = write_stage(tmp_path / "in", make_corpus(n_web=10, n_code=10))
    out = str(tmp_path / "out")
    first = run_tokenize(str(inp), tokenizer_path, out, KEEP_ALL, Execution(tasks=2))
    files = sorted(p.name for p in (tmp_path / "out" / "web").iterdir())
    again = run_tokenize(str(inp), tokenizer_path, out, KEEP_ALL, Execution(tasks=2))
    assert again == first == read_all_counts(out)
    assert sorted(p.name for p in (tmp_path / "out" / "web").iterdir()) == files
    with pytest.raises(ConfigError, match="tokenized with different config"):
        run_tokenize(str(inp), tokenizer_path, out, TokenizeConfig(), Execution(tasks=2))


def test_cluster_size_column_is_null_without_dedup(tokens) -> None:
    out, counts = tokens
    web = pq.read_table(
        out / "web" / counts["web"].shards[0].path.replace(".ds", ".ds.docs.parquet")
    )
    assert web["minhash_cluster_size"].null_count == web.num_rows > 0

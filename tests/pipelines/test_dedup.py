"""The dedup stage end to end: planted exact and near duplicates across two stage outputs."""

import random
import string

import polars as pl
import pyarrow as pa
import pytest
from datatrove.data import Document

from mellum_data.config import load_config
from mellum_data.errors import ConfigError
from mellum_data.pipelines.code import CODE_METADATA
from mellum_data.pipelines.dedup import DedupConfig, run_dedup
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.writers import schema_kept_writer

WEB_METADATA = {
    "source": pa.string(),
    "kind": pa.string(),
    "url": pa.string(),
    "lang_score": pa.float64(),
}


def words(rng: random.Random, n: int) -> list[str]:
    # Letters only: MinHash normalisation turns every digit run into "0".
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(n)]


def edit(text: str, rng: random.Random, changes: int = 3) -> str:
    toks = text.split(" ")
    for _ in range(changes):
        toks[rng.randrange(len(toks))] = "edited"
    return " ".join(toks)


def write_stage(folder, metadata, docs_per_file: list[list[Document]]) -> None:
    """A stage output with one parquet file per list (one writer rank each)."""
    for rank, docs in enumerate(docs_per_file):
        with schema_kept_writer(str(folder), metadata) as w:
            for d in docs:
                w.write(d, rank)


def build_inputs(root) -> dict:
    rng = random.Random(42)
    code, web, clusters = [], [], []

    def code_doc(i: str, text: str) -> Document:
        meta = {"source": "code", "kind": "code", "repo": "r", "path": f"{i}.py", "lang": "Python"}
        return Document(
            text=text, id=f"code/r/{i}.py", metadata=meta | {"license": "MIT", "size": len(text)}
        )

    for i in range(40):
        code.append(code_doc(f"u{i}", " ".join(words(rng, 200))))
    for c in range(4):  # vendored copies: the same file with small edits, and one re-indented
        base = " ".join(words(rng, 200))
        ids = [f"v{c}_{k}" for k in range(3)]
        code += [
            code_doc(ids[0], base),
            code_doc(ids[1], edit(base, rng)),
            code_doc(ids[2], edit(base, rng)),
        ]
        clusters.append({f"code/r/{i}.py" for i in ids})
    exact_base = " ".join(words(rng, 150))
    code += [code_doc("x0", exact_base), code_doc("x1", exact_base.replace(" ", "\n\t"))]
    clusters.append({"code/r/x0.py", "code/r/x1.py"})
    for i in range(30):
        meta = {
            "source": "web",
            "kind": "web",
            "url": f"https://e.org/{i}",
            "lang_score": None if i == 0 else 0.9,
        }
        web.append(Document(text=" ".join(words(rng, 120)), id=f"web/{i}", metadata=meta))
    page = web[5].text
    web.append(
        Document(
            text=edit(page, rng, 2),
            id="web/mirror",
            metadata=dict(web[5].metadata, url="https://m.org/5"),
        )
    )
    clusters.append({"web/5", "web/mirror"})
    write_stage(root / "code_out", CODE_METADATA, [code[: len(code) // 2], code[len(code) // 2 :]])
    write_stage(root / "web_out", WEB_METADATA, [web[:15], web[15:]])
    return {"total": len(code) + len(web), "clusters": clusters}


@pytest.fixture(scope="module")
def dedup_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("dedup")
    planted = build_inputs(root)
    out = root / "out"
    execution = Execution(tasks=2, logging_dir=str(root / "logs"))
    run_dedup([str(root / "code_out"), str(root / "web_out")], str(out), DedupConfig(), execution)
    return planted, out, execution, root


def frame(pattern) -> pl.DataFrame:
    return pl.read_parquet(pattern).with_columns(pl.col("metadata").struct.unnest())


def test_one_document_kept_per_cluster(dedup_run):
    planted, out, _, _ = dedup_run
    kept = pl.concat(
        [frame(out / "code" / "*.parquet"), frame(out / "web" / "*.parquet")], how="diagonal"
    )
    removed = frame(out / "removed" / "*" / "*.parquet")
    assert kept.height + removed.height == planted["total"]
    kept_ids = set(kept["id"])
    for cluster in planted["clusters"]:
        assert len(cluster & kept_ids) == 1, cluster
    dup_ids = set().union(*planted["clusters"]) - kept_ids
    assert set(removed["id"]) == dup_ids
    reasons = dict(removed.select("id", "drop_reason").iter_rows())
    (exact_copy,) = {"code/r/x0.py", "code/r/x1.py"} & set(reasons)
    assert reasons.pop(exact_copy) == "exact_duplicate"
    assert set(reasons.values()) == {"minhash_duplicate"}
    assert set(removed["dropped_by"]) == {"exact", "minhash"}


def test_sources_and_metadata_survive(dedup_run):
    _, out, _, _ = dedup_run
    code = frame(out / "code" / "*.parquet")
    web = frame(out / "web" / "*.parquet")
    assert set(code["source"]) == {"code"} and set(web["source"]) == {"web"}
    assert set(code["license"]) == {"MIT"}
    assert web.filter(pl.col("id") == "web/1")["url"].to_list() == ["https://e.org/1"]
    assert web.filter(pl.col("id") == "web/0")["lang_score"].to_list() == [None]
    assert "file_path" not in code.columns
    sizes = dict(code.select("id", "minhash_cluster_size").iter_rows())
    kept_vendored = [i for i in sizes if "/v0_" in i]
    assert len(kept_vendored) == 1 and sizes[kept_vendored[0]] == 3
    assert sizes["code/r/u0.py"] == 1


def test_rerun_skips_completed_work(dedup_run):
    planted, out, execution, root = dedup_run
    before = sorted(p.name for p in (out / "code").iterdir())
    run_dedup([str(root / "code_out"), str(root / "web_out")], str(out), DedupConfig(), execution)
    assert sorted(p.name for p in (out / "code").iterdir()) == before
    assert (root / "logs" / "minhash_signature" / "completions").is_dir()
    assert (root / "logs" / "filter" / "completions").is_dir()


def test_minhash_only(tmp_path):
    build_inputs(tmp_path)
    config, _ = load_config(
        DedupConfig, text="exact:\n  enabled: false\nminhash:\n  preset: starcoder\n"
    )
    run_dedup([str(tmp_path / "code_out")], str(tmp_path / "out"), config, Execution())
    removed = frame(tmp_path / "out" / "removed" / "*" / "*.parquet")
    assert set(removed["drop_reason"]) == {"minhash_duplicate"}
    assert removed.height == 4 * 2 + 1  # two edited copies per vendored file, one exact copy


def test_config_errors():
    with pytest.raises(ConfigError, match="nothing to do"):
        load_config(DedupConfig, text="exact: {enabled: false}\nminhash: {enabled: false}\n")
    with pytest.raises(ConfigError, match="minhash.preset"):
        load_config(DedupConfig, text="minhash:\n  preset: fast\n")


def test_plain_parquet_folder_without_source(tmp_path):
    """A folder of datatrove parquet files whose documents carry no ``source``: the folder's
    name becomes the source, and datatrove's ``file_path`` does not leak into the output."""
    from datatrove.pipeline.writers import ParquetWriter

    rng = random.Random(3)
    text = " ".join(words(rng, 100))
    with ParquetWriter(str(tmp_path / "pages")) as w:
        w.write(Document(text=text, id="p/1", metadata={"url": "https://a.org"}), 0)
        w.write(Document(text=edit(text, rng, 1), id="p/2", metadata={"url": "https://b.org"}), 0)
        w.write(
            Document(text=" ".join(words(rng, 100)), id="p/3", metadata={"url": "https://c.org"}), 0
        )
    run_dedup([str(tmp_path / "pages")], str(tmp_path / "out"), DedupConfig(), Execution())
    kept = frame(tmp_path / "out" / "pages" / "*.parquet")
    assert kept.height == 2 and set(kept["source"]) == {"pages"}
    assert "file_path" not in kept.columns

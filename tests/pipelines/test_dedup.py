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
from mellum_data.pipelines.dedup import DedupConfig, build_dedup_runs, run_dedup
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
    # Each removed copy names the copy its cluster kept.
    duplicate_of = dict(removed.select("id", "duplicate_of").iter_rows())
    for cluster in planted["clusters"]:
        (keep,) = cluster & kept_ids
        assert all(duplicate_of[i] == keep for i in cluster - {keep})


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
    assert (root / "logs" / "signature" / "completions").is_dir()
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
        load_config(
            DedupConfig,
            text="exact: {enabled: false}\nurl: {enabled: false}\nminhash: {enabled: false}\n",
        )
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


CODE_FILE = '''\
import json  # JSON helpers


def load(path):
    """Read a JSON file."""
    with open(path) as f:
        return json.load(f)


def save(path, data, indent=2):
    with open(path, "w") as f:
        json.dump(data, f, indent=indent)
'''
# The same module reformatted, with other comments and quotes: what the code preset matches.
CODE_COPY = """\
import json


def load( path ):
    # Load a JSON document from disk.
    with open( path ) as f:
        return json.load( f )

def save(path, data, indent = 2):
    with open(path, 'w') as f:
        json.dump(data, f, indent = indent)
"""
BENCH_ITEM = (
    "Write a function that returns the longest palindromic substring of a string, "
    "breaking ties by the earliest starting position in the input"
)


def test_cross_source_url_and_decontamination(tmp_path):
    rng = random.Random(7)
    web_meta = {"source": "web", "kind": "web", "url": None, "lang_score": 0.9}
    page = " ".join(words(rng, 150))
    web = [
        Document(text=" ".join(words(rng, 150)), id=f"web/{i}", metadata=web_meta | {"url": u})
        for i, u in enumerate(["https://a.org/x", "https://b.org/y", "https://c.org/z"])
    ]
    web += [
        # The same URL as web/0 (another crawl, the page changed since).
        Document(text=page, id="web/recrawl", metadata=web_meta | {"url": "http://www.a.org/x/"}),
        # A code file pasted into a page, and a page quoting a benchmark item.
        Document(text=CODE_FILE, id="web/paste", metadata=web_meta | {"url": "https://d.org"}),
        Document(
            text="Interview prep. " + BENCH_ITEM + ". Solution below.",
            id="web/leak",
            metadata=web_meta | {"url": "https://e.org"},
        ),
    ]
    code_meta = {"source": "code", "kind": "code", "repo": "r", "lang": "Python"}
    code = [
        Document(text=CODE_FILE, id="code/r/io.py", metadata=code_meta | {"path": "io.py"}),
        Document(text=" ".join(words(rng, 150)), id="code/r/x.py", metadata=code_meta),
    ]
    write_stage(tmp_path / "web_out", WEB_METADATA, [web])
    write_stage(tmp_path / "code_out", CODE_METADATA, [code])
    (tmp_path / "evals.jsonl").write_text(f'{{"prompt": "{BENCH_ITEM}", "tests": "assert f(1)"}}\n')
    config, _ = load_config(
        DedupConfig,
        text=f"decontam:\n  benchmarks:\n    - name: palindromes\n"
        f"      path: {tmp_path / 'evals.jsonl'}\n",
    )
    # Web is read first, yet the code copy is kept (priority: code, math, web).
    inputs = [str(tmp_path / "web_out"), str(tmp_path / "code_out")]
    run_dedup(inputs, str(tmp_path / "out"), config, Execution())
    removed = frame(tmp_path / "out" / "removed" / "*" / "*.parquet")
    got = {
        r["id"]: (r["dropped_by"], r["drop_reason"], r["duplicate_of"]) for r in removed.to_dicts()
    }
    assert got == {
        "web/paste": ("exact", "exact_duplicate_of_code", "code/r/io.py"),
        "web/recrawl": ("url", "url_duplicate", "web/0"),
        "web/leak": ("decontam", "decontam_palindromes", None),
    }
    kept = frame(tmp_path / "out" / "code" / "*.parquet")
    assert kept.filter(pl.col("id") == "code/r/io.py")["minhash_cluster_size"].to_list() == [2]


def test_code_preset_matches_reformatted_code(tmp_path):
    meta = {"source": "code", "kind": "code", "repo": "r", "lang": "Python"}
    code = [
        Document(text=CODE_FILE, id="code/a.py", metadata=meta),
        Document(text=CODE_COPY, id="code/b.py", metadata=meta),
    ]
    write_stage(tmp_path / "code_out", CODE_METADATA, [code])
    for preset, removed in (("fineweb", []), ("code", ["code/b.py"])):
        out = tmp_path / preset
        config, _ = load_config(DedupConfig, text=f"minhash:\n  preset: {preset}\n")
        run_dedup([str(tmp_path / "code_out")], str(out), config, Execution())
        gone = list((out / "removed").glob("*/*.parquet"))
        assert (frame(gone[0])["id"].to_list() if gone else []) == removed, preset


def test_yaml_settings_reach_the_steps(tmp_path):
    config, _ = load_config(
        DedupConfig,
        text="exact: {lowercase: true}\nurl: {enabled: false}\n"
        "minhash:\n  preset: code\n  n_grams: 6\n  hash_bits: 64\n  seed: 9\n  verify: null\n"
        "priority: [math, code]\n",
    )
    params = config.minhash.params()
    assert (params.tokenizer, params.n_grams, params.num_buckets, params.hash_bits) == (
        "code",
        6,
        20,
        64,
    )
    assert params.seed == 9
    write_stage(tmp_path / "in", WEB_METADATA, [[Document("x", "w/x", metadata={"source": "w"})]])
    runs = build_dedup_runs([str(tmp_path / "in")], str(tmp_path / "out"), config, tasks=3)
    assert [(name, n) for name, _, n in runs] == [
        ("signature", 3),
        ("buckets", 20),
        ("cluster", 1),
        ("filter", 3),
    ]
    keys, sig = runs[0][1][-2:]
    assert (keys.lowercase, keys.urls, keys.priority) == (True, False, ["math", "code"])
    assert sig.params == params and sig.full is False
    assert runs[2][1][0].verify is None


def test_decontamination_only(tmp_path):
    rng = random.Random(5)
    texts = [" ".join(words(rng, 40)) for _ in range(3)]
    meta = {"source": "web", "kind": "web", "url": "https://a.org", "lang_score": 0.5}
    docs = [Document(text=t, id=f"web/{i}", metadata=meta) for i, t in enumerate(texts)]
    docs.append(Document(text=texts[0], id="web/copy", metadata=meta))
    write_stage(tmp_path / "web_out", WEB_METADATA, [docs])
    (tmp_path / "eval.jsonl").write_text(f'{{"q": "{texts[1]}"}}\n')
    config, _ = load_config(
        DedupConfig,
        text="exact: {enabled: false}\nurl: {enabled: false}\nminhash: {enabled: false}\n"
        f"decontam:\n  benchmarks: [{{name: qa, path: {tmp_path / 'eval.jsonl'}}}]\n",
    )
    assert [
        name for name, _, _ in build_dedup_runs([str(tmp_path / "web_out")], "o", config, 1)
    ] == ["filter"]
    run_dedup([str(tmp_path / "web_out")], str(tmp_path / "out"), config, Execution())
    assert frame(tmp_path / "out" / "web" / "*.parquet")["id"].to_list() == [
        "web/0",
        "web/2",
        "web/copy",
    ]
    removed = frame(tmp_path / "out" / "removed" / "decontam" / "*.parquet")
    assert removed.select("id", "drop_reason", "decontam_ngrams").rows() == [
        ("web/1", "decontam_qa", 28)
    ]

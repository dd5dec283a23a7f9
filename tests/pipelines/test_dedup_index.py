"""Incremental dedup of stage outputs, crawl by crawl, against a persisted LSH index."""

import random
import string

import polars as pl
import pyarrow as pa
import pytest
from datatrove.data import Document

from mellum_data.config import load_config
from mellum_data.errors import ConfigError
from mellum_data.pipelines.dedup import DedupConfig
from mellum_data.pipelines.dedup_index import run_incremental_dedup
from mellum_data.pipelines.writers import schema_kept_writer

META = {"source": pa.string(), "url": pa.string()}


def page(rng: random.Random) -> str:
    return " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(150)
    )


def crawl(folder, docs: list[Document]) -> str:
    with schema_kept_writer(str(folder), META) as w:
        for d in docs:
            w.write(d, 0)
    return str(folder)


def doc(id_: str, text: str) -> Document:
    return Document(text=text, id=id_, metadata={"source": "web", "url": f"https://x.org/{id_}"})


def test_second_crawl_against_the_first(tmp_path):
    rng = random.Random(1)
    pages = [page(rng) for _ in range(6)]
    index = str(tmp_path / "index")
    first = crawl(tmp_path / "c1", [doc(f"c1/{i}", p) for i, p in enumerate(pages[:4])])
    counts = run_incremental_dedup([first], str(tmp_path / "out1"), index, DedupConfig())
    assert counts == {"kept": 4, "removed": 0, "indexed": 4}

    moved = pages[2].replace(pages[2].split()[10], "changed", 1)
    second = crawl(
        tmp_path / "c2",
        [doc("c2/a", moved), doc("c2/b", pages[4]), doc("c2/c", pages[4]), doc("c2/d", pages[5])],
    )
    counts = run_incremental_dedup([second], str(tmp_path / "out2"), index, DedupConfig())
    assert counts == {"kept": 2, "removed": 2, "indexed": 6}
    kept = pl.read_parquet(tmp_path / "out2" / "web" / "*.parquet")
    assert kept["id"].to_list() == ["c2/b", "c2/d"]
    removed = pl.read_parquet(tmp_path / "out2" / "removed" / "index" / "*.parquet").unnest(
        "metadata"
    )
    assert removed.select("id", "duplicate_of", "drop_reason").rows() == [
        ("c2/a", "c1/2", "index_duplicate"),
        ("c2/c", "c2/b", "index_duplicate"),
    ]


def test_index_parameters_must_match(tmp_path):
    rng = random.Random(2)
    first = crawl(tmp_path / "c1", [doc("c1/0", page(rng))])
    run_incremental_dedup([first], str(tmp_path / "out"), str(tmp_path / "index"), DedupConfig())
    config, _ = load_config(DedupConfig, text="minhash:\n  preset: code\n")
    with pytest.raises(ConfigError, match="the index was built with MinHash"):
        run_incremental_dedup([first], str(tmp_path / "out2"), str(tmp_path / "index"), config)

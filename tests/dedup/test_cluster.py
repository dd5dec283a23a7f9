import struct

import pyarrow.parquet as pq
from datatrove.data import Document

from mellum_data.dedup import DedupCluster, DedupFilter, DedupKeys


def doc(id_: str, text: str, url: str | None = None) -> Document:
    source = id_.split("/")[0]
    meta = {"source": source, "kind": source} | ({"url": url} if url else {})
    return Document(text=text, id=id_, metadata=meta)


def tasks() -> list[list[Document]]:
    return [
        [
            doc("web/a", "alpha text", "https://a.org/1"),
            doc("web/b", "alpha \n text", "https://b.org/1"),  # same text as web/a
            doc("web/c", "gamma", "http://www.a.org/1/"),  # same URL as web/a
            doc("web/d", "delta"),
            doc("math/m", "some code"),  # same text as code/x, in the other task
        ],
        [
            doc("code/x", "some code"),
            doc("web/e", "some code, edited"),  # MinHash pair with code/x
            doc("web/f", "some code, edited twice"),  # MinHash pair with web/e
        ],
    ]


def run_cluster(tmp_path) -> list[list[Document]]:
    work = str(tmp_path / "work")
    data = tasks()
    for rank, docs in enumerate(data):
        list(DedupKeys(work, priority=["code", "math", "web"]).run(iter(docs), rank=rank))
    # What datatrove's bucket stage writes: (task, position, task, position) per pair.
    (tmp_path / "pairs").mkdir()
    (tmp_path / "pairs" / "00000_00.dups").write_bytes(
        struct.pack("<4I", 1, 0, 1, 1) + struct.pack("<4I", 1, 1, 1, 2)
    )
    step = DedupCluster(work, str(tmp_path / "pairs"))
    step.run()
    assert step.stats["clusters"].total == 2
    assert step.stats["to_remove"].total == 5
    return data


def test_cluster_tables(tmp_path):
    run_cluster(tmp_path)
    t0 = pq.read_table(tmp_path / "work" / "clusters" / "000000.parquet").to_pylist()
    t1 = pq.read_table(tmp_path / "work" / "clusters" / "000001.parquet").to_pylist()
    # Clusters are numbered by their kept copy's (task, position): web/a's first.
    assert t0 == [
        dict(idx=0, cluster=0, size=3, duplicate_of=None, link=None, drop_reason=None),
        dict(
            idx=1, cluster=0, size=3, duplicate_of="web/a", link="exact",
            drop_reason="exact_duplicate",
        ),
        dict(
            idx=2, cluster=0, size=3, duplicate_of="web/a", link="url",
            drop_reason="url_duplicate",
        ),
        dict(
            idx=4, cluster=1, size=4, duplicate_of="code/x", link="exact",
            drop_reason="exact_duplicate_of_code",
        ),
    ]  # fmt: skip
    assert [(r["idx"], r["duplicate_of"], r["drop_reason"]) for r in t1] == [
        (0, None, None),
        (1, "code/x", "minhash_duplicate_of_code"),
        (2, "code/x", "minhash_duplicate_of_code"),  # joined through web/e
    ]


def test_filter_applies_clusters(tmp_path):
    data = run_cluster(tmp_path)
    kept = []
    for rank, docs in enumerate(data):
        kept += DedupFilter(str(tmp_path / "work")).run(iter(docs), rank=rank)
    assert [d.id for d in kept] == ["web/a", "web/d", "code/x"]
    sizes = {
        d.id: (d.metadata["minhash_cluster_id"], d.metadata["minhash_cluster_size"]) for d in kept
    }
    assert sizes == {"web/a": (0, 3), "web/d": (-1, 1), "code/x": (1, 4)}
    removed = {d.id: d.metadata for docs in data for d in docs if d not in kept}
    assert {k: (m["duplicate_of"], m["drop_reason"]) for k, m in removed.items()} == {
        "web/b": ("web/a", "exact_duplicate"),
        "web/c": ("web/a", "url_duplicate"),
        "math/m": ("code/x", "exact_duplicate_of_code"),
        "web/e": ("code/x", "minhash_duplicate_of_code"),
        "web/f": ("code/x", "minhash_duplicate_of_code"),
    }


def test_verification_rejects_chance_pairs(tmp_path):
    """Two unrelated pages that (as datatrove's bucket stage would report after a chance
    band collision) form a candidate pair, next to a true pair."""
    import random
    import string

    from mellum_data.dedup import MinhashSignature, minhash_params

    rng = random.Random(0)
    pages = [" ".join(rng.choices(string.ascii_lowercase, k=400)) for _ in range(3)]
    docs = [doc(f"web/{i}", t) for i, t in enumerate(pages)]
    docs.append(doc("web/copy", pages[0].replace(pages[0][:20], "x", 1)))
    work, params = str(tmp_path / "work"), minhash_params("fineweb")
    list(DedupKeys(work).run(iter(docs)))
    MinhashSignature(str(tmp_path / "sigs"), params, full=True).run(iter(docs))
    (tmp_path / "pairs").mkdir()
    (tmp_path / "pairs" / "00000_00.dups").write_bytes(
        struct.pack("<4I", 0, 1, 0, 2) + struct.pack("<4I", 0, 0, 0, 3)
    )
    for verify, clustered in ((None, [0, 1, 2, 3]), (0.5, [0, 3])):
        step = DedupCluster(
            work, str(tmp_path / "pairs"), signatures=str(tmp_path / "sigs"), params=params,
            verify=verify,
        )  # fmt: skip
        step.run()
        table = pq.read_table(tmp_path / "work" / "clusters" / "000000.parquet")
        assert table.column("idx").to_pylist() == clustered
    assert step.stats["minhash_pairs_rejected"].total == 1

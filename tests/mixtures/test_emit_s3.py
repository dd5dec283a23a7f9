"""A mixture whose spec, sources and output all live on a real S3-compatible server."""

import threading

import fsspec
import pytest

from mellum_data.mixtures import emit, load_mixture, route
from mellum_data.mixtures.sources import iter_blocks, source_shards
from mellum_data.mixtures.spec import SourceSpec
from mellum_data.pipelines.executor import Execution
from mellum_data.tokenize.manifest import verify_folder
from mellum_data.tokenize.shards import ShardReader


@pytest.mark.parametrize("groups", [None, 2], ids=["direct", "regrouped"])
def test_emit_from_and_to_s3(s3_server, make_source, monkeypatch, groups) -> None:
    """Routed straight to its buckets (6, one empty), or (``route.GROUPS`` = 2) to 2 groups
    of 3 buckets, then regrouped."""
    bucket = f"mix-{groups or 0}"
    s3_server.client().create_bucket(Bucket=bucket)
    base = f"s3://{bucket}"
    make_source(f"{base}/tokens/web", "web", [{"tokens": 30}] * 40, docs_per_shard=15)
    make_source(f"{base}/tokens/code", "code", [{"tokens": 20, "kind": "code"}] * 40)
    with fsspec.open(f"{base}/specs/mix.yaml", "wt") as f:
        f.write(
            "bucket_tokens: 100\n"
            "sources:\n  web: {path: ../tokens/web}\n  code: {path: ../tokens/code}\n"
            "phases:\n  - {name: p1, tokens: 600, weights: {web: 1, code: 1}, fim: {rate: 1}}\n"
        )
    if groups:
        monkeypatch.setattr(route, "GROUPS", groups)
    spec = load_mixture(f"{base}/specs/mix.yaml")
    assert spec.sources["web"].path == f"{base}/tokens/web"
    [m] = emit(spec, f"{base}/out", Execution(tasks=2))
    assert len(m.shards) == 5  # one per bucket: no document's shuffle key falls in one of 6
    regrouped = fsspec.filesystem("s3").glob(f"{bucket}/out/logs/emit/*/regroup/stats.json")
    assert len(regrouped) == (1 if groups else 0)
    # code: 13 FIM documents of 20 + 3 tokens land closest to its 300 tokens.
    assert (m.tokens, m.documents) == (599, 23)
    assert m.sources["code"]["fim_psm"] + m.sources["code"]["fim_spm"] == 13
    assert verify_folder(f"{base}/out/p1") == len(m.shards)
    r = ShardReader(f"{base}/out/p1/{m.shards[0].path}", expect_tokenizer_id=m.tokenizer.id)
    assert r.num_documents == m.shards[0].documents


def _readers() -> int:
    return sum(t.name.startswith("block-reader") for t in threading.enumerate())


def test_remote_sidecars_are_read_ahead_in_order(s3_server, make_source) -> None:
    """On S3, ``iter_blocks`` reads sidecars ahead on threads; blocks come in shard order, and
    the threads end with the iteration, finished or not."""
    s3_server.client().create_bucket(Bucket="ahead")
    docs = [{"tokens": 10 + i % 7} for i in range(60)]
    make_source("s3://ahead/web", "web", docs, docs_per_shard=6)
    spec = SourceSpec(path="s3://ahead/web")
    refs = source_shards("web", spec)
    assert len(refs) == 10
    blocks = list(iter_blocks(refs, spec))
    assert [b.ref for b in blocks] == refs
    assert [b.tokens.tolist() for b in blocks] == [
        [d["tokens"] for d in docs[k : k + 6]] for k in range(0, 60, 6)
    ]
    assert _readers() == 0
    partial = iter_blocks(refs, spec)
    assert next(partial).ref == refs[0]
    assert _readers() > 0
    partial.close()
    assert _readers() == 0

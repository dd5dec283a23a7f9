"""A mixture whose spec, sources and output all live on a real S3-compatible server."""

import fsspec

from mellum_data.mixtures import emit, load_mixture
from mellum_data.pipelines.executor import Execution
from mellum_data.tokenize.manifest import verify_folder
from mellum_data.tokenize.shards import ShardReader


def test_emit_from_and_to_s3(s3_server, make_source) -> None:
    s3_server.client().create_bucket(Bucket="mix")
    make_source("s3://mix/tokens/web", "web", [{"tokens": 30}] * 40, docs_per_shard=15)
    make_source("s3://mix/tokens/code", "code", [{"tokens": 20, "kind": "code"}] * 40)
    with fsspec.open("s3://mix/specs/mix.yaml", "wt") as f:
        f.write(
            "sources:\n  web: {path: ../tokens/web}\n  code: {path: ../tokens/code}\n"
            "phases:\n  - {name: p1, tokens: 600, weights: {web: 1, code: 1}, fim: {rate: 1}}\n"
        )
    spec = load_mixture("s3://mix/specs/mix.yaml")
    assert spec.sources["web"].path == "s3://mix/tokens/web"
    [m] = emit(spec, "s3://mix/out", Execution(tasks=2))
    # code: 13 FIM documents of 20 + 3 tokens land closest to its 300 tokens.
    assert (m.tokens, m.documents) == (599, 23)
    assert m.sources["code"]["fim_psm"] + m.sources["code"]["fim_spm"] == 13
    assert verify_folder("s3://mix/out/p1") == len(m.shards)
    r = ShardReader(f"s3://mix/out/p1/{m.shards[0].path}", expect_tokenizer_id=m.tokenizer.id)
    assert r.num_documents == m.shards[0].documents

"""Shards written to and verified on a real S3-compatible server (SeaweedFS on 127.0.0.1)."""

import pytest

from mellum_data.errors import InputError
from mellum_data.tokenize.manifest import (
    SourceCounts,
    TokenizerInfo,
    read_source_counts,
    verify_folder,
    write_source_counts,
)
from mellum_data.tokenize.shards import ShardReader, ShardWriter

TOK = TokenizerInfo(id="sha256:5353", name="bpe-300", vocab_size=300, token_size=2, eos_id=1)


def test_shards_round_trip_on_s3(s3_server):
    s3_server.client().create_bucket(Bucket="shards")
    base = "s3://shards/tokens/web"
    w = ShardWriter(base, "00000_00000", token_size=2, tokenizer_id=TOK.id)
    w.add([3, 4, 5, 1], id="web/a", source="web")
    w.add([7, 1], id="web/b", source="web")
    info = w.close()
    write_source_counts(base, SourceCounts("web", TOK, 2, info.tokens, [info]))
    keys = sorted(o["Key"] for o in s3_server.client().list_objects_v2(Bucket="shards")["Contents"])
    assert keys == [
        "tokens/web/00000_00000.ds",
        "tokens/web/00000_00000.ds.docs.parquet",
        "tokens/web/00000_00000.ds.index",
        "tokens/web/00000_00000.ds.metadata",
        "tokens/web/counts.json",
    ]
    assert read_source_counts(base).tokens == 6
    assert verify_folder(base) == 1
    r = ShardReader(f"{base}/00000_00000.ds", expect_tokenizer_id=TOK.id)
    assert [r.document(i).tolist() for i in range(2)] == [[3, 4, 5, 1], [7, 1]]
    s3_server.client().put_object(Bucket="shards", Key="tokens/web/00000_00000.ds", Body=b"\0" * 12)
    with pytest.raises(InputError, match="checksum mismatch in bytes 0..11"):
        verify_folder(base)

"""Repositories under an ``s3://`` prefix, read and deduplicated on a real S3-compatible server."""

import io
import tarfile

import polars as pl

from mellum_data.pipelines.code import CodeConfig, run_code
from mellum_data.pipelines.dedup import DedupConfig, run_dedup
from mellum_data.pipelines.executor import Execution

WORDS = " ".join(f"name{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(90))
BODY = '"""\n' + "\n".join(WORDS[i : i + 70] for i in range(0, len(WORDS), 70)) + '\n"""\nx = 1\n'


def read_parquets(client, bucket: str, prefix: str) -> pl.DataFrame:
    keys = [
        o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    ]
    frames = [
        pl.read_parquet(io.BytesIO(client.get_object(Bucket=bucket, Key=k)["Body"].read()))
        for k in keys
    ]
    return pl.concat(frames) if frames else pl.DataFrame()


def tar_gz(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    return buf.getvalue()


def test_code_and_dedup_on_s3(s3_server):
    client = s3_server.client()
    client.create_bucket(Bucket="corpus")
    files = {
        "repos/alpha/LICENSE": "Permission is hereby granted, free of charge, to any person "
        "obtaining a copy",
        "repos/alpha/src/a.py": BODY,
        "repos/alpha/logo.png": b"\x89PNG\x00\x00",
        "repos/beta/package.json": '{"license": "Apache-2.0"}',
        "repos/beta/vendored/a.py": BODY,  # an exact copy of alpha's file
        # An archive is streamed from the bucket, never downloaded whole to disk.
        "repos/gamma-1.0.tar.gz": tar_gz(
            {"gamma-1.0/COPYING": "ISC License", "gamma-1.0/g.py": BODY.replace("name", "item")}
        ),
    }
    for key, body in files.items():
        client.put_object(
            Bucket="corpus", Key=key, Body=body.encode() if isinstance(body, str) else body
        )

    run_code(["s3://corpus/repos"], "s3://corpus/code", CodeConfig(), Execution(tasks=2))
    kept = read_parquets(client, "corpus", "code/code/")
    removed = read_parquets(client, "corpus", "code/removed/")
    licenses = dict(kept.select("id", pl.col("metadata").struct.field("license")).iter_rows())
    assert licenses == {
        "code/alpha/src/a.py": "MIT",
        "code/beta/vendored/a.py": "Apache-2.0",
        "code/gamma-1.0/g.py": "ISC",
    }
    reasons = dict(removed.select("id", pl.col("metadata").struct.field("drop_reason")).iter_rows())
    assert reasons == {
        "code/alpha/LICENSE": "read_unknown_language",
        "code/alpha/logo.png": "read_binary",
        "code/beta/package.json": "code_quality_min_unique_tokens",
        "code/gamma-1.0/COPYING": "read_unknown_language",
    }

    run_dedup(["s3://corpus/code"], "s3://corpus/dedup", DedupConfig(), Execution(tasks=2))
    assert read_parquets(client, "corpus", "dedup/code/").height == 2
    dropped = read_parquets(client, "corpus", "dedup/removed/exact/")
    assert dropped["metadata"].struct.field("drop_reason").to_list() == ["exact_duplicate"]

"""Charset handling and input resolution (local paths, globs, folders, s3://)."""

import codecs
import gzip
import io
import threading

import polars as pl
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mellum_data.errors import InputError
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.readers import (
    WarcHtmlReader,
    declared_charset,
    decode_body,
    http_payload,
)
from mellum_data.pipelines.sources import WEB_FORMATS, ReaderConfig, doc_id, resolve_inputs
from mellum_data.pipelines.web import WebConfig, run_web


def test_declared_charset_sources_in_order():
    assert declared_charset("text/html; charset=Shift_JIS", b"<meta charset=utf-8>") == "shift_jis"
    assert declared_charset("text/html", b'<head><meta charset="koi8-r">') == "koi8-r"
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    assert declared_charset(None, meta) == "cp1251"
    assert declared_charset(None, b'<?xml version="1.0" encoding="UTF-8"?><html>') == "utf-8"
    assert declared_charset("text/html; charset=utf-8", codecs.BOM_UTF16_LE) == "utf-16"
    # WHATWG: latin-1 and ascii labels mean windows-1252; unknown labels count as undeclared.
    assert declared_charset("text/html; charset=ISO-8859-1", b"") == "cp1252"
    assert declared_charset("text/html; charset=x-no-such-charset", b"") is None


def test_decode_body():
    german = "Grüße aus München — schöne Straße".encode("cp1252")
    assert decode_body(german, "cp1252", 0.01) == "Grüße aus München — schöne Straße"
    # Declared UTF-8 but Windows-1252 bytes: the detected charset gives the cleaner text.
    assert decode_body(german, "utf-8", 0.01) == "Grüße aus München — schöne Straße"
    # Undeclared: UTF-8 first, then the detected charset.
    assert decode_body("naïve".encode(), None, 0.0) == "naïve"
    assert decode_body(german, None, 0.01) == "Grüße aus München — schöne Straße"
    # A UTF-8 page with one stray byte stays UTF-8 (re-decoding would garble "é").
    page = "café ".encode() * 40 + b"\xff"
    assert decode_body(page, "utf-8", 0.01) == "café " * 40 + "\ufffd"
    # A gzip body served without Content-Encoding is no text in any charset.
    assert decode_body(gzip.compress(("<p>hello</p>" * 50).encode()), "utf-8", 0.01) is None


def test_resolve_inputs(tmp_path):
    (tmp_path / "a.warc.gz").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl.gz").write_bytes(b"")
    (tmp_path / "sub" / "notes.txt").write_text("ignored")
    groups = resolve_inputs([str(tmp_path)], WEB_FORMATS)
    assert [(g.folder, g.files, g.format) for g in groups] == [
        (str(tmp_path), ("sub/b.jsonl.gz",), "jsonl"),
        (str(tmp_path), ("a.warc.gz",), "warc"),
    ]
    [group] = resolve_inputs([f"{tmp_path}/*.warc.gz"], WEB_FORMATS)
    assert group.files == ("a.warc.gz",)
    assert group.display_path("a.warc.gz") == f"{tmp_path}/a.warc.gz"
    [group] = resolve_inputs([f"{tmp_path}/sub/b.jsonl.gz"], WEB_FORMATS)
    assert (group.folder, group.files) == (f"{tmp_path}/sub", ("b.jsonl.gz",))


@pytest.mark.parametrize(
    "name,message",
    [
        ("missing", "input not found"),
        ("sub/notes.txt", "unsupported input type"),
        ("sub", "no input files"),
        ("*.parquet", "no input files"),
    ],
)
def test_resolve_inputs_errors(tmp_path, name, message):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.txt").write_text("x")
    with pytest.raises(InputError, match=f"{tmp_path}/{name.replace('*', '[*]')}: {message}"):
        resolve_inputs([f"{tmp_path}/{name}"], WEB_FORMATS)


PAGE = """<html><head><title>Retries</title></head><body><article><h1>Retrying requests</h1>
<p>Network calls fail for many reasons, and most of those failures are temporary. A client that
retries with a growing delay between attempts recovers from them without overloading the server.
</p><p>The delay usually doubles after each failed attempt, up to a maximum, and a little random
jitter is added so that many clients do not retry at the same moment. This is called exponential
backoff, and most HTTP libraries offer it as an option.</p><p>Only retry requests that are safe to
repeat. A request that creates an order should carry an idempotency key, so that the server can
recognise a repeated attempt and return the first result instead of creating a second order.</p>
</article></body></html>"""


def test_reads_from_s3(s3_server, tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    payload = io.BytesIO(PAGE.encode())
    writer.write_record(
        writer.create_warc_record(
            "https://retry.example/", "response", payload=payload, http_headers=headers
        )
    )
    s3 = s3_server.client()
    s3.create_bucket(Bucket="crawl")
    s3.put_object(Bucket="crawl", Key="cc/part-0.warc.gz", Body=buf.getvalue())
    out = tmp_path / "out"
    run_web(["s3://crawl/cc/"], str(out), WebConfig(), Execution())
    kept = pl.read_parquet(out / "web" / "*.parquet")
    assert kept["id"].to_list() == [doc_id("web", "https://retry.example/")]
    assert kept["metadata"][0]["file_path"] == "s3://crawl/cc/part-0.warc.gz"


def test_forked_workers_read_s3(s3_server, tmp_path):
    """Two workers forked from a process whose fsspec IO thread is running (it listed the
    bucket) read their S3 files in the children (fsspec gives a forked child its own loop)."""
    s3 = s3_server.client()
    s3.create_bucket(Bucket="forked")
    for k in range(2):
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        payload = io.BytesIO(PAGE.encode())
        url = f"https://page{k}.example/"
        writer.write_record(
            writer.create_warc_record(url, "response", payload=payload, http_headers=headers)
        )
        s3.put_object(Bucket="forked", Key=f"cc/part-{k}.warc.gz", Body=buf.getvalue())
    resolve_inputs(["s3://forked/cc/"], WEB_FORMATS)  # starts fsspec's IO thread, if not yet
    assert any(t.name == "fsspecIO" for t in threading.enumerate())
    out = tmp_path / "out"
    forked = Execution(tasks=2, workers=2, options={"start_method": "fork"})
    run_web(["s3://forked/cc/"], str(out), WebConfig(), forked)
    kept = pl.read_parquet(out / "web" / "*.parquet")
    assert sorted(kept["metadata"].struct.field("url").to_list()) == [
        "https://page0.example/",
        "https://page1.example/",
    ]


def test_warc_reader_record_types(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    text = "A WET record holds text that a crawler already extracted."
    writer.write_record(
        writer.create_warc_record(
            "https://wet.example/",
            "conversion",
            payload=io.BytesIO(text.encode()),
            warc_content_type="text/plain",
        )
    )
    # No HTTP Content-Type: the crawler's identified payload type decides.
    headers = StatusAndHeaders("200 OK", [], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://typed.example/",
            "response",
            payload=io.BytesIO(PAGE.encode()),
            http_headers=headers,
            warc_headers_dict={"WARC-Identified-Payload-Type": "text/html"},
        )
    )
    pdf = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://pdf.example/a.pdf", "response", payload=io.BytesIO(b"%PDF"), http_headers=pdf
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "https://pdf.example/a.pdf", "request", payload=io.BytesIO(b"GET /a.pdf HTTP/1.1\r\n")
        )
    )
    (tmp_path / "x.warc.gz").write_bytes(buf.getvalue())
    [group] = resolve_inputs([str(tmp_path)], WEB_FORMATS)
    reader = WarcHtmlReader(group, ReaderConfig(), source="web", kind="web")
    docs = list(reader.run())
    assert [(d.metadata["url"], d.metadata["format"]) for d in docs] == [
        ("https://wet.example/", "text"),
        ("https://typed.example/", "html"),
    ]
    assert docs[0].text == text
    assert reader.stats["skipped_non_html"].total == 1
    assert reader.stats["skipped_request_record"].total == 1


def test_compressed_jsonl_with_custom_fields_local_and_s3_glob(s3_server, tmp_path):
    import json

    import zstandard

    rows = [
        {"doc_id": "retry", "body": PAGE, "link": "https://retry.example/"},
        {"doc_id": "blank", "body": "", "link": "https://blank.example/"},
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    (tmp_path / "part-0.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    # Another page (another URL: a repeated one would be dropped as url_duplicate).
    other = data.replace(b'"retry"', b'"r1"').replace(b"//retry.", b"//r1.")
    (tmp_path / "part-1.jsonl.gz").write_bytes(gzip.compress(other))
    s3 = s3_server.client()
    s3.create_bucket(Bucket="pages")
    s3.put_object(
        Bucket="pages",
        Key="2026/part-0.jsonl.zst",
        Body=(tmp_path / "part-0.jsonl.zst").read_bytes(),
    )
    s3.put_object(Bucket="pages", Key="2026/notes.txt", Body=b"not an input")
    config = WebConfig.model_validate(
        {
            "reader": {
                "content": "html",
                "text_key": "body",
                "id_key": "doc_id",
                "url_key": "link",
            },
            "language": {"languages": ["en"]},
        }
    )
    for inputs, out in (
        ([f"{tmp_path}/part-*.jsonl.*"], tmp_path / "local"),
        (["s3://pages/2026/*.jsonl.zst"], tmp_path / "s3"),
    ):
        run_web(inputs, str(out), config, Execution())
        kept = pl.read_parquet(out / "web" / "*.parquet")
        removed = pl.read_parquet(out / "removed" / "read" / "*.parquet")
        n = 2 if out.name == "local" else 1
        assert sorted(kept["id"]) == ["web/r1", "web/retry"][2 - n :]
        assert kept["metadata"][0]["url"] == "https://retry.example/"
        assert kept["text"][0].startswith("Retrying requests\n\nNetwork calls fail")
        assert list(removed["metadata"].struct.field("drop_reason")) == ["read_missing_text"] * n


def test_http_payload_undoes_encodings_or_keeps_the_body():
    import zlib

    page = b"<html><body><p>hello</p></body></html>"
    assert http_payload(gzip.compress(page), None, "gzip") == page
    assert http_payload(zlib.compress(page), None, "Deflate") == page
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert http_payload(raw_deflate.compress(page) + raw_deflate.flush(), None, "deflate") == page
    assert http_payload(b"6\r\nhello \r\n5;x=1\r\nworld\r\n0\r\n\r\n", "chunked", None) == (
        b"hello world"
    )
    assert http_payload(b"0\r\n\r\n", "chunked", None) == b""
    # Declared but not so encoded: the body as it came (as warcio does).
    assert http_payload(page, None, "gzip") == page
    assert http_payload(b"zz\r\nhello\r\n0\r\n\r\n", "chunked", None) == (
        b"zz\r\nhello\r\n0\r\n\r\n"
    )
    assert http_payload(page, "identity", "identity") == page


def _warc(records: list[tuple[str, list, bytes]], gz: bool = True) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, headers, body in records:
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
        )
    return buf.getvalue()


def _read(tmp_path, name: str, data: bytes) -> tuple[list, WarcHtmlReader]:
    (tmp_path / name).write_bytes(data)
    [group] = resolve_inputs([str(tmp_path / name)], WEB_FORMATS)
    reader = WarcHtmlReader(group, ReaderConfig(), source="web", kind="web")
    return list(reader.run()), reader


def test_warc_encodings_truncation_and_corruption(tmp_path):
    page = PAGE.encode()
    html = ("Content-Type", "text/html; charset=utf-8")
    records = [
        ("https://a.example/", [html], page),
        ("https://gz.example/", [html, ("Content-Encoding", "gzip")], gzip.compress(page)),
        ("https://bad-gz.example/", [html, ("Content-Encoding", "gzip")], page),
        (
            "https://chunked.example/",
            [html, ("Transfer-Encoding", "chunked")],
            b"4\r\n<p>x\r\n0\r\n\r\n",
        ),
    ]
    docs, _ = _read(tmp_path, "ok.warc.gz", _warc(records))
    assert [(d.metadata["url"], d.metadata.get("drop_reason")) for d in docs] == [
        ("https://a.example/", None),
        ("https://gz.example/", None),
        ("https://bad-gz.example/", None),
        ("https://chunked.example/", None),
    ]
    assert docs[0].text == docs[1].text == docs[2].text == PAGE
    assert docs[3].text == "<p>x"

    # An uncompressed WARC that ends inside a record's payload.
    plain = _warc(records[:2], gz=False)
    docs, _ = _read(tmp_path, "cut.warc", plain[:-100])
    assert [(d.metadata["url"], d.metadata.get("drop_reason")) for d in docs] == [
        ("https://a.example/", None),
        ("https://gz.example/", "read_truncated"),
    ]
    # A gzipped WARC that ends inside a record's WARC headers (its last member cut there).
    start = plain.index(b"WARC/1.0", 1)
    cut = gzip.compress(plain[:start]) + gzip.compress(plain[start : start + 150])
    docs, _ = _read(tmp_path, "cut.warc.gz", cut)
    assert [(d.metadata["url"], d.metadata.get("drop_reason")) for d in docs] == [
        ("https://a.example/", None),
        ("https://gz.example/", "read_truncated"),
    ]

    # A record that declares HTTP without it, and one that is not HTTP (a DNS lookup).
    def record(url: str, content_type: str, payload: bytes) -> bytes:
        head = (
            f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
            f"WARC-Record-ID: <urn:uuid:{len(url)}>\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        )
        return head.encode() + payload + b"\r\n\r\n"

    odd = record("https://garbage.example/", "application/http; msgtype=response", b"no http")
    odd += record("dns:garbage.example", "text/dns", b"20261206 garbage.example. A 10.0.0.1")
    docs, reader = _read(tmp_path, "odd.warc", odd)
    assert [(d.metadata["url"], d.metadata["drop_reason"]) for d in docs] == [
        ("https://garbage.example/", "read_bad_http")
    ]
    assert reader.stats["skipped_response_record"].total == 1

    # zstd-compressed WARCs, whole-frame and streamed (no content size in the frame).
    import zstandard

    streamed = zstandard.ZstdCompressor().compressobj()
    for name, data in (
        ("one.warc.zst", zstandard.ZstdCompressor().compress(plain)),
        ("streamed.warc.zst", streamed.compress(plain) + streamed.flush()),
    ):
        docs, _ = _read(tmp_path, name, data)
        assert [d.text for d in docs] == [PAGE, PAGE], name

    for name, data in (("junk.warc", b"not a warc at all\n" * 10), ("junk.warc.gz", b"x" * 100)):
        with pytest.raises(InputError, match=f"{name}: corrupt WARC"):
            _read(tmp_path, name, data)

"""The whole web pipeline through ``run_web``: WARC, jsonl and parquet inputs written by the test;
every input document ends up kept or removed with its exact reason."""

import gzip
import io
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mellum_data.config import load_config
from mellum_data.errors import ConfigError, InputError
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.sources import doc_id
from mellum_data.pipelines.web import WEB_METADATA, WebConfig, run_web

TUTORIAL = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Bounded queues with asyncio</title></head><body>
<nav><a href="/">Home</a> <a href="/blog">Blog</a> <a href="/about">About</a></nav>
<article><h1>Bounded queues with asyncio</h1>
<p>A bounded queue is the simplest way to keep a fast producer from running far ahead of a slow
consumer. In this tutorial we build a small pipeline with asyncio and explain each part of it.</p>
<p>The producer puts work items into the queue, and the consumer takes them out in the order they
arrived. When the queue is full, the producer waits until there is room again, which is exactly
the back pressure we want.</p>
<pre><code class="language-python">import asyncio

async def consume(queue: asyncio.Queue) -> None:
    while True:
        item = await queue.get()
        print(f"processing {item}")
        queue.task_done()

async def main() -> None:
    queue = asyncio.Queue(maxsize=8)
    worker = asyncio.create_task(consume(queue))
    for item in range(100):
        await queue.put(item)
    await queue.join()
    worker.cancel()

asyncio.run(main())
</code></pre>
<p>Note that the consumer never returns on its own: the main coroutine cancels it once the queue
has been drained. Calling <code>queue.join()</code> blocks until every item that was put has been
marked as done.</p>
<p>If you need several consumers, create several tasks that share the same queue. The queue makes
sure that each item is handed to exactly one of them, so no extra locking is needed.</p>
</article><footer>Copyright 2026 Example Docs. All rights reserved.</footer></body></html>"""

GERMAN = """<html lang="de"><head><meta charset="utf-8"><title>Die neue Brücke</title></head><body>
<main><h1>Die neue Brücke über den Fluss</h1>
<p>Die Stadtverwaltung hat am Dienstag beschlossen, die alte Brücke über den Fluss im nächsten
Frühjahr abzureißen und durch einen Neubau zu ersetzen. Die Arbeiten sollen ungefähr zwei Jahre
dauern und werden von einem Unternehmen aus der Region ausgeführt.</p>
<p>Während der Bauzeit wird der Verkehr über eine provisorische Brücke geleitet, die etwa hundert
Meter flussabwärts errichtet wird. Für Fußgänger und Radfahrer gibt es eine eigene Spur, damit
die Schulkinder sicher zur anderen Seite gelangen.</p>
<p>Die Kosten werden auf rund zwölf Millionen Euro geschätzt, von denen das Land einen großen Teil
übernimmt. Viele Anwohner begrüßen die Entscheidung, weil die alte Brücke seit Jahren marode
ist.</p>
</main></body></html>"""

CHINESE = """<html lang="zh"><head><meta charset="utf-8">
<title>城市图书馆的新变化</title></head><body>
<main><h1>城市图书馆的新变化</h1>
<p>市立图书馆在经过一年的翻修之后，于本周一重新向公众开放。新的阅览室比原来宽敞了许多，还增加了专门为儿童设计的阅读区域。</p>
<p>馆长在开放仪式上表示，图书馆希望成为市民学习和交流的场所，而不仅仅是借书和还书的地方。今后每个周末都会举办讲座和读书会，内容涉及历史、科学和文学等多个领域。</p>
<p>此外，图书馆还延长了开放时间，工作日晚上也可以前来阅读。许多市民对此表示欢迎，认为这些变化让图书馆变得更加方便和舒适。</p>
</main></body></html>"""

JAPANESE = """<html lang="ja"><head><meta charset="shift_jis">
<title>駅前の新しい図書館</title></head><body>
<main><h1>駅前に新しい図書館が開館しました</h1>
<p>駅前の再開発地区に、新しい市立図書館が今月開館しました。館内には約十万冊の本がそろい、子ども向けの読書スペースや自習室も設けられています。</p>
<p>開館日には多くの市民が訪れ、入り口の前には朝から長い列ができました。館長は、誰もが気軽に立ち寄れる場所にしたいと話しています。</p>
<p>図書館は平日の夜九時まで開いており、仕事帰りの人でも利用しやすくなっています。週末には子ども向けの読み聞かせの会も開かれる予定です。</p>
</main></body></html>"""

RUSSIAN = """<html lang="ru"><head><title>Новый парк</title></head><body><main>
<h1>В городе открылся новый парк</h1>
<p>В субботу в центре города открылся новый парк, который строили почти два года. На его
территории посадили более трёхсот деревьев и проложили несколько километров дорожек.</p>
<p>Для детей построили большую игровую площадку, а для взрослых установили спортивные тренажёры.
Вечером дорожки освещаются фонарями, поэтому гулять в парке можно и после захода солнца.</p>
<p>Жители района давно просили городские власти сделать что-то с пустырём, который много лет
находился на этом месте. Теперь здесь можно отдохнуть всей семьёй на свежем воздухе.</p>
</main></body></html>"""

XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Reading configuration files</title></head>
<body><div id="content"><h1>Reading configuration files</h1>
<p>Most command line tools read their settings from a configuration file in the home directory of
the user. The file is usually written in a simple format, such as INI or TOML, so that people can
edit it with any text editor.</p>
<p>When the program starts, it first loads the defaults that are built into it, and then it reads
the file to override them. Finally, options given on the command line take precedence over both,
which makes it easy to try a setting once.</p>
<p>This order of precedence is so common that users expect it, and a tool that does something else
will surprise them. It is a good idea to document the order in the manual page.</p>
</div></body></html>"""

FRENCH = """<html><head><title>Le marché</title></head><body><main>
<h1>Le marché du samedi</h1>
<p>Chaque samedi matin, le marché de la place centrale réunit des producteurs venus de toute la
région. On y trouve des légumes frais, des fromages affinés et du pain cuit au feu de bois.</p>
<p>Les habitants aiment s'y retrouver pour faire leurs courses et prendre un café à la terrasse
voisine. Les enfants, eux, attendent surtout le marchand de crêpes qui s'installe près de la
fontaine.</p>
<p>Depuis l'été dernier, la mairie a ajouté des bancs et des arbres pour rendre la place plus
agréable. Le marché est devenu un lieu de rencontre où l'on prend le temps de discuter.</p>
</main></body></html>"""

INDONESIAN = """<html><head><title>Jembatan</title></head><body><main><p>Pemerintah kota memutuskan
untuk memperbaiki jembatan tua sebelum musim hujan tiba. Pekerjaan akan dimulai bulan depan dan
diperkirakan selesai dalam enam bulan. Warga diminta menggunakan jalan lain selama perbaikan.</p>
</main></body></html>"""

PART_NUMBERS = (
    "<html><body><main><p>"
    + " ".join(f"getX{i} setX{i} toString hashCode" for i in range(3))
    + "</p></main></body></html>"
)

JUNK = (
    "<html><head><title>cheap shoes</title></head><body>"
    + "".join(
        "<p>cheap shoes best cheap shoes buy cheap shoes online cheap shoes sale</p>"
        for _ in range(30)
    )
    + "</body></html>"
)

NEAR_EMPTY = (
    "<html><head><title>Loading</title><script>window.location='/app'</script></head>"
    "<body></body></html>"
)

HTML = "text/html; charset=utf-8"
# (url, content type, body, HTTP status, expected outcome: "kept" or "<step>:<reason>")
RECORDS = [
    ("https://docs.example/asyncio", HTML, TUTORIAL.encode(), "200 OK", "kept"),
    ("https://news.example/de", "text/html", GERMAN.encode(), "200 OK", "kept"),
    ("https://news.example/zh", HTML, CHINESE.encode(), "200 OK", "kept"),
    # Declared in a <meta> tag only.
    ("https://news.example/ja", "text/html", JAPANESE.encode("shift_jis"), "200 OK", "kept"),
    # Declared UTF-8, sent as Windows-1251: decoded with the detected charset.
    ("https://news.example/ru", HTML, RUSSIAN.encode("cp1251"), "200 OK", "kept"),
    ("https://xhtml.example/", "application/xhtml+xml", XHTML.encode(), "200 OK", "kept"),
    (
        "https://fr.example/",
        "text/html; charset=ISO-8859-1",
        FRENCH.encode("cp1252"),
        "200 OK",
        "kept",
    ),
    # A compressed body without its Content-Encoding header.
    (
        "https://bad.example/",
        HTML,
        gzip.compress(TUTORIAL.encode()),
        "200 OK",
        "read:read_undecodable",
    ),
    (
        "https://gone.example/",
        "text/html",
        b"<p>Not found</p>",
        "404 Not Found",
        "read:read_http_status",
    ),
    ("https://blank.example/", "text/html", b"", "200 OK", "read:read_empty_body"),
    ("https://app.example/", "text/html", NEAR_EMPTY.encode(), "200 OK", "extract:extract_empty"),
    ("https://id.example/", HTML, INDONESIAN.encode(), "200 OK", "language:language_not_allowed"),
    (
        "https://parts.example/",
        HTML,
        PART_NUMBERS.encode(),
        "200 OK",
        "language:language_low_score",
    ),
    (
        "https://spam.example/",
        HTML,
        JUNK.encode(),
        "200 OK",
        "gopher_repetition:gopher_repetition_dup_para_frac",
    ),
]


def write_warc(path: Path, records: list[tuple]) -> None:
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, ctype, body, status, _ in records:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )
        # Not pages: never documents.
        png = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://img.example/a.png",
                "response",
                payload=io.BytesIO(b"\x89PNG"),
                http_headers=png,
            )
        )
        writer.write_record(
            writer.create_warc_record(
                "https://img.example/a.png", "request", payload=io.BytesIO(b"GET /")
            )
        )


def outcomes(output: Path) -> dict[str, str]:
    """id -> "kept" or "<step>:<reason>", for every document written anywhere under output."""
    found: dict[str, str] = {}
    for path in sorted(output.glob("**/*.parquet")):
        for row in pl.read_parquet(path).iter_rows(named=True):
            meta = row["metadata"]
            if path.parts[-3] == "removed":
                assert meta["dropped_by"] == path.parts[-2]
                outcome = f"{meta['dropped_by']}:{meta['drop_reason']}"
            else:
                outcome = "kept"
            assert row["id"] not in found, f"{row['id']} written twice"
            found[row["id"]] = outcome
    return found


def test_web_pipeline_accounts_for_every_page(tmp_path):
    inputs = tmp_path / "crawl"
    inputs.mkdir()
    write_warc(inputs / "a.warc.gz", RECORDS[:7])
    write_warc(inputs / "b.warc.gz", RECORDS[7:])
    out = tmp_path / "out"
    run_web([str(inputs / "*.warc.gz")], str(out), WebConfig(), Execution(tasks=2))

    expected = {doc_id("web", url): outcome for url, *_, outcome in RECORDS}
    assert outcomes(out) == expected

    kept = pl.read_parquet(out / "web" / "*.parquet")
    spans = pl.List(pl.List(pl.Int32))
    assert kept.schema["metadata"].to_schema() == {
        k: pl.Float64 if k == "lang_score" else spans if k.endswith("code_spans") else pl.String
        for k in WEB_METADATA
    }
    by_url = {row["metadata"]["url"]: row for row in kept.iter_rows(named=True)}
    langs = {url: row["metadata"]["lang"] for url, row in by_url.items()}
    assert langs == {
        "https://docs.example/asyncio": "en",
        "https://news.example/de": "de",
        "https://news.example/zh": "zh",
        "https://news.example/ja": "ja",
        "https://news.example/ru": "ru",
        "https://xhtml.example/": "en",
        "https://fr.example/": "fr",
    }
    tutorial = by_url["https://docs.example/asyncio"]
    assert tutorial["metadata"]["title"] == "Bounded queues with asyncio"
    assert (
        "```python\nimport asyncio\n\nasync def consume(queue: asyncio.Queue) -> None:\n"
        in (tutorial["text"])
    )
    assert "        item = await queue.get()\n" in tutorial["text"]
    [(start, end)] = tutorial["metadata"]["code_spans"]
    assert tutorial["text"][start:].startswith("```python\nimport asyncio")
    assert tutorial["text"][:end].endswith("asyncio.run(main())\n```")
    inline = [tutorial["text"][a:b] for a, b in tutorial["metadata"]["inline_code_spans"]]
    assert inline == ["queue.join()"]
    assert "Home" not in tutorial["text"]  # navigation is not main content
    assert "marchand de crêpes" in by_url["https://fr.example/"]["text"]
    assert "駅前に新しい図書館が開館しました" in by_url["https://news.example/ja"]["text"]
    assert "В городе открылся новый парк" in by_url["https://news.example/ru"]["text"]


def test_jsonl_and_parquet_inputs(tmp_path):
    lines = [
        json.dumps({"id": "page-1", "url": "https://a.example/", "text": GERMAN}),
        json.dumps({"url": "https://b.example/", "text": ""}),
        "{not json",
        json.dumps({"url": "https://c.example/", "text": XHTML}),
    ]
    (tmp_path / "pages.jsonl").write_text("\n".join(lines) + "\n")
    table = pa.table({"content": [TUTORIAL], "link": ["https://d.example/"]})
    pq.write_table(table, tmp_path / "pages.parquet")
    out = tmp_path / "out"
    config = WebConfig.model_validate({"reader": {"content": "html"}})
    run_web([str(tmp_path / "pages.jsonl")], str(out / "jsonl"), config, Execution())
    assert outcomes(out / "jsonl") == {
        "web/page-1": "kept",
        doc_id("web", "https://b.example/"): "read:read_missing_text",
        doc_id("web", f"{tmp_path}/pages.jsonl#2"): "read:read_bad_json",
        doc_id("web", "https://c.example/"): "kept",
    }
    config = WebConfig.model_validate(
        {"source": "tech", "reader": {"content": "html", "text_key": "content", "url_key": "link"}}
    )
    run_web([str(tmp_path / "pages.parquet")], str(out / "parquet"), config, Execution())
    assert outcomes(out / "parquet") == {doc_id("tech", "https://d.example/"): "kept"}
    kept = pl.read_parquet(out / "parquet" / "tech" / "*.parquet").row(0, named=True)
    assert kept["metadata"]["source"] == "tech" and kept["metadata"]["kind"] == "web"
    assert kept["metadata"]["url"] == "https://d.example/"


def test_config_from_yaml(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(
        "source: cc-2026\n"
        "language:\n  languages: [EN, de]\n  min_score_per_language: {de: 0.8}\n"
        "quality:\n  c4:\n    enabled: false\n  gopher_quality:\n    min_doc_words: null\n"
    )
    config, _ = load_config(WebConfig, path, ["extract.extractor=trafilatura"])
    assert config.source == "cc-2026" and config.language.languages == ["en", "de"]
    assert config.extract.extractor == "trafilatura"
    assert config.quality.gopher_quality.min_doc_words is None
    assert config.quality.fineweb.line_punct_thr == 0.12
    path.write_text("quality:\n  gopher:\n    enabled: false\n")
    with pytest.raises(ConfigError, match=r"web.yaml:\d+: unknown field 'quality.gopher'.*valid"):
        load_config(WebConfig, path)
    path.write_text("source: removed\n")
    with pytest.raises(ConfigError, match="web.yaml:1: field 'source'"):
        load_config(WebConfig, path)


def test_url_rules_drop_before_extraction(tmp_path):
    records = [
        ("https://docs.example/asyncio?utm_source=feed", HTML, TUTORIAL.encode(), "200 OK", "kept"),
        (
            "https://docs.example/asyncio#top",
            HTML,
            TUTORIAL.encode(),
            "200 OK",
            "url:url_duplicate",
        ),
        ("https://ads.spam.example/a", HTML, TUTORIAL.encode(), "200 OK", "url:url_blocked_domain"),
        ("https://x.example/casino/a", HTML, TUTORIAL.encode(), "200 OK", "url:url_blocked_word"),
        ("https://x.example/porn/a", HTML, TUTORIAL.encode(), "200 OK", "url:url_blocked_word"),
    ]
    write_warc(tmp_path / "a.warc.gz", records)
    (tmp_path / "domains.txt").write_text("spam.example\n")
    (tmp_path / "words.txt").write_text("# gambling\ncasino\n")
    config = WebConfig.model_validate(
        {
            "url": {
                "blocked_domain_files": [str(tmp_path / "domains.txt")],
                "blocked_word_files": [str(tmp_path / "words.txt")],
            }
        }
    )
    run_web([str(tmp_path / "a.warc.gz")], str(tmp_path / "out"), config, Execution())
    assert outcomes(tmp_path / "out") == {doc_id("web", url): o for url, *_, o in records}
    # Dropped before extraction: removed/url/ keeps the raw HTML.
    removed = pl.read_parquet(tmp_path / "out" / "removed" / "url" / "*.parquet")
    assert all(text.startswith("<!DOCTYPE html>") for text in removed["text"])
    # URL dedup is on by default; the copy names the first page with its URL.
    copy = removed.filter(pl.col("id") == doc_id("web", records[1][0]))["metadata"][0]
    assert copy["duplicate_of"] == doc_id("web", records[0][0])
    assert copy["duplicate_of_url"] == records[0][0]
    config.url.blocked_domain_files = [str(tmp_path / "missing.txt")]
    with pytest.raises(InputError, match="missing.txt: block-list not found"):
        run_web([str(tmp_path / "a.warc.gz")], str(tmp_path / "out2"), config, Execution())


def test_url_dedup_first_in_reading_order_then_across_tasks_in_the_dedup_stage(tmp_path):
    from mellum_data.pipelines.dedup import DedupConfig, run_dedup

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    # The same page under two addresses that normalise alike, in two files.
    first, copy = "https://docs.example/asyncio?utm_source=feed", "https://docs.example/asyncio#x"
    write_warc(crawl / "a.warc.gz", [(first, HTML, TUTORIAL.encode(), "200 OK", "kept")])
    write_warc(crawl / "b.warc.gz", [(copy, HTML, GERMAN.encode(), "200 OK", "kept")])
    # One task reads a.warc.gz first (files sorted): its page is kept, the copy names it.
    run_web([str(crawl / "*.warc.gz")], str(tmp_path / "one"), WebConfig(), Execution())
    assert outcomes(tmp_path / "one") == {
        doc_id("web", first): "kept",
        doc_id("web", copy): "url:url_duplicate",
    }
    removed = pl.read_parquet(tmp_path / "one" / "removed" / "url" / "*.parquet")["metadata"][0]
    assert (removed["duplicate_of"], removed["duplicate_of_url"]) == (doc_id("web", first), first)
    # Two tasks each see one page; the dedup stage removes the later copy by its URL key.
    run_web([str(crawl / "*.warc.gz")], str(tmp_path / "two"), WebConfig(), Execution(tasks=2))
    assert set(outcomes(tmp_path / "two").values()) == {"kept"}
    config = DedupConfig.model_validate(
        {"exact": {"enabled": False}, "minhash": {"enabled": False}}
    )
    run_dedup([str(tmp_path / "two")], str(tmp_path / "dedup"), config, Execution(tasks=2))
    kept = pl.read_parquet(tmp_path / "dedup" / "web" / "*.parquet")
    assert list(kept["id"]) == [doc_id("web", first)]
    dup = pl.read_parquet(tmp_path / "dedup" / "removed" / "url" / "*.parquet")
    assert list(dup["id"]) == [doc_id("web", copy)]
    assert dup["metadata"][0]["duplicate_of"] == doc_id("web", first)


def test_language_threshold_table_in_the_config(tmp_path):
    from mellum_data.filters.language import LID_MIN_SCORES

    assert WebConfig().language.min_score_per_language == LID_MIN_SCORES
    assert WebConfig().url.dedup is True
    path = tmp_path / "web.yaml"
    path.write_text("language:\n  min_score: 0.7\n  min_score_per_language:\n    DE: 0.9\n")
    config, _ = load_config(WebConfig, path)
    assert config.language.min_score_per_language == {"de": 0.9}  # replaces the table
    path.write_text("language:\n  min_score_per_language:\n    de: 1.5\n")
    with pytest.raises(ConfigError, match="web.yaml:2: field 'language.min_score_per_language'"):
        load_config(WebConfig, path)

import collections
import itertools
import re

import pytest
from datatrove.pipeline.readers import WarcReader
from resiliparse.extract.html2text import extract_plain_text
from warcio.archiveiterator import ArchiveIterator


def _records(sample_dir):
    """(file, warc headers, http headers, payload) for every record, in file order."""
    out = []
    for path in sorted((sample_dir / "web").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                payload = rec.content_stream().read()
                out.append(
                    (f"web/{path.name}", rec.rec_headers, rec.http_headers, rec.rec_type, payload)
                )
    return out


@pytest.fixture(scope="module")
def records(sample_dir):
    return _records(sample_dir)


@pytest.fixture(scope="module")
def pages(records):
    return {
        h.get_header("WARC-Target-URI"): body
        for _, h, _, kind, body in records
        if kind == "response"
    }


def test_warc_files_parse_with_warcio(records, summary):
    by_file = collections.defaultdict(list)
    for name, headers, http, kind, _ in records:
        by_file[name].append((headers, http, kind))
    assert len(by_file) == 4
    for entries in by_file.values():
        assert entries[0][2] == "warcinfo"
        for headers, http, kind in entries[1:]:
            assert kind == "response"
            assert headers.protocol == "WARC/1.0"
            assert headers.get_header("WARC-Target-URI").startswith(("http://", "https://"))
            assert http.get_statuscode() == "200"
            assert http.get_header("Content-Type") == "text/html; charset=utf-8"
    labels = [(p["file"], p["record_id"]) for p in summary["web"]]
    found = [
        (name, h.get_header("WARC-Record-ID"))
        for name, h, _, kind, _ in records
        if kind == "response"
    ]
    assert found == labels


def test_datatrove_reads_every_page_but_the_xhtml_one(sample_dir, summary):
    docs = list(WarcReader(str(sample_dir / "web")).run())
    ids = {d.id for d in docs}
    missing = [p for p in summary["web"] if p["record_id"] not in ids]
    # datatrove sniffs bodies without a WARC-Identified-Payload-Type and drops "<?xml" pages.
    assert [p["bad"] for p in missing] == ["xhtml"]
    assert len(docs) == len(summary["web"]) - 1


def test_bad_records(pages, summary):
    bad = {p["bad"]: p for p in summary["web"] if p["bad"]}
    assert set(bad) == {"invalid_utf8", "xhtml"}
    assert all(p["label"] == "article" for p in bad.values())
    with pytest.raises(UnicodeDecodeError):
        pages[bad["invalid_utf8"]["url"]].decode("utf-8")
    assert pages[bad["invalid_utf8"]["url"]].decode("cp1252").startswith("<!DOCTYPE html>")
    assert pages[bad["xhtml"]["url"]].startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_languages_and_labels(summary):
    web = summary["web"]
    langs = collections.Counter(p["language"] for p in web if p["label"] == "article")
    assert set(langs) == {"en", "de", "fr", "es", "pt", "ru", "zh", "ja"}
    junk = [p for p in web if p["label"].startswith("junk:")]
    assert len(junk) / len(web) <= 0.25
    urls = [p["url"] for p in web]
    assert len(set(urls)) == len(urls)
    articles = {p["url"] for p in web if p["label"] == "article"}
    for p in web:
        if p["label"].startswith("near_dup_of:"):
            assert p["label"].removeprefix("near_dup_of:") in articles
    assert sum(p["technical"] for p in web) >= 80
    assert sum(p["has_math"] for p in web) >= 5


def test_exact_duplicates_have_identical_bodies(pages, summary):
    exact = [p for p in summary["web"] if p["exact_dup"]]
    assert len(exact) == 2
    for p in exact:
        assert pages[p["url"]] == pages[p["label"].removeprefix("near_dup_of:")]


def test_pages_have_real_page_structure(pages, summary):
    labels = {p["url"]: p for p in summary["web"]}
    bodies = [b.decode("utf-8") for u, b in pages.items() if labels[u]["bad"] != "invalid_utf8"]
    assert all("<nav" in b or 'id="menu"' in b for b in bodies)
    assert all("<footer" in b or 'id="footer"' in b for b in bodies)
    assert sum("cookie" in b for b in bodies) > len(bodies) / 2
    tech = [
        pages[u].decode() for u, p in labels.items() if p["technical"] and p["label"] == "article"
    ]
    assert all("<pre><code" in b for b in tech)
    # Code blocks span several lines, as in real tutorials.
    assert all(
        max(c.count("\n") for c in re.findall(r"<pre><code[^>]*>(.*?)</code>", b, re.S)) >= 2
        for b in tech
    )
    math = [pages[u].decode() for u, p in labels.items() if p["has_math"]]
    assert math and all("MathJax" in b and "\\(" in b for b in math)


_TOKEN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]|[^\W\u3040-\u30ff\u4e00-\u9fff]+")


def _shingles(text):
    """Word 5-grams; each CJK character counts as a word."""
    tokens = _TOKEN.findall(text.lower())
    return {" ".join(tokens[i : i + 5]) for i in range(len(tokens) - 4)}


def test_near_duplicates_are_near_and_articles_are_distinct(pages, summary):
    sh = {
        u: _shingles(extract_plain_text(b.decode("utf-8", "replace"), main_content=True))
        for u, b in pages.items()
    }
    labels = {p["url"]: p for p in summary["web"]}
    for url, p in labels.items():
        if p["label"].startswith("near_dup_of:"):
            a, b = sh[url], sh[p["label"].removeprefix("near_dup_of:")]
            assert len(a & b) / len(a | b) >= 0.75, url
    articles = [u for u, p in labels.items() if p["label"] == "article"]
    postings = collections.defaultdict(list)
    for i, url in enumerate(articles):
        for s in sh[url]:
            postings[s].append(i)
    shared = collections.Counter(
        pair for ids in postings.values() for pair in itertools.combinations(ids, 2)
    )
    worst = max(
        n / (len(sh[articles[i]]) + len(sh[articles[j]]) - n) for (i, j), n in shared.items()
    )
    assert worst < 0.5

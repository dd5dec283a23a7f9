import numpy as np
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from mellum_data.dedup import DedupKeys, normalize_text, normalize_url, text_hash
from mellum_data.dedup.exact import KEY_DTYPE, priority_of


def test_normalize_text_options():
    a, b = "def f(x):\n\treturn x\n", "def f(x):\r\n    return x"
    assert normalize_text(a) == normalize_text(b) == "def f(x): return x"
    assert normalize_text(a, whitespace=False) == a
    assert normalize_text("Hello  World", lowercase=True) == "hello world"
    assert normalize_text("Hello  World") == "Hello World"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.Example.org/docs/page/",
        "http://example.org:80/docs//page",
        "https://example.org/docs/page#section-2",
        "https://EXAMPLE.org./docs/page?utm_source=x&fbclid=abc",
    ],
)
def test_urls_that_name_the_same_page(url):
    assert normalize_url(url) == "example.org/docs/page"


def test_pages_the_web_stage_calls_one_url_are_one_url_here_too():
    # The web stage's normalisation (finer) and this one share the tracking list.
    from mellum_data.filters.url import TRACKING_PARAMS
    from mellum_data.filters.url import normalize_url as web_normalize

    base = "https://example.org/docs/page?id=7"
    for name in TRACKING_PARAMS:
        param = name.rstrip("*") + ("campaign" if name.endswith("*") else "")
        copy = f"https://Example.org/docs/page?{param}=x&id=7#top"
        assert web_normalize(copy) == web_normalize(base), name
        assert normalize_url(copy) == normalize_url(base) == "example.org/docs/page?id=7", name


def test_urls_that_differ():
    assert normalize_url("https://example.org/a?b=2&a=1") == "example.org/a?a=1&b=2"
    assert normalize_url("https://example.org/a?a=1&b=2") == "example.org/a?a=1&b=2"
    assert normalize_url("https://example.org:8443/a") == "example.org:8443/a"
    assert normalize_url("https://example.org/A") != normalize_url("https://example.org/a")
    assert (
        normalize_url("https://example.org/")
        == normalize_url("https://example.org")
        == ("example.org")
    )
    assert normalize_url("not a url") is None
    assert normalize_url("https://example.org:99999/") is None


def test_priority_by_source_then_kind():
    order = ["code", "math", "web"]
    doc = Document(text="x", id="a", metadata={"source": "stack", "kind": "code"})
    assert priority_of(doc, order) == 0
    doc.metadata["source"] = "web"
    assert priority_of(doc, order) == 2
    assert priority_of(Document(text="x", id="b", metadata={"source": "forum"}), order) == 3


def test_dedup_keys_tables(tmp_path):
    docs = [
        Document(text="Same  text", id="w/1", metadata={"source": "web", "url": "http://a.org/x"}),
        Document(text="other", id="c/1", metadata={"source": "code", "kind": "code"}),
        Document(text="same text", id="w/2", metadata={"source": "web", "url": "https://a.org/x/"}),
        Document(text="Same text", id="w/3", metadata={"source": "web", "url": 3}),
    ]
    step = DedupKeys(str(tmp_path), priority=["code", "web"])
    assert [d.id for d in step.run(iter(docs), rank=2)] == ["w/1", "c/1", "w/2", "w/3"]
    table = pq.read_table(tmp_path / "docs" / "00002.parquet").to_pydict()
    assert table["id"] == ["w/1", "c/1", "w/2", "w/3"]
    assert table["priority"] == [1, 0, 1, 1]
    assert table["exact"][0] == table["exact"][3] == text_hash("Same text")
    assert table["exact"][2] == text_hash("same text")
    assert table["url"][0] == table["url"][2] == text_hash("a.org/x")
    assert table["url"][1] is None and table["url"][3] is None
    exact = np.fromfile(tmp_path / "exact" / "00002.keys", dtype=KEY_DTYPE)
    assert exact.tolist() == sorted((table["exact"][i], i) for i in range(4))
    urls = np.fromfile(tmp_path / "url" / "00002.keys", dtype=KEY_DTYPE)
    assert urls["doc"].tolist() == [0, 2]


def test_dedup_keys_lowercase_and_disabled(tmp_path):
    docs = [Document(text="A  B", id="1", metadata={"url": "http://a.org"})]
    step = DedupKeys(str(tmp_path), lowercase=True, urls=False)
    list(step.run(iter(docs)))
    table = pq.read_table(tmp_path / "docs" / "00000.parquet").to_pydict()
    assert table["exact"] == [text_hash("a b")] and table["url"] == [None]
    assert (tmp_path / "url" / "00000.keys").read_bytes() == b""

"""URL normalisation, block-lists from files, and URL dedup: every drop reason."""

import pytest
from datatrove.data import Document

from mellum_data.errors import InputError
from mellum_data.filters.url import BUILTIN_BLOCKED_WORDS, UrlFilter, normalize_url, read_list


@pytest.mark.parametrize(
    "url,expected",
    [
        ("HTTPS://Docs.Example.COM/Guide/Intro.html", "https://docs.example.com/Guide/Intro.html"),
        ("https://docs.example.com:443/a#section-2", "https://docs.example.com/a"),
        ("http://docs.example.com:80", "http://docs.example.com/"),
        ("http://docs.example.com:8080/a", "http://docs.example.com:8080/a"),
        ("https://user:pw@example.com./a", "https://example.com/a"),
        (
            "https://example.com/search?q=rust&utm_source=feed&page=2&UTM_Medium=x&fbclid=abc",
            "https://example.com/search?page=2&q=rust",
        ),
        # Values keep their case and encoding; a parameter without a value stays.
        ("https://example.com/?b=%2Fx&a=Y&flag", "https://example.com/?a=Y&b=%2Fx&flag"),
        ("  https://example.com/a?  ", "https://example.com/a"),
        ("http://[::1:bad/", "http://[::1:bad/"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_tracking_params_are_configurable():
    assert normalize_url("https://e.com/?ref=rss&id=3", ["ref"]) == "https://e.com/?id=3"
    assert normalize_url("https://e.com/?ref=rss&id=3") == "https://e.com/?id=3&ref=rss"


def doc(url: str) -> Document:
    return Document(text="page", id=url, metadata={"url": url})


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_read_list(tmp_path):
    path = write(tmp_path, "words.txt", "# adult words\nFoo  \n\nbar # trailing note\n")
    assert read_list(path) == ["foo", "bar"]
    with pytest.raises(InputError, match="missing.txt: block-list not found"):
        read_list(str(tmp_path / "missing.txt"))


def test_blocked_domain_covers_subdomains_only(tmp_path):
    domains = write(tmp_path, "domains.txt", "spam.example\n*.ads.example\n")
    flt = UrlFilter(blocked_domain_files=[domains])
    assert flt.filter(doc("https://spam.example/a")) == (False, "url_blocked_domain")
    assert flt.filter(doc("https://WWW.Spam.Example:8443/a")) == (False, "url_blocked_domain")
    assert flt.filter(doc("https://cdn.ads.example/x.js")) == (False, "url_blocked_domain")
    assert flt.filter(doc("https://notspam.example/a")) is True
    assert flt.filter(doc("https://spam.example.org/a")) is True


def test_blocked_words_match_whole_tokens_and_phrases(tmp_path):
    words = write(tmp_path, "words.txt", "casino\nfree money\n")
    flt = UrlFilter(blocked_word_files=[words])
    assert flt.filter(doc("https://x.example/best-casino-2026")) == (False, "url_blocked_word")
    assert flt.filter(doc("https://casino.example/")) == (False, "url_blocked_word")
    assert flt.filter(doc("https://x.example/get_FREE-Money/now")) == (False, "url_blocked_word")
    assert flt.filter(doc("https://x.example/free%20money")) == (False, "url_blocked_word")
    # Substrings are not words: Sussex is not sex, "casinos" is another token.
    assert flt.filter(doc("https://x.example/casinos-history")) is True
    assert flt.filter(doc("https://x.example/free/and/money")) is True


def test_builtin_words():
    flt = UrlFilter(blocked_words=BUILTIN_BLOCKED_WORDS)
    assert flt.filter(doc("https://x.example/xxx/video")) == (False, "url_blocked_word")
    assert flt.filter(doc("https://news.example/sussex/weather")) is True


def test_url_duplicates_after_normalisation():
    flt = UrlFilter()
    first = doc("https://docs.example/guide?page=2&lang=en")
    first.id = "web/first"
    assert flt.filter(first) is True
    again = "HTTPS://docs.example:443/guide?lang=en&page=2&utm_source=feed#install"
    copy = doc(again)
    assert flt.filter(copy) == (False, "url_duplicate")
    # The copy names the page it repeats; a third copy names the same first page.
    assert copy.metadata["duplicate_of"] == "web/first"
    assert copy.metadata["duplicate_of_url"] == "https://docs.example/guide?page=2&lang=en"
    third = doc("https://docs.example/guide?lang=en&page=2")
    assert flt.filter(third) == (False, "url_duplicate")
    assert third.metadata["duplicate_of"] == "web/first"
    assert flt.filter(doc("http://docs.example/guide?page=2&lang=en")) is True  # other scheme
    assert flt.filter(doc("https://docs.example/Guide?page=2&lang=en")) is True  # path case
    assert UrlFilter(dedup=False).filter(doc(again)) is True


def test_documents_without_url_pass():
    flt = UrlFilter(blocked_words=["casino"])
    assert flt.filter(Document(text="x", id="a", metadata={"url": ""})) is True
    assert flt.filter(Document(text="x", id="b", metadata={})) is True
    assert flt.stats["no_url"].total == 2


def test_block_lists_from_s3(s3_server):
    s3 = s3_server.client()
    s3.create_bucket(Bucket="lists")
    s3.put_object(Bucket="lists", Key="domains.txt", Body=b"blocked.example\n")
    flt = UrlFilter(blocked_domain_files=["s3://lists/domains.txt"])
    assert flt.filter(doc("https://a.blocked.example/")) == (False, "url_blocked_domain")

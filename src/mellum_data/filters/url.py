"""URL rules, applied before extraction (the cheapest place to drop a page): block-listed
domains, block-listed words in the URL, and exact duplicates of a normalised URL.

Block-lists are text files (local or ``s3://``), one entry a line, ``#`` starts a comment:

- a domain blocks itself and its subdomains (``example.com`` blocks ``www.example.com``);
- a word blocks a URL when it is one of the URL's alphanumeric tokens (``sex`` blocks
  ``/sex-videos/`` but not ``/sussex/``), a phrase (``free casino``) when its tokens appear in a
  row; this is FineWeb's token matching (Penedo et al. 2024, URL filtering), which avoids the
  false positives of substring matching.

URL dedup keeps the first page of each normalised URL (``normalize_url``) in a task's
reading order (its inputs in the order given, each input's files sorted, each file's records
in order): a crawl stores some pages twice, under tracking parameters or with a fragment. A
dropped copy names the page it repeats (``duplicate_of``: its id, ``duplicate_of_url``: its
URL as crawled). Dropping here, before extraction, saves extracting and judging the copies;
a URL repeated in *different* tasks is removed by the dedup stage (its ``url`` key, on by
default), which keeps the first copy in its input order and also catches repeats across
crawls and stage runs. Remembering first pages costs one dictionary entry per distinct URL
in a task (~150 bytes).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

import fsspec
from datatrove.data import Document
from datatrove.pipeline.writers.disk_base import DiskWriter

from mellum_data.errors import InputError
from mellum_data.filters.lean import LeanFilter

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# Parameters that say how a visitor arrived, not which page it is (a trailing * is a prefix).
TRACKING_PARAMS = (
    "utm_*",
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "igshid",
    "mkt_tok",
    "ref_src",
)
# A short list of our own for when no list is configured: words whose pages are adult
# content or spam in nearly every URL they appear in (larger lists are configured as files).
BUILTIN_BLOCKED_WORDS = (
    "porn",
    "porno",
    "pornhub",
    "xxx",
    "xvideos",
    "xnxx",
    "hentai",
    "camgirl",
    "camgirls",
    "sexcam",
    "milf",
    "nsfw",
    "viagra",
    "cialis",
)
_TOKENS = re.compile(r"[a-z0-9]+")


@functools.cache
def _tracking(params: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Exact parameter names and name prefixes (a trailing ``*``)."""
    exact = frozenset(p for p in params if not p.endswith("*"))
    return exact, tuple(p[:-1] for p in params if p.endswith("*"))


def is_tracking_param(name: str, tracking_params: Sequence[str] = TRACKING_PARAMS) -> bool:
    """Whether a query parameter (name, any case) is one of ``tracking_params``."""
    exact, prefixes = _tracking(tuple(tracking_params))
    name = name.lower()
    return name in exact or bool(prefixes and name.startswith(prefixes))


def normalize_url(url: str, tracking_params: Sequence[str] = TRACKING_PARAMS) -> str:
    """The URL with scheme and host in lower case, without user info, default port, fragment
    and tracking parameters, and with its query parameters sorted; an empty path becomes
    ``/``. Paths and parameter values keep their case and encoding (servers may tell them
    apart). A URL that does not parse is only stripped and lower-cased."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url.lower()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    params = [
        pair
        for pair in parts.query.split("&")
        if pair and not is_tracking_param(unquote(pair.partition("=")[0]), tracking_params)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, "&".join(sorted(params)), ""))


def url_host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def url_tokens(url: str) -> list[str]:
    """The lower-cased alphanumeric tokens of a URL (percent-escapes decoded first)."""
    return _TOKENS.findall(unquote(url).lower())


def read_list(path: str) -> list[str]:
    """Entries of a block-list file: stripped, lower-cased, without comments and blank lines."""
    try:
        with fsspec.open(path, "rt", encoding="utf-8", compression="infer") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: block-list not found") from None
    entries = (line.partition("#")[0].strip().lower() for line in lines)
    return [entry for entry in entries if entry]


class UrlFilter(LeanFilter):
    """Drops pages by domain, by words in their URL, and repeated normalised URLs.

    Block-list files are read when the filter is built (a missing file stops the run at
    start-up) and kept as sets; ``blocked_words`` adds words given directly. Documents
    without a URL pass.
    """

    name = "🔗 URL"

    def __init__(
        self,
        *,
        blocked_domain_files: Iterable[str] = (),
        blocked_word_files: Iterable[str] = (),
        blocked_words: Iterable[str] = (),
        dedup: bool = True,
        tracking_params: Sequence[str] = TRACKING_PARAMS,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.domains = frozenset(
            entry.removeprefix("*.").strip(".")
            for path in blocked_domain_files
            for entry in read_list(path)
        )
        entries = [*blocked_words, *(e for path in blocked_word_files for e in read_list(path))]
        words = {" ".join(url_tokens(entry)) for entry in entries} - {""}
        self.words = frozenset(w for w in words if " " not in w)
        self.phrases = tuple(sorted(f" {w} " for w in words if " " in w))
        self.dedup = dedup
        self.tracking_params = tuple(tracking_params)
        self._first: dict[bytes, tuple[str, str]] = {}  # URL digest -> (id, url) of its first page

    def blocked_domain(self, host: str) -> bool:
        labels = host.lower().split(".")
        return any(".".join(labels[i:]) in self.domains for i in range(len(labels)))

    def blocked_word(self, url: str) -> bool:
        tokens = url_tokens(url)
        if not self.words.isdisjoint(tokens):
            return True
        joined = f" {' '.join(tokens)} "
        return any(phrase in joined for phrase in self.phrases)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        url = doc.metadata.get("url") or ""
        if not url:
            self.stat_update("no_url")
            return True
        if self.domains and self.blocked_domain(url_host(url)):
            return False, "url_blocked_domain"
        if (self.words or self.phrases) and self.blocked_word(url):
            return False, "url_blocked_word"
        if self.dedup:
            key = normalize_url(url, self.tracking_params).encode("utf-8")
            digest = hashlib.blake2b(key, digest_size=12).digest()
            first = self._first.get(digest)
            if first is not None:
                doc.metadata["duplicate_of"], doc.metadata["duplicate_of_url"] = first
                return False, "url_duplicate"
            self._first[digest] = (doc.id, url)
        return True

"""The web part of the sample: sites and pages with ground-truth labels, written as WARC files.

Per replica (``scale`` replicas in all, each from its own random stream): 282 articles in
eight languages (a third of them tutorials with code, some with MathJax math), 30 copies of
some of them (syndicated, re-posted with small edits, or byte-identical under another URL),
66 junk pages (17.5%), and two deliberately awkward records: a page whose bytes are
Windows-1252 although its header says UTF-8, and an XHTML page that opens with ``<?xml``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from random import Random

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mellum_data.sample.html import PageMeta, Site, render_page
from mellum_data.sample.lang_de_fr import FRENCH, GERMAN
from mellum_data.sample.lang_en import ENGLISH
from mellum_data.sample.lang_es_pt import PORTUGUESE, SPANISH
from mellum_data.sample.lang_ru_zh_ja import CHINESE, JAPANESE, RUSSIAN
from mellum_data.sample.pages import KEYWORDS, REPEATED, compose_junk, compose_tech, edited_copy
from mellum_data.sample.snippets import TOOLS
from mellum_data.sample.text import Article, Language, compose_article

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (ENGLISH, GERMAN, FRENCH, SPANISH, PORTUGUESE, RUSSIAN, CHINESE, JAPANESE)
}
ARTICLES = {"en": 110, "de": 28, "fr": 26, "es": 26, "ru": 26, "zh": 24, "ja": 22, "pt": 20}
TECH_SHARE = {"en": 0.45, "de": 0.3, "ru": 0.3, "zh": 0.3, "ja": 0.3}  # others: 0.2
MATH_SHARE = 0.35  # of tutorials, where the language has math sentences
N_SYNDICATED, N_EDITED, N_EXACT = 14, 14, 2
JUNK = (
    ("keyword_stuffing", 14),
    ("near_empty", 12),
    ("repeated_lines", 10),
    ("filler", 10),
    ("link_farm", 10),
    ("nav_only", 10),
)
FILES_PER_REPLICA = 4
SECTION_PATHS = ("news", "culture", "travel", "science", "opinion", "economy", "local", "business")

# (layout, name, domain) per language; domains use the reserved .example top-level domain.
SITES = {
    "en": (
        ("news", "The Harbour Ledger", "harbour-ledger"),
        ("news", "Northside Courier", "northside-courier"),
        ("blog", "Small Kitchen Notes", "smallkitchennotes"),
        ("blog", "Field and Footpath", "fieldandfootpath"),
        ("docs", "DevGuide", "devguide"),
        ("docs", "Code Recipes", "coderecipes"),
    ),
    "de": (
        ("news", "Stadtanzeiger Nord", "stadtanzeiger-nord"),
        ("blog", "Gartenzeit", "gartenzeit"),
        ("docs", "Programmieren in der Praxis", "programmieren-praxis"),
    ),
    "fr": (
        ("news", "Le Courrier du Rhône", "courrier-rhone"),
        ("blog", "Carnets de cuisine", "carnets-cuisine"),
        ("docs", "Dev Facile", "devfacile"),
    ),
    "es": (
        ("news", "Diario del Sur", "diariodelsur"),
        ("blog", "Cuaderno de viaje", "cuadernodeviaje"),
        ("docs", "Aprende a programar", "aprendeaprogramar"),
    ),
    "pt": (
        ("news", "Jornal da Ribeira", "jornaldaribeira"),
        ("blog", "Mesa Posta", "mesaposta"),
        ("docs", "Código Simples", "codigosimples"),
    ),
    "ru": (
        ("news", "Городские вести", "gorodskie-vesti"),
        ("blog", "Дачный дневник", "dachny-dnevnik"),
        ("docs", "Кодовая база", "kodovaya-baza"),
    ),
    "zh": (
        ("news", "城市晚报", "chengshi-wanbao"),
        ("blog", "慢生活笔记", "manshenghuo"),
        ("docs", "编程手记", "biancheng-shouji"),
    ),
    "ja": (
        ("news", "みなと新聞", "minato-shimbun"),
        ("blog", "週末の台所", "shumatsu-daidokoro"),
        ("docs", "コード日和", "code-biyori"),
    ),
}
SPAM_DOMAINS = (
    "best-deals-2024",
    "cheap-offers-online",
    "top10-reviews-now",
    "linkhub-directory",
    "bonus-portal-24",
)


@dataclass
class WebPage:
    url: str
    site: Site
    article: Article
    meta: PageMeta
    label: str = "article"
    language: str | None = None  # None for filler in no natural language
    bad: str | None = None
    exact_of: WebPage | None = None
    body: bytes = b""


def slugify(text: str, rng: Random) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug if len(slug) >= 8 else f"{rng.randint(100000, 999999)}"


def _sites(lang: Language) -> list[Site]:
    return [
        Site(f"{dom}.example", name, lang, layout, lang.sections)
        for layout, name, dom in SITES[lang.code]
    ]


def _url(site: Site, article: Article, date: tuple[int, int, int], rng: Random) -> str:
    y, m, d = date
    slug = slugify(article.title, rng)
    if site.layout == "news":
        return f"https://www.{site.domain}/{rng.choice(SECTION_PATHS)}/{y}/{m:02d}/{slug}"
    if site.layout == "blog":
        return f"https://{site.domain}/{y}/{m:02d}/{d:02d}/{slug}/"
    return f"https://docs.{site.domain}/{article.topic.split(':')[-1].lower()}/{slug}.html"


def _unique(url: str, seen: set[str]) -> str:
    """``url``, or with -2, -3 ... added to its last path segment until it is new."""
    n, candidate = 2, url
    while candidate in seen:
        m = re.match(r"(.*?)(\.html|/)?$", url)
        assert m is not None
        candidate, n = f"{m.group(1)}-{n}{m.group(2) or ''}", n + 1
    return candidate


class _Planner:
    """Builds one replica's pages; URLs are unique across replicas through ``seen``."""

    def __init__(self, rng: Random, seen: set[str]) -> None:
        self.rng = rng
        self.seen = seen
        self.pages: list[WebPage] = []
        self.sites = {code: _sites(lang) for code, lang in LANGUAGES.items()}

    def _date(self) -> tuple[int, int, int]:
        return (self.rng.randint(2018, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def add(
        self,
        site: Site,
        article: Article,
        *,
        url: str | None = None,
        label: str = "article",
        like: WebPage | None = None,
        exact: bool = False,
    ) -> WebPage:
        """Add a page. A copy of ``like`` keeps its date and author; an ``exact`` one its bytes."""
        date = like.meta.date if like else self._date()
        url = _unique(url or _url(site, article, date, self.rng), self.seen)
        self.seen.add(url)
        names = site.lang.slots["name"]
        author = names(self.rng) if callable(names) else self.rng.choice(names)
        meta = PageMeta(
            url=url,
            date=date,
            author=like.meta.author if like else author,
            section=self.rng.choice(site.sections),
            related=[],
        )
        page = WebPage(url, site, article, meta, label=label, language=article.lang)
        page.exact_of = like if exact else None
        self.pages.append(page)
        return page

    def articles(self) -> list[WebPage]:
        rng, out = self.rng, []
        for code, count in ARTICLES.items():
            lang = LANGUAGES[code]
            n_tech = round(count * TECH_SHARE.get(code, 0.2))
            topics = sorted(lang.topics)
            # Tutorials of one language cycle through the tools, so that few share their code.
            tools = rng.sample(TOOLS, k=len(TOOLS))
            for i in range(count):
                if i < n_tech:
                    article = compose_tech(
                        lang, tools[i % len(tools)], rng, with_math=rng.random() < MATH_SHARE
                    )
                    site = next(s for s in self.sites[code] if s.layout == "docs")
                else:
                    article = compose_article(lang, topics[i % len(topics)], rng)
                    site = rng.choice([s for s in self.sites[code] if s.layout != "docs"])
                out.append(self.add(site, article))
        return out

    def duplicates(self, originals: list[WebPage]) -> None:
        rng = self.rng
        picked = rng.sample(originals, N_SYNDICATED + N_EDITED + N_EXACT)
        for i, orig in enumerate(picked):
            label = f"near_dup_of:{orig.url}"
            if i < N_SYNDICATED:  # the same text on a sister site, boilerplate and all different
                others = [
                    s
                    for s in self.sites[orig.site.lang.code]
                    if s is not orig.site and (s.layout == "docs") == (orig.site.layout == "docs")
                ]
                site = rng.choice(others) if others else orig.site
                page = self.add(site, orig.article, label=label, like=orig)
                page.meta.canonical = orig.url if rng.random() < 0.5 else None
            elif i < N_SYNDICATED + N_EDITED:  # re-posted with small edits under a new address
                suffix = rng.choice(
                    ("?utm_source=newsletter&utm_medium=email", "/amp", "?print=1", "?page=all")
                )
                self.add(
                    orig.site,
                    edited_copy(orig.article, rng),
                    url=orig.url.rstrip("/") + suffix,
                    label=label,
                    like=orig,
                )
            else:  # byte-identical
                url = orig.url.replace("https://", "http://", 1) if i % 2 else orig.url + "?ref=rss"
                self.add(orig.site, orig.article, url=url, label=label, like=orig, exact=True)

    def junk(self) -> None:
        rng = self.rng
        for kind, count in JUNK:
            for _ in range(count):
                if kind in ("near_empty", "nav_only"):
                    code = rng.choice(sorted(LANGUAGES))
                    site = rng.choice(self.sites[code])
                elif kind == "keyword_stuffing":
                    code = rng.choice(sorted(KEYWORDS))
                    site = Site(
                        f"{rng.choice(SPAM_DOMAINS)}.example",
                        "Top Deals",
                        LANGUAGES[code],
                        "news",
                        LANGUAGES[code].sections,
                    )
                else:
                    code = rng.choice(sorted(REPEATED)) if kind == "repeated_lines" else "en"
                    site = Site(
                        f"{rng.choice(SPAM_DOMAINS)}.example",
                        "Best Offers Online",
                        LANGUAGES[code],
                        "blog",
                        ("Deals", "Reviews"),
                    )
                links = self._junk_links(kind, site)
                article = compose_junk(kind, site.lang, rng, links)
                stem = (
                    slugify(article.title, rng) if kind != "nav_only" else rng.choice(SECTION_PATHS)
                )
                url = f"https://www.{site.domain}/{stem}" + (
                    f".php?id={rng.randint(1, 9999)}"
                    if site.domain.startswith(SPAM_DOMAINS)
                    else "/"
                )
                page = self.add(site, article, url=url, label=f"junk:{kind}")
                page.language = None if kind == "filler" else code

    def _junk_links(self, kind: str, site: Site) -> list[tuple[str, str]]:
        rng = self.rng
        if kind == "link_farm":
            anchors = [kw for kws in KEYWORDS.values() for kw in kws]
            return [
                (
                    f"https://{rng.choice(SPAM_DOMAINS)}.example/go/{rng.randint(1000, 99999)}",
                    rng.choice(anchors),
                )
                for _ in range(rng.randint(80, 150))
            ]
        return [(f"/{p}/", s) for p, s in zip(SECTION_PATHS, site.sections, strict=False)] + [
            (f"/tag/{i}", s) for i, s in enumerate(site.sections * 3)
        ]

    def link_related(self) -> None:
        by_site: dict[str, list[WebPage]] = {}
        for page in self.pages:
            by_site.setdefault(page.site.domain, []).append(page)
        for page in self.pages:
            peers = [p for p in by_site[page.site.domain] if p is not page and p.label == "article"]
            picks = self.rng.sample(peers, k=min(10, len(peers)))
            page.meta.related = [(p.url, p.article.title) for p in picks] or [
                ("/", page.site.lang.ui["home"])
            ]


def plan_replica(rng: Random, seen: set[str]) -> list[WebPage]:
    planner = _Planner(rng, seen)
    articles = planner.articles()
    everyday = [p for p in articles if not p.article.technical]
    xhtml = next(p for p in everyday if p.article.lang == "en")
    xhtml.bad, xhtml.meta.xhtml = "xhtml", True
    latin = next(p for p in everyday if p.article.lang == "de")
    latin.bad = "invalid_utf8"
    planner.duplicates([p for p in articles if p.bad is None])
    planner.junk()
    planner.link_related()
    for page in planner.pages:
        if page.exact_of is not None:
            continue
        text = render_page(page.site, page.article, page.meta, rng)
        # Windows-1252 bytes under a UTF-8 header, as a misconfigured server sends them.
        page.body = (
            text.encode("cp1252", errors="replace")
            if page.bad == "invalid_utf8"
            else text.encode("utf-8")
        )
    for page in planner.pages:
        if page.exact_of is not None:
            page.body = page.exact_of.body
    return planner.pages


def _warc_date(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _record_id(ids: Random) -> str:
    return f"<urn:uuid:{uuid.UUID(int=ids.getrandbits(128), version=4)}>"


def _warcinfo(
    writer: WARCWriter, name: str, record_id: str, clock: datetime, seed: int, replica: int
) -> None:
    info = (
        "software: mellum-data sample generator\r\nformat: WARC File Format 1.0\r\n"
        f"isPartOf: mellum-sample-seed-{seed}\r\n"
        f"description: synthetic pages, seed {seed}, replica {replica}\r\n"
    ).encode()
    headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": _warc_date(clock),
        "WARC-Filename": Path(name).name,
    }
    writer.write_record(
        writer.create_warc_record(
            "", "warcinfo", payload=io.BytesIO(info), length=len(info), warc_headers_dict=headers
        )
    )


def _response(
    writer: WARCWriter, page: WebPage, record_id: str, info_id: str, clock: datetime, ip: str
) -> None:
    http = StatusAndHeaders(
        "200 OK",
        [
            ("Date", format_datetime(clock, usegmt=True)),
            ("Server", "nginx" if page.site.layout != "blog" else "Apache/2.4.57 (Debian)"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page.body))),
            ("Cache-Control", "max-age=600"),
        ],
        protocol="HTTP/1.1",
    )
    headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": _warc_date(clock),
        "WARC-IP-Address": ip,
        "WARC-Warcinfo-ID": info_id,
    }
    writer.write_record(
        writer.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(page.body),
            length=len(page.body),
            http_headers=http,
            warc_headers_dict=headers,
        )
    )


def _label(page: WebPage, file: str, record_id: str) -> dict:
    return {
        "url": page.url,
        "file": file,
        "record_id": record_id,
        "language": page.language,
        "label": page.label,
        "topic": None if page.label.startswith("junk:") else page.article.topic,
        "technical": page.article.technical,
        "has_math": page.article.has_math,
        "bad": page.bad,
        "exact_dup": page.exact_of is not None,
    }


def write_web(out: Path, seed: int, scale: int) -> list[dict]:
    """Write ``out/web/*.warc.gz`` and return one label per page, in file and record order.

    Record ids, dates and IP addresses come from a seeded stream and warcio's gzip members
    carry no timestamp, so the files are byte-identical for the same seed and scale.
    """
    (out / "web").mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    labels: list[dict] = []
    for r in range(scale):
        rng = Random(f"{seed}:web:{r}")
        ids = Random(f"{seed}:warc-ids:{r}")
        pages = plan_replica(rng, seen)
        rng.shuffle(pages)
        clock = datetime(2024, 3, 1, 6, tzinfo=UTC) + timedelta(days=seed % 97, hours=6 * r)
        for f in range(FILES_PER_REPLICA):
            name = f"web/sample-{r * FILES_PER_REPLICA + f:05d}.warc.gz"
            buf = io.BytesIO()
            writer = WARCWriter(buf, gzip=True)
            info_id = _record_id(ids)
            _warcinfo(writer, name, info_id, clock, seed, r)
            for page in pages[f::FILES_PER_REPLICA]:
                clock += timedelta(seconds=ids.randint(1, 40))
                record_id = _record_id(ids)
                _response(writer, page, record_id, info_id, clock, f"192.0.2.{ids.randint(1, 254)}")
                labels.append(_label(page, name, record_id))
            (out / name).write_bytes(buf.getvalue())
    return labels

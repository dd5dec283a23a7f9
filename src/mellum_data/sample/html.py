"""HTML pages: the main content inside the boilerplate real sites wrap around it.

Three layouts, as on the web: a news site with semantic tags (cookie banner, header and
``<nav>``, breadcrumbs, ``<article>``, a sidebar of link lists, a long footer), an older blog
built from ``<div>``s only, and a documentation site with a table of contents and
previous/next links. The boilerplate is in the site's language.
"""
# ruff: noqa: E501  (HTML and prose templates are kept on one line each)

from __future__ import annotations

import html
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from random import Random

from mellum_data.sample.text import Article, Language

MATHJAX = '<script id="MathJax-script" async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
XHTML_PROLOGUE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
)


@dataclass(frozen=True)
class Site:
    domain: str
    name: str
    lang: Language
    layout: str  # "news" | "blog" | "docs"
    sections: tuple[str, ...]


@dataclass
class PageMeta:
    url: str
    date: tuple[int, int, int]
    author: str
    section: str
    related: list[tuple[str, str]]  # (href, title) of other pages on the same site
    canonical: str | None = None
    xhtml: bool = False


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def _links(items: list[tuple[str, str]], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    lis = "".join(f'<li><a href="{html.escape(h)}">{esc(t)}</a></li>' for h, t in items)
    return f"<ul{attr}>{lis}</ul>"


def render_blocks(article: Article) -> str:
    out = []
    for kind, value in article.blocks:
        if kind == "p":
            out.append(f"<p>{esc(str(value))}</p>")
        elif kind == "h2":
            out.append(f"<h2>{esc(str(value))}</h2>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{esc(v)}</li>" for v in value) + "</ul>")  # type: ignore[attr-defined]
        elif kind == "pre":
            code_lang, code = value  # type: ignore[misc]
            out.append(f'<pre><code class="language-{code_lang}">{esc(code)}</code></pre>')
        elif kind == "links":
            out.append(_links(value, "link-list"))  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return "\n".join(out)


def _head(site: Site, article: Article, meta: PageMeta, rng: Random) -> str:
    first = next((str(v) for k, v in article.blocks if k == "p"), article.title)
    close = " /" if meta.xhtml else ""
    parts = [
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        if meta.xhtml
        else '<meta charset="utf-8">',
        f'<meta name="viewport" content="width=device-width, initial-scale=1"{close}>',
        f"<title>{esc(article.title)} | {esc(site.name)}</title>",
        f'<meta name="description" content="{html.escape(first[:150])}"{close}>',
        f'<meta property="og:title" content="{html.escape(article.title)}"{close}>',
        f'<link rel="stylesheet" href="/static/css/main.{rng.getrandbits(32):08x}.css"{close}>',
    ]
    if meta.canonical:
        parts.append(f'<link rel="canonical" href="{html.escape(meta.canonical)}"{close}>')
    if article.has_math:
        parts.append(MATHJAX)
    parts.append(_style(site))
    if site.layout == "news" and not meta.xhtml:
        y, m, d = meta.date
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": f"{y:04d}-{m:02d}-{d:02d}",
            "author": {"@type": "Person", "name": meta.author},
            "publisher": {"@type": "Organization", "name": site.name},
        }
        parts.append(
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        )
    parts.append('<script async="async" src="/static/js/analytics.js"></script>')
    return "<head>\n" + "\n".join(p for p in parts if p) + "\n</head>"


def _style(site: Site) -> str:
    """A site's inline critical CSS: same rules everywhere, colours from the domain."""
    h = zlib.crc32(site.domain.encode())
    accent, dark = f"#{h & 0xFFFFFF:06x}", f"#{(h >> 8) & 0x3F3F3F:06x}"
    rules = (
        f":root{{--accent:{accent};--text:{dark};--bg:#fff;--muted:#6b7280}}",
        "body{margin:0;font:16px/1.6 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--text)}",
        "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}",
        "header,footer{padding:1rem 2rem}nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem}",
        "nav li ul{display:none;position:absolute}nav li:hover>ul{display:block}",
        "main{display:grid;grid-template-columns:minmax(0,1fr) 18rem;gap:2rem;max-width:72rem;margin:auto}",
        "@media (max-width:800px){main{grid-template-columns:1fr}.sidebar{display:none}}",
        "pre{background:#f6f8fa;padding:1rem;overflow:auto}code{font-family:ui-monospace,Menlo,monospace}",
        ".cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#111;color:#eee;padding:1rem}",
        ".share svg{width:20px;height:20px;fill:currentColor}.byline{color:var(--muted);font-size:.9rem}",
    )
    return "<style>" + "".join(rules) + "</style>"


_ICONS = {
    "Facebook": "M14 8h3V4h-3c-2.8 0-4 1.7-4 4v2H8v4h2v8h4v-8h3l1-4h-4V8.5c0-.3.2-.5.5-.5z",
    "X": "M4 4h4.6l4 5.4L17.3 4H20l-6.1 7 6.6 9h-4.6l-4.3-5.8L6.4 20H3.6l6.6-7.6z",
    "LinkedIn": "M5 9h3v11H5zM6.5 4a1.7 1.7 0 110 3.4 1.7 1.7 0 010-3.4zM10 9h3v1.6c.5-.9 1.6-1.8 3.4-1.8 3.2 0 3.6 2.1 3.6 4.8V20h-3v-5.6c0-1.3 0-3-1.8-3s-2.1 1.4-2.1 2.9V20h-3z",
    "E-Mail": "M3 5h18v14H3zm2 2v.4l7 4.6 7-4.6V7zm0 2.8V17h14V9.8l-7 4.6z",
}


def _share(ui: Mapping[str, str]) -> str:
    icons = "".join(
        f'<a href="#" aria-label="{name}"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="{path}"/></svg></a>'
        for name, path in _ICONS.items()
    )
    return f'<div class="share"><span>{esc(ui["share"])}</span> {icons}</div>'


def _nav(site: Site, featured: list[tuple[str, str]] | None = None) -> str:
    """The main menu; with ``featured`` pages, a mega-menu that shows a few under each section."""
    ui = site.lang.ui
    featured = featured or []
    lis = [f'<li><a href="/">{esc(ui["home"])}</a></li>']
    for i, section in enumerate(site.sections):
        sub = featured[i * 2 : i * 2 + 2]
        inner = _links(sub, "submenu") if sub else ""
        lis.append(f'<li><a href="/{i + 1}/">{esc(section)}</a>{inner}</li>')
    lis += [
        f'<li><a href="/about">{esc(ui["about"])}</a></li>',
        f'<li><a href="/contact">{esc(ui["contact"])}</a></li>',
    ]
    return f'<ul class="menu">{"".join(lis)}</ul>'


def _footer(site: Site, year: int) -> str:
    ui = site.lang.ui
    sections = _links([(f"/{i + 1}/", s) for i, s in enumerate(site.sections)], "footer-sections")
    legal = _links(
        [
            ("/privacy", ui["privacy"]),
            ("/imprint", ui["imprint"]),
            ("/terms", ui["terms"]),
            ("/contact", ui["contact"]),
            ("/about", ui["about"]),
        ],
        "footer-legal",
    )
    social = _links(
        [(f"https://{n.lower()}.com/", n) for n in ("Facebook", "Instagram", "YouTube", "Mastodon")]
        + [("/feed.xml", "RSS")],
        "footer-social",
    )
    return (
        f'<div class="footer-columns">{sections}{legal}{social}</div>\n'
        f"<p>© {year} {esc(site.name)}. {esc(ui['rights'])}</p>"
    )


def _byline(site: Site, meta: PageMeta, rng: Random) -> str:
    ui = site.lang.ui
    y, m, d = meta.date
    return (
        f'<p class="byline">{esc(ui["by"])} <a href="/authors/{zlib.crc32(meta.author.encode()) % 997}">{esc(meta.author)}</a>'
        f' · <time datetime="{y:04d}-{m:02d}-{d:02d}">{esc(site.lang.date(y, m, d))}</time>'
        f" · {rng.randint(2, 14)} {esc(ui['min_read'])}</p>"
    )


def render_page(site: Site, article: Article, meta: PageMeta, rng: Random) -> str:
    ui = site.lang.ui
    body = render_blocks(article)
    related = meta.related[: rng.randint(3, 6)]
    year = meta.date[0] + rng.randint(0, 1)
    if site.layout == "news":
        main = f"""<div class="cookie-banner" id="cookie-consent" role="dialog"><p>{esc(ui["cookie"])}</p><button>{esc(ui["accept"])}</button> <button>{esc(ui["settings"])}</button></div>
<a class="skip-link" href="#main">{esc(ui["skip"])}</a>
<header class="site-header"><a class="logo" href="/">{esc(site.name)}</a>
<nav class="main-nav" aria-label="{esc(ui["menu"])}">{_nav(site, meta.related)}</nav>
<form class="search" action="/search"><input type="search" name="q" placeholder="{html.escape(ui["search"])}"/></form></header>
<nav class="breadcrumbs"><a href="/">{esc(ui["home"])}</a> › <a href="/{html.escape(meta.section)}/">{esc(meta.section)}</a></nav>
<main id="main"><article>
<h1>{esc(article.title)}</h1>
{_byline(site, meta, rng)}
{body}
{_share(ui)}
</article>
<aside class="sidebar"><h3>{esc(ui["related"])}</h3>{_links(related)}
<h3>{esc(ui["popular"])}</h3>{_links(meta.related[-3:])}
<div class="newsletter"><p>{esc(ui["newsletter"])}</p><button>{esc(ui["subscribe"])}</button></div></aside></main>
<footer class="site-footer">{_footer(site, year)}</footer>"""
    elif site.layout == "blog":
        tags = ", ".join(
            f'<a href="/tag/{i}">{esc(s)}</a>' for i, s in enumerate(rng.sample(site.sections, k=2))
        )
        archive = [
            (f"/{meta.date[0]}/{m:02d}/", site.lang.date(meta.date[0], m, 1)) for m in range(1, 7)
        ]
        main = f"""<div id="wrapper">
<div id="header"><div class="title"><a href="/">{esc(site.name)}</a></div><div id="menu">{_nav(site)}</div></div>
<div id="content"><div class="post">
<h1 class="post-title">{esc(article.title)}</h1>
{_byline(site, meta, rng)}
<div class="entry">
{body}
</div>
<div class="post-meta">{esc(ui["tags"])}: {tags} | <a href="#comments">{rng.randint(0, 40)} {esc(ui["comments"])}</a></div>
</div></div>
<div id="sidebar"><div class="widget"><h3>{esc(ui["related"])}</h3>{_links(related)}</div>
<div class="widget"><h3>Archive</h3>{_links(archive)}</div>
<div class="widget"><p>{esc(ui["cookie"])}</p><a href="#" class="button">{esc(ui["accept"])}</a></div></div>
<div id="footer">{_footer(site, year)}</div>
</div>"""
    else:
        toc = [(f"#s{i}", str(v)) for i, (k, v) in enumerate(article.blocks) if k == "h2"]
        prev_next = meta.related[:2] if len(meta.related) >= 2 else meta.related * 2
        main = f"""<header class="topbar"><a class="brand" href="/">{esc(site.name)}</a>
<nav class="top-nav">{_links([("/docs/", ui["docs"]), ("/blog/", "Blog"), ("/community/", "Community"), ("https://github.com/", "GitHub")])}</nav></header>
<div class="layout"><nav class="sidebar" aria-label="{esc(ui["docs"])}">{_links(meta.related[:10])}</nav>
<main class="content"><article class="doc">
<h1>{esc(article.title)}</h1>
{body}
</article>
<div class="toc"><h4>On this page</h4>{_links(toc)}</div>
<nav class="pagination"><a class="prev" href="{html.escape(prev_next[0][0])}">« {esc(ui["prev"])}</a> <a class="next" href="{html.escape(prev_next[1][0])}">{esc(ui["next"])} »</a></nav>
<p class="edit"><a href="https://github.com/">{esc(ui["edit"])}</a></p></main></div>
<footer class="footer">{_footer(site, year)}</footer>"""
    scripts = '<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag("js",new Date());</script>'
    lang = site.lang.code
    if meta.xhtml:
        opening = f'{XHTML_PROLOGUE}<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{lang}" lang="{lang}">'
    else:
        opening = f'<!DOCTYPE html>\n<html lang="{lang}">'
    return f"{opening}\n{_head(site, article, meta, rng)}\n<body>\n{main}\n{scripts}\n</body>\n</html>\n"

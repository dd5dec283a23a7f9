"""Main content of web pages beyond everyday articles: tutorials, junk, and edited copies."""
# ruff: noqa: E501  (prose templates are kept on one line each)

from __future__ import annotations

import copy
import re
from random import Random

from mellum_data.sample.snippets import snippets_for
from mellum_data.sample.text import Article, Language, SentenceDeck, expand, paragraph

INSTALL = {
    "Python": "python -m venv .venv\nsource .venv/bin/activate\npip install --upgrade pip aiohttp",
    "JavaScript": "npm init -y\nnpm install --save-dev eslint prettier",
    "TypeScript": "npm install --save-dev typescript\nnpx tsc --init --strict",
    "Rust": "cargo new demo\ncd demo\ncargo run --release",
    "Go": "go mod init example.com/demo\ngo mod tidy\ngo run .",
    "PostgreSQL": "createdb shop\npsql --dbname=shop --file=schema.sql",
    "Bash": "chmod +x backup.sh\n./backup.sh ~/notes",
    "Docker": "docker build -t demo-app .\ndocker run --rm -p 8000:8000 demo-app",
    "Git": 'git --version\ngit config --global user.name "Your Name"',
    "C": "gcc -Wall -Wextra -O2 -o countlines countlines.c\n./countlines notes.txt",
}

# Tools whose tutorials may discuss complexity or formulas.
MATH_TOOLS = ("Python", "JavaScript", "TypeScript", "Rust", "Go", "C")

KEYWORDS = {
    "en": (
        "cheap flights",
        "best price",
        "book now",
        "last minute deals",
        "discount hotels",
        "free shipping",
        "buy sneakers online",
        "best vpn 2024",
        "casino bonus",
        "online pharmacy",
    ),
    "de": (
        "günstige Kredite",
        "Kredit ohne Schufa",
        "Handyvertrag Vergleich",
        "billig kaufen",
        "Top Angebote",
    ),
    "es": (
        "seguros baratos",
        "préstamos rápidos",
        "ofertas de vuelos",
        "comprar barato",
        "mejor precio",
    ),
    "ru": (
        "купить диван недорого",
        "доставка по России",
        "лучшая цена",
        "скидки",
        "интернет магазин",
    ),
    "fr": (
        "assurance pas cher",
        "crédit rapide",
        "meilleur prix",
        "promo vols",
        "livraison gratuite",
    ),
    "zh": ("特价机票", "最低价格", "免费送货", "正品保证", "限时优惠"),
}

REPEATED = {
    "en": (
        "Click here to continue.",
        "Add to cart - $19.99",
        "Loading...",
        "Please enable JavaScript to view this page.",
    ),
    "de": ("Jetzt kaufen - nur 19,99 €", "Hier klicken, um fortzufahren."),
    "ru": ("Нажмите здесь, чтобы продолжить.", "Купить сейчас — всего 990 ₽"),
    "es": ("Haz clic aquí para continuar.",),
}

_SYLLABLES = (
    "lo",
    "rem",
    "ip",
    "sum",
    "do",
    "lor",
    "sit",
    "am",
    "et",
    "con",
    "sec",
    "tur",
    "ad",
    "pis",
    "ci",
    "ng",
    "el",
    "it",
    "sed",
    "eius",
    "mod",
    "tem",
    "por",
    "in",
    "ci",
    "dunt",
    "ut",
    "la",
    "bo",
    "re",
    "ma",
    "gna",
    "ali",
    "qua",
    "ve",
    "ni",
    "am",
    "qu",
    "is",
    "nos",
    "trud",
)


def compose_tech(lang: Language, tool: str, rng: Random, *, with_math: bool) -> Article:
    """A tutorial on ``tool``: intro, sections with prose and ``<pre><code>`` blocks, and
    maybe math."""
    snippets = snippets_for(tool)
    rng.shuffle(snippets)
    fixed = {"tool": tool, "task": snippets[0].task}
    deck = SentenceDeck(lang.tech.sentences, rng)
    title = expand(rng.choice(lang.tech.titles), rng, lang.slots, fixed)
    blocks: list[tuple[str, object]] = [("p", paragraph(lang, deck, rng, fixed, rng.randint(1, 3)))]
    headings = list(lang.tech.headings)
    if rng.random() < 0.6:
        blocks += [
            ("h2", headings[0]),
            ("p", paragraph(lang, deck, rng, fixed, 1)),
            ("pre", ("bash", INSTALL[tool])),
        ]
    middle = rng.sample(headings[1:-1], k=min(len(headings) - 2, rng.randint(2, 3)))
    code = snippets[: rng.randint(1, 2)]
    for i, heading in enumerate(middle):
        blocks.append(("h2", heading))
        blocks.append(("p", paragraph(lang, deck, rng, fixed, rng.randint(1, 3))))
        if i < len(code):
            blocks.append(("pre", (code[i].lang, code[i].render(rng))))
            if rng.random() < 0.5:
                blocks.append(("p", paragraph(lang, deck, rng, fixed, rng.randint(1, 2))))
    has_math = with_math and bool(lang.tech_math) and tool in MATH_TOOLS
    if has_math:
        blocks.append(("p", " ".join(rng.sample(lang.tech_math, k=min(2, len(lang.tech_math))))))
    blocks += [("h2", headings[-1]), ("p", paragraph(lang, deck, rng, fixed, rng.randint(1, 3)))]
    return Article(lang.code, "tech:" + tool, title, blocks, technical=True, has_math=has_math)


def _filler_words(rng: Random, n: int) -> str:
    words = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(n)]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def compose_junk(kind: str, lang: Language, rng: Random, links: list[tuple[str, str]]) -> Article:
    """Junk main content; ``links`` are (href, anchor) pairs for link farms and nav-only pages."""
    code = lang.code
    if kind == "keyword_stuffing":
        kws = KEYWORDS[code]
        title = " | ".join(rng.sample(kws, k=3))
        paras = [
            " ".join(rng.choice(kws) for _ in range(rng.randint(25, 60)))
            for _ in range(rng.randint(3, 6))
        ]
        return Article(code, "junk", title, [("p", p) for p in paras])
    if kind == "near_empty":
        key = rng.choice(("coming_soon", "not_found", "moved"))
        return Article(code, "junk", lang.ui[key].rstrip("."), [("p", lang.ui[key])])
    if kind == "repeated_lines":
        line = rng.choice(REPEATED[code])
        return Article(code, "junk", line, [("p", line) for _ in range(rng.randint(30, 80))])
    if kind == "filler":
        paras = [
            " ".join(_filler_words(rng, rng.randint(6, 14)) for _ in range(rng.randint(4, 8)))
            for _ in range(rng.randint(3, 6))
        ]
        return Article(code, "junk", _filler_words(rng, 4).rstrip("."), [("p", p) for p in paras])
    if kind == "link_farm":
        return Article(code, "junk", lang.ui["related"], [("links", links)])
    if kind == "nav_only":
        return Article(code, "junk", lang.ui["home"], [("links", links[: rng.randint(8, 20)])])
    raise ValueError(f"unknown junk type {kind!r}")


_NUMBER = re.compile(r"\b\d{2,4}\b")

UPDATE_NOTE = {
    "en": "Update: an earlier version of this article gave a wrong figure; it has been corrected.",
    "de": "Aktualisierung: In einer früheren Fassung stand eine falsche Zahl; sie wurde korrigiert.",
    "fr": "Mise à jour : une version précédente de cet article contenait un chiffre erroné, corrigé depuis.",
    "es": "Actualización: una versión anterior de este artículo daba una cifra errónea; ya está corregida.",
    "pt": "Atualização: uma versão anterior deste artigo tinha um número errado, entretanto corrigido.",
    "ru": "Обновление: в предыдущей версии статьи была указана неверная цифра; она исправлена.",
    "zh": "更新：本文早先版本中的一个数字有误，现已更正。",
    "ja": "追記：本記事の以前の版に誤った数字がありましたので、訂正しました。",
}


def edited_copy(article: Article, rng: Random) -> Article:
    """The same article with the small edits a re-post gets: a corrected number, an update note,
    a retitled headline. Most of its word 5-grams stay the same."""
    out = copy.deepcopy(article)
    paragraphs = [i for i, (kind, _) in enumerate(out.blocks) if kind == "p"]
    i = rng.choice(paragraphs)
    text = str(out.blocks[i][1])
    out.blocks[i] = (
        "p",
        _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(1, 9)), text, count=1),
    )
    if len(paragraphs) >= 5 and rng.random() < 0.6:
        out.blocks.append(("p", UPDATE_NOTE[article.lang]))
    if article.lang == "en" and rng.random() < 0.4:
        out.title = out.title + rng.choice((" (updated)", " - update", ": what we know"))
    return out

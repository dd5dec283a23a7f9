"""Prose for the sample corpus: a small template language and an article composer.

A template mixes fixed text with ``[a|b|c]`` (pick one alternative; alternatives may nest)
and ``{slot}`` (a word from the language's or the topic's lists, or a number). Each sentence
in a bank therefore has many surface forms, so that two articles on the same topic share
some sentences' skeletons but few word 5-grams, the way distinct real articles do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from random import Random

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")

SlotValues = Sequence[str] | Callable[[Random], str]

NUMBER_SLOTS: dict[str, Callable[[Random], str]] = {
    "n": lambda r: str(r.randint(2, 9)),
    "num": lambda r: str(r.randint(11, 95)),
    "big": lambda r: str(r.randint(120, 4800)),
    "pct": lambda r: str(r.randint(8, 87)),
    "year": lambda r: str(r.randint(1994, 2023)),
}


@dataclass(frozen=True)
class Topic:
    titles: tuple[str, ...]
    headings: tuple[str, ...]
    sentences: tuple[str, ...]
    # Slots fixed once per article (the dish, the trail, the tool it is about).
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Language:
    code: str
    spaced: bool  # False for Chinese and Japanese: sentences join without spaces
    slots: Mapping[str, SlotValues]
    generic: tuple[str, ...]  # sentences that fit an article on any topic
    topics: Mapping[str, Topic]
    tech: Topic  # prose for tutorials and documentation pages
    tech_math: tuple[str, ...]  # literal sentences with MathJax math (never expanded)
    ui: Mapping[str, str]  # boilerplate words: menus, cookie banner, footer
    sections: tuple[str, ...]  # menu entries of a site in this language
    date: Callable[[int, int, int], str]  # (year, month, day) -> date as printed on a page


def expand(
    template: str,
    rng: Random,
    slots: Mapping[str, SlotValues],
    fixed: Mapping[str, str] | None = None,
) -> str:
    """One random surface form of ``template``; raises KeyError on an unknown slot."""
    text = template
    while m := _CHOICE.search(text):  # the innermost group: it contains no brackets
        text = text[: m.start()] + rng.choice(m.group(1).split("|")) + text[m.end() :]

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if fixed and name in fixed:
            return fixed[name]
        if name in NUMBER_SLOTS:
            return NUMBER_SLOTS[name](rng)
        values = slots[name]
        return values(rng) if callable(values) else rng.choice(values)

    text = _SLOT.sub(fill, text)
    # An empty alternative leaves a double space or a space before punctuation.
    text = re.sub(r" {2,}", " ", text).replace(" ,", ",").replace(" .", ".").strip()
    return text[:1].upper() + text[1:]


@dataclass
class Article:
    """A page's main content as blocks: ("h2", str), ("p", str), ("ul", [str]),
    ("pre", (code_language, code)) or ("links", [(href, anchor)])."""

    lang: str
    topic: str
    title: str
    blocks: list[tuple[str, object]]
    technical: bool = False
    has_math: bool = False


class SentenceDeck:
    """Draws sentence templates without repeats until the bank is used up, then reshuffles."""

    def __init__(self, templates: Sequence[str], rng: Random) -> None:
        self.templates = list(templates)
        self.rng = rng
        self.deck: list[str] = []

    def draw(self) -> str:
        if not self.deck:
            self.deck = self.templates[:]
            self.rng.shuffle(self.deck)
        return self.deck.pop()


def article_slots(lang: Language, topic: Topic, rng: Random) -> dict[str, str]:
    fixed = {name: rng.choice(values) for name, values in topic.slots.items()}
    city = lang.slots["city"]
    fixed["city"] = city(rng) if callable(city) else rng.choice(city)
    return fixed


def paragraph(
    lang: Language, deck: SentenceDeck, rng: Random, fixed: Mapping[str, str], k: int
) -> str:
    sentences = [expand(deck.draw(), rng, lang.slots, fixed) for _ in range(k)]
    return (" " if lang.spaced else "").join(sentences)


def compose_article(lang: Language, topic_name: str, rng: Random) -> Article:
    """An everyday article: a title, paragraphs of 1-5 sentences, some subheadings, and now
    and then a short list.

    An article uses at most four fifths of its sentence deck, so that two articles on the
    same topic share only part of their sentence skeletons.
    """
    topic = lang.topics[topic_name]
    fixed = article_slots(lang, topic, rng)
    # Mostly topic sentences, with a few general ones, as a writer on the subject would.
    deck = SentenceDeck(topic.sentences + tuple(rng.sample(lang.generic, k=5)), rng)
    title = expand(rng.choice(topic.titles), rng, lang.slots, fixed)
    budget = rng.randint(len(deck.templates) * 11 // 20, len(deck.templates) * 4 // 5)
    sizes: list[int] = []
    while budget > 0:
        sizes.append(min(budget, rng.choice((1, 2, 3, 3, 4, 4, 5))))
        budget -= sizes[-1]
    heading_at = (
        set(rng.sample(range(1, len(sizes)), k=min(2, len(sizes) - 1)))
        if len(sizes) >= 4
        else set()
    )
    headings = rng.sample(topic.headings, k=len(heading_at))
    blocks: list[tuple[str, object]] = []
    for i, k in enumerate(sizes):
        if i in heading_at:
            blocks.append(("h2", headings.pop()))
        if i == 1 and k == 3 and len(sizes) >= 4 and rng.random() < 0.15:
            blocks.append(("ul", [expand(deck.draw(), rng, lang.slots, fixed) for _ in range(k)]))
        else:
            blocks.append(("p", paragraph(lang, deck, rng, fixed, k)))
    return Article(lang=lang.code, topic=topic_name, title=title, blocks=blocks)

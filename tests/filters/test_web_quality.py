"""The web quality rules: every drop reason, prose-only judging, per-language scope."""

import pytest
from datatrove.data import Document

from mellum_data.filters.gopher import CJK_WORD_CHARS, TOP_N_GRAMS, repetition_reason
from mellum_data.filters.web_quality import (
    C4Quality,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    ScriptWordTokenizer,
)

PROSE = [
    "The river flooded the lower part of the village after three days of heavy rain.",
    "Volunteers filled sandbags and stacked them along the main street to protect the shops.",
    "Most families moved their furniture upstairs and waited for the water to recede.",
    "The mayor asked the regional government for help with the repairs to the old bridge.",
    "Engineers inspected the foundations and found that two of the pillars had cracked.",
    "A temporary crossing was built downstream so that the school buses could keep running.",
    "Farmers lost part of their harvest, but the insurance covered most of the damage.",
    "The local paper printed a map of the flooded streets and of the shelters that were open.",
    "Several students organised a concert to raise money for the families who lost their homes.",
    "By the end of the month the water had gone down and the cleaning work could begin.",
    "Experts say that the new dams upstream should prevent a similar flood in the future.",
    "The village plans to hold a festival next summer to thank everyone who helped.",
]
ARTICLE = "\n\n".join(" ".join(PROSE[i : i + 2]) for i in range(0, len(PROSE), 2))

CODE = "\n".join(
    [
        "```c",
        "#include <stdio.h>",
        "",
        "int main(void) {",
        *[f"    int x{i} = {i};" for i in range(20)],
        '    printf("%d\\n", x0);',
        "    return 0;",
        "}",
        "```",
    ]
)
TUTORIAL = "\n\n".join(
    [
        "Declaring variables in C",
        " ".join(PROSE[:4]),
        CODE,
        " ".join(PROSE[4:8]),
    ]
)

CHINESE = (
    "市立图书馆在经过一年的翻修之后，于本周一重新向公众开放。新的阅览室比原来宽敞了许多，"
    "还增加了专门为儿童设计的阅读区域。\n\n馆长在开放仪式上表示，图书馆希望成为市民学习和交流的"
    "场所，而不仅仅是借书和还书的地方。今后每个周末都会举办讲座和读书会，内容涉及历史、科学和"
    "文学等多个领域。\n\n此外，图书馆还延长了开放时间，工作日晚上也可以前来阅读。许多市民对此"
    "表示欢迎，认为这些变化让图书馆变得更加方便和舒适。"
)

GERMAN = (
    "Die Stadtverwaltung hat am Dienstag beschlossen, die alte Brücke über den Fluss im nächsten "
    "Frühjahr abzureißen und durch einen Neubau zu ersetzen. Die Arbeiten sollen ungefähr zwei "
    "Jahre dauern und werden von einem Unternehmen aus der Region ausgeführt.\n\nWährend der "
    "Bauzeit wird der Verkehr über eine provisorische Brücke geleitet, die etwa hundert Meter "
    "flussabwärts errichtet wird. Für Fußgänger und Radfahrer gibt es eine eigene Spur, damit die "
    "Schulkinder sicher zur anderen Seite gelangen. Die Kosten werden auf rund zwölf Millionen "
    "Euro geschätzt, von denen das Land einen großen Teil übernimmt."
)


def doc(text: str, lang: str = "en") -> Document:
    return Document(text=text, id="t", metadata={"lang": lang})


def test_tokenizer_keeps_identifiers_and_splits_cjk():
    words = ScriptWordTokenizer().word_tokenize(
        "Call print_tb() on __cause__, then 打印Python代码。"
    )
    assert words == [
        "Call",
        "print_tb",
        "on",
        "__cause__",
        "then",
        "打",
        "印",
        "Python",
        "代",
        "码",
        "。",
    ]
    sentences = ScriptWordTokenizer().sent_tokenize("One. „Two!“ 三。四")
    assert sentences == ["One.", "„Two!“", "三。", "四"]


ALL = [GopherRepetition(), GopherQuality(), C4Quality(), FineWebQuality()]


@pytest.mark.parametrize("text", [ARTICLE, TUTORIAL], ids=["article", "tutorial"])
def test_good_pages_pass_every_rule(text):
    assert [f.filter(doc(text)) for f in ALL] == [True] * 4


def test_code_is_judged_out_of_the_prose():
    # The same tutorial judged with its code fails FineWeb's line rules and Gopher's ratios.
    assert FineWebQuality(prose_only=False).filter(doc(TUTORIAL)) == (
        False,
        "fineweb_quality_line_punct_ratio",
    )
    assert GopherQuality(prose_only=False).filter(doc(TUTORIAL)) == (
        False,
        "gopher_quality_below_alpha_threshold",
    )


def test_c4_decides_without_rewriting():
    d = doc(TUTORIAL)
    assert C4Quality().filter(d) is True
    assert d.text == TUTORIAL
    # FineWeb's settings (curly-bracket rule, no terminal-punctuation rule) drop the page.
    strict = C4Quality(prose_only=False, filter_curly_bracket=True, filter_no_terminal_punct=False)
    assert strict.filter(doc(TUTORIAL)) == (False, "c4_quality_curly_bracket")


def test_cjk_and_german_pages_pass():
    assert [f.filter(doc(CHINESE, "zh")) for f in ALL] == [True] * 4
    assert [f.filter(doc(GERMAN, "de")) for f in ALL] == [True] * 4
    # With English stop words, German prose fails Gopher's stop-word rule.
    english_only = GopherQuality(stop_words={"de": ["the", "be", "to", "of", "and", "that"]})
    assert english_only.filter(doc(GERMAN, "de")) == (False, "gopher_quality_enough_stop_words")
    # A language without a stop-word list skips that rule.
    assert GopherQuality(stop_words={}).filter(doc(GERMAN, "de")) is True


def test_c4_counts_lines_ending_in_typographic_quotes():
    quoted = [f"„{sentence}“" for sentence in PROSE[:5]]
    assert C4Quality().filter(doc(lines(*quoted), "de")) is True
    assert C4Quality().filter(doc(lines(*quoted[:4]), "de")) == (
        False,
        "c4_quality_too_few_sentences",
    )


def test_languages_scope():
    c4 = C4Quality(languages=["en"])
    assert c4.filter(doc("Too short.", "zh")) is True
    assert c4.stats["skipped_language"].total == 1
    assert c4.filter(doc("Too short.", "en")) == (False, "c4_quality_too_few_sentences")


def lines(*items: str) -> str:
    return "\n".join(items)


SPAM = "\n\n".join(["Buy cheap shoes online today with free shipping."] * 6 + PROSE[:3])
WORDY = " ".join(PROSE)
CASES = [
    (GopherRepetition(), SPAM, "gopher_repetition_dup_para_frac"),
    (
        GopherRepetition(dup_para_frac=None, dup_para_char_frac=None),
        lines(*(["Click here to subscribe."] * 5 + PROSE[:6])),
        "gopher_repetition_dup_line_frac",
    ),
    (
        GopherRepetition(dup_para_frac=None, dup_para_char_frac=None, dup_line_frac=None),
        lines(*(["Click here to subscribe to our newsletter now."] * 8 + PROSE[:6])),
        "gopher_repetition_dup_line_char_frac",
    ),
    (
        GopherRepetition(dup_line_char_frac=None, dup_para_char_frac=None),
        " ".join(["cheap shoes"] * 20 + PROSE[:2]),
        "gopher_repetition_top_2_gram",
    ),
    (
        GopherRepetition(top_n_grams=[]),
        " ".join(PROSE[:3] * 2 + PROSE[3:6]),
        "gopher_repetition_duplicated_5_n_grams",
    ),
    (
        GopherRepetition(dup_para_frac=None),
        "\n\n".join([" ".join(PROSE[:5])] * 2 + PROSE[5:9]),
        "gopher_repetition_dup_para_char_frac",
    ),
    (GopherQuality(), " ".join(PROSE[:2]), "gopher_quality_short_doc"),
    (GopherQuality(max_doc_words=100), WORDY, "gopher_quality_long_doc"),
    (
        GopherQuality(),
        WORDY + " " + " ".join(["a b c d e f g h i j of to the"] * 20),
        "gopher_quality_below_avg_threshold",
    ),
    (
        GopherQuality(),
        " ".join(["incomprehensibilities internationalization characterization the of"] * 20),
        "gopher_quality_above_avg_threshold",
    ),
    (GopherQuality(), WORDY + " #tag" * 25, "gopher_quality_too_many_hashes"),
    (GopherQuality(), WORDY + " and so on..." * 40, "gopher_quality_too_many_ellipsis"),
    (
        GopherQuality(),
        lines(*(f"- {sentence}" for sentence in PROSE)),
        "gopher_quality_too_many_bullets",
    ),
    (
        GopherQuality(max_symbol_word_ratio=None),
        lines(*(f"{sentence[:-1]}..." for sentence in PROSE)),
        "gopher_quality_too_many_end_ellipsis",
    ),
    (GopherQuality(), WORDY + " 1 2 3 4 5 6 7 8 9" * 8, "gopher_quality_below_alpha_threshold"),
    (
        GopherQuality(),
        " ".join(w for w in WORDY.split() if w.lower() not in {"the", "to", "of", "and", "that"}),
        "gopher_quality_enough_stop_words",
    ),
    (C4Quality(), WORDY + " Lorem ipsum dolor sit amet.", "c4_quality_lorem_ipsum"),
    (C4Quality(), lines(*PROSE[:4]), "c4_quality_too_few_sentences"),
    (
        C4Quality(filter_curly_bracket=True),
        WORDY + " Write {name} in braces.",
        "c4_quality_curly_bracket",
    ),
    (
        FineWebQuality(),
        lines(*(s.rstrip(".") + " and more words here" for s in PROSE)),
        "fineweb_quality_line_punct_ratio",
    ),
    (
        FineWebQuality(),
        lines(*PROSE[:3], *(f"Item number {i}." for i in range(10))),
        "fineweb_quality_short_line_ratio",
    ),
    (FineWebQuality(), lines(*PROSE, PROSE[0]), "fineweb_quality_char_dup_ratio"),
    (
        FineWebQuality(short_line_thr=None, char_duplicates_ratio=None),
        lines(*PROSE[:3], *(f"Step {i}." for i in range(30))),
        "fineweb_quality_list_ratio",
    ),
]


@pytest.mark.parametrize("flt,text,reason", CASES, ids=[c[2] for c in CASES])
def test_drop_reasons(flt, text, reason):
    assert flt.filter(doc(text)) == (False, reason)


def test_repetition_ignores_case():
    # Stuffed keywords vary their case; each spelling alone stays under the 20% rule.
    stuffed = " ".join(["Fast loans", "fast loans", "FAST LOANS", "Fast Loans"] * 5 + PROSE[:3])
    assert GopherRepetition().filter(doc(stuffed)) == (False, "gopher_repetition_top_2_gram")


JAPANESE = (
    "リベースは、あるブランチのコミットを別のブランチの先頭に付け替える操作です。マージと同じく二つの"
    "ブランチの変更をまとめるために使いますが、履歴の形が大きく異なります。マージは合流のコミットを作る"
    "のに対して、リベースは履歴を一本の直線にします。\n\n"
    "作業用のブランチを最新のメインブランチに追従させるには、次のように実行します。\n\n"
    "途中で競合が起きた場合は、ファイルを修正してからインデックスに追加し、リベースを続行します。"
    "やり直したいときは中止のオプションを使えば、リベースを始める前の状態に戻ります。\n\n"
    "注意すべき点は、リベースがコミットを作り直すということです。すでに他の人と共有しているブランチを"
    "リベースすると、相手の手元の履歴と食い違ってしまいます。共有済みのブランチではリベースを避け、"
    "自分だけの作業ブランチで使うようにしましょう。\n\n"
    "対話的なリベースを使うと、コミットをまとめたり順番を入れ替えたりすることもできます。"
    "プルリクエストを出す前に履歴を整理しておくと、レビューする人がとても読みやすくなります。"
)


def test_cjk_ngrams_span_two_characters_per_word():
    # Character 5-grams ("ブランチの") repeat in ordinary Japanese prose.
    assert GopherRepetition().filter(doc(JAPANESE, "ja")) is True
    assert GopherRepetition().filter(doc(JAPANESE, "en")) == (
        False,
        "gopher_repetition_duplicated_5_n_grams",
    )
    stuffed = "，".join(["减肥茶哪个牌子好"] * 12 + ["最好的减肥茶排行榜"]) + "。"
    assert GopherRepetition().filter(doc(stuffed, "zh")) == (False, "gopher_repetition_top_2_gram")


def test_fineweb_ignores_repeated_short_lines():
    # A table of contents repeats the heading; the 1% rule would drop the page for it.
    page = lines("3. Pointers and arrays", "4. Structures", "", "3. Pointers and arrays", *PROSE)
    assert FineWebQuality().filter(doc(page)) is True
    assert FineWebQuality(ignore_short_duplicates=False).filter(doc(page)) == (
        False,
        "fineweb_quality_char_dup_ratio",
    )


def test_top_ngram_rule_needs_a_repeat():
    # In a 60-character page any single 2-gram is above 20%; nothing repeats here.
    short = "We will be back soon, after some maintenance on the servers."
    assert GopherRepetition().filter(doc(short)) is True
    assert GopherQuality().filter(doc(short)) == (False, "gopher_quality_short_doc")


def _top_ngram_reference(text, words, rules, scale, sep):
    """The top n-gram rules counted in full for every n (no bound), in the given order."""
    from collections import Counter

    words = [w.lower() for w in words]
    for n, frac in rules:
        k = n * scale
        grams = Counter(zip(*(words[i:] for i in range(k))))
        if grams:
            gram, count = grams.most_common(1)[0]
            if count >= 2 and (sum(map(len, gram)) + sep * (k - 1)) * count / len(text) > frac:
                return f"top_{n}_gram"
    return None


@pytest.mark.parametrize(
    "rules", [TOP_N_GRAMS, ((4, 0.16), (2, 0.2), (3, 0.18)), ((2, 0.05), (3, 0.04), (4, 0.03))]
)
def test_top_ngram_bound_never_changes_a_decision(rules):
    import random

    rng = random.Random(7)
    vocab = ["alpha", "be", "c", "delta", "echo", "fast", "loans", "the", "of", "supercharged"]
    fired = set()
    for _ in range(1500):
        picked = vocab[: rng.randint(2, len(vocab))]
        text = " ".join(rng.choice(picked) for _ in range(rng.randint(1, 80)))
        words = text.split()
        for character_words, (scale, sep) in ((False, (1, 1)), (True, (CJK_WORD_CHARS, 0))):
            got = repetition_reason(
                text,
                words,
                character_words=character_words,
                top_n_grams=rules,
                dup_para_frac=None,
                dup_para_char_frac=None,
                dup_line_frac=None,
                dup_line_char_frac=None,
                dup_n_grams=(),
            )
            assert got == _top_ngram_reference(text, words, rules, scale, sep)
            fired.add(got)
    assert None in fired and len(fired) >= 3  # passes and at least two different rules


WORD_CASES = [
    "Call print_tb() — or «traceback.print_exc()» — then ... see ‘notes’ (p. 3) !!",
    "市立图书馆在经过一年的翻修之后，于本周一重新向公众开放。Use `pip install x` here.",
    "- item one\n- item two … \n\n# heading ## ### ,,, ;;; ''' 42 3.14 x86_64",
]


@pytest.mark.parametrize("text", WORD_CASES)
def test_word_counts_and_ratios_match_the_per_word_definitions(text):
    from datatrove.utils.text import PUNCTUATION_SET

    from mellum_data.filters.gopher import quality_reason
    from mellum_data.filters.web_quality import _EDGE_PUNCTUATION, _TOKEN, count_words

    punct = "".join(PUNCTUATION_SET) + _EDGE_PUNCTUATION
    tokens = [t.strip(_EDGE_PUNCTUATION) or t for t in _TOKEN.findall(text)]
    assert count_words(text) == sum(1 for w in tokens if w.strip(punct))
    words = ScriptWordTokenizer().word_tokenize(text)
    assert words == tokens
    # quality_reason's regexes over the joined words give the per-word average and ratio.
    counted = [w for w in words if w.strip("".join(PUNCTUATION_SET))]
    avg = sum(map(len, counted)) / len(counted)
    alpha = sum(1 for w in words if any(c.isalpha() for c in w)) / len(words)
    assert quality_reason(text, words, min_avg_word_length=avg + 1e-9) == "below_avg_threshold"
    assert quality_reason(text, words, min_avg_word_length=avg, max_avg_word_length=avg) != (
        "below_avg_threshold"
    )
    off = dict(min_avg_word_length=None, max_avg_word_length=None, max_symbol_word_ratio=None)
    off |= dict(max_bullet_lines_ratio=None, max_ellipsis_lines_ratio=None, min_stop_words=None)
    assert quality_reason(text, words, max_non_alpha_words_ratio=alpha + 1e-9, **off) == (
        "below_alpha_threshold"
    )
    assert quality_reason(text, words, max_non_alpha_words_ratio=alpha, **off) is None


def test_c4_page_rules_still_fire_after_enough_sentences():
    # The scan stops once five sentences are counted, unless a page rule can still fire.
    late = lines(*PROSE, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.")
    assert C4Quality().filter(doc(late)) == (False, "c4_quality_lorem_ipsum")
    braces = lines(*PROSE, "Write the name as {name} in the template file.")
    assert C4Quality(filter_curly_bracket=True).filter(doc(braces)) == (
        False,
        "c4_quality_curly_bracket",
    )
    assert C4Quality(filter_curly_bracket=False).filter(doc(braces)) is True


def test_filters_in_batches_decide_as_one_by_one():
    from mellum_data.filters.lean import in_batches

    texts = [ARTICLE, TUTORIAL, GERMAN] + [text for _, text, _ in CASES]
    langs = ["en", "en", "de"] + ["en"] * len(CASES)

    def run(size: int) -> list:
        docs = [
            Document(text=t, id=str(i), metadata={"lang": lang})
            for i, (t, lang) in enumerate(zip(texts, langs, strict=True))
        ]
        chain = in_batches(
            [GopherRepetition(), GopherQuality(), C4Quality(), FineWebQuality()], size
        )
        pipeline = iter(docs)
        for step in chain:
            pipeline = step.run(pipeline)
        kept = [d.id for d in pipeline]
        drops = {
            (step.name, key, stat.total)
            for step in chain
            for key, stat in step.stats.stats.items()
            if key.startswith("dropped_")
        }
        return kept, drops

    one, batched = run(1), run(4)
    assert batched == one
    assert one[0][:3] == ["0", "1", "2"]  # the good pages
    assert len(one[1]) >= 5  # several rules fired

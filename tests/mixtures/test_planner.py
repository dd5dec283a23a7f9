import json
from pathlib import Path

import pytest

from mellum_data.errors import DataError, InputError
from mellum_data.mixtures.planner import make_plan, split_integer
from mellum_data.mixtures.spec import load_mixture


@pytest.fixture
def sources(tmp_path: Path, make_source) -> Path:
    """web: 10 x 100 tokens (tiers high on 0, 3, 6, 9); code: 10 x 50 (6 python, 4 go);
    math: 4 x 25."""
    web = [{"tokens": 100, "quality_tier": "high" if i % 3 == 0 else "low"} for i in range(10)]
    code = [{"tokens": 50, "kind": "code", "lang": "python" if i < 6 else "go"} for i in range(10)]
    make_source(tmp_path / "tokens" / "web", "web", web, docs_per_shard=4)
    make_source(tmp_path / "tokens" / "code", "code", code)
    make_source(tmp_path / "tokens" / "math", "math", [{"tokens": 25}] * 4)
    return tmp_path


def spec(root: Path, body: str, sources: str = ""):
    text = (
        "sources:\n"
        "  web: {path: tokens/web}\n"
        "  code: {path: tokens/code, max_epochs: 2}\n"
        "  math: {path: tokens/math}\n" + sources + body
    )
    (root / "mix.yaml").write_text(text)
    return load_mixture(root / "mix.yaml")


def test_split_integer_is_exact() -> None:
    assert split_integer(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert split_integer(900, {"a": 2, "b": 1}) == {"a": 600, "b": 300}
    assert (
        sum(split_integer(6_180_000_000_000, {"w": 70, "c": 23, "m": 6}).values())
        == 6_180_000_000_000
    )


def test_requested_tokens_and_cumulative_epochs(sources: Path) -> None:
    plan = make_plan(
        spec(
            sources,
            "phases:\n"
            "  - {name: p1, tokens: 900, weights: {web: 2, code: 1}}\n"
            "  - {name: p2, tokens: 1000, weights: {web: 1, code: 1, math: 0.5}}\n",
        )
    )
    avail = {s: (a.tokens, a.documents, a.max_epochs) for s, a in plan.sources.items()}
    assert avail == {"web": (1000, 10, 4), "code": (500, 10, 2), "math": (100, 4, 4)}
    p1, p2 = plan.phases
    assert {s: sp.requested_tokens for s, sp in p1.sources.items()} == {"web": 600, "code": 300}
    assert {s: sp.requested_tokens for s, sp in p2.sources.items()} == {
        "web": 400,
        "code": 400,
        "math": 200,
    }
    assert p2.sources["web"].epochs_before == pytest.approx(0.6)
    assert p2.sources["web"].epochs_after == pytest.approx(1.0)
    assert p2.sources["code"].epochs_after == pytest.approx(1.4)
    assert plan.warnings == [
        "phase p2: source code repeats: epochs 0.60 -> 1.40",
        "phase p2: source math repeats (within this phase): epochs 0.00 -> 2.00",
    ]
    as_json = json.loads(json.dumps(plan.to_dict()))
    assert as_json["phases"][1]["sources"]["math"]["share"] == pytest.approx(0.2)
    table = plan.table()
    assert "phase 2/2 p2: 1,000 tokens, no FIM" in table
    assert "  math               20.00%         200      0.00 -> 2.00" in table.splitlines()


def test_exhaustion_message(sources: Path) -> None:
    mix = spec(
        sources,
        "phases:\n"
        "  - {name: p1, tokens: 900, weights: {web: 2, code: 1}}\n"
        "  - {name: p2, tokens: 2000, weights: {web: 1, code: 1}}\n",
    )
    with pytest.raises(DataError) as err:
        make_plan(mix)
    assert str(err.value) == (
        f"{sources / 'mix.yaml'}:7: phase 'p2': source 'code' cannot supply 1,000 tokens within "
        "its cap of 2 epochs: it has 500 unique tokens and earlier phases used 300, so it would "
        "reach 2.60 epochs (short by 300 tokens). It fits with phases[1].tokens <= 1,400, or "
        "weights.code <= 0.5385 (now 1), or sources.code.max_epochs >= 2.6"
    )


def test_tier_selection_and_groups(sources: Path) -> None:
    plan = make_plan(
        spec(
            sources,
            "groups:\n  all_code: [py, go]\n"
            "phases:\n  - {name: p1, tokens: 1000, weights: {web_hq: 1, all_code: 1}}\n",
            sources="  web_hq: {path: tokens/web, select: {quality_tier: [high]}}\n"
            "  py: {path: tokens/code, select: {lang: [python]}}\n"
            "  go: {path: tokens/code, exclude: {lang: [python]}}\n",
        )
    )
    assert plan.sources["web_hq"].tokens == 400 and plan.sources["web_hq"].documents == 4
    assert (plan.sources["py"].tokens, plan.sources["go"].tokens) == (300, 200)
    req = {s: sp.requested_tokens for s, sp in plan.phases[0].sources.items()}
    # The group's half is split in proportion to the members' tokens (300 : 200).
    assert req == {"web_hq": 500, "py": 300, "go": 200}
    assert plan.phases[0].sources["py"].key == "all_code"
    both = "with overlapping selections: a document may be drawn by both"
    assert plan.warnings == [
        "phase p1: source web_hq repeats (within this phase): epochs 0.00 -> 1.25",
        f"sources web and web_hq read the same folder {sources / 'tokens' / 'web'} {both}",
        f"sources code and py read the same folder {sources / 'tokens' / 'code'} {both}",
        f"sources code and go read the same folder {sources / 'tokens' / 'code'} {both}",
    ]


def test_exact_tokens_per_source_and_tokenizer_check(sources: Path) -> None:
    plan = make_plan(
        spec(sources, "phases:\n  - {name: p1, tokens_per_source: {web: 123, math: 7}}\n")
    )
    assert plan.phases[0].tokens == 130
    assert {s: sp.requested_tokens for s, sp in plan.phases[0].sources.items()} == {
        "web": 123,
        "math": 7,
    }
    mix = spec(
        sources, "tokenizer: sha256:ffff\nphases:\n  - {name: p1, tokens: 10, weights: {web: 1}}\n"
    )
    with pytest.raises(
        DataError,
        match="sources are tokenized with sha256:0123456789abcdef, the spec expects sha256:ffff",
    ):
        make_plan(mix)


def test_missing_source_folder_is_named(sources: Path) -> None:
    mix = spec(sources, "phases:\n  - {name: p1, tokens: 10, weights: {web: 1}}\n")
    mix.sources["web"].path = str(sources / "tokens")
    with pytest.raises(
        InputError, match="no counts.json .* holds tokenized sources code, math, web"
    ):
        make_plan(mix)


def test_phase_hashes_cover_earlier_phases_sources_and_data(sources: Path, make_source) -> None:
    body = (
        "phases:\n"
        "  - {name: p1, tokens: 300, weights: {web: 2, code: 1}}\n"
        "  - {name: p2, tokens: 300, weights: {web: 1, code: 1}}\n"
        "  - {name: p3, tokens: 100, weights: {math: 1}}\n"
    )
    base = [p.sha256 for p in make_plan(spec(sources, body)).phases]
    assert len(set(base)) == 3
    edited = body.replace("{web: 1, code: 1}", "{web: 1, code: 2}")
    p2 = [p.sha256 for p in make_plan(spec(sources, edited)).phases]
    assert p2[0] == base[0] and p2[1] != base[1] and p2[2] != base[2]
    seed = [p.sha256 for p in make_plan(spec(sources, "seed: 5\n" + body)).phases]
    assert not set(seed) & set(base)
    # Other data in a source folder changes every phase.
    make_source(sources / "tokens" / "math", "math", [{"tokens": 25}] * 5)
    assert not {p.sha256 for p in make_plan(spec(sources, body)).phases} & set(base)


def test_rehydration_without_the_cluster_column_counts_each_document_once(sources: Path) -> None:
    plan = make_plan(
        spec(
            sources,
            "phases:\n  - {name: p1, tokens: 100, weights: {web_r: 1}}\n",
            sources="  web_r: {path: tokens/web, rehydrate: {copies: {2: 5}}}\n",
        )
    )
    assert (plan.sources["web_r"].tokens, plan.sources["web_r"].documents) == (1000, 10)

"""The fastText quality classifier: training from jsonl / parquet / text files, scoring,
tiers by thresholds and percentiles, and the classifier inside the web pipeline."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from mellum_data.errors import DataError, InputError
from mellum_data.filters.quality_classifier import (
    QualityModel,
    QualityScorer,
    QualityTier,
    classifier_text,
)
from mellum_data.pipelines.quality import (
    TierConfig,
    Tiers,
    percentile_thresholds,
    read_examples,
    train_quality_classifier,
)
from quality_examples import BAD, GOOD, SMALL  # tests/quality_examples.py


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("quality")
    (folder / "good.jsonl").write_text("".join(json.dumps({"body": t}) + "\n" for t in GOOD[:6]))
    pq.write_table(pa.table({"body": GOOD[6:]}), folder / "good.parquet")
    (folder / "bad.txt").write_text("\n".join(BAD) + "\n")
    out = str(folder / "models" / "quality.bin")
    report = train_quality_classifier(
        [str(folder / "good.jsonl"), str(folder / "good.parquet")],
        [str(folder / "bad.txt")],
        out,
        text_key="body",
        **SMALL,
    )
    assert report["examples"] == {"positive": 12, "negative": 12, "validation": 0}
    assert json.loads((folder / "models" / "quality.bin.json").read_text()) == report
    return out


def test_scores_separate_good_from_bad(model):
    m = QualityModel(model)
    good = m.score("The function returns the value for the key, or a default when it is missing.")
    bad = m.score("cheap deals buy now free spins casino bonus limited offer click here")
    assert 0 <= bad < 0.5 < good <= 1


def test_validation_accuracy_is_reported(tmp_path):
    (tmp_path / "good.txt").write_text("\n".join(GOOD * 2))
    (tmp_path / "bad.txt").write_text("\n".join(BAD * 2))
    params = {**SMALL, "validation": 0.25}
    report = train_quality_classifier(
        [str(tmp_path / "good.txt")], [str(tmp_path / "bad.txt")], str(tmp_path / "m.bin"), **params
    )
    assert report["examples"]["validation"] == 12
    assert report["validation_accuracy"] >= 0.9


def test_balance_downsamples_the_larger_side(tmp_path):
    (tmp_path / "good.txt").write_text("\n".join(GOOD))
    (tmp_path / "bad.txt").write_text("\n".join(BAD[:4]))
    good, bad = str(tmp_path / "good.txt"), str(tmp_path / "bad.txt")
    report = train_quality_classifier([good], [bad], str(tmp_path / "m.bin"), **SMALL)
    assert report["examples"]["positive"] == 4
    report = train_quality_classifier(
        [good], [bad], str(tmp_path / "m.bin"), balance=False, **SMALL
    )
    assert report["examples"]["positive"] == 12


def test_training_input_errors(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"text": "ok"}\n["not an object"]\n')
    (tmp_path / "empty.txt").write_text("\n")
    (tmp_path / "good.txt").write_text("a\n")
    with pytest.raises(DataError, match=r"bad.jsonl:2: not a JSON object"):
        read_examples([str(tmp_path / "bad.jsonl")])
    with pytest.raises(DataError, match=r"bad.jsonl:1: no text field 'body'"):
        read_examples([str(tmp_path / "bad.jsonl")], text_key="body")
    with pytest.raises(DataError, match="no negative examples"):
        train_quality_classifier(
            [str(tmp_path / "good.txt")], [str(tmp_path / "empty.txt")], str(tmp_path / "m.bin")
        )
    with pytest.raises(InputError, match="input not found"):
        read_examples([str(tmp_path / "missing.jsonl")])


def test_scorer_writes_the_score_and_drops_below_min_score(model):
    scorer = QualityScorer(model, score_name="dclm", min_score=0.5)
    good = Document(text=GOOD[0], id="g", metadata={})
    bad = Document(text=BAD[0], id="b", metadata={})
    assert scorer.filter(good) is True and good.metadata["score_dclm"] > 0.5
    assert scorer.filter(bad) == (False, "quality_classifier_low_score")
    assert bad.metadata["score_dclm"] < 0.5


def test_tiers_from_thresholds():
    tier = QualityTier(score_key="score_q", high=0.8, medium=0.4)
    docs = [Document(text="x", id=str(s), metadata={"score_q": s}) for s in (0.9, 0.8, 0.5, 0.1)]
    assert all(tier.filter(d) is True for d in docs)
    assert [d.metadata["quality_tier"] for d in docs] == ["high", "high", "medium", "low"]
    unscored = Document(text="x", id="u", metadata={})
    assert tier.filter(unscored) is True and "quality_tier" not in unscored.metadata
    with pytest.raises(ValueError, match="medium"):
        QualityTier(score_key="s", high=0.2, medium=0.5)


def test_percentile_thresholds():
    scores = [i / 100 for i in range(101)]
    assert percentile_thresholds(scores, Tiers(high=80, medium=40)) == Tiers(high=0.8, medium=0.4)
    with pytest.raises(DataError, match="no document in the sample"):
        percentile_thresholds([], Tiers(high=80, medium=40))
    with pytest.raises(ValueError, match="between 0 and 100"):
        TierConfig(percentiles={"high": 120, "medium": 40})


def test_classifier_text_is_one_line():
    assert classifier_text("a\n\nb\tc  d", max_chars=6) == "a b c"

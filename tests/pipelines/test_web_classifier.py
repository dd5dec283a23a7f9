"""The quality classifier in the web pipeline: ``score_<name>``, ``quality_tier`` from given
thresholds or from percentiles of a sample, drops below ``min_score`` under removed/."""

import json
from pathlib import Path

import polars as pl
import pytest

from mellum_data.errors import InputError
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.quality import train_quality_classifier
from mellum_data.pipelines.web import WebConfig, run_web
from quality_examples import BAD, GOOD, SMALL

# The heuristics and LID are off: these one-line documents only need a score.
PLAIN = {
    "reader": {"content": "text"},
    "language": {"languages": None, "min_score": None, "min_score_per_language": {}},
    "quality": {
        name: {"enabled": False}
        for name in ("gopher_repetition", "gopher_quality", "c4", "fineweb")
    },
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web_classifier")
    (folder / "good.txt").write_text("\n".join(GOOD))
    (folder / "bad.txt").write_text("\n".join(BAD))
    model = str(folder / "quality.bin")
    train_quality_classifier([str(folder / "good.txt")], [str(folder / "bad.txt")], model, **SMALL)
    rows = [{"id": f"g{i}", "text": t} for i, t in enumerate(GOOD)]
    rows += [{"id": f"b{i}", "text": t} for i, t in enumerate(BAD)]
    (folder / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder, model


def run(folder: Path, name: str, **sections) -> tuple[pl.DataFrame, Path]:
    config = WebConfig.model_validate({**PLAIN, **sections})
    out = folder / name
    run_web([str(folder / "docs.jsonl")], str(out), config, Execution())
    return pl.read_parquet(out / "web" / "*.parquet"), out


def tiers(kept: pl.DataFrame) -> dict[str, str]:
    return {row["id"]: row["metadata"]["quality_tier"] for row in kept.iter_rows(named=True)}


def test_tiers_from_percentiles_of_the_inputs(setup):
    folder, model = setup
    kept, out = run(folder, "percentiles", classifier={"model": model})
    assert len(kept) == 24
    recorded = json.loads((out / "logs" / "web" / "quality_tiers.json").read_text())
    assert recorded["score_key"] == "score_quality"
    for row in kept.iter_rows(named=True):
        score, tier = row["metadata"]["score_quality"], row["metadata"]["quality_tier"]
        expected = (
            "high"
            if score >= recorded["high"]
            else "medium"
            if score >= recorded["medium"]
            else "low"
        )
        assert tier == expected
    counts = dict(kept["metadata"].struct.field("quality_tier").value_counts().iter_rows())
    # The 80th and 40th percentiles of 24 scores (ties and interpolation move one document).
    assert counts["high"] == 5 and 9 <= counts["low"] <= 10
    # Good documents score above bad ones: the 5 high and none of the low are good.
    assert {tiers(kept)[f"web/g{i}"] for i in range(12)} == {"high", "medium"}


def test_tiers_from_given_thresholds_and_from_sample_files(setup):
    folder, model = setup
    kept, _ = run(
        folder, "given", classifier={"model": model}, tiers={"thresholds": {"high": 2, "medium": 0}}
    )
    assert set(tiers(kept).values()) == {"medium"}
    # Percentiles of a sample of bad documents only: every good document is high.
    kept, out = run(
        folder, "sample", classifier={"model": model}, tiers={"sample": [str(folder / "bad.txt")]}
    )
    assert {tiers(kept)[f"web/g{i}"] for i in range(12)} == {"high"}
    assert json.loads((out / "logs" / "web" / "quality_tiers.json").read_text())["high"] < 0.5


def test_min_score_drops_under_removed(setup):
    folder, model = setup
    kept, out = run(
        folder,
        "min_score",
        classifier={"model": model, "name": "dclm", "min_score": 0.5},
        tiers={"enabled": False},
    )
    assert sorted(kept["id"]) == sorted(f"web/g{i}" for i in range(12))
    assert "quality_tier" not in kept.schema["metadata"].to_schema()
    removed = pl.read_parquet(out / "removed" / "quality_classifier" / "*.parquet")
    assert len(removed) == 12
    assert set(removed["metadata"].struct.field("drop_reason")) == {"quality_classifier_low_score"}
    assert all(s < 0.5 for s in removed["metadata"].struct.field("score_dclm"))


def test_no_model_no_scores_and_missing_model_fails_early(setup):
    folder, _ = setup
    kept, _ = run(folder, "plain")
    assert "score_quality" not in kept.schema["metadata"].to_schema()
    with pytest.raises(InputError, match="nope.bin: classifier model not found"):
        run(folder, "missing", classifier={"model": str(folder / "nope.bin")})

"""Golden end-to-end test: the demo flow on the built-in sample, every stage real."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mellum_data.demo import run_demo
from mellum_data.filters.url import normalize_url
from mellum_data.stats import summarize, verify_tree


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    report = run_demo(
        str(out), train_overrides=["data.max_steps_per_phase=6", "log_every=3"], log=lines.append
    )
    return out, report, "\n".join(lines)


def cli(*args):
    r = subprocess.run(
        [sys.executable, "-m", "mellum_data", *args], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def sha_tree(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name.endswith((".ds", ".ds.index", ".ds.docs.parquet"))
    }


def test_every_sample_document_is_accounted_for(demo):
    out, _, _ = demo
    labels = json.loads((out / "sample" / "sample.json").read_text())
    st = summarize(str(out / "clean"))["stages"]
    junk = sum(1 for p in labels["web"] if p["label"].startswith("junk:"))
    # Two pages repeat another page's URL once tracking parameters are dropped: edited copies
    # re-posted under the original address plus "?utm_source=newsletter&utm_medium=email"
    # (sample/web.py, duplicates()). URL dedup keeps whichever the web stage reads first.
    repeats = len(labels["web"]) - len({normalize_url(p["url"]) for p in labels["web"]})
    assert repeats == 2
    assert st["web"]["documents_in"] == len(labels["web"])
    # The sample's junk pages and URL repeats are all removed; every other page is kept.
    assert st["web"]["documents_removed"] == junk + repeats
    assert st["web"]["documents_kept"] == len(labels["web"]) - junk - repeats
    code_files = [p for p in (out / "sample" / "code").rglob("*") if p.is_file()]
    assert st["code"]["documents_in"] == len(code_files)
    math_files = [p for p in (out / "sample" / "math").rglob("*") if p.is_file()]
    assert st["math"]["documents_in"] == len(math_files)
    assert st["math"]["documents_removed"] == sum(1 for d in labels["math"] if not d["is_math"])


def test_dedup_collapses_the_planted_near_duplicates(demo):
    out, _, _ = demo
    labels = json.loads((out / "sample" / "sample.json").read_text())
    articles = sum(1 for p in labels["web"] if p["label"] == "article")
    dedup = summarize(str(out / "dedup"))["stages"]["."]
    assert dedup["kept"]["web"]["documents"] == articles


def test_three_phases_with_manifests_that_verify(demo):
    out, report, log = demo
    phases = sorted(p.name for p in (out / "mix").iterdir() if (p / "manifest.json").exists())
    assert phases == ["phase1", "phase2", "phase3"]
    # demo.yaml: 180K / 81K / 49K tokens in shards of at most 50K tokens
    assert verify_tree(str(out / "mix")) == {"phase1": 4, "phase2": 2, "phase3": 1}
    for name in phases:
        m = json.loads((out / "mix" / name / "manifest.json").read_text())
        for src, info in m["sources"].items():
            assert abs(info["share"] - info["planned_share"]) <= 0.005, (name, src)
    shares = {
        name: {
            s: round(v["share"])
            for s, v in summarize(str(out / "mix"))["phases"][name]["sources"].items()
        }
        for name in phases
    }
    assert shares == {
        "phase1": {"web": 71, "code": 23, "math": 6},
        "phase2": {"web": 44, "code": 42, "math": 14},
        "phase3": {"web": 23, "code": 59, "math": 18},
    }
    assert (out / "stats" / "phases.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "phases" in log and "phase3  (total)" in log


def test_training_runs_through_the_phases_in_order(demo):
    out, report, log = demo
    records = [json.loads(x) for x in (out / "train" / "metrics.jsonl").read_text().splitlines()]
    train_phases = [r["phase"] for r in records if r["kind"] == "train"]
    assert train_phases == ["phase1"] * 6 + ["phase2"] * 6 + ["phase3"] * 6
    val = {(r["phase"], r["source"]) for r in records if r["kind"] == "val"}
    assert val == {(p, s) for p in ("phase1", "phase2", "phase3") for s in ("web", "code", "math")}
    assert [p["phase"] for p in report["train"]] == ["phase1", "phase2", "phase3"]
    assert "phase3 done: loss" in log


def test_mixture_left_behind_replans_and_remixes_identically(demo, tmp_path):
    out, _, _ = demo
    plan = json.loads(cli("plan", str(out / "mixture.yaml"), "--json"))
    assert [p["name"] for p in plan["phases"]] == ["phase1", "phase2", "phase3"]
    cli("mix", str(out / "mixture.yaml"), "--output", str(tmp_path / "again"))
    for phase in ("phase1", "phase2", "phase3"):
        assert sha_tree(tmp_path / "again" / phase) == sha_tree(out / "mix" / phase)


def test_mellum2_preset_splits_the_demo_code_by_language(demo):
    from mellum_data.errors import DataError
    from mellum_data.mixtures import load_mixture, make_plan, preset_path

    out, _, _ = demo
    small = [f"phases.phase{i}.tokens={n}" for i, n in ((1, 40_000), (2, 18_000), (3, 11_000))]
    plan = make_plan(load_mixture(preset_path("mellum2"), small, base_dir=str(out))).to_dict()
    code = json.loads((out / "tokens" / "code" / "counts.json").read_text())
    parts = {k: v for k, v in plan["sources"].items() if k.startswith("code_")}
    assert sum(v["documents"] for v in parts.values()) == code["documents"]
    assert parts["code_other"]["documents"] == 0
    assert all(parts[k]["documents"] > 0 for k in ("code_python", "code_web", "code_systems"))
    with pytest.raises(DataError, match=r"source 'web' cannot supply 4\.37T tokens"):
        make_plan(load_mixture(preset_path("mellum2"), base_dir=str(out)))


def test_generate_from_the_demo_checkpoint(demo):
    out, _, _ = demo
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mellum_data",
            "generate",
            "--checkpoint",
            str(out / "train" / "ckpt.pt"),
            "--tokenizer",
            str(out / "tokenizer" / "tokenizer.json"),
            "--prompt",
            "def parse(",
            "--max-new-tokens",
            "8",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["new_tokens"] == 8
    assert 0.0 <= result["acceptance_rate"] <= 1.0
    assert result["forward_passes"] <= 8


def test_token_sidecars_carry_dedup_cluster_sizes(demo):
    import pyarrow.parquet as pq

    out, _, _ = demo
    sizes = []
    for side in sorted((out / "tokens" / "web").glob("*.ds.docs.parquet")):
        sizes += pq.read_table(side, columns=["minhash_cluster_size"]).column(0).to_pylist()
    labels = json.loads((out / "sample" / "sample.json").read_text())
    near = sum(1 for p in labels["web"] if p["label"].startswith("near_dup_of:"))
    assert len(sizes) == 282 and min(sizes) >= 1
    # each planted near-duplicate (or exact copy) joins its original's cluster, except the two
    # whose URL repeats their original's: the web stage removed those (URL dedup), and a
    # repeated fetch of one address is not counted as another copy
    repeats = len(labels["web"]) - len({normalize_url(p["url"]) for p in labels["web"]})
    assert sum(s - 1 for s in sizes) == near - repeats

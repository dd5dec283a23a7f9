import json

import pytest

from mellum_data.errors import ConfigError, InputError
from mellum_data.sample import write_sample


def test_same_seed_gives_byte_identical_tree(sample_dir, digest, tmp_path):
    again = tmp_path / "again"
    write_sample(str(again), seed=0, scale=1)
    assert digest(again) == digest(sample_dir)


def test_other_seed_differs_everywhere(sample_dir, digest, tmp_path):
    other = tmp_path / "other"
    write_sample(str(other), seed=1, scale=1)
    a, b = digest(sample_dir), digest(other)
    for part in ("web/", "code/", "math/"):
        a_part = {k: v for k, v in a.items() if k.startswith(part)}
        b_part = {k: v for k, v in b.items() if k.startswith(part)}
        assert a_part != b_part, part
    # The WARC files have the same names but none has the same bytes (record ids, dates, pages).
    assert all(
        a[f"web/sample-0000{i}.warc.gz"] != b[f"web/sample-0000{i}.warc.gz"] for i in range(4)
    )


def test_scale_two_doubles_and_contains_scale_one(sample_dir, summary, digest, tmp_path):
    out = tmp_path / "s2"
    s2 = write_sample(str(out), seed=0, scale=2)
    c1, c2 = summary["counts"], s2["counts"]
    for key in (
        "web_files",
        "web_pages",
        "web_articles",
        "web_junk",
        "web_near_duplicates",
        "code_repos",
        "code_files",
        "math_docs",
        "math_math",
        "math_distractors",
    ):
        assert c2[key] == 2 * c1[key], key
    one, two = digest(sample_dir), digest(out)
    # Replica 0 of scale 2 is scale 1: every file of scale 1 is there with the same bytes.
    assert all(two.get(path) == sha for path, sha in one.items() if path != "sample.json")
    assert len(two) > len(one)

    # Writing scale 1 over it removes the second replica's files.
    write_sample(str(out), seed=0, scale=1)
    assert digest(out) == one


def test_refuses_a_foreign_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        write_sample(str(tmp_path), seed=0, scale=1)
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(("seed", "scale"), [(-1, 1), (0, 0), (0, 1.5), (True, 1)])
def test_rejects_bad_seed_or_scale(tmp_path, seed, scale):
    with pytest.raises(ConfigError):
        write_sample(str(tmp_path / "x"), seed=seed, scale=scale)


def test_summary_counts_at_scale_one(summary):
    assert summary["seed"] == 0 and summary["scale"] == 1
    c = summary["counts"]
    assert c["web_files"] == 4
    assert c["web_pages"] == 378
    assert c["web_articles"] == 282
    assert c["web_near_duplicates"] == 30
    assert c["web_exact_duplicates"] == 2
    assert c["web_junk"] == 66
    assert c["web_bad_records"] == 2
    assert c["web_junk_types"] == {
        "filler": 10,
        "keyword_stuffing": 14,
        "link_farm": 10,
        "nav_only": 10,
        "near_empty": 12,
        "repeated_lines": 10,
    }
    assert c["code_repos"] == 19
    assert c["math_docs"] == 75
    assert c["math_math"] == 60
    assert c["math_distractors"] == 15
    assert c["math_formats"] == {"html": 3, "md": 35, "tex": 37}


def test_summary_matches_disk(sample_dir, summary):
    on_disk = json.loads((sample_dir / "sample.json").read_text(encoding="utf-8"))
    assert on_disk == summary
    for part in ("web", "code", "math"):
        size = sum(p.stat().st_size for p in (sample_dir / part).rglob("*") if p.is_file())
        assert summary["bytes"][part] == size
    assert summary["bytes"]["total"] == sum(summary["bytes"][p] for p in ("web", "code", "math"))
    # A few MB in all, as the brief for the sample asks.
    assert 1_500_000 < summary["bytes"]["total"] < 5_000_000
    assert {p.name for p in (sample_dir / "web").iterdir()} == {
        p["file"][4:] for p in summary["web"]
    }
    assert {p.name for p in (sample_dir / "code").iterdir()} == {r["name"] for r in summary["code"]}
    assert {f"math/{p.name}" for p in (sample_dir / "math").iterdir()} == {
        d["path"] for d in summary["math"]
    }

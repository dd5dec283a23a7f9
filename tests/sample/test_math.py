import collections
import math
import re

MATH_MARKERS = re.compile(r"\$|\\\[|\\\(|\\begin\{align")


def test_counts_and_formats(summary):
    docs = summary["math"]
    by = collections.Counter((d["format"], d["is_math"]) for d in docs)
    assert by == {
        ("tex", True): 36,
        ("md", True): 21,
        ("html", True): 3,
        ("md", False): 14,
        ("tex", False): 1,
    }
    topics = {d["kind"] for d in docs if d["is_math"]}
    assert topics == {
        "analysis",
        "algebra",
        "probability",
        "number_theory",
        "linear_algebra",
        "complexity",
    }
    distractors = collections.Counter(d["kind"] for d in docs if not d["is_math"])
    assert distractors == {"changelog": 4, "meeting_notes": 3, "recipe": 3, "essay": 4, "letter": 1}


def test_math_documents_have_mathematics(sample_dir, summary):
    envs = 0
    for doc in (d for d in summary["math"] if d["is_math"]):
        text = (sample_dir / doc["path"]).read_text(encoding="utf-8")
        assert MATH_MARKERS.search(text), doc["path"]
        if doc["format"] == "tex":
            assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")
            assert text.count("\\begin{") == text.count("\\end{")
            envs += bool(re.search(r"\\begin\{(theorem|lemma|proposition|definition)\}", text))
        elif doc["format"] == "md":
            assert text.count("$") % 2 == 0
        else:
            assert "MathJax" in text and "<article>" in text
    assert envs >= 30


def test_distractors_have_none(sample_dir, summary):
    for doc in (d for d in summary["math"] if not d["is_math"]):
        text = (sample_dir / doc["path"]).read_text(encoding="utf-8")
        assert not MATH_MARKERS.search(text), doc["path"]
        assert len(text) > 300


def test_worked_examples_are_correct(sample_dir, summary):
    # Every Euclidean-algorithm derivation ends in the gcd it states.
    checked = 0
    for doc in summary["math"]:
        text = (sample_dir / doc["path"]).read_text(encoding="utf-8")
        for a, b, g in re.findall(r"so \$\\gcd\((\d+), (\d+)\) = (\d+)\$", text):
            assert math.gcd(int(a), int(b)) == int(g)
            checked += 1
    assert checked >= 1

"""The licence accuracy benchmark's own logic (ground truth from metadata, skips, scoring) on
dist-info folders written by the test; the benchmark runs it on the installed packages."""

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).parents[2] / "benchmarks" / "license_eval.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("license_eval", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIT = b"Permission is hereby granted, free of charge, to any person obtaining a copy of it.\n"
APACHE = b"Apache License\nVersion 2.0, January 2004\n"


def dist(root: Path, name: str, metadata: str, files: dict[str, bytes]) -> None:
    folder = root / f"{name}-1.0.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(f"Metadata-Version: 2.4\nName: {name}\n{metadata}\n")
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


def test_expression_key_is_order_and_spelling_insensitive(bench):
    assert bench.expression_key("mit OR Apache-2.0") == bench.expression_key("(Apache-2.0 OR MIT)")
    assert bench.expression_key("MPL-2.0 AND (MIT OR Apache-2.0)") == (
        "(Apache-2.0 OR MIT) AND MPL-2.0"
    )
    assert bench.expression_key("GPL-2.0-or-later") == "GPL-2.0"
    assert bench.expression_key("not (valid") is None


def test_ground_truth_sources_and_ambiguity(bench):
    assert bench.ground_truth("License-Expression: MIT OR Apache-2.0\n") == (
        "Apache-2.0 OR MIT",
        "License-Expression",
    )
    assert bench.ground_truth("License: BSD-3-Clause\n") == ("BSD-3-Clause", "License")
    classifier = "Classifier: License :: OSI Approved :: MIT License\n"
    assert bench.ground_truth("License: MIT-ish terms\n" + classifier) == ("MIT", "Classifier")
    bsd = "Classifier: License :: OSI Approved :: BSD License\n"
    assert bench.ground_truth(bsd)[0] is None
    assert bench.ground_truth("License: The BSD 2-Clause License\n" + bsd)[0] == "BSD-2-Clause"
    two = classifier + "Classifier: License :: OSI Approved :: Apache Software License\n"
    assert bench.ground_truth(two)[0] is None


def test_evaluate_scores_and_skips(bench, tmp_path):
    dist(tmp_path, "good", "License-Expression: MIT", {"licenses/LICENSE": MIT})
    dist(tmp_path, "dual", "License-Expression: Apache-2.0 OR MIT",
         {"licenses/LICENSE-MIT": MIT, "licenses/LICENSE-APACHE": APACHE})  # fmt: skip
    dist(tmp_path, "wrong", "License-Expression: BSD-2-Clause", {"LICENSE": MIT})
    dist(tmp_path, "nofile", "License-Expression: MIT", {})
    dist(tmp_path, "vendored", "License-Expression: MIT",
         {"licenses/LICENSE": MIT, "licenses/vendor/x/LICENSE": APACHE})  # fmt: skip
    dist(tmp_path, "vague", "Classifier: License :: OSI Approved :: BSD License", {"LICENSE": MIT})
    rows, skipped = bench.evaluate(tmp_path)
    got = {r["package"]: (r["detected"], r["correct"]) for r in rows}
    assert got == {
        "dual-1.0": ("Apache-2.0 OR MIT", True),
        "good-1.0": ("MIT", True),
        "wrong-1.0": ("MIT", False),
    }
    assert dict(skipped) == {
        "nofile-1.0": "no licence file",
        "vague-1.0": "ambiguous classifiers: OSI Approved :: BSD License",
        "vendored-1.0": "vendored licence files in sub-folders",
    }

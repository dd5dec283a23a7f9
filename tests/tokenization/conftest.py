"""Small stage outputs written by the tests, and one tokenizer trained on them per session."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mellum_data.tokenize.train import train_tokenizer

SYLLABLES = (
    "ka lo mi ne su ta ri po da fe gu hi jo ku le ma ni or pe qu ra se ti vu wa xe yo ze".split()
)


def prose(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        out.append(word.capitalize() if i % 12 == 0 else word)
        if i % 12 == 11:
            out[-1] += "."
        if rng.random() < 0.05:
            out.append(str(rng.randint(0, 99999)))
    return " ".join(out) + "\n"


def python_code(rng: random.Random, i: int) -> str:
    name = "".join(rng.choice(SYLLABLES) for _ in range(3))
    return (
        f"import os\n\n\n# {name} helper number {i}\n"
        f"def {name}_{i}(items, limit={rng.randint(1, 500)}):\n"
        f'    """Return the {name} of items."""\n'
        f"    total = 0\n"
        f"    for k, item in enumerate(items):\n"
        f"        if k > limit:\n"
        f"            break\n"
        f"        total += item * {rng.randint(2, 97)}\n"
        f"    return total\n\n\n"
        f"class {name.capitalize()}{i}:\n"
        f"    value = {rng.random():.4f}\n\n"
        f"    def run(self, path):\n"
        f"        with open(path) as f:\n"
        f"            return [line.strip() for line in f if line]\n"
    )


def write_stage_output(root: Path, docs: dict[str, list[dict]]) -> Path:
    """``root/<source>/00000.parquet`` in datatrove's layout (text, id, metadata)."""
    for source, rows in docs.items():
        (root / source).mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.Table.from_pylist(rows), root / source / "00000.parquet", row_group_size=50
        )
    return root


def corpus(n_web: int = 120, n_code: int = 120, seed: int = 0) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    web = [
        {
            "text": prose(rng, rng.randint(80, 200)),
            "id": f"web/{i}",
            "metadata": {
                "source": "web",
                "kind": "web",
                "lang": "en",
                "quality_tier": "high" if i % 3 == 0 else "low",
            },
        }
        for i in range(n_web)
    ]
    code = [
        {
            "text": python_code(rng, i),
            "id": f"code/{i}",
            "metadata": {"source": "code", "kind": "code", "lang": "python", "quality_tier": None},
        }
        for i in range(n_code)
    ]
    return {"web": web, "code": code}


@pytest.fixture(scope="session")
def stage_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stage_output(tmp_path_factory.mktemp("stage"), corpus())


@pytest.fixture(scope="session")
def tokenizer_path(stage_output: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return train_tokenizer([str(stage_output)], str(tmp_path_factory.mktemp("tok")), vocab_size=600)


@pytest.fixture
def make_corpus():
    """``make_corpus(n_web, n_code)``: the documents of a small corpus, by source."""
    return corpus


@pytest.fixture
def write_stage():
    """``write_stage(root, docs)``: write documents as a stage output."""
    return write_stage_output

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from datatrove.pipeline.writers import ParquetWriter

from mellum_data.dedup import (
    Benchmark,
    DecontamFilter,
    benchmark_texts,
    check_benchmarks,
    contamination_counts,
)
from mellum_data.errors import InputError

PROMPT = (
    "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
    '    """Check if in given list of numbers, are any two numbers closer to each other '
    'than given threshold."""\n'
)
SOLUTION = (
    "    for idx, elem in enumerate(numbers):\n"
    "        for idx2, elem2 in enumerate(numbers):\n"
    "            if idx != idx2 and abs(elem - elem2) < threshold:\n"
    "                return True\n"
    "    return False\n"
)
QUESTION = "What is the sum of the first one hundred positive integers, written in base ten?"


@pytest.fixture
def evals(tmp_path):
    code = tmp_path / "code_eval.jsonl"
    code.write_text(
        json.dumps({"task_id": "T/0", "prompt": PROMPT, "canonical_solution": SOLUTION}) + "\n"
    )
    math = tmp_path / "math_eval.parquet"
    pq.write_table(
        pa.table({"question": [QUESTION, "Too short to test."], "answer": [5050, 1]}), math
    )
    return [
        Benchmark("code_eval", str(code), ("prompt", "canonical_solution")),
        Benchmark("math_eval", str(math)),
    ]


def test_benchmark_texts(evals):
    assert benchmark_texts(evals[0]) == [PROMPT, SOLUTION]
    # Every string field when none are named (task_id too); numbers are not text.
    assert benchmark_texts(Benchmark("x", evals[0].path)) == ["T/0", PROMPT, SOLUTION]
    assert benchmark_texts(evals[1]) == [QUESTION, "Too short to test."]


def test_planted_items_are_found(evals, tmp_path):
    docs = [
        # The solution pasted into a tutorial, re-indented and with other punctuation.
        Document(
            text="A tutorial.\n\n" + SOLUTION.replace("    ", "\t").upper() + "\nThat's it.",
            id="web/1",
        ),
        Document(text="Homework: " + QUESTION + " Answer below.", id="web/2"),
        # Twelve consecutive words of the question: below the 13-gram test.
        Document(text=" ".join(QUESTION.split()[:12]) + " something else entirely", id="web/3"),
        Document(text="def add(a, b):\n    return a + b\n", id="code/1"),
    ]
    writer = ParquetWriter(str(tmp_path / "removed"))
    step = DecontamFilter(evals, exclusion_writer=writer)
    kept = list(step.run(iter(docs)))
    assert [d.id for d in kept] == ["web/3", "code/1"]
    assert docs[0].metadata["filter_reason"] == "decontam_code_eval"
    assert docs[1].metadata["filter_reason"] == "decontam_math_eval"
    assert docs[1].metadata["decontam_ngrams"] == len(QUESTION.split()) - 13 + 1
    assert step.stats["math_eval_fields_too_short"].total == 1
    (path,) = (tmp_path / "removed").iterdir()
    removed = pq.read_table(path).to_pydict()
    assert removed["id"] == ["web/1", "web/2"]


def test_min_matches(evals):
    step = DecontamFilter(evals, n_grams=13, min_matches=3)
    words = QUESTION.split()  # 15 words: three 13-grams
    assert step.filter(Document(text=" ".join(words[:14]), id="a")) is True
    assert step.filter(Document(text=QUESTION, id="b")) == (False, "decontam_math_eval")


def test_missing_or_broken_benchmark(tmp_path):
    with pytest.raises(InputError, match="nope.jsonl: benchmark 'x' not found"):
        check_benchmarks([Benchmark("x", str(tmp_path / "nope.jsonl"))])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(InputError, match="bad.jsonl: benchmark 'x' is not jsonl or parquet"):
        benchmark_texts(Benchmark("x", str(bad)))


def test_contamination_counts(tmp_path):
    assert contamination_counts(str(tmp_path)) == {}
    folder = tmp_path / "removed" / "decontam"
    folder.mkdir(parents=True)
    meta = pa.array([{"drop_reason": r} for r in ["decontam_a", "decontam_b", "decontam_a"]])
    pq.write_table(
        pa.table({"text": ["x"] * 3, "id": ["1", "2", "3"], "metadata": meta}), folder / "0.parquet"
    )
    assert contamination_counts(str(tmp_path)) == {"a": 2, "b": 1}

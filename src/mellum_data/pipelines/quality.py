"""The quality classifier around a pipeline: training it from example files, and the score
and tier steps with their config (``filters.quality_classifier`` holds the steps).

Tier thresholds are given, or are percentiles of the scores of a sample: documents from
files given as the sample, or else the first documents of the run's own inputs that pass
every filter before the scorer (``tier_thresholds``).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import fsspec
import numpy as np
from datatrove.io import get_datafolder
from pydantic import Field, field_validator, model_validator

from mellum_data.config import StrictModel
from mellum_data.errors import DataError, InputError
from mellum_data.filters.quality_classifier import (
    BAD,
    GOOD,
    QualityModel,
    QualityScorer,
    QualityTier,
    classifier_text,
)
from mellum_data.io import PARQUET_THREADS
from mellum_data.pipelines.readers import binary_lines
from mellum_data.pipelines.sources import WEB_FORMATS, resolve_inputs

_ATTEMPTS = 3
_FIT = """
import json, sys
import fasttext
a = json.loads(sys.argv[1])
try:
    fasttext.train_supervised(input=a["input"], lr=a["lr"], **a["params"]).save_model(a["out"])
except RuntimeError as e:
    sys.exit(str(e))
"""


def _fit_in_subprocess(path: str, lr: float, params: dict, out: str) -> str | None:
    """Train with fastText in a fresh interpreter; None on success, else its error."""
    args = json.dumps({"input": path, "lr": lr, "params": params, "out": out})
    r = subprocess.run([sys.executable, "-c", _FIT, args], capture_output=True, text=True)
    if r.returncode == 0:
        return None
    return (r.stderr.strip().splitlines() or [f"exit code {r.returncode}"])[-1]


EXAMPLE_FORMATS: dict[str, tuple[str, ...]] = {
    "jsonl": WEB_FORMATS["jsonl"],
    "parquet": (".parquet",),
    "text": (".txt.gz", ".txt.zst", ".txt"),
}


class ClassifierConfig(StrictModel):
    # A fastText model from ``train_quality_classifier``; None: no scoring and no tiers.
    model: str | None = None
    # The score is written as ``score_<name>``.
    name: str = Field(default="quality", pattern=r"^[a-z][a-z0-9_]*$")
    max_chars: int | None = Field(default=20_000, gt=0)
    # Drop documents scoring below this (None: keep all; tiers are the usual way to use it).
    min_score: float | None = Field(default=None, ge=0, le=1)


class Tiers(StrictModel):
    high: float
    medium: float

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.medium > self.high:
            raise ValueError(f"medium ({self.medium}) must not be above high ({self.high})")
        return self


class TierConfig(StrictModel):
    enabled: bool = True
    # Score thresholds; when None they are these percentiles of a sample's scores (the
    # defaults make the top 20% high, the next 40% medium and the rest low).
    thresholds: Tiers | None = None
    percentiles: Tiers = Field(default_factory=lambda: Tiers(high=80, medium=40))
    # Files (jsonl, parquet, txt) of documents to score for the percentiles; empty: the first
    # ``sample_size`` documents of the inputs that pass the filters before the scorer.
    sample: list[str] = []
    sample_size: int = Field(default=2000, gt=0)

    @field_validator("percentiles")
    @classmethod
    def _percent(cls, value: Tiers) -> Tiers:
        if not (0 <= value.medium <= value.high <= 100):
            raise ValueError("percentiles must lie between 0 and 100")
        return value


def _read_file(folder: Any, name: str, fmt: str, text_key: str, where: str) -> Iterator[str]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with folder.open(name, "rb") as f, pq.ParquetFile(f) as pqf:
            if text_key not in pqf.schema_arrow.names:
                raise DataError(f"{where}: no column {text_key!r}")
            for batch in pqf.iter_batches(
                batch_size=1000, columns=[text_key], use_threads=PARQUET_THREADS
            ):
                yield from (t for t in batch.column(0).to_pylist() if t)
        return
    import orjson

    with binary_lines(folder, name) as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            if fmt == "text":
                yield line.decode("utf-8", errors="replace").strip()
                continue
            try:
                text = orjson.loads(line).get(text_key)
            except (orjson.JSONDecodeError, AttributeError):
                raise DataError(f"{where}:{number}: not a JSON object") from None
            if not isinstance(text, str):
                raise DataError(f"{where}:{number}: no text field {text_key!r}")
            yield text


def read_examples(paths: list[str], text_key: str = "text") -> list[str]:
    """Documents of jsonl (field ``text_key``), parquet (column ``text_key``; a stage output
    works) and text files (one document a line), local or ``s3://``, files, folders or globs."""
    texts: list[str] = []
    for group in resolve_inputs(paths, EXAMPLE_FORMATS):
        folder = get_datafolder(group.folder)
        for name in group.files:
            where = group.display_path(name)
            texts += _read_file(folder, name, group.format, text_key, where)
    return texts


def _save(model: Any, out: str, report: dict) -> None:
    """Write the model and ``<out>.json`` (its training report) atomically, local or remote."""
    fs, fs_path = fsspec.core.url_to_fs(out)
    parent = os.path.dirname(fs_path)
    if parent:
        fs.makedirs(parent, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "model.bin")
        model.save_model(local)
        with open(os.path.join(tmp, "model.json"), "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
        for src, dst in ((local, fs_path), (f"{tmp}/model.json", f"{fs_path}.json")):
            fs.put_file(src, f"{dst}.tmp")
            fs.mv(f"{dst}.tmp", dst)


def train_quality_classifier(
    positive: list[str],
    negative: list[str],
    out: str,
    *,
    text_key: str = "text",
    max_chars: int | None = 20_000,
    balance: bool = True,
    validation: float = 0.1,
    epoch: int = 5,
    lr: float = 0.1,
    dim: int = 100,
    word_ngrams: int = 2,
    min_count: int = 1,
    bucket: int = 2_000_000,
    threads: int | None = None,
    seed: int = 0,
) -> dict:
    """Train a fastText classifier of ``positive`` (good) against ``negative`` example files,
    as DCLM does (word bigrams; the other settings are fastText's defaults), and save it to
    ``out`` with a training report in ``<out>.json``. ``balance`` downsamples the larger side
    to the size of the smaller; ``validation`` is the share held out to measure accuracy.
    Returns the report."""
    import fasttext

    if not 0 <= validation < 1:
        raise InputError(f"validation share must be in [0, 1), got {validation}")
    good, bad = read_examples(positive, text_key), read_examples(negative, text_key)
    for side, texts, paths in (("positive", good, positive), ("negative", bad, negative)):
        if not texts:
            raise DataError(f"{', '.join(paths)}: no {side} examples")
    rng = random.Random(seed)
    rng.shuffle(good)
    rng.shuffle(bad)
    if balance:
        good, bad = good[: len(bad)], bad[: len(good)]
    examples = [(GOOD, t) for t in good] + [(BAD, t) for t in bad]
    rng.shuffle(examples)
    held = int(len(examples) * validation)
    test, train = examples[:held], examples[held:]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(f"{label} {classifier_text(t, max_chars)}\n" for label, t in train)
        params = dict(
            epoch=epoch,
            dim=dim,
            wordNgrams=word_ngrams,
            minCount=min_count,
            bucket=bucket,
            thread=threads or os.cpu_count() or 1,
            seed=seed,
            verbose=0,
        )
        # fastText stops with "Encountered NaN" when training diverges; its authors' advice
        # is a lower learning rate. 0.9.2 also does so now and then on a few dozen examples,
        # and once it has in a process, retries in that process fail too (seen in the test
        # suite), so each attempt trains in a fresh interpreter.
        model_path = os.path.join(tmp, "model.bin")
        for attempt in range(_ATTEMPTS):
            error = _fit_in_subprocess(path, lr, params, model_path)
            if error is None:
                model = fasttext.load_model(model_path)
                break
            if "NaN" not in error:
                raise DataError(f"quality classifier: fastText failed: {error}")
            if attempt == _ATTEMPTS - 1:
                raise DataError(
                    f"quality classifier: training diverged at lr={lr} ({error}); "
                    "give more examples or a lower learning rate"
                )
            lr /= 2
    report: dict[str, Any] = {
        "positive": positive,
        "negative": negative,
        "examples": {"positive": len(good), "negative": len(bad), "validation": held},
        "params": {
            "epoch": epoch,
            "lr": lr,  # the learning rate that trained the model
            "dim": dim,
            "word_ngrams": word_ngrams,
            "min_count": min_count,
            "bucket": bucket,
            "max_chars": max_chars,
            "seed": seed,
        },
    }
    if test:
        predicted = [model.predict(classifier_text(t, max_chars))[0][0] for _, t in test]
        truth = [label for label, _ in test]
        hits = sum(p == t for p, t in zip(predicted, truth))
        report["validation_accuracy"] = round(hits / len(test), 4)
    _save(model, out, report)
    return report


def percentile_thresholds(scores: list[float], percentiles: Tiers) -> Tiers:
    if not scores:
        raise DataError("quality tiers: no document in the sample to compute percentiles from")
    high, medium = np.percentile(np.asarray(scores), [percentiles.high, percentiles.medium])
    return Tiers(high=round(float(high), 4), medium=round(float(medium), 4))


def tier_thresholds(
    classifier: ClassifierConfig,
    tiers: TierConfig,
    sample_inputs: Callable[[int], list[str]],
) -> Tiers:
    """The given thresholds, or the percentiles of the sample's scores (``sample_inputs(n)``
    returns up to ``n`` documents of the run's inputs, used when no sample files are set)."""
    if tiers.thresholds is not None:
        return tiers.thresholds
    assert classifier.model is not None
    texts = read_examples(tiers.sample) if tiers.sample else sample_inputs(tiers.sample_size)
    model = QualityModel(classifier.model, classifier.max_chars)
    return percentile_thresholds([model.score(t) for t in texts], tiers.percentiles)


def classifier_steps(
    classifier: ClassifierConfig, thresholds: Tiers | None, writer: Any
) -> list[QualityScorer | QualityTier]:
    if classifier.model is None:
        return []
    steps: list[QualityScorer | QualityTier] = [
        QualityScorer(
            classifier.model,
            score_name=classifier.name,
            max_chars=classifier.max_chars,
            min_score=classifier.min_score,
            exclusion_writer=writer,
        )
    ]
    if thresholds is not None:
        key = f"score_{classifier.name}"
        steps.append(QualityTier(score_key=key, high=thresholds.high, medium=thresholds.medium))
    return steps

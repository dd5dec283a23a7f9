"""A fastText quality classifier, as DCLM uses one (Li et al. 2024, Section 4.4): a linear
model on word uni- and bigrams, trained to tell chosen "good" documents from ordinary crawl
documents. Its probability of the good label is the document's score.

Score once, threshold later (as dolma's taggers do): ``QualityScorer`` writes
``metadata["score_<name>"]`` and ``QualityTier`` maps that score to ``quality_tier`` (high,
medium, low), which the tokenizer copies into the shard sidecar and mixtures select on.
Training lives in ``pipelines.quality`` (it reads input files).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

GOOD, BAD = "__label__hq", "__label__lq"
TIERS = ("high", "medium", "low")


def classifier_text(text: str, max_chars: int | None = None) -> str:
    """What the model reads: the first ``max_chars`` characters on one line (fastText
    treats a newline as the end of an example)."""
    return " ".join((text if max_chars is None else text[:max_chars]).split())


def local_model_path(path: str) -> str:
    """A local path of the model file: the path itself, or a temporary copy of a remote one."""
    import fsspec
    from fsspec.implementations.local import LocalFileSystem

    fs, fs_path = fsspec.core.url_to_fs(path)
    if isinstance(fs, LocalFileSystem):
        return fs_path
    fd, local = tempfile.mkstemp(suffix=".bin", prefix="quality-")
    os.close(fd)
    fs.get_file(fs_path, local)
    return local


class QualityModel:
    """A trained classifier; loaded lazily, since fastText models do not pickle."""

    def __init__(self, path: str, max_chars: int | None = None) -> None:
        self.path, self.max_chars = path, max_chars
        self._model: Any = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}

    @property
    def model(self) -> Any:
        if self._model is None:
            import fasttext

            self._model = fasttext.load_model(local_model_path(self.path))
        return self._model

    def score(self, text: str) -> float:
        """Probability of the good label, rounded to 4 digits."""
        labels, probs = self.model.predict(classifier_text(text, self.max_chars), k=2)
        by_label = dict(zip(labels, probs))
        return round(min(float(by_label.get(GOOD, 0.0)), 1.0), 4)


class QualityScorer(BaseFilter):
    """Writes ``metadata["score_<name>"]``; drops documents below ``min_score`` (None: none)."""

    name = "🏅 Quality classifier"

    def __init__(
        self,
        model_path: str,
        *,
        score_name: str = "quality",
        max_chars: int | None = 20_000,
        min_score: float | None = None,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.model = QualityModel(model_path, max_chars)
        self.key = f"score_{score_name}"
        self.min_score = min_score

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        score = doc.metadata[self.key] = self.model.score(doc.text)
        if self.min_score is not None and score < self.min_score:
            return False, "quality_classifier_low_score"
        return True


def tier_of(score: float, high: float, medium: float) -> str:
    return "high" if score >= high else "medium" if score >= medium else "low"


class QualityTier(BaseFilter):
    """Sets ``metadata["quality_tier"]`` from ``metadata[score_key]``: ``high`` at or above
    ``high``, ``medium`` at or above ``medium``, else ``low``. Never drops a document."""

    name = "🎚 Quality tier"

    def __init__(self, *, score_key: str, high: float, medium: float) -> None:
        super().__init__()
        if medium > high:
            raise ValueError(f"tier thresholds: medium ({medium}) is above high ({high})")
        self.score_key, self.high, self.medium = score_key, high, medium

    def filter(self, doc: Document) -> bool:
        score = doc.metadata.get(self.score_key)
        if score is None:
            self.stat_update("no_score")
            return True
        tier = doc.metadata["quality_tier"] = tier_of(score, self.high, self.medium)
        self.stat_update(f"tier_{tier}")
        return True

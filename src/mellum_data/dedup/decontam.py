"""Decontamination: documents sharing word n-grams with evaluation sets are removed.

An n-gram match of 13 words is the test of GPT-3 (Brown et al. 2020, appendix C) and of
the Llama 2 and StarCoder-era decontamination that followed. Benchmarks are jsonl or
parquet files of items (prompts, solutions); every string field of an item (or the fields
named) is tokenized separately with the ``words`` tokenizer, so matching ignores case,
punctuation and layout. A field shorter than ``n_grams`` words cannot be tested and is
counted as too short.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
from datatrove.data import Document
from datatrove.io import get_datafolder, open_file
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.logging import logger

from mellum_data.dedup.shingles import NgramHasher
from mellum_data.errors import InputError
from mellum_data.io import PARQUET_THREADS, path_exists

# The seed only fixes the n-gram hash; it must be the same for benchmarks and documents.
_SEED = 13
_EMPTY = np.empty(0, dtype=np.uint64)


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: str
    fields: tuple[str, ...] = ()  # empty: every string field


def benchmark_texts(bench: Benchmark) -> list[str]:
    """The texts of a benchmark's items, one per field."""
    path = bench.path
    try:
        if path.endswith(".parquet"):
            with open_file(path, "rb") as f:
                records = pq.read_table(f, use_threads=PARQUET_THREADS).to_pylist()
        else:
            with open_file(path, "rt", compression="infer") as f:
                records = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        raise InputError(f"{path}: benchmark {bench.name!r} not found") from None
    except (json.JSONDecodeError, OSError) as e:
        raise InputError(f"{path}: benchmark {bench.name!r} is not jsonl or parquet: {e}") from None
    texts = []
    for record in records:
        if not isinstance(record, dict):
            raise InputError(f"{path}: benchmark {bench.name!r}: items must be objects")
        for key in bench.fields or record:
            if isinstance(value := record.get(key), str):
                texts.append(value)
    return texts


def check_benchmarks(benchmarks: list[Benchmark]) -> None:
    """Fails at start-up, naming the file, when a benchmark file is missing."""
    for bench in benchmarks:
        if not path_exists(bench.path):
            raise InputError(f"{bench.path}: benchmark {bench.name!r} not found")


class DecontamFilter(BaseFilter):
    """Drops a document with at least ``min_matches`` n-grams of a benchmark, with reason
    ``decontam_<benchmark>`` (the first benchmark, in the configured order, that matches);
    the number of matching n-grams goes to ``metadata.decontam_ngrams``."""

    name = "🧪 Decontamination"

    def __init__(
        self,
        benchmarks: list[Benchmark],
        n_grams: int = 13,
        min_matches: int = 1,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer)
        self.benchmarks = benchmarks
        self.n_grams = n_grams
        self.min_matches = min_matches
        self.hasher = NgramHasher(n_grams, "words", seed=_SEED)
        self._index: list[tuple[str, np.ndarray]] | None = None

    def index(self) -> list[tuple[str, np.ndarray]]:
        """Per benchmark, the sorted unique hashes of its n-grams (built once per task)."""
        if self._index is None:
            self._index = []
            for bench in self.benchmarks:
                grams = [self.hasher(t) for t in benchmark_texts(bench)]
                short = sum(1 for g in grams if not len(g))
                self._index.append((bench.name, np.unique(np.concatenate([*grams, _EMPTY]))))
                self.stat_update(f"{bench.name}_fields_too_short", value=short)
                logger.info(
                    f"decontam: {bench.name}: {len(self._index[-1][1])} {self.n_grams}-grams, "
                    f"{short} of {len(grams)} fields shorter than {self.n_grams} words"
                )
        return self._index

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        index = self.index()
        grams = self.hasher(doc.text)
        if not len(grams):
            return True
        for name, bench in index:
            if not len(bench):
                continue
            pos = np.minimum(np.searchsorted(bench, grams), len(bench) - 1)
            hits = int(np.count_nonzero(bench[pos] == grams))
            if hits >= self.min_matches:
                doc.metadata["decontam_ngrams"] = hits
                return False, f"decontam_{name}"
        return True


def contamination_counts(output: str) -> dict[str, int]:
    """Documents removed per benchmark by decontamination in a dedup output folder
    (``removed/decontam/*.parquet``), for ``mellum-data stats``."""
    folder = get_datafolder(output)
    counts: Counter[str] = Counter()
    if not folder.isdir("removed/decontam"):
        return {}
    for path in folder.list_files(subdirectory="removed/decontam", glob_pattern="*.parquet"):
        with folder.open(path, "rb") as f:
            meta = (
                pq.read_table(f, columns=["metadata"], use_threads=PARQUET_THREADS)
                .column("metadata")
                .combine_chunks()
            )
        for reason in meta.field("drop_reason").to_pylist():
            counts[reason.removeprefix("decontam_")] += 1
    return dict(sorted(counts.items()))

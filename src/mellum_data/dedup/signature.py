"""The MinHash signature step: datatrove's bucket files, from vectorised signatures.

Same files as datatrove's ``MinhashDedupSignature``, so its ``MinhashDedupBuckets`` (and
after it ``MinhashDedupCluster`` / ``MinhashDedupFilter``) read them unchanged:
``bucket_{b:03d}/{rank:05d}.minhash.sig``, one record per document that has at least
``n_grams`` tokens, little-endian ``hashes_per_bucket`` x uint32 (or uint64) then the
document's uint32 position in the task's input; each file sorted by all fields.

With ``full=True`` it also writes ``full/{rank:05d}.minhash.full``: every document's whole
signature (``num_hashes`` values, zeros for a document too short to have one) in input
order, fixed-size rows that the cluster step reads by position to verify candidate pairs.
"""

from __future__ import annotations

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.typeshelper import StatHints

from mellum_data.dedup.minhash import MinHasher, MinhashParams

# Texts hashed in one numpy pass, and signatures held before they go to the bucket files.
HASH_DOCS = 64
FLUSH_DOCS = 4096


def record_dtype(params: MinhashParams) -> np.dtype:
    h = "<u4" if params.hash_bits == 32 else "<u8"
    return np.dtype([(f"h{i}", h) for i in range(params.hashes_per_bucket)] + [("doc", "<u4")])


def bucket_file(bucket: int, rank: int) -> str:
    return f"bucket_{bucket:03d}/{rank:05d}.minhash.sig"


def bucket_records(params: MinhashParams, sigs: np.ndarray, docs: np.ndarray) -> list[np.ndarray]:
    """One structured array per bucket from a (documents, num_hashes) signature matrix."""
    dtype, r = record_dtype(params), params.hashes_per_bucket
    out = []
    for b in range(params.num_buckets):
        rec = np.empty(len(docs), dtype=dtype)
        for i in range(r):
            rec[f"h{i}"] = sigs[:, b * r + i]
        rec["doc"] = docs
        out.append(rec)
    return out


def full_file(rank: int) -> str:
    return f"full/{rank:05d}.minhash.full"


def sort_records(rec: np.ndarray) -> np.ndarray:
    """Sorted by every field in order (h0, h1, ..., doc), as datatrove's reader asserts."""
    return rec[np.lexsort([rec[name] for name in reversed(rec.dtype.names)])]


class MinhashSignature(PipelineStep):
    """Writes each document's MinHash signature to datatrove's bucket files."""

    type = "🫂 - DEDUP"
    name = "🎯 MinHash signatures (vectorised)"

    def __init__(
        self, output_folder: DataFolderLike, params: MinhashParams, full: bool = False
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.params = params
        self.full = full
        self.hasher = MinHasher(params)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> None:
        params = self.params
        files = [
            self.output_folder.open(bucket_file(b, rank), mode="wb")
            for b in range(params.num_buckets)
        ]
        full = self.output_folder.open(full_file(rank), mode="wb") if self.full else None
        sigs: list[np.ndarray | None] = []
        start = 0  # input position of sigs[0]

        def flush() -> None:
            nonlocal start
            present = [i for i, sig in enumerate(sigs) if sig is not None]
            if present:
                matrix = np.stack([sigs[i] for i in present])
                docs = np.array(present, dtype=np.uint32) + start
                for f, rec in zip(files, bucket_records(params, matrix, docs)):
                    f.write(rec.tobytes())
            if full is not None:
                rows = np.zeros((len(sigs), params.num_hashes), dtype=self.hasher.dtype)
                if present:
                    rows[present] = matrix
                full.write(rows.tobytes())
            start += len(sigs)
            sigs.clear()

        texts: list[str] = []

        def hash_texts() -> None:
            for sig in self.hasher.signatures(texts):
                if sig is None:
                    self.stat_update("too_short")
                sigs.append(sig)
            texts.clear()
            if len(sigs) >= FLUSH_DOCS:
                flush()

        with self.track_time():
            for doc in data:
                self.stat_update(StatHints.total)
                texts.append(doc.text)
                if len(texts) >= HASH_DOCS:
                    hash_texts()
            hash_texts()
            flush()
            for f in [*files, *([full] if full is not None else [])]:
                f.close()
            dtype = record_dtype(params)
            for b in range(params.num_buckets):
                # One bucket at a time in memory, as datatrove sorts.
                with self.output_folder.open(bucket_file(b, rank), mode="rb") as f:
                    rec = np.frombuffer(f.read(), dtype=dtype)
                with self.output_folder.open(bucket_file(b, rank), mode="wb") as f:
                    f.write(sort_records(rec).tobytes())

"""Incremental near-dedup: a persisted LSH index of every document kept so far.

For corpora that grow crawl by crawl: each new batch is deduplicated against the index
(and against itself, in input order), and what it keeps is added. The index is datasketch's
``MinHashLSH`` with the bands of the MinHash parameters (``num_buckets`` x
``hashes_per_bucket``, the same LSH as the batch stage), fed with our signatures.

On disk, a folder: ``lsh.pickle`` (the datasketch index) and ``index.json`` (the MinHash
parameters, the number of documents and the pickle's sha256), written last so that a
crash mid-save leaves the previous index readable. Load only indexes you wrote: a pickle
can run code.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator

import numpy as np
from datasketch import LeanMinHash, MinHashLSH
from datatrove.data import Document

from mellum_data.dedup.minhash import MinHasher, MinhashParams
from mellum_data.errors import ConfigError, InputError
from mellum_data.io import atomic_write_bytes, atomic_write_json, folder, read_json, sha256_of

FORMAT = 1


class LshIndex:
    def __init__(self, params: MinhashParams) -> None:
        self.params = params
        self.hasher = MinHasher(params)
        self.lsh = MinHashLSH(
            num_perm=params.num_hashes, params=(params.num_buckets, params.hashes_per_bucket)
        )

    def __len__(self) -> int:
        return len(self.lsh.keys)

    def __contains__(self, key: str) -> bool:
        return key in self.lsh

    def _minhash(self, sig: np.ndarray) -> LeanMinHash:
        # datasketch's names for the affine-map schemes our signatures use.
        scheme = "affine32" if self.params.hash_bits == 32 else "affine64"
        return LeanMinHash(seed=self.params.seed, hashvalues=sig, scheme=scheme)

    def query(self, text: str) -> list[str]:
        """Ids of indexed documents that share a band with ``text`` (sorted)."""
        sig = self.hasher.signature(text)
        return sorted(self.lsh.query(self._minhash(sig))) if sig is not None else []

    def add(self, key: str, text: str) -> None:
        sig = self.hasher.signature(text)
        if sig is not None:
            self.lsh.insert(key, self._minhash(sig), check_duplication=False)

    def dedup(self, docs: Iterable[Document]) -> Iterator[tuple[Document, str | None]]:
        """Each document with the id of an indexed near-duplicate (the smallest id), or
        None; documents without one are added, so later documents are checked against them.
        A document whose id is already indexed counts as its own duplicate."""
        for doc in docs:
            if doc.id in self.lsh:
                yield doc, doc.id
                continue
            sig = self.hasher.signature(doc.text)
            if sig is None:
                yield doc, None
                continue
            mh = self._minhash(sig)
            found = self.lsh.query(mh)
            if found:
                yield doc, min(found)
            else:
                self.lsh.insert(doc.id, mh, check_duplication=False)
                yield doc, None

    def save(self, path: str) -> None:
        out = folder(path)
        atomic_write_bytes(out, "lsh.pickle", pickle.dumps(self.lsh, protocol=5))
        atomic_write_json(
            out,
            "index.json",
            {
                "format": FORMAT,
                "minhash": self.params.as_dict(),
                "documents": len(self),
                "sha256": sha256_of(out, "lsh.pickle"),
            },
        )

    @classmethod
    def load(cls, path: str, params: MinhashParams | None = None) -> LshIndex:
        """The index saved at ``path``; with ``params``, they must be the index's."""
        src = folder(path)
        if not src.exists("index.json"):
            raise InputError(f"{path}: no LSH index (index.json missing)")
        meta = read_json(src, "index.json")
        if meta.get("format") != FORMAT:
            raise InputError(f"{path}/index.json: unknown index format {meta.get('format')!r}")
        saved = MinhashParams(**meta["minhash"])
        if params is not None and params != saved:
            raise ConfigError(
                f"{path}: the index was built with MinHash {saved.as_dict()}, "
                f"the config asks for {params.as_dict()}"
            )
        if sha256_of(src, "lsh.pickle") != meta["sha256"]:
            raise InputError(f"{path}/lsh.pickle: checksum differs from index.json")
        index = cls(saved)
        with src.open("lsh.pickle", "rb") as f:
            index.lsh = pickle.load(f)
        return index

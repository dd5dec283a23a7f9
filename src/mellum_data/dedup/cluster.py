"""Clusters of duplicates, the copy each keeps, and the filter that applies them.

``DedupCluster`` (one task) joins, with union-find, the MinHash candidate pairs that
datatrove's ``MinhashDedupBuckets`` wrote (``*.dups``) and every pair of documents with the
same exact or URL key (``DedupKeys``' sorted key files, merged across tasks as a stream).
Each cluster keeps its document with the best source priority, then the first in input
order (task, position). It writes, per task, ``clusters/{rank:06d}.parquet``: one row per
document in a cluster, sorted by position, with the cluster's id and size and, for removed
copies, the kept copy's ``id``, the link (``exact`` when the texts are equal after
normalisation, ``url`` when the URLs are, ``minhash`` otherwise) and the drop reason
(``<link>_duplicate``, or ``<link>_duplicate_of_<source>`` when the kept copy is in
another source).

Memory is proportional to the number of documents in clusters (and, with verification,
their signatures), as in datatrove's cluster step; the document table of one task at a
time is read to name them. Exact and URL keys are merged by one task (~0.5M keys/s on a
busy 2-core machine): past a few hundred million documents they would want partitioning
by hash range, as the MinHash buckets are.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import repeat
from pathlib import PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolder, DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import SENTINEL
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.utils.typeshelper import StatHints

from mellum_data.dedup.exact import KEY_DTYPE
from mellum_data.dedup.minhash import MinhashParams
from mellum_data.dedup.signature import full_file
from mellum_data.io import PARQUET_THREADS

LINKS = ("minhash", "url", "exact")  # weakest first
CLUSTER_SCHEMA = pa.schema(
    [
        ("idx", pa.uint32()),
        ("cluster", pa.int64()),
        ("size", pa.int64()),
        ("duplicate_of", pa.string()),
        ("link", pa.string()),
        ("drop_reason", pa.string()),
    ]
)
_CHUNK = 1 << 16


def _rank(path: str) -> int:
    return int(PurePosixPath(path).name.split(".")[0])


def _read_keys(folder: DataFolder, path: str) -> Iterator[tuple[int, int, int]]:
    """(hash, task, position) records of a sorted key file, read in chunks."""
    rank = _rank(path)
    with folder.open(path, "rb") as f:
        while buf := f.read(_CHUNK * KEY_DTYPE.itemsize):
            rec = np.frombuffer(buf, KEY_DTYPE)
            yield from zip(rec["h"].tolist(), repeat(rank), rec["doc"].tolist())


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.links: dict[int, int] = defaultdict(int)  # bitmask of LINKS per node

    def find(self, x: int) -> int:
        root = x
        while (p := self.parent.get(root, root)) != root:
            root = p
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int, link: int) -> None:
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        self.links[a] |= 1 << link
        self.links[b] |= 1 << link
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class DedupCluster(PipelineStep):
    """With ``verify``, a MinHash candidate pair is joined only when its whole signatures
    (``signatures``: the signature step's folder, written with ``full=True``) agree on at
    least that share of hashes, the estimate of its Jaccard similarity: it removes the
    pairs that share one band by chance."""

    type = "🫂 - DEDUP"
    name = "🧩 Dedup clusters"

    def __init__(
        self,
        work_folder: DataFolderLike,
        minhash_pairs: DataFolderLike | None = None,
        *,
        signatures: DataFolderLike | None = None,
        params: MinhashParams | None = None,
        verify: float | None = None,
    ) -> None:
        super().__init__()
        if verify is not None and (signatures is None or params is None):
            raise ValueError("verify needs the signatures folder and the MinHash parameters")
        self.work = get_datafolder(work_folder)
        self.pairs = get_datafolder(minhash_pairs) if minhash_pairs else None
        self.signatures = get_datafolder(signatures) if signatures else None
        self.params = params
        self.verify = verify

    def _minhash_pairs(self) -> Iterator[tuple[int, int]]:
        for path in self.pairs.list_files(glob_pattern="*.dups"):
            with self.pairs.open(path, "rb") as f:
                while buf := f.read(_CHUNK * 16):
                    for f1, d1, f2, d2 in np.frombuffer(buf, "<u4").reshape(-1, 4).tolist():
                        if f1 != SENTINEL:  # SENTINEL: a match with a datatrove index
                            yield f1 << 32 | d1, f2 << 32 | d2

    def _full_signatures(self, nodes: set[int]) -> dict[int, np.ndarray]:
        """Whole signatures of ``nodes``, read by position (fixed-size rows)."""
        dtype = np.dtype(np.uint32 if self.params.hash_bits == 32 else np.uint64)
        row = self.params.num_hashes * dtype.itemsize
        by_rank: dict[int, list[int]] = defaultdict(list)
        for node in sorted(nodes):
            by_rank[node >> 32].append(node)
        out = {}
        for r, group in by_rank.items():
            with self.signatures.open(full_file(r), "rb") as f:
                for node in group:
                    f.seek((node & 0xFFFFFFFF) * row)
                    out[node] = np.frombuffer(f.read(row), dtype=dtype)
        return out

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> None:
        assert world_size == 1, "the cluster step runs as one task"
        uf = _UnionFind()
        with self.track_time():
            if self.pairs:
                sigs = None
                if self.verify is not None:
                    nodes = {n for pair in self._minhash_pairs() for n in pair}
                    sigs = self._full_signatures(nodes)
                for a, b in self._minhash_pairs():
                    self.stat_update("minhash_pairs")
                    if sigs is not None and np.mean(sigs[a] == sigs[b]) < self.verify:
                        self.stat_update("minhash_pairs_rejected")
                        continue
                    uf.union(a, b, 0)
            for link in (1, 2):
                files = self.work.list_files(subdirectory=LINKS[link], glob_pattern="*.keys")
                last, first = None, 0
                for h, r, d in heapq.merge(*(_read_keys(self.work, p) for p in files)):
                    node = r << 32 | d
                    if h == last:
                        uf.union(first, node, link)
                        self.stat_update(f"{LINKS[link]}_pairs")
                    else:
                        last, first = h, node
            self._write(uf)

    def _write(self, uf: _UnionFind) -> None:
        by_rank: dict[int, list[int]] = defaultdict(list)
        for node in uf.parent:
            by_rank[node >> 32].append(node & 0xFFFFFFFF)
        info: dict[int, dict] = {}
        for r, positions in by_rank.items():
            with self.work.open(f"docs/{r:05d}.parquet", "rb") as f:
                table = pq.read_table(f, use_threads=PARQUET_THREADS)
            rows = table.take(pa.array(positions)).to_pylist()
            info.update({r << 32 | p: row for p, row in zip(positions, rows)})
        members: dict[int, list[int]] = defaultdict(list)
        for node in uf.parent:
            members[uf.find(node)].append(node)
        kept = {
            root: min(nodes, key=lambda n: (info[n]["priority"], n))
            for root, nodes in members.items()
        }
        out: dict[int, list[dict]] = defaultdict(list)
        for cid, root in enumerate(sorted(members, key=lambda root: kept[root])):
            keep, nodes = info[kept[root]], members[root]
            self.stat_update("clusters")
            self.stat_update("cluster_size", value=len(nodes), unit="cluster")
            for node in nodes:
                row = {"idx": node & 0xFFFFFFFF, "cluster": cid, "size": len(nodes)}
                if node != kept[root]:
                    me = info[node]
                    link = self._link(me, keep, uf.links[node])
                    reason = f"{link}_duplicate"
                    if me["source"] != keep["source"]:
                        reason += f"_of_{keep['source']}"
                    row |= {"duplicate_of": keep["id"], "link": link, "drop_reason": reason}
                    self.stat_update("to_remove")
                out[node >> 32].append(row)
        ranks = [_rank(p) for p in self.work.list_files(subdirectory="docs")]
        for r in ranks:
            rows = sorted(out.get(r, []), key=lambda row: row["idx"])
            with self.work.open(f"clusters/{r:06d}.parquet", "wb") as f:
                pq.write_table(pa.Table.from_pylist(rows, schema=CLUSTER_SCHEMA), f)

    @staticmethod
    def _link(me: dict, keep: dict, links: int) -> str:
        """Why a copy goes: its own key equals the kept copy's, else its weakest link."""
        if me["exact"] is not None and me["exact"] == keep["exact"]:
            return "exact"
        if me["url"] is not None and me["url"] == keep["url"]:
            return "url"
        return next(name for i, name in enumerate(LINKS) if links >> i & 1)


class DedupFilter(PipelineStep):
    """Applies ``clusters/{rank:06d}.parquet``: every document gets ``minhash_cluster_id``
    (-1 alone) and ``minhash_cluster_size``; removed copies also ``duplicate_of`` and
    ``drop_reason``, and go to ``writers[link]``."""

    type = "🫂 - DEDUP"
    name = "🧹 Dedup filter"

    def __init__(
        self, work_folder: DataFolderLike, writers: dict[str, DiskWriter] | None = None
    ) -> None:
        super().__init__()
        self.work = get_datafolder(work_folder)
        self.writers = writers or {}

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        path = f"clusters/{rank:06d}.parquet"
        if not self.work.exists(path):
            raise FileNotFoundError(f"{self.work.path}/{path}: the cluster step did not run")
        with self.work.open(path, "rb") as f:
            rows = iter(pq.read_table(f, use_threads=PARQUET_THREADS).to_pylist())
        row = next(rows, None)
        with ExitStack() as stack:
            writers = {k: stack.enter_context(w) for k, w in self.writers.items()}
            for idx, doc in enumerate(data):
                self.stat_update(StatHints.total)
                meta = doc.metadata
                meta["minhash_cluster_id"], meta["minhash_cluster_size"] = -1, 1
                if row is not None and row["idx"] == idx:
                    meta["minhash_cluster_id"], meta["minhash_cluster_size"] = (
                        row["cluster"],
                        row["size"],
                    )
                    this, row = row, next(rows, None)
                    if this["duplicate_of"] is not None:
                        meta["duplicate_of"] = this["duplicate_of"]
                        meta["drop_reason"] = this["drop_reason"]
                        self.stat_update(StatHints.dropped, this["drop_reason"])
                        if this["link"] in writers:
                            writers[this["link"]].write(doc, rank)
                        continue
                self.stat_update(StatHints.forwarded)
                yield doc

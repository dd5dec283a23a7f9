"""Exact keys: content hashes after normalisation, normalised URLs, and the per-task document
table (id, source, priority) that the cluster step reads to choose and name kept copies.

``DedupKeys`` passes documents through and writes, for task ``rank``:

- ``docs/{rank:05d}.parquet``: one row per document in input order (its position is the
  document's number in the MinHash bucket files): ``id``, ``source``, ``priority``,
  ``exact`` (content hash) and ``url`` (hash of the normalised URL, null without one);
- ``exact/{rank:05d}.keys`` and ``url/{rank:05d}.keys``: (uint64 hash, uint32 position)
  records sorted by hash, merged across tasks by the cluster step.
"""

from __future__ import annotations

import re
from array import array
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash
from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

from mellum_data.filters.url import is_tracking_param

KEY_DTYPE = np.dtype([("h", "<u8"), ("doc", "<u4")])
DOCS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("priority", pa.int32()),
        ("exact", pa.uint64()),
        ("url", pa.uint64()),
    ]
)
# Query parameters that name a campaign or a click, not a page.
_DEFAULT_PORTS = {80, 443}
_SLASHES = re.compile(r"/{2,}")
_BATCH = 8192


def normalize_text(text: str, *, whitespace: bool = True, lowercase: bool = False) -> str:
    """``whitespace``: every whitespace run is one space (re-indented or re-wrapped copies,
    CRLF vs LF, count as the same text); ``lowercase``: case is ignored."""
    if whitespace:
        text = " ".join(text.split())
    return text.lower() if lowercase else text


def text_hash(text: str) -> int:
    return xxhash.xxh64_intdigest(text.encode("utf-8", "surrogatepass"))


def normalize_url(url: str) -> str | None:
    """The URL's identity: scheme, ``www.``, default port, fragment, tracking parameters (the
    web stage's list, ``filters.url.TRACKING_PARAMS``), repeated and trailing slashes and
    query order are ignored; host lowercased. None for a string without a host. Coarser than
    the web stage's ``filters.url.normalize_url``, so pages that one calls the same URL this
    one does too."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    host = host.removeprefix("www.")
    if port is not None and port not in _DEFAULT_PORTS:
        host = f"{host}:{port}"
    path = _SLASHES.sub("/", parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    return host + (path if path != "/" else "") + ("?" + urlencode(query) if query else "")


def priority_of(doc: Document, priority: list[str]) -> int:
    """Position of the document's source (or else its kind) in ``priority``; unlisted
    sources come after every listed one."""
    meta = doc.metadata
    for name in (meta.get("source"), meta.get("kind")):
        if name in priority:
            return priority.index(name)
    return len(priority)


class DedupKeys(PipelineStep):
    type = "🫂 - DEDUP"
    name = "🔑 Dedup keys"

    def __init__(
        self,
        output_folder: DataFolderLike,
        *,
        exact: bool = True,
        whitespace: bool = True,
        lowercase: bool = False,
        urls: bool = True,
        priority: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.exact = exact
        self.whitespace = whitespace
        self.lowercase = lowercase
        self.urls = urls
        self.priority = list(priority or [])

    def keys(self, doc: Document) -> tuple[int | None, int | None]:
        exact = url = None
        if self.exact:
            exact = text_hash(
                normalize_text(doc.text, whitespace=self.whitespace, lowercase=self.lowercase)
            )
        if self.urls and isinstance(doc.metadata.get("url"), str):
            norm = normalize_url(doc.metadata["url"])
            url = text_hash(norm) if norm else None
        return exact, url

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        rows: dict[str, list] = {name: [] for name in DOCS_SCHEMA.names}
        # Typed arrays: 12 bytes a document, where tuples would take ~10x that.
        keys = {kind: (array("Q"), array("I")) for kind in ("exact", "url")}
        with (
            self.output_folder.open(f"docs/{rank:05d}.parquet", "wb") as f,
            pq.ParquetWriter(f, DOCS_SCHEMA, compression="zstd") as writer,
        ):

            def flush() -> None:
                writer.write_table(pa.table(rows, schema=DOCS_SCHEMA))
                for col in rows.values():
                    col.clear()

            for idx, doc in enumerate(data):
                with self.track_time():
                    exact, url = self.keys(doc)
                    rows["id"].append(doc.id)
                    rows["source"].append(doc.metadata.get("source"))
                    rows["priority"].append(priority_of(doc, self.priority))
                    rows["exact"].append(exact)
                    rows["url"].append(url)
                    for kind, value in (("exact", exact), ("url", url)):
                        if value is not None:
                            keys[kind][0].append(value)
                            keys[kind][1].append(idx)
                    if len(rows["id"]) >= _BATCH:
                        flush()
                yield doc
            flush()
        for kind, (hashes, positions) in keys.items():
            rec = np.empty(len(hashes), dtype=KEY_DTYPE)
            rec["h"], rec["doc"] = hashes, positions
            rec = rec[np.lexsort((rec["doc"], rec["h"]))]
            with self.output_folder.open(f"{kind}/{rank:05d}.keys", "wb") as f:
                f.write(rec.tobytes())

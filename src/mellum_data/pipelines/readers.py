"""Readers for web and math inputs. Each reads an explicit list of files (see ``sources``).

A record that cannot become a document (an undecodable body, a line that is not JSON, a
binary file) is still yielded, marked with ``metadata["drop_reason"]`` and its raw text
truncated, so that ``DropMarked`` writes it under ``removed/read/``: every input document is
accounted for.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.readers.base import BaseDiskReader
from datatrove.pipeline.writers.disk_base import DiskWriter

from mellum_data.errors import InputError
from mellum_data.filters.lean import LeanFilter
from mellum_data.io import PARQUET_THREADS
from mellum_data.pipelines.sources import InputFiles, ReaderConfig, doc_id, format_of

HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.-]+)", re.I)
# WHATWG Encoding Standard: browsers read these labels as windows-1252, and pages rely on it.
_AS_WINDOWS_1252 = {"iso8859-1", "latin-1", "ascii"}
# Replacement characters and C0 controls other than whitespace: what a wrong decoding leaves.
_NOT_TEXT = re.compile(r"[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f]")
_GOOD_NON_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def declared_charset(content_type: str | None, body: bytes) -> str | None:
    """The charset a page declares: byte-order mark, HTTP header, then <meta> / <?xml?>."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    header = _HEADER_CHARSET.search(content_type or "")
    found = _codec(header.group(1)) if header else None
    if found is None:
        head = body[:4096]
        match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
        found = _codec(match.group(1).decode("ascii")) if match else None
    return found


def _bad_chars(text: str) -> int:
    return len(_NOT_TEXT.findall(text))


def decode_body(body: bytes, charset: str | None, max_bad: float) -> str | None:
    """Decode with the declared charset (UTF-8 when none is declared); None when more than
    ``max_bad`` of the characters come out bad (binary data, a compressed body).

    When the declared charset fails entirely (bad characters and not one good non-ASCII
    one, e.g. a Windows-1252 page declared UTF-8) or beyond ``max_bad``, the charset
    detected from the bytes is tried and the cleaner text kept. A UTF-8 page with a few
    stray bytes keeps its UTF-8 reading: re-decoding it would garble every other character.
    """
    from resiliparse.parse.encoding import detect_encoding

    first = charset or "utf-8"
    text = body.decode(first, errors="replace")
    bad = _bad_chars(text)
    if bad and (bad > max_bad * len(text) or not _GOOD_NON_ASCII.search(text)):
        detected = _codec(detect_encoding(body))
        if detected and detected != first:
            other = body.decode(detected, errors="replace")
            if (other_bad := _bad_chars(other)) < bad:
                text, bad = other, other_bad
    return text if bad <= max_bad * len(text) else None


class _Reader(BaseDiskReader):
    """Reads an explicit list of files (split across tasks by rank) into documents with the
    pipeline's common metadata; marks the records that cannot become documents."""

    def __init__(self, group: InputFiles, cfg: ReaderConfig, *, source: str, kind: str) -> None:
        super().__init__(group.folder, limit=cfg.limit)
        self.group, self.files, self.cfg = group, group.files, cfg
        self.source, self.kind = source, kind

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1):
        if data:
            yield from data
        for doc in self.read_files_shard(list(self.files[rank::world_size])):
            self.update_doc_stats(doc)
            yield doc

    def base_metadata(self, filepath: str, fmt: str, url: str = "", path: str = "") -> dict:
        meta: dict[str, Any] = {"source": self.source, "kind": self.kind, "url": url}
        if self.kind == "math":
            meta["path"] = path
        else:
            meta["date"] = ""
        meta |= {"format": fmt, "file_path": self.group.display_path(filepath)}
        return meta

    def failed(self, raw: bytes | str, id_: str, meta: dict, reason: str) -> Document:
        if isinstance(raw, bytes):
            raw = raw[: self.cfg.removed_text_chars * 4].decode("utf-8", errors="replace")
        self.stat_update(reason)
        meta["drop_reason"] = reason
        return Document(text=raw[: self.cfg.removed_text_chars], id=id_, metadata=meta)


def _dechunk(body: bytes) -> bytes | None:
    """A ``Transfer-Encoding: chunked`` body decoded, or None if it is not valid chunking."""
    out, pos = [], 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(body[pos:eol].split(b";", 1)[0].strip(), 16)
        except ValueError:
            return None
        if size == 0:
            return b"".join(out)
        start = eol + 2
        if start + size > len(body):
            return None
        out.append(body[start : start + size])
        pos = start + size + 2


def http_payload(body: bytes, transfer_encoding: str | None, content_encoding: str | None) -> bytes:
    """The HTTP body with its transfer and content encodings undone, where they can be: like
    warcio, a body that does not decode as declared is returned as it came (the charset check
    then tells text from binary)."""
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        dechunked = _dechunk(body)
        body = body if dechunked is None else dechunked  # b"": a valid, empty body
    encoding = (content_encoding or "").strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
        if encoding == "br":
            import brotli

            return brotli.decompress(body)
    except Exception:  # zlib.error, brotli's error, or brotli not installed
        return body
    return body


# Compressed WARCs fastwarc reads itself (faster than through Python's decompressors).
_FASTWARC_COMPRESSIONS = (".gz", ".zst")
_RECORD_TYPES: dict[int, str] = {}


def _record_type_name(record_type: Any) -> str:
    """``"response"`` etc. for a FastWARC record type (``skipped_<type>_record`` stats)."""
    if not _RECORD_TYPES:
        from fastwarc.warc import WarcRecordType

        names = "warcinfo response resource request metadata revisit conversion continuation"
        for name in names.split():
            _RECORD_TYPES[int(getattr(WarcRecordType, name))] = name
    return _RECORD_TYPES.get(int(record_type), "unknown")


def _broken_response(record: Any) -> str | None:
    """Why a response record cannot be read, or None: ``read_truncated`` when the file ends
    in its WARC headers (no Content-Length), ``read_bad_http`` when it declares HTTP that
    does not parse. A response that is not HTTP (e.g. ``dns:``) is neither: it is skipped."""
    if record.headers.get("Content-Length") is None:
        return "read_truncated"
    if record.is_http and (not record.is_http_parsed or record.http_headers.status_code is None):
        return "read_bad_http"
    return None


class WarcHtmlReader(_Reader):
    """HTML and XHTML responses of WARC files (by HTTP Content-Type), WET text records too.

    Unlike datatrove's ``WarcReader`` it trusts the HTTP Content-Type (libmagic sniffs XHTML
    as XML and drops it) and decodes with the declared charset. Records that are not pages
    (requests, metadata, images) are counted in the stats, not read as documents. Records are
    parsed by FastWARC (resiliparse's WARC library, about 3x faster than warcio here); a file
    it cannot parse is an ``InputError`` that names it.
    """

    name = "🕷 WARC HTML"

    def read_file(self, filepath: str) -> DocumentsPipeline:
        from fastwarc.warc import ArchiveIterator

        raw = filepath.endswith(_FASTWARC_COMPRESSIONS)
        with self.data_folder.open(filepath, "rb", compression=None if raw else "infer") as f:
            records = iter(ArchiveIterator(f, parse_http=True, fsspec_args=False))
            while True:
                try:
                    record = next(records)
                except StopIteration:
                    return
                except OSError as e:
                    where = self.group.display_path(filepath)
                    raise InputError(f"{where}: corrupt WARC: {e}") from e
                with self.track_time():
                    doc = self.record_document(record, filepath)
                if doc is not None:
                    yield doc

    def _record_ids(self, headers: Any) -> tuple[str, str]:
        """A record's URL and its document id (from the URL, else the WARC record id)."""
        url = headers.get("WARC-Target-URI") or ""
        return url, doc_id(self.source, url or headers.get("WARC-Record-ID") or "")

    def record_document(self, record: Any, filepath: str) -> Document | None:
        rec_type, headers = _record_type_name(record.record_type), record.headers
        if rec_type == "response" and (reason := _broken_response(record)):
            url, id_ = self._record_ids(headers)
            return self.failed(b"", id_, self.base_metadata(filepath, "html", url=url), reason)
        if rec_type == "response" and record.is_http_parsed:
            http = record.http_headers
            content_type = http.get("Content-Type")
            status = str(http.status_code or "")
        elif rec_type in ("resource", "conversion"):
            http, content_type, status = None, headers.get("Content-Type"), "200"
        else:
            self.stat_update(f"skipped_{rec_type}_record")
            return None
        content_type = content_type or headers.get("WARC-Identified-Payload-Type")
        is_text = rec_type == "conversion"
        if not is_text and (content_type or "").split(";")[0].strip().lower() not in HTML_TYPES:
            self.stat_update("skipped_non_html")
            return None
        url, id_ = self._record_ids(headers)
        meta = self.base_metadata(filepath, "text" if is_text else "html", url=url)
        meta["date"] = headers.get("WARC-Date") or ""
        try:
            body = record.reader.read()
        except OSError:  # a record cut short
            return self.failed(b"", id_, meta, "read_truncated")
        if len(body) < record.content_length:  # the file ends inside the record
            return self.failed(body, id_, meta, "read_truncated")
        if http is not None:
            body = http_payload(body, http.get("Transfer-Encoding"), http.get("Content-Encoding"))
        if not status.startswith("2"):
            return self.failed(body, id_, meta, "read_http_status")
        if not body.strip():
            return self.failed(body, id_, meta, "read_empty_body")
        charset = "utf-8" if is_text else declared_charset(content_type, body)
        text = decode_body(body, charset, self.cfg.max_undecodable_fraction)
        if text is None:
            return self.failed(body, id_, meta, "read_undecodable")
        return Document(text=text, id=id_, metadata=meta)


_RECORD_FORMATS = {"tex": (".tex",), "markdown": (".md", ".markdown")}


class _Records(_Reader):
    """Documents from jsonl / parquet rows, with configurable text, id, url and path fields."""

    def row_document(self, row: dict, filepath: str, index: int) -> Document:
        cfg = self.cfg
        url = str(row.get(cfg.url_key) or "") if cfg.url_key else ""
        path = str(row.get(cfg.path_key) or "") if cfg.path_key else ""
        given = row.get(cfg.id_key) if cfg.id_key else None
        if given is not None and given != "":
            id_ = f"{self.source}/{given}"
        else:
            id_ = doc_id(self.source, url or path or f"{self.group.display_path(filepath)}#{index}")
        fmt = "html" if cfg.content == "html" else format_of(path, _RECORD_FORMATS) or "text"
        meta = self.base_metadata(filepath, fmt, url=url, path=path)
        if "date" in meta:
            meta["date"] = str(row.get("date") or "")
        text = row.get(cfg.text_key)
        if not isinstance(text, str) or not text.strip():
            return self.failed("", id_, meta, "read_missing_text")
        return Document(text=text, id=id_, metadata=meta)


@contextmanager
def binary_lines(folder: Any, path: str) -> Iterator[Iterator[bytes]]:
    """The lines of a file, decompressed by its suffix (.gz, .zst, ...). zstandard's reader
    cannot iterate lines itself, so every stream goes through a buffered reader."""
    with folder.open(path, "rb", compression="infer") as f:
        yield io.BufferedReader(f)


class JsonlRecordsReader(_Records):
    name = "🐿 Jsonl records"

    def read_file(self, filepath: str) -> Iterator[Document]:
        import orjson

        with binary_lines(self.data_folder, filepath) as lines:
            for index, line in enumerate(lines):
                if not line.strip():
                    continue
                try:
                    row = orjson.loads(line)
                except orjson.JSONDecodeError:
                    row = None
                if isinstance(row, dict):
                    yield self.row_document(row, filepath, index)
                    continue
                id_ = doc_id(self.source, f"{self.group.display_path(filepath)}#{index}")
                meta = self.base_metadata(filepath, self.cfg.content)
                yield self.failed(line, id_, meta, "read_bad_json")


class ParquetRecordsReader(_Records):
    name = "📒 Parquet records"

    def read_file(self, filepath: str) -> Iterator[Document]:
        import pyarrow.parquet as pq

        cfg = self.cfg
        wanted = {cfg.text_key, cfg.id_key, cfg.url_key, cfg.path_key, "date"} - {None}
        with self.data_folder.open(filepath, "rb") as f, pq.ParquetFile(f) as pqf:
            columns = [c for c in pqf.schema_arrow.names if c in wanted]
            index = 0
            for batch in pqf.iter_batches(
                batch_size=1000, columns=columns, use_threads=PARQUET_THREADS
            ):
                for row in batch.to_pylist():
                    yield self.row_document(row, filepath, index)
                    index += 1


class TextFileReader(_Reader):
    """One document per file (.tex, .md, .html, .txt); binary or non-UTF-8 files are marked."""

    name = "📄 Text files"

    def read_file(self, filepath: str) -> Iterator[Document]:
        path = self.group.display_path(filepath)
        id_ = doc_id(self.source, path)
        meta = self.base_metadata(filepath, self.group.format, path=path)
        with self.data_folder.open(filepath, "rb") as f:
            body = f.read(self.cfg.max_file_bytes + 1)
        if len(body) > self.cfg.max_file_bytes:
            yield self.failed(body, id_, meta, "read_too_large")
        elif b"\x00" in body[:8192]:
            yield self.failed(b"", id_, meta, "read_binary")
        elif not body.strip():
            yield self.failed(b"", id_, meta, "read_empty_file")
        else:
            try:
                yield Document(text=body.decode("utf-8-sig"), id=id_, metadata=meta)
            except UnicodeDecodeError:
                yield self.failed(body, id_, meta, "read_not_utf8")


READERS: dict[str, type[_Reader]] = {
    "warc": WarcHtmlReader,
    "jsonl": JsonlRecordsReader,
    "parquet": ParquetRecordsReader,
}


def reader_steps(groups: list[InputFiles], cfg: ReaderConfig, *, source: str, kind: str) -> list:
    """One reader per group of input files; chained readers pass earlier documents through."""
    return [
        READERS.get(group.format, TextFileReader)(group, cfg, source=source, kind=kind)
        for group in groups
    ]


class DropMarked(LeanFilter):
    """Drops the documents that a reader marked with ``metadata["drop_reason"]``; readers are
    chained (one per input group), so they cannot each own the ``removed/read/`` writer."""

    name = "🚮 Drop marked"

    def __init__(self, exclusion_writer: DiskWriter | None = None) -> None:
        super().__init__(exclusion_writer=exclusion_writer)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        reason = doc.metadata.get("drop_reason")
        return True if reason is None else (False, reason)

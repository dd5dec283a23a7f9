"""Readers for code: a folder of repositories (one sub-folder or archive per repository),
or The-Stack-style tables (parquet / jsonl, one row per file).

Readers yield one document per file found, including files that cannot be used: those carry
``drop_reason`` (``read_binary``, ``read_not_utf8``, ``read_too_large``, ``read_empty``,
``read_unknown_language``, ``read_language_excluded``, ``read_outside_repo``, ``read_link``,
and for archives ``read_archive_*``, see ``code_archives``) and ``readers.DropMarked``, the
step after the readers, moves them to ``removed/read/``. So kept + removed always equals
what was found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.readers.base import BaseDiskReader, BaseReader
from datatrove.utils.logging import logger

from mellum_data.errors import InputError
from mellum_data.filters.license_detect import combine, license_from_header, license_from_name
from mellum_data.io import PARQUET_THREADS
from mellum_data.pipelines.code_archives import (
    ARCHIVE_ERRORS,
    ArchiveLimits,
    ArchiveRejected,
    RepositoryArchive,
    archive_suffix,
    repo_name_of,
)
from mellum_data.pipelines.code_langs import UNKNOWN_LANG, canonical_language, language_of
from mellum_data.pipelines.code_provenance import (
    decode_file,
    is_root_file,
    repo_license,
    with_header,
)


class CodeFileMaker:
    """Turns one file's bytes into a kept document or a removed record (shared by readers)."""

    def __init__(
        self,
        source: str,
        max_file_bytes: int | None,
        languages: list[str] | None,
        keep_unknown_languages: bool,
    ) -> None:
        self.source = source
        self.max_file_bytes = max_file_bytes
        self.languages = set(languages) if languages else None
        self.keep_unknown_languages = keep_unknown_languages

    def make(
        self,
        repo: str,
        path: str,
        raw: bytes | str | None,
        size: int,
        license_: str | None,
        license_source: str,
        lang: str | None = None,
        reason: str | None = None,
    ) -> Document:
        text = None
        if reason is None:
            text, reason = self._decode(raw, size)
        lang = canonical_language(lang) if lang else language_of(path, text)
        if reason is None:
            if lang == UNKNOWN_LANG and not self.keep_unknown_languages:
                reason = "read_unknown_language"
            elif self.languages is not None and lang not in self.languages:
                reason = "read_language_excluded"
        if reason is None and (header := license_from_header(text)):
            license_, license_source = with_header(license_, license_source, header)
        meta = {
            "source": self.source,
            "kind": "code",
            "repo": repo,
            "path": path,
            "lang": lang,
            "size": size,
            "license": license_ or "unknown",
            "license_source": license_source,
        }
        if reason:
            meta |= {"drop_reason": reason, "dropped_by": "read"}
        doc_id = f"{self.source}/{repo}/{path}" if repo else f"{self.source}/{path}"
        return Document(text=text or "", id=doc_id, metadata=meta)

    def _decode(self, raw: bytes | str | None, size: int) -> tuple[str | None, str | None]:
        if self.max_file_bytes is not None and size > self.max_file_bytes:
            return None, "read_too_large"
        if isinstance(raw, str):
            if not raw:
                return None, "read_empty"
            if "\0" in raw[:8192]:
                return None, "read_binary"
            try:
                raw.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates, e.g. from JSON "\ud800" escapes
                return raw.encode("utf-8", "replace").decode("utf-8"), "read_not_utf8"
            return raw, None
        return decode_file(raw or b"")


class RepoFolderReader(BaseReader):
    """One document per file of a folder of repositories: sub-folders and archives
    (``code_archives``), one repository each. Each task reads whole repositories (every
    ``world_size``-th one), so a repository's license is known before its files. ``only``
    restricts the folder to one entry (an archive given as the input itself)."""

    name = "📂 Repositories"

    def __init__(
        self,
        data_folder: DataFolderLike,
        maker: CodeFileMaker,
        skip_dirs: tuple[str, ...] = (".git", ".hg", ".svn"),
        archive_limits: ArchiveLimits | None = None,
        only: str | None = None,
    ) -> None:
        super().__init__()
        self.data_folder = get_datafolder(data_folder)
        self.maker = maker
        self.skip_dirs = set(skip_dirs)
        self.archive_limits = archive_limits or ArchiveLimits()
        self.only = only

    def _entries(self, subdir: str, depth: int | None) -> dict[str, dict]:
        return self.data_folder.find(subdir, maxdepth=depth, withdirs=depth == 1, detail=True)

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        if data:
            yield from data
        if not self.data_folder.isdir(""):
            raise InputError(f"{self.data_folder.path}: input folder not found")
        # fsspec lists the folder itself among its entries with withdirs=True.
        top = sorted(
            (p.strip("/"), i)
            for p, i in self._entries("", 1).items()
            if p.strip("/.") != "" and self.only in (None, p.strip("/"))
        )
        repos = [
            (p, info)
            for p, info in top
            if (info["type"] == "directory" and p not in self.skip_dirs)
            or (info["type"] == "file" and archive_suffix(p))
        ]
        loose = [(p, info.get("size") or 0) for p, info in top if (p, info) not in repos]
        for path, info in repos[rank::world_size]:
            if info["type"] == "directory":
                yield from self._read_repo(path)
            else:
                yield from self._read_archive(path, int(info.get("size") or 0))
        if rank == 0:
            for path, size in loose:
                self.stat_update("files")
                yield self.maker.make(
                    "", path, None, size, None, "none", reason="read_outside_repo"
                )

    def _read_repo(self, repo: str) -> Iterator[Document]:
        files = []
        for path, info in sorted(self._entries(repo, None).items()):
            rel = path[len(repo) + 1 :]
            if self.skip_dirs.intersection(rel.split("/")[:-1]):
                self.stat_update("vcs_files_skipped")
                continue
            if info["type"] == "file":
                files.append((path, rel, int(info.get("size") or 0), None))
            elif info["type"] != "directory":
                # A symbolic link may point anywhere on the machine: never followed.
                files.append((path, rel, 0, "read_link" if info.get("islink") else "read_special"))
        root = {
            rel: self._read(path)
            for path, rel, size, reason in files
            if reason is None and "/" not in rel and is_root_file(rel) and size < 1 << 20
        }
        license_, license_source = repo_license(root)
        self.stat_update("repos")
        name = repo.rsplit("/", 1)[-1]
        for path, rel, size, reason in files:
            self.stat_update("files")
            too_large = self.maker.max_file_bytes is not None and size > self.maker.max_file_bytes
            raw = None
            if reason is None and not too_large:
                raw = root[rel] if rel in root else self._read(path)
            yield self.maker.make(name, rel, raw, size, license_, license_source, reason=reason)

    def _read_archive(self, path: str, size: int) -> Iterator[Document]:
        name = repo_name_of(path)
        self.stat_update("archives")
        archive = RepositoryArchive(lambda: self._open(path), self.archive_limits, is_root_file)
        try:
            if size > self.archive_limits.max_bytes:
                raise ArchiveRejected("read_archive_bomb", f"{size} bytes compressed")
            root = archive.scan()
        except ArchiveRejected as e:
            # Rejected as a whole: one record for the archive, none of its files is read.
            logger.warning(f"{self.data_folder.resolve_paths(path)}: archive rejected ({e})")
            self.stat_update(e.reason)
            self.stat_update("files")
            yield self.maker.make(name, path, None, size, None, "none", reason=e.reason)
            return
        license_, license_source = repo_license(root)
        self.stat_update("repos")
        try:
            for entry in archive.entries():
                if self.skip_dirs.intersection(entry.path.split("/")[:-1]):
                    self.stat_update("vcs_files_skipped")
                    continue
                self.stat_update("files")
                if entry.reason:
                    self.stat_update(entry.reason)
                yield self.maker.make(
                    name, entry.path, entry.data, entry.size, license_, license_source,
                    reason=entry.reason,
                )  # fmt: skip
        except (ArchiveRejected, *ARCHIVE_ERRORS) as e:
            # It passed the scan: an archive that fails now changed or its storage failed.
            raise InputError(f"{self.data_folder.resolve_paths(path)}: read failed ({e})") from e

    def _open(self, path: str) -> BinaryIO:
        try:
            return self.data_folder.open(path, "rb")
        except OSError as e:
            raise InputError(f"{self.data_folder.resolve_paths(path)}: cannot read ({e})") from e

    def _read(self, path: str) -> bytes:
        with self._open(path) as f:
            try:
                return f.read()
            except OSError as e:
                where = self.data_folder.resolve_paths(path)
                raise InputError(f"{where}: cannot read ({e})") from e


class CodeTableReader(BaseDiskReader):
    """The-Stack-style rows (parquet or jsonl): one row per file, with configurable columns.
    A ``license`` column may hold an SPDX expression, a name, or a list of them (all hold)."""

    name = "📒 Code table"

    def __init__(
        self,
        data_folder: DataFolderLike,
        maker: CodeFileMaker,
        columns: dict[str, str | None],
        file_format: str,
    ) -> None:
        glob = "*.parquet" if file_format == "parquet" else "*.jsonl*"
        super().__init__(
            data_folder, glob_pattern=f"**/{glob}", recursive=True, add_file_path=False
        )
        self.maker = maker
        self.columns = columns
        self.file_format = file_format

    def _check_columns(self, filepath: str, row: dict) -> None:
        for role, name in self.columns.items():
            if name is not None and name not in row:
                raise InputError(
                    f"{self.data_folder.resolve_paths(filepath)}: no column {name!r} for the "
                    f"{role} (columns: {', '.join(row)}); set reader.columns.{role}"
                )

    def _rows(self, filepath: str) -> Iterator[dict]:
        if self.file_format == "parquet":
            import pyarrow.parquet as pq

            with self.data_folder.open(filepath, "rb") as f:
                for batch in pq.ParquetFile(f).iter_batches(
                    batch_size=1000, use_threads=PARQUET_THREADS
                ):
                    yield from batch.to_pylist()
        else:
            with self.data_folder.open(filepath, "rt", compression="infer") as f:
                for i, line in enumerate(f):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except ValueError as e:
                            raise InputError(f"{filepath}:{i + 1}: invalid JSON ({e})") from None

    def read_file(self, filepath: str) -> DocumentsPipeline:
        col = self.columns
        for i, row in enumerate(self._rows(filepath)):
            if i == 0:
                self._check_columns(filepath, row)
            content = row.get(col["content"])
            path = str(row.get(col["path"]) or "")
            repo = str(row.get(col["repo"]) or "") if col.get("repo") else ""
            license_, source = None, "none"
            if col.get("license") and (value := row.get(col["license"])):
                values = value if isinstance(value, list) else [value]
                found = [x for x in (license_from_name(str(v)) for v in values) if x]
                license_ = combine(found, choice=False) if found else None
                source = f"column:{col['license']}"
            lang = row.get(col["lang"]) if col.get("lang") else None
            size = row.get(col["size"]) if col.get("size") else None
            if size is None:
                size = (
                    len(content.encode("utf-8"))
                    if isinstance(content, str)
                    else len(content or b"")
                )
            self.stat_update("files")
            yield self.maker.make(repo, path, content, int(size), license_, source, lang)

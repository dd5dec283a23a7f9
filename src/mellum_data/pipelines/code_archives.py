"""Repositories packed as archives (``.tar.gz``, ``.tgz``, ``.tar``, ``.tar.bz2``,
``.tar.xz``, ``.zip``), read as streams: nothing is extracted to disk.

An archive is hostile until read. Members whose path leaves the archive's root (``../``,
absolute or drive paths) and links (symbolic or hard: their targets may point anywhere)
become removed records with their reason, never files. Bombs are stopped by caps on the
uncompressed bytes and the member count, checked before the data behind them is inflated
(tar: a counting reader under ``tarfile``, which also bounds single reads such as a pax
header claiming gigabytes; zip: the central directory's declared sizes, which ``zipfile``
enforces while inflating). An archive that breaks a cap or cannot be read is rejected as a
whole, before any of its files is emitted.

A tar is read twice (headers and root licence files, then the files): the licence must be
known before the first document leaves, and two sequential passes keep memory flat.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
_DRIVE = re.compile(r"^[A-Za-z]:")
# A pax or GNU long-name header is a few hundred bytes; nothing legitimate asks for more.
_MAX_HEADER_READ = 1 << 20
# Members above this are never read (when the reader has no per-file cap of its own).
_DEFAULT_MEMBER_CAP = 64 << 20


def archive_suffix(name: str) -> str | None:
    low = name.lower()
    return next((s for s in ARCHIVE_SUFFIXES if low.endswith(s)), None)


def repo_name_of(archive: str) -> str:
    """``requests-2.31.0.tar.gz`` -> ``requests-2.31.0``."""
    name = archive.rsplit("/", 1)[-1]
    suffix = archive_suffix(name)
    return name[: -len(suffix)] if suffix else name


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int = 4 << 30  # ours: uncompressed; the largest source trees are ~1.5 GB
    max_members: int = 100_000  # ours: the Linux kernel has ~90k files
    max_file_bytes: int | None = None  # members above it are not read (``read_too_large``)


class ArchiveRejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Entry:
    """One member that is not a directory: a file to read, or a record of why not."""

    path: str
    size: int
    reason: str | None = None
    data: bytes | None = None


def safe_path(name: str) -> str | None:
    """The member's path with ``/`` separators, or None when it leaves the archive root."""
    path = name.replace("\\", "/")
    if "\0" in path or path.startswith("/") or _DRIVE.match(path):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


class _Bounded(io.RawIOBase):
    """The decompressed stream under ``tarfile``: refuses to go past ``limit`` bytes or to
    hand out more than ``max_read`` bytes at once, so that inflating stops at the cap."""

    def __init__(self, stream: BinaryIO, limit: int, max_read: int) -> None:
        super().__init__()
        self.stream = stream
        self.limit = limit
        self.max_read = max_read
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def _check(self, end: int, size: int = 0) -> None:
        if end > self.limit:
            raise ArchiveRejected("read_archive_bomb", f"more than {self.limit} bytes inflated")
        if size > self.max_read:
            raise ArchiveRejected("read_archive_bomb", f"a header asks for {size} bytes")

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit - self.pos + 1
        self._check(self.pos + size, size)
        data = self.stream.read(size)
        self.pos += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self.pos + offset
        self._check(target)
        self.pos = self.stream.seek(target)
        return self.pos


def _decompressed(raw: BinaryIO) -> BinaryIO:
    magic = raw.read(6)
    raw.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw)
    if magic.startswith(b"BZh"):
        return bz2.BZ2File(raw)
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw)
    return raw


# What reading a broken archive raises (zipfile: RuntimeError for encrypted members,
# NotImplementedError for unknown compression methods).
ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError,
                  RuntimeError, NotImplementedError, zlib.error, lzma.LZMAError)  # fmt: skip


class RepositoryArchive:
    """One archive read as one repository: ``scan`` checks it and returns its root files,
    ``entries`` then yields every member. ``open`` returns a fresh binary stream."""

    def __init__(
        self, open_: Callable[[], BinaryIO], limits: ArchiveLimits, is_root_file: Callable
    ) -> None:
        self.open = open_
        self.limits = limits
        self.is_root_file = is_root_file
        self.member_cap = limits.max_file_bytes or _DEFAULT_MEMBER_CAP
        self.prefix = ""
        self.is_zip = False

    def scan(self) -> dict[str, bytes]:
        """Validate the whole archive; returns its root licence and manifest files. Raises
        ``ArchiveRejected`` (``read_archive_bomb`` or ``read_archive_rejected``)."""
        with self.open() as raw:
            self.is_zip = raw.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
            raw.seek(0)
            try:
                if self.is_zip:
                    return self._scan_zip(raw)
                return self._scan_tar(raw)
            except ArchiveRejected:
                raise
            except ARCHIVE_ERRORS as e:
                raise ArchiveRejected("read_archive_rejected", f"unreadable ({e})") from None

    def entries(self) -> Iterator[Entry]:
        with self.open() as raw:
            yield from (self._zip_entries(raw) if self.is_zip else self._tar_entries(raw))

    # --- shared ---------------------------------------------------------------------------

    def _count(self, n_members: int, total: int) -> None:
        if n_members > self.limits.max_members:
            raise ArchiveRejected(
                "read_archive_bomb", f"more than {self.limits.max_members} members"
            )
        if total > self.limits.max_bytes:
            raise ArchiveRejected("read_archive_bomb", f"more than {self.limits.max_bytes} bytes")

    def _set_prefix(self, paths: list[str]) -> None:
        """GitHub-style archives hold one top folder (``repo-sha/``): it is not a path.
        ``paths``: the safe paths of every member that is not a directory."""
        tops = {p.split("/", 1)[0] for p in paths}
        single = len(tops) == 1 and all("/" in p for p in paths)
        self.prefix = f"{tops.pop()}/" if single else ""

    def _relative(self, path: str) -> str:
        return path.removeprefix(self.prefix)

    def _root_candidate(self, path: str | None, size: int) -> bool:
        # Depth 2 at most: the top folder is only known once every member was seen.
        return (
            path is not None
            and path.count("/") <= 1
            and size < 1 << 20
            and self.is_root_file(path.rsplit("/", 1)[-1])
        )

    # --- tar ------------------------------------------------------------------------------

    def _tar(self, raw: BinaryIO) -> tarfile.TarFile:
        limit = self.limits.max_bytes + 2 * tarfile.RECORDSIZE
        bounded = _Bounded(_decompressed(raw), limit, max(self.member_cap, _MAX_HEADER_READ))
        return tarfile.open(fileobj=bounded, mode="r:")

    def _scan_tar(self, raw: BinaryIO) -> dict[str, bytes]:
        paths, candidates, total = [], {}, 0
        with self._tar(raw) as tar:
            for n, member in enumerate(tar, 1):
                total += member.size
                self._count(n, total)
                path = safe_path(member.name)
                if path is not None and not member.isdir():
                    paths.append(path)
                if member.isfile() and self._root_candidate(path, member.size):
                    candidates[path] = tar.extractfile(member).read()
        self._set_prefix(paths)
        return self._root_files(candidates)

    def _tar_entries(self, raw: BinaryIO) -> Iterator[Entry]:
        seen: set[str] = set()
        with self._tar(raw) as tar:
            for member in tar:
                if member.isdir():
                    continue
                link = member.issym() or member.islnk()
                entry = self._entry(member.name, member.size, seen, link, not member.isfile())
                if entry.reason is None:
                    entry.data = tar.extractfile(member).read()
                yield entry

    # --- zip ------------------------------------------------------------------------------

    def _scan_zip(self, raw: BinaryIO) -> dict[str, bytes]:
        with zipfile.ZipFile(raw) as archive:
            infos = archive.infolist()
            self._count(len(infos), sum(i.file_size for i in infos))
            self._set_prefix(
                [p for i in infos if not i.is_dir() and (p := safe_path(i.filename)) is not None]
            )
            candidates = {}
            for info in infos:
                path = safe_path(info.filename)
                size = info.file_size
                if not info.is_dir() and not _zip_link(info) and self._root_candidate(path, size):
                    try:
                        candidates[path] = archive.read(info)
                    except ARCHIVE_ERRORS:
                        pass  # ``entries`` reports it as a bad member
        return self._root_files(candidates)

    def _zip_entries(self, raw: BinaryIO) -> Iterator[Entry]:
        seen: set[str] = set()
        with zipfile.ZipFile(raw) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                mode = info.external_attr >> 16
                # Many zip writers store permission bits only (no file type): a file.
                special = stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFLNK, stat.S_IFDIR)
                entry = self._entry(info.filename, info.file_size, seen, _zip_link(info), special)
                if entry.reason is None:
                    try:
                        with archive.open(info) as f:
                            entry.data = f.read(self.member_cap + 1)
                    except ARCHIVE_ERRORS:
                        entry.reason = "read_archive_bad_member"  # bad CRC, encrypted ...
                yield entry

    # --- members --------------------------------------------------------------------------

    def _entry(self, name: str, size: int, seen: set[str], link: bool, special: bool) -> Entry:
        path = safe_path(name)
        if path is None:
            return Entry(name, 0, "read_archive_traversal")
        path = self._relative(path)
        if link:
            return Entry(path, 0, "read_archive_link")
        if special:
            return Entry(path, 0, "read_archive_special")
        if path in seen:
            return Entry(path, size, "read_archive_duplicate")
        seen.add(path)
        return Entry(path, size, "read_too_large" if size > self.member_cap else None)

    def _root_files(self, candidates: dict[str, bytes]) -> dict[str, bytes]:
        return {
            self._relative(path): data
            for path, data in candidates.items()
            if path.startswith(self.prefix) and "/" not in self._relative(path)
        }


def _zip_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)

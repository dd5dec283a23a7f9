"""Repository archives, benign and hostile, built by the tests in tmp_path."""

import gzip
import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from mellum_data.pipelines.code_archives import (
    ArchiveLimits,
    ArchiveRejected,
    RepositoryArchive,
    repo_name_of,
    safe_path,
)
from mellum_data.pipelines.code_provenance import is_root_file, repo_license
from mellum_data.pipelines.code_readers import CodeFileMaker, RepoFolderReader

MIT = b"MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining.\n"
CODE = b"def f():\n    return 1\n"


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add_special(tar: tarfile.TarFile, name: str, kind: bytes, target: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


def write_tar(path: Path, members: list, mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as tar:
        for member in members:
            if member[0] == "file":
                add_file(tar, member[1], member[2])
            else:
                add_special(tar, *member[1:])
    return path


def write_zip(path: Path, members: list[tuple[str, bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def read(path: Path, **limits) -> tuple[dict[str, bytes], list[tuple[str, str | None]]]:
    limits = {"max_file_bytes": 1000, **limits}
    archive = RepositoryArchive(lambda: open(path, "rb"), ArchiveLimits(**limits), is_root_file)
    root = archive.scan()
    return root, [(e.path, e.reason) for e in archive.entries()]


def test_safe_path():
    assert safe_path("repo/src/./a.py") == "repo/src/a.py"
    assert safe_path("repo\\src\\a.py") == "repo/src/a.py"
    for bad in ("../evil.py", "repo/../../evil.py", "/etc/passwd", "C:/x.py", "a\0b", "./"):
        assert safe_path(bad) is None, bad
    assert repo_name_of("s3://b/p/requests-2.31.0.tar.gz") == "requests-2.31.0"
    assert repo_name_of("lib.zip") == "lib"


def test_tar_strips_top_folder_and_rejects_traversal_and_links(tmp_path):
    path = write_tar(
        tmp_path / "proj.tar.gz",
        [
            ("file", "proj-abc123/LICENSE", MIT),
            ("file", "proj-abc123/src/a.py", CODE),
            ("file", "proj-abc123/../../evil.py", CODE),
            ("file", "/etc/cron.d/evil", CODE),
            ("special", "proj-abc123/passwd.py", tarfile.SYMTYPE, "/etc/passwd"),
            ("special", "proj-abc123/hard.py", tarfile.LNKTYPE, "proj-abc123/src/a.py"),
            ("special", "proj-abc123/pipe", tarfile.FIFOTYPE),
            ("file", "proj-abc123/src/a.py", CODE + b"# again\n"),
            ("file", "proj-abc123/big.py", b"x = 1\n" * 500),
        ],
    )
    root, entries = read(path)
    assert root == {"LICENSE": MIT}
    assert repo_license(root) == ("MIT", "file:LICENSE")
    assert entries == [
        ("LICENSE", None),
        ("src/a.py", None),
        ("proj-abc123/../../evil.py", "read_archive_traversal"),
        ("/etc/cron.d/evil", "read_archive_traversal"),
        ("passwd.py", "read_archive_link"),
        ("hard.py", "read_archive_link"),
        ("pipe", "read_archive_special"),
        ("src/a.py", "read_archive_duplicate"),
        ("big.py", "read_too_large"),
    ]


def test_zip_members_links_and_traversal(tmp_path):
    regular, link = stat.S_IFREG | 0o644, stat.S_IFLNK | 0o777
    path = write_zip(
        tmp_path / "z.zip",
        [
            ("LICENSE", MIT, regular),
            ("pkg/mod.py", CODE, regular),
            ("pkg/link.py", b"/etc/passwd", link),
            ("../escape.py", CODE, regular),
            ("C:\\Windows\\evil.py", CODE, regular),
            ("pkg/plain.py", CODE, 0),  # written on a system that stores no mode
            ("pkg/fifo", b"", stat.S_IFIFO | 0o644),
        ],
    )
    root, entries = read(path)
    assert root == {"LICENSE": MIT}
    assert entries == [
        ("LICENSE", None),
        ("pkg/mod.py", None),
        ("pkg/link.py", "read_archive_link"),
        ("../escape.py", "read_archive_traversal"),
        ("C:\\Windows\\evil.py", "read_archive_traversal"),
        ("pkg/plain.py", None),
        ("pkg/fifo", "read_archive_special"),
    ]


def test_bombs_are_rejected_before_inflating(tmp_path):
    zeros = b"\0" * (4 << 20)
    tar = write_tar(tmp_path / "t.tar.gz", [("file", "r/LICENSE", MIT), ("file", "r/z", zeros)])
    with pytest.raises(ArchiveRejected) as e:
        read(tar, max_bytes=1 << 20)
    assert e.value.reason == "read_archive_bomb"
    many = write_tar(tmp_path / "m.tar", [("file", f"r/f{i}.py", CODE) for i in range(50)], "w")
    with pytest.raises(ArchiveRejected, match="more than 20 members"):
        read(many, max_members=20)
    zbomb = write_zip(tmp_path / "b.zip", [("z", zeros, stat.S_IFREG | 0o644)])
    with pytest.raises(ArchiveRejected, match="read_archive_bomb"):
        read(zbomb, max_bytes=1 << 20)


def test_pax_header_claiming_megabytes_is_a_bomb(tmp_path):
    path = tmp_path / "pax.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("r/a.py")
        info.size = len(CODE)
        info.pax_headers = {"comment": "x" * (2 << 20)}
        tar.addfile(info, io.BytesIO(CODE))
    with pytest.raises(ArchiveRejected, match="a header asks for"):
        read(path)


def test_zip_member_larger_than_declared_is_not_inflated(tmp_path):
    path = write_zip(tmp_path / "lie.zip", [("a.py", b"y = 2\n" * 2000, stat.S_IFREG | 0o644)])
    data = bytearray(path.read_bytes())
    # Declare 12 bytes instead of 12,000 in the local and central headers.
    real = (12000).to_bytes(4, "little")
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(sig) + offset
        assert data[at : at + 4] == real
        data[at : at + 4] = (12).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert read(path)[1] == [("a.py", "read_archive_bad_member")]


@pytest.mark.parametrize(
    ("name", "data"),
    [("cut.tar.gz", None), ("fake.zip", b"PK\x03\x04 not really"), ("junk.tgz", b"\x1f\x8bjunk")],
)
def test_unreadable_archives_are_rejected(tmp_path, name, data):
    path = tmp_path / name
    if data is None:
        full = write_tar(tmp_path / "full.tar.gz", [("file", "r/a.py", CODE * 400)]).read_bytes()
        data = full[: len(full) // 2]
    path.write_bytes(data)
    with pytest.raises(ArchiveRejected) as e:
        read(path)
    assert e.value.reason == "read_archive_rejected"


def test_reader_accounts_for_archives_and_links_in_folders(tmp_path):
    src = tmp_path / "in"
    (src / "plain").mkdir(parents=True)
    (src / "plain" / "LICENSE").write_bytes(MIT)
    (src / "plain" / "escape.py").symlink_to("/etc/passwd")
    write_tar(src / "good.tgz", [("file", "good-1/LICENSE", MIT), ("file", "good-1/a.py", CODE)])
    (src / "bad.zip").write_bytes(gzip.compress(b"not a zip"))
    maker = CodeFileMaker("code", 1000, None, keep_unknown_languages=False)
    docs = list(RepoFolderReader(str(src), maker).run())
    got = {d.id: (d.metadata.get("drop_reason"), d.metadata["license"]) for d in docs}
    assert got == {
        "code/bad/bad.zip": ("read_archive_rejected", "unknown"),
        "code/good/LICENSE": ("read_unknown_language", "MIT"),
        "code/good/a.py": (None, "MIT"),
        "code/plain/LICENSE": ("read_unknown_language", "MIT"),
        "code/plain/escape.py": ("read_link", "MIT"),
    }
    only = RepoFolderReader(str(src), maker, only="good.tgz")
    assert [d.id for d in only.run()] == ["code/good/LICENSE", "code/good/a.py"]


def test_run_code_on_archives_accounts_for_every_file(tmp_path):
    import polars as pl

    from mellum_data.pipelines.code import CodeConfig, run_code
    from mellum_data.pipelines.executor import Execution

    words = "\n".join(" ".join(f"word{i}" for i in range(j, j + 8)) for j in range(0, 96, 8))
    body = f'"""\n{words}\n"""\n'.encode() + CODE
    src = tmp_path / "in"
    src.mkdir()
    write_tar(src / "mitlib-1.0.tar.gz", [
        ("file", "mitlib-1.0/LICENSE", MIT), ("file", "mitlib-1.0/lib/a.py", body),
        ("file", "mitlib-1.0/../../x.py", body),
        ("special", "mitlib-1.0/lib/b.py", tarfile.SYMTYPE, "/etc/passwd"),
    ])  # fmt: skip
    gpl = b"GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"
    write_zip(src / "gplapp.zip", [("COPYING", gpl, 0), ("main.py", body, 0)])
    write_tar(src / "bomb.tar.gz", [("file", f"b/f{i}.py", body) for i in range(30)])
    config = CodeConfig.model_validate({"reader": {"archive_max_members": 20}})
    run_code([str(src)], str(tmp_path / "out"), config, Execution(tasks=2))
    kept = pl.read_parquet(tmp_path / "out" / "code" / "*.parquet")
    removed = pl.read_parquet(tmp_path / "out" / "removed" / "*" / "*.parquet")
    reasons = dict(removed.select("id", pl.col("metadata").struct.field("drop_reason")).iter_rows())
    assert kept["id"].to_list() == ["code/mitlib-1.0/lib/a.py"]
    assert reasons == {
        "code/bomb/bomb.tar.gz": "read_archive_bomb",
        "code/gplapp/COPYING": "read_unknown_language",
        "code/gplapp/main.py": "license_not_permissive",
        "code/mitlib-1.0/LICENSE": "read_unknown_language",
        "code/mitlib-1.0/mitlib-1.0/../../x.py": "read_archive_traversal",
        "code/mitlib-1.0/lib/b.py": "read_archive_link",
    }
    # One archive given as the input is one repository.
    run_code([str(src / "gplapp.zip")], str(tmp_path / "one"), CodeConfig(), Execution())
    removed = pl.read_parquet(tmp_path / "one" / "removed" / "*" / "*.parquet")
    assert sorted(removed["id"]) == ["code/gplapp/COPYING", "code/gplapp/main.py"]

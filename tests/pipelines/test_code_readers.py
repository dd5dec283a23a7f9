import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mellum_data.errors import InputError
from mellum_data.pipelines.code_provenance import decode_file, is_license_file, repo_license
from mellum_data.pipelines.code_readers import CodeFileMaker, CodeTableReader

MIT_TEXT = (
    b"MIT License\n\n"
    b"Permission is hereby granted, free of charge, to any person obtaining a copy.\n"
)
APACHE_TEXT = b"Apache License\nVersion 2.0, January 2004\n"
GPL3_TEXT = b"GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"
LGPL3_TEXT = b"GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"


def test_decode_file_reasons():
    assert decode_file(b"print('hi')\n") == ("print('hi')\n", None)
    assert decode_file(b"\xef\xbb\xbfx = 1\n") == ("x = 1\n", None)  # BOM dropped
    assert decode_file(b"") == (None, "read_empty")
    assert decode_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00") == (None, "read_binary")
    assert decode_file(bytes(range(1, 32)) * 10) == (None, "read_binary")
    text, reason = decode_file("caf\xe9 = 1\n".encode("latin-1"))
    assert (text, reason) == ("caf\ufffd = 1\n", "read_not_utf8")


def test_is_license_file():
    for name in (
        "LICENSE",
        "LICENSE.md",
        "licence.txt",
        "COPYING",
        "COPYING.LESSER",
        "LICENSE-MIT",
        "UNLICENSE",
    ):
        assert is_license_file(name), name
    for name in ("license.py", "licenses_test.go", "README.md", "LICENSE_TEMPLATE_GENERATOR.py"):
        assert not is_license_file(name), name


def test_repo_license_sources():
    assert repo_license({"LICENSE": MIT_TEXT, "package.json": b'{"license": "GPL-3.0"}'}) == (
        "MIT",
        "file:LICENSE",
    )
    # Rust's convention: one file per license of a dual license.
    assert repo_license({"LICENSE-APACHE": APACHE_TEXT, "LICENSE-MIT": MIT_TEXT}) == (
        "Apache-2.0 OR MIT",
        "file:LICENSE-APACHE",
    )
    # The LGPL ships the GPL text beside it.
    assert repo_license({"COPYING": GPL3_TEXT, "COPYING.LESSER": LGPL3_TEXT}) == (
        "LGPL-3.0",
        "file:COPYING",
    )
    assert repo_license({"package.json": b'{"license": "ISC"}', "x.py": b""}) == (
        "ISC",
        "package.json",
    )
    assert repo_license({"Cargo.toml": b'[package]\nlicense = "MIT OR Apache-2.0"\n'}) == (
        "MIT OR Apache-2.0",
        "Cargo.toml",
    )
    assert repo_license({"LICENSE": b"Our own terms: ask first."}) == (None, "file:LICENSE")
    assert repo_license(
        {"LICENSE": b"Our own terms.", "setup.cfg": b"[metadata]\nlicense = BSD\n"}
    ) == (
        "BSD-3-Clause",
        "setup.cfg",
    )
    assert repo_license({"main.go": b"package main\n"}) == (None, "none")


def maker() -> CodeFileMaker:
    return CodeFileMaker("stack", max_file_bytes=1000, languages=None, keep_unknown_languages=False)


def test_maker_spdx_header_follows_the_stricter_licence():
    def licence(header: str, repo: str | None, source: str) -> tuple[str, str]:
        text = f"// SPDX-License-Identifier: {header}\nint x;\n".encode()
        d = maker().make("r", "a.c", text, len(text), repo, source)
        assert d.id == "stack/r/a.c" and "drop_reason" not in d.metadata
        return d.metadata["license"], d.metadata["license_source"]

    # A GPL header in an MIT repository, and an MIT header in a GPL one: both must hold.
    assert licence("GPL-2.0-only", "MIT", "file:LICENSE") == (
        "GPL-2.0 AND MIT",
        "file:LICENSE+spdx-header",
    )
    assert licence("MIT", "GPL-3.0", "file:COPYING") == (
        "GPL-3.0 AND MIT",
        "file:COPYING+spdx-header",
    )
    assert licence("mit", "MIT", "file:LICENSE") == ("MIT", "file:LICENSE")  # no conflict
    assert licence("MIT", None, "none") == ("MIT", "spdx-header")  # the header alone decides
    # A licence file we could not read stays unrecognised: the filter drops it as unknown.
    assert licence("MIT", None, "file:LICENSE") == ("unknown", "file:LICENSE+spdx-header")


def test_header_conflict_decides_the_license_filter():
    from mellum_data.filters.license import LicenseFilter

    f = LicenseFilter()
    cases = [
        ("GPL-2.0", "MIT", False),
        ("MIT", "GPL-3.0", False),
        ("BSD-3-Clause", "MIT", True),
        ("MIT", "GPL-3.0 OR MIT", True),
    ]
    for header, repo, kept in cases:
        text = f"# SPDX-License-Identifier: {header}\nx = 1\n".encode()
        d = maker().make("r", "a.py", text, len(text), repo, "file:LICENSE")
        assert (f.filter(d) is True) is kept, (header, repo)


def test_maker_marks_text_with_lone_surrogates():
    d = maker().make("r", "a.py", "x = '\ud800'\n", 12, None, "none")
    assert d.metadata["drop_reason"] == "read_not_utf8"
    d.text.encode("utf-8")  # writable as it stands in removed/


def test_maker_language_allow_list():
    m = CodeFileMaker("s", None, languages=["Go"], keep_unknown_languages=False)
    assert (
        m.make("r", "a.py", b"x = 1\n", 6, None, "none").metadata["drop_reason"]
        == "read_language_excluded"
    )
    assert m.make("r", "a.go", b"package a\n", 10, None, "none").metadata.get("drop_reason") is None


def rows() -> list[dict]:
    return [
        {
            "content": "def f():\n    return 1\n",
            "path": "a.py",
            "repo_name": "o/r",
            "licenses": ["MIT"],
        },
        {"content": "int x;\n", "path": "b.c", "repo_name": "o/r", "licenses": ["MIT", "GPL-2.0"]},
        {"content": "x" * 2000, "path": "big.py", "repo_name": "o/r", "licenses": []},
        {"content": "a\x00b", "path": "c.py", "repo_name": "o/s", "licenses": None},
    ]


def read_all(reader: CodeTableReader) -> list:
    return list(reader.run(None, 0, 1))


def test_table_reader_parquet_and_jsonl(tmp_path):
    columns = {"content": "content", "path": "path", "repo": "repo_name", "license": "licenses"}
    (tmp_path / "pq").mkdir()
    pq.write_table(pa.Table.from_pylist(rows()), tmp_path / "pq" / "part-0.parquet")
    (tmp_path / "jl").mkdir()
    with open(tmp_path / "jl" / "part-0.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows())
    for fmt in ("parquet", "jsonl"):
        docs = read_all(
            CodeTableReader(
                str(tmp_path / ("pq" if fmt == "parquet" else "jl")), maker(), columns, fmt
            )
        )
        got = [(d.id, d.metadata["license"], d.metadata.get("drop_reason")) for d in docs]
        assert got == [
            ("stack/o/r/a.py", "MIT", None),
            ("stack/o/r/b.c", "GPL-2.0 AND MIT", None),
            ("stack/o/r/big.py", "unknown", "read_too_large"),
            ("stack/o/s/c.py", "unknown", "read_binary"),
        ], fmt
        assert docs[0].metadata["license_source"] == "column:licenses"
        assert docs[0].metadata["lang"] == "Python"


def test_table_reader_names_a_missing_column(tmp_path):
    pq.write_table(pa.Table.from_pylist([{"text": "x", "path": "a.py"}]), tmp_path / "p.parquet")
    columns = {"content": "content", "path": "path", "repo": None, "license": None}
    reader = CodeTableReader(str(tmp_path), maker(), columns, "parquet")
    with pytest.raises(
        InputError, match=r"p.parquet: no column 'content' .*reader.columns.content"
    ):
        read_all(reader)

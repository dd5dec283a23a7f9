import itertools
import json
import re
import tomllib

import pytest
import tree_sitter
import tree_sitter_c
import tree_sitter_cpp
import tree_sitter_go
import tree_sitter_java
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_rust
import tree_sitter_typescript

GRAMMARS = {
    ".py": tree_sitter_python.language(),
    ".js": tree_sitter_javascript.language(),
    ".ts": tree_sitter_typescript.language_typescript(),
    ".java": tree_sitter_java.language(),
    ".c": tree_sitter_c.language(),
    ".h": tree_sitter_c.language(),
    ".cpp": tree_sitter_cpp.language(),
    ".hpp": tree_sitter_cpp.language(),
    ".go": tree_sitter_go.language(),
    ".rs": tree_sitter_rust.language(),
}

# Phrases a license detector keys on; the sample's texts are short paraphrases around them.
KEY_PHRASES = {
    "MIT": "Permission is hereby granted, free of charge, to any person obtaining a copy",
    "ISC": "Permission to use, copy, modify, and/or distribute this software for any purpose "
    "with or without fee is hereby granted",
    "BSD-3-Clause": "Neither the name of the copyright holder nor the names of its contributors "
    "may be used",
    "Apache-2.0": "Licensed under the Apache License, Version 2.0",
    "MPL-2.0": "Mozilla Public License Version 2.0",
    "GPL-3.0": "GNU GENERAL PUBLIC LICENSE Version 3",
    "LGPL-3.0": "GNU LESSER GENERAL PUBLIC LICENSE Version 3",
    "AGPL-3.0": "GNU AFFERO GENERAL PUBLIC LICENSE Version 3",
}
LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING)", re.IGNORECASE)


def _flat(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def repos(summary):
    return {r["name"]: r for r in summary["code"]}


def test_coverage(summary):
    code = summary["code"]
    assert len(code) == 19
    languages = {r["language"] for r in code}
    assert {"python", "javascript", "typescript", "java", "c", "cpp", "go", "rust"} <= languages
    assert len(languages) == 11
    licenses = {r["license"] for r in code}
    assert set(KEY_PHRASES) | {None, "MIT OR Apache-2.0"} == licenses
    assert sorted(r["license_source"] for r in code).count("metadata") == 2
    assert sorted(r["license_source"] for r in code).count("none") == 2
    names = {f for r in code for f in r["license_files"]}
    assert {"LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING", "LICENCE"} <= names


def test_license_files_carry_the_key_phrases(sample_dir, summary):
    for repo in summary["code"]:
        root = sample_dir / repo["path"]
        on_disk = sorted(p.name for p in root.iterdir() if LICENSE_FILE.match(p.name))
        assert on_disk == sorted(repo["license_files"]), repo["name"]
        if repo["license"] == "MIT OR Apache-2.0":
            assert KEY_PHRASES["MIT"] in _flat((root / "LICENSE-MIT").read_text())
            assert KEY_PHRASES["Apache-2.0"] in _flat((root / "LICENSE-APACHE").read_text())
            cargo = tomllib.loads((root / "Cargo.toml").read_text())
            assert cargo["package"]["license"] == "MIT OR Apache-2.0"
        elif repo["license_files"]:
            text = _flat((root / repo["license_files"][0]).read_text())
            assert KEY_PHRASES[repo["license"]] in text, repo["name"]
            assert "Copyright" in text


def test_metadata_only_and_unlicensed_repos(sample_dir, summary):
    meta = [r for r in summary["code"] if r["license_source"] == "metadata"]
    declared = {}
    for repo in meta:
        root = sample_dir / repo["path"]
        if (root / "package.json").exists():
            declared[repo["language"]] = json.loads((root / "package.json").read_text())["license"]
        else:
            declared[repo["language"]] = tomllib.loads((root / "Cargo.toml").read_text())[
                "package"
            ]["license"]
        assert "## License" not in (root / "README.md").read_text()
    assert declared == {"javascript": "BSD-3-Clause", "rust": "MIT"}
    for repo in (r for r in summary["code"] if r["license_source"] == "none"):
        root = sample_dir / repo["path"]
        text = " ".join(
            p.read_text(errors="replace") for p in root.rglob("*") if p.is_file()
        ).lower()
        assert "license" not in text and "licence" not in text, repo["name"]


def test_sources_parse_except_the_broken_ones(sample_dir, summary):
    parsers = {
        ext: tree_sitter.Parser(tree_sitter.Language(lang)) for ext, lang in GRAMMARS.items()
    }
    parsed = broken = 0
    for repo in summary["code"]:
        root = sample_dir / repo["path"]
        latin1 = set(repo["special"]["non_utf8"])
        for path in sorted(root.rglob("*")):
            rel = str(path.relative_to(root))
            if path.suffix not in parsers or rel in repo["special"]["minified"]:
                continue
            data = path.read_bytes()
            if rel in latin1:
                data = data.decode("latin-1").encode("utf-8")
            has_error = parsers[path.suffix].parse(data).root_node.has_error
            assert has_error == (rel in repo["special"]["syntax_error"]), f"{repo['name']}/{rel}"
            parsed += 1
            broken += has_error
    assert broken == 4
    assert parsed == 187


def test_special_files(sample_dir, summary):
    kinds = {}
    for repo in summary["code"]:
        for kind, paths in repo["special"].items():
            kinds.setdefault(kind, []).extend(sample_dir / repo["path"] / p for p in paths)
    markers = ("DO NOT EDIT", "lockfileVersion", "@generated", " h1:")
    assert all(any(m in p.read_text() for m in markers) for p in kinds["generated"])
    assert len(kinds["generated"]) == 4
    for p in kinds["minified"]:
        text = p.read_text()
        assert text.count("\n") == 1 and len(text) > 20_000
    data = sum(p.stat().st_size for p in kinds["data"])
    assert 150_000 < data < 500_000
    assert all(b"\x00" in p.read_bytes() for p in kinds["binary"])
    assert kinds["binary"][0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    for p in kinds["non_utf8"]:
        with pytest.raises(UnicodeDecodeError):
            p.read_bytes().decode("utf-8")
    assert {p.suffix for p in kinds["syntax_error"]} == {".py", ".js", ".c", ".go"}


def test_vendored_copies_are_near_duplicates(sample_dir, summary):
    families = summary["vendored_families"]
    assert set(families) == {"strings.py", "sha1.c", "sha1.h"}
    for name, paths in families.items():
        assert len({p.split("/")[1] for p in paths}) == 3
        if name == "sha1.h":
            continue  # the header is copied as it is
        texts = [(sample_dir / p).read_text() for p in paths]
        for a, b in itertools.combinations(texts, 2):
            assert a != b
            sa, sb = (set(zip(*(t.split()[i:] for i in range(5)), strict=False)) for t in (a, b))
            assert len(sa & sb) / len(sa | sb) > 0.75, name


def test_repositories_look_like_projects(sample_dir, summary):
    for repo in summary["code"]:
        root = sample_dir / repo["path"]
        files = [p for p in root.rglob("*") if p.is_file()]
        assert len(files) == repo["files"] >= 6
        assert sum(p.stat().st_size for p in files) == repo["bytes"]
        assert (root / "README.md").read_text().startswith(f"# {repo['name']}")
        assert any(p.parent != root for p in files)  # sources live in folders

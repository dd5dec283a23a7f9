import pytest

from mellum_data.pipelines.code_langs import (
    EXTENSIONS,
    FILENAMES,
    UNKNOWN_LANG,
    canonical_language,
    language_of,
)


def test_table_covers_at_least_thirty_languages():
    assert len(set(EXTENSIONS.values()) | set(FILENAMES.values())) >= 30


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("src/app.py", None, "Python"),
        ("web/App.tsx", None, "TSX"),
        ("web/index.ts", None, "TypeScript"),
        ("lib/x.rs", None, "Rust"),
        ("cmd/main.go", None, "Go"),
        ("a/B.java", None, "Java"),
        ("k/x.kt", None, "Kotlin"),
        ("Makefile", None, "Makefile"),
        ("docker/Dockerfile", None, "Dockerfile"),
        ("CMakeLists.txt", None, "CMake"),
        ("include/vec.h", "#include <stddef.h>\nsize_t n(void);\n", "C"),
        ("include/vec.h", "namespace geo {\nclass Vec {};\n}\n", "C++"),
        ("include/View.h", "@interface View : NSObject\n@end\n", "Objective-C"),
        ("bin/tool", "#!/usr/bin/env python3\nprint(1)\n", "Python"),
        ("bin/run", "#!/bin/bash\necho hi\n", "Shell"),
        ("bin/serve", "#!/usr/bin/env -S node --no-warnings\n", "JavaScript"),
        ("go.sum", None, "Go Checksums"),
        ("Cargo.lock", None, "TOML"),
        ("LICENSE", "MIT License", UNKNOWN_LANG),
        ("data.bin", None, UNKNOWN_LANG),
    ],
)
def test_language_of(path, text, expected):
    assert language_of(path, text) == expected


def test_canonical_language():
    assert [
        canonical_language(n) for n in ("c++", "javascript", "c-sharp", "TSX", "Brainfuck")
    ] == [
        "C++",
        "JavaScript",
        "C#",
        "TSX",
        "Brainfuck",
    ]


# One file per programming language (data and markup formats left out): at least 30 of them.
PROGRAMMING = {
    "a.py": "Python", "a.js": "JavaScript", "a.ts": "TypeScript", "a.java": "Java",
    "a.c": "C", "a.cpp": "C++", "a.cs": "C#", "a.go": "Go", "a.rs": "Rust", "a.rb": "Ruby",
    "a.php": "PHP", "a.kt": "Kotlin", "a.swift": "Swift", "a.scala": "Scala", "a.sh": "Shell",
    "a.pl": "Perl", "a.lua": "Lua", "a.R": "R", "a.jl": "Julia", "a.hs": "Haskell",
    "a.ml": "OCaml", "a.ex": "Elixir", "a.erl": "Erlang", "a.clj": "Clojure", "a.dart": "Dart",
    "a.m": "Objective-C", "a.sql": "SQL", "a.f90": "Fortran", "a.zig": "Zig", "a.nim": "Nim",
    "a.groovy": "Groovy", "a.ps1": "PowerShell", "a.fs": "F#", "a.v": "Verilog",
    "a.vhd": "VHDL", "a.asm": "Assembly", "a.cu": "CUDA", "a.bat": "Batchfile",
}  # fmt: skip


def test_at_least_thirty_programming_languages():
    assert {p: language_of(p) for p in PROGRAMMING} == PROGRAMMING
    assert len(set(PROGRAMMING.values())) >= 30

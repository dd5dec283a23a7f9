"""Programming language of a file from its name, extension, shebang and (for ``.h``) content."""

from __future__ import annotations

import re

UNKNOWN_LANG = "unknown"

EXTENSIONS: dict[str, str] = {
    ".py": "Python", ".pyi": "Python", ".pyw": "Python",
    ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript",
    ".ts": "TypeScript", ".mts": "TypeScript", ".cts": "TypeScript", ".tsx": "TSX",
    ".java": "Java",
    ".c": "C", ".h": "C",
    ".cc": "C++", ".cpp": "C++", ".cxx": "C++", ".c++": "C++",
    ".hh": "C++", ".hpp": "C++", ".hxx": "C++", ".h++": "C++", ".ipp": "C++",
    ".cs": "C#",
    ".go": "Go",
    ".rs": "Rust",
    ".rb": "Ruby", ".rake": "Ruby", ".gemspec": "Ruby",
    ".php": "PHP",
    ".kt": "Kotlin", ".kts": "Kotlin",
    ".swift": "Swift",
    ".scala": "Scala", ".sc": "Scala",
    ".sh": "Shell", ".bash": "Shell", ".zsh": "Shell",
    ".pl": "Perl", ".pm": "Perl",
    ".lua": "Lua",
    ".r": "R",
    ".jl": "Julia",
    ".hs": "Haskell", ".lhs": "Haskell",
    ".ml": "OCaml", ".mli": "OCaml",
    ".ex": "Elixir", ".exs": "Elixir",
    ".erl": "Erlang", ".hrl": "Erlang",
    ".clj": "Clojure", ".cljs": "Clojure", ".cljc": "Clojure",
    ".dart": "Dart",
    ".m": "Objective-C", ".mm": "Objective-C++",
    ".sql": "SQL",
    ".html": "HTML", ".htm": "HTML",
    ".css": "CSS", ".scss": "SCSS", ".sass": "Sass", ".less": "Less",
    ".vue": "Vue", ".svelte": "Svelte",
    ".md": "Markdown", ".markdown": "Markdown", ".rst": "reStructuredText",
    ".tex": "TeX",
    ".json": "JSON", ".jsonl": "JSON",
    ".yaml": "YAML", ".yml": "YAML",
    ".toml": "TOML",
    ".xml": "XML", ".xsd": "XML", ".pom": "XML",
    ".csv": "CSV", ".tsv": "CSV",
    ".proto": "Protocol Buffer",
    ".f": "Fortran", ".f90": "Fortran", ".f95": "Fortran", ".for": "Fortran",
    ".zig": "Zig",
    ".nim": "Nim",
    ".groovy": "Groovy", ".gradle": "Groovy",
    ".ps1": "PowerShell", ".psm1": "PowerShell",
    ".bat": "Batchfile", ".cmd": "Batchfile",
    ".cmake": "CMake",
    ".mk": "Makefile",
    ".dockerfile": "Dockerfile",
    ".fs": "F#", ".fsx": "F#",
    ".v": "Verilog", ".sv": "SystemVerilog", ".vhd": "VHDL",
    ".asm": "Assembly", ".s": "Assembly",
    ".cu": "CUDA", ".cuh": "CUDA",
}  # fmt: skip

FILENAMES: dict[str, str] = {
    "makefile": "Makefile", "gnumakefile": "Makefile",
    "dockerfile": "Dockerfile", "containerfile": "Dockerfile",
    "cmakelists.txt": "CMake",
    "gemfile": "Ruby", "rakefile": "Ruby", "podfile": "Ruby",
    "jenkinsfile": "Groovy",
    "build.bazel": "Starlark", "workspace": "Starlark", "build": "Starlark",
    ".bashrc": "Shell", ".zshrc": "Shell", ".profile": "Shell",
    # Lock files get their format's name so that the quality filter drops them as generated.
    "cargo.lock": "TOML", "poetry.lock": "TOML", "uv.lock": "TOML", "pipfile.lock": "JSON",
    "yarn.lock": "YAML", "podfile.lock": "YAML",
    "go.sum": "Go Checksums", "go.mod": "Go Module",
}  # fmt: skip

SHEBANGS: dict[str, str] = {
    "python": "Python", "python2": "Python", "python3": "Python", "pypy": "Python",
    "node": "JavaScript", "deno": "TypeScript", "bun": "JavaScript",
    "sh": "Shell", "bash": "Shell", "zsh": "Shell", "dash": "Shell", "ksh": "Shell",
    "ruby": "Ruby", "perl": "Perl", "php": "PHP", "lua": "Lua",
    "rscript": "R", "julia": "Julia", "escript": "Erlang", "elixir": "Elixir",
}  # fmt: skip

_SHEBANG = re.compile(r"#!\s*(\S+)((?:\s+\S+)*)")
_VERSION_SUFFIX = re.compile(r"[\d.]+$")
# Without these, a C++ header named .h would be parsed with the C grammar and dropped as broken.
_CPP_HEADER = re.compile(
    r"^\s*(?:class\s+\w+|namespace\s+\w*|template\s*<|public:|private:)|std::", re.M
)
_OBJC_HEADER = re.compile(r"^\s*@(?:interface|protocol|end)\b", re.M)


_ALIASES = {"c-sharp": "C#", "cpp": "C++", "js": "JavaScript", "ts": "TypeScript",
            "py": "Python", "golang": "Go", "bash": "Shell", "sh": "Shell"}  # fmt: skip
_BY_LOWER = {
    name.lower(): name for name in {*EXTENSIONS.values(), *FILENAMES.values(), *SHEBANGS.values()}
}


def canonical_language(name: str) -> str:
    """Our spelling of a language name from elsewhere (The Stack's "c++", "javascript" ...);
    names we do not know are kept as they are."""
    low = name.strip().lower()
    return _ALIASES.get(low) or _BY_LOWER.get(low) or name


def language_of(path: str, text: str | None = None) -> str:
    """Language name for ``path`` (a path inside its repository); ``text`` refines ``.h``
    headers and files without an extension (shebang)."""
    name = path.rsplit("/", 1)[-1]
    low = name.lower()
    if low in FILENAMES:
        return FILENAMES[low]
    if low.startswith("dockerfile."):
        return "Dockerfile"
    dot = low.rfind(".")
    ext = low[dot:] if dot > 0 else ""
    lang = EXTENSIONS.get(ext)
    if lang == "C" and ext == ".h" and text:
        head = text[:20_000]
        if _OBJC_HEADER.search(head):
            return "Objective-C"
        if _CPP_HEADER.search(head):
            return "C++"
    if lang:
        return lang
    if text and text.startswith("#!"):
        return _shebang_language(text.split("\n", 1)[0])
    return UNKNOWN_LANG


def _shebang_language(line: str) -> str:
    m = _SHEBANG.match(line)
    if not m:
        return UNKNOWN_LANG
    program = m.group(1).rsplit("/", 1)[-1]
    if program == "env":
        # "#!/usr/bin/env -S python3 -u": the program is the first argument that is no option.
        program = next((a for a in m.group(2).split() if not a.startswith("-")), "")
    program = program.lower()
    return SHEBANGS.get(program) or SHEBANGS.get(_VERSION_SUFFIX.sub("", program), UNKNOWN_LANG)

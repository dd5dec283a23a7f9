"""The code part of the sample: repositories under ``OUT/code/<repo>/`` with ground-truth labels.

Per replica, 19 repositories in 11 languages. Each has its license in one of the places and
wordings projects use (or only in package metadata, or nowhere), and between them they hold
the files a code pipeline must handle: generated code, lock files, a minified bundle, data
files, binaries, files with syntax errors, Latin-1 sources and vendored near-copies. The
permissively licensed ones also hold modules dealt from a bank of hand-written code units
(``bank.py``), so that a code pipeline keeps a few hundred KB of real-looking code in the eight
main languages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from random import Random

from mellum_data.sample.code_c import c_ini, c_tool
from mellum_data.sample.code_cpp import cpp_graph, cpp_headers
from mellum_data.sample.code_go import go_calc, go_service
from mellum_data.sample.code_js import js_cli, js_widget
from mellum_data.sample.code_jvm import java_app, kotlin_app
from mellum_data.sample.code_misc import ruby_gem, shell_scripts
from mellum_data.sample.code_python import python_library
from mellum_data.sample.code_python_scripts import python_scripts
from mellum_data.sample.code_python_service import python_service
from mellum_data.sample.code_rust import rust_cli, rust_dual
from mellum_data.sample.code_ts import ts_lib, ts_server
from mellum_data.sample.licenses import license_text
from mellum_data.sample.repo_context import Generated, RepoContext, new_context
from mellum_data.sample.templating import fill


@dataclass(frozen=True)
class RepoSpec:
    generator: Callable[[RepoContext, Generated], None]
    language: str
    license: str | None  # SPDX expression, None for no license at all
    license_files: tuple[str, ...]  # empty: no license file (metadata only, or no license)


PLAN: tuple[RepoSpec, ...] = (
    RepoSpec(python_library, "python", "MIT", ("LICENSE",)),
    RepoSpec(python_service, "python", "Apache-2.0", ("LICENSE.txt",)),
    RepoSpec(python_scripts, "python", None, ()),
    RepoSpec(js_widget, "javascript", "ISC", ("LICENSE.md",)),
    RepoSpec(js_cli, "javascript", "BSD-3-Clause", ()),  # package.json "license" only
    RepoSpec(ts_lib, "typescript", "MIT", ("LICENSE",)),
    RepoSpec(ts_server, "typescript", "AGPL-3.0", ("LICENSE",)),
    RepoSpec(java_app, "java", "Apache-2.0", ("LICENSE",)),
    RepoSpec(kotlin_app, "kotlin", "GPL-3.0", ("COPYING",)),
    RepoSpec(c_tool, "c", "BSD-3-Clause", ("LICENSE",)),
    RepoSpec(c_ini, "c", "LGPL-3.0", ("COPYING.LESSER",)),
    RepoSpec(cpp_graph, "cpp", "MPL-2.0", ("LICENSE",)),
    RepoSpec(go_service, "go", "BSD-3-Clause", ("LICENSE",)),
    RepoSpec(go_calc, "go", "GPL-3.0", ("LICENCE",)),
    RepoSpec(rust_dual, "rust", "MIT OR Apache-2.0", ("LICENSE-MIT", "LICENSE-APACHE")),
    RepoSpec(rust_cli, "rust", "MIT", ()),  # Cargo.toml "license" only
    RepoSpec(ruby_gem, "ruby", "MIT", ("LICENSE.txt",)),
    RepoSpec(shell_scripts, "shell", None, ()),
    # Last, so that adding it left the other repositories' random streams as they were.
    RepoSpec(cpp_headers, "cpp", "MIT", ("LICENSE",)),
)

LICENSE_NAMES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License 2.0",
    "ISC": "ISC License",
    "BSD-3-Clause": "BSD 3-Clause License",
    "MPL-2.0": "Mozilla Public License 2.0",
    "GPL-3.0": "GNU General Public License v3.0",
    "LGPL-3.0": "GNU Lesser General Public License v3.0",
    "AGPL-3.0": "GNU Affero General Public License v3.0",
}

# How a repository's own files are classified by extension (for the per-language counts).
EXTENSIONS = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".sh": "shell",
    ".md": "markdown",
    ".json": "json",
    ".toml": "toml",
    ".csv": "csv",
    ".xml": "xml",
    ".proto": "protobuf",
}

USAGE = {
    "python": ("pip install {{name}}", "python"),
    "javascript": ("npm install {{name}}", "bash"),
    "typescript": ("npm install {{name}}", "bash"),
    "java": (
        "mvn -q package\njava -cp target/{{name}}-*.jar io.github.{{handle}}.{{pkg}}.App",
        "bash",
    ),
    "kotlin": ('./gradlew run --args="{{name}}.csv"', "bash"),
    "c": ("make\n./{{name}} README.md", "bash"),
    "cpp": ("cmake -S . -B build\ncmake --build build\n./build/{{name}}-cli < edges.txt", "bash"),
    "go": ("go install github.com/{{handle}}/{{name}}/...@latest", "bash"),
    "rust": ("cargo install --path .", "bash"),
    "ruby": ("gem install {{pkg}}", "bash"),
    "shell": ("./install.sh\n{{name}}-backup", "bash"),
}
# Generators whose usage differs from their language's usual one.
USAGE_BY_GENERATOR = {
    "cpp_headers": ("cmake -S . -B build\ncmake --build build\nctest --test-dir build", "bash"),
}


def readme(ctx: RepoContext, spec: RepoSpec) -> str:
    command, lang = USAGE_BY_GENERATOR.get(spec.generator.__name__, USAGE[spec.language])
    values = {"name": ctx.name, "handle": ctx.handle, "pkg": ctx.pkg}
    parts = [
        f"# {ctx.name}\n\n{ctx.description}\n",
        f"## Installation\n\n```{lang}\n{fill(command, values)}\n```\n",
        "## Development\n\nRun the tests before sending a pull request. "
        "Issues and ideas are welcome.\n",
    ]
    if spec.license and len(spec.license_files) == 2:
        parts.append(
            "## License\n\nLicensed under either of Apache License, Version 2.0 "
            "([LICENSE-APACHE](LICENSE-APACHE)) or MIT license ([LICENSE-MIT](LICENSE-MIT)), "
            "at your option.\n"
        )
    elif spec.license and spec.license_files:
        name = spec.license_files[0]
        parts.append(
            f"## License\n\n{LICENSE_NAMES[spec.license]}. See [{name}]({name}) for details.\n"
        )
    return "\n".join(parts)


def _license_files(ctx: RepoContext, spec: RepoSpec, out: Generated) -> None:
    if len(spec.license_files) == 2:  # dual: one file per license
        for name, spdx in zip(spec.license_files, ("MIT", "Apache-2.0"), strict=True):
            out.add(
                name,
                license_text(
                    spdx,
                    year=ctx.year,
                    owner=ctx.owner,
                    project=ctx.name,
                    description=ctx.description,
                ),
            )
    elif spec.license_files:
        out.add(
            spec.license_files[0],
            license_text(
                spec.license or "",
                year=ctx.year,
                owner=ctx.owner,
                project=ctx.name,
                description=ctx.description,
            ),
        )


def build_repo(
    spec: RepoSpec, rng: Random, taken: set[str], used_units: set[tuple[str, str]]
) -> tuple[RepoContext, Generated]:
    ctx = new_context(rng, taken, spec.license, used_units)
    out = Generated()
    spec.generator(ctx, out)
    out.add("README.md", readme(ctx, spec))
    _license_files(ctx, spec, out)
    return ctx, out


def _write_files(root: Path, files: dict[str, str | bytes]) -> int:
    size = 0
    for rel, content in sorted(files.items()):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        size += len(data)
    return size


def _label(spec: RepoSpec, ctx: RepoContext, gen: Generated, replica: int, size: int) -> dict:
    source = "file" if spec.license_files else ("metadata" if spec.license else "none")
    return {
        "name": ctx.name,
        "path": f"code/{ctx.name}",
        "language": spec.language,
        "license": spec.license,
        "license_source": source,
        "license_files": list(spec.license_files),
        "files": len(gen.files),
        "bytes": size,
        "file_languages": dict(
            sorted(Counter(EXTENSIONS.get(Path(p).suffix, "other") for p in gen.files).items())
        ),
        "special": {kind: sorted(paths) for kind, paths in gen.special.items()},
        # Repositories of one generator in different replicas share its templates: at scale > 1
        # their files are near-duplicates of each other by construction.
        "generator": spec.generator.__name__,
        "replica": replica,
    }


def write_code(out: Path, seed: int, scale: int) -> list[dict]:
    """Write ``out/code/<repo>/...`` and return one label per repository."""
    labels: list[dict] = []
    taken: set[str] = set()
    for r in range(scale):
        used_units: set[tuple[str, str]] = set()  # each replica deals the code bank afresh
        for i, spec in enumerate(PLAN):
            ctx, gen = build_repo(spec, Random(f"{seed}:code:{r}:{i}"), taken, used_units)
            size = _write_files(out / "code" / ctx.name, gen.files)
            labels.append(_label(spec, ctx, gen, r, size))
    return labels


def vendored_families(labels: list[dict]) -> dict[str, list[str]]:
    """Paths (relative to OUT) of the vendored copies, grouped by file name."""
    families: dict[str, list[str]] = {}
    for repo in labels:
        for rel in repo["special"]["vendored"]:
            families.setdefault(Path(rel).name, []).append(f"{repo['path']}/{rel}")
    return families

"""The command line: help texts, one-line errors, exit codes."""

import subprocess
import sys

import pytest

from mellum_data.cli import build_parser, main

COMMANDS = [
    ["sample"],
    ["run", "web"],
    ["run", "code"],
    ["run", "math"],
    ["run", "dedup"],
    ["run", "tokenize"],
    ["dedup-index"],
    ["tokenizer", "train"],
    ["quality", "train"],
    ["lid", "calibrate"],
    ["plan"],
    ["mix"],
    ["stats"],
    ["verify"],
    ["export", "megatron"],
    ["train"],
    ["generate"],
    ["demo"],
]


def _actions(parser, path):
    for name in path:
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = sub.choices[name]
    return parser


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_option_has_help(path, capsys):
    parser = _actions(build_parser(), path)
    for action in parser._actions:
        assert action.help, f"{' '.join(path)}: {action.option_strings or action.dest} lacks help"
    with pytest.raises(SystemExit) as e:
        main([*path, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for action in parser._actions:
        for flag in action.option_strings:
            assert flag in out


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mellum_data", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_unknown_command_is_one_line():
    r = run_cli("frobnicate")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1
    assert "invalid choice: 'frobnicate'" in r.stderr


def test_unknown_option_is_one_line():
    r = run_cli("plan", "x.yaml", "--bogus")
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "mellum-data: error: unrecognized arguments: --bogus (see 'mellum-data --help')"
    )


def test_missing_input_path(tmp_path):
    r = run_cli("run", "code", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o"))
    assert r.returncode == 1
    assert r.stderr.strip() == f"mellum-data: error: {tmp_path / 'nope'}: input not found"


def test_yaml_errors_name_file_line_field(tmp_path):
    cfg = tmp_path / "code.yaml"
    cfg.write_text("source: code\nno_such_field: 1\n")
    r = run_cli(
        "run",
        "code",
        "--input",
        str(tmp_path),
        "--output",
        str(tmp_path / "o"),
        "--config",
        str(cfg),
    )
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith(f"mellum-data: error: {cfg}:2: unknown field 'no_such_field'")
    cfg.write_text("source: [code\n")
    r = run_cli(
        "run",
        "code",
        "--input",
        str(tmp_path),
        "--output",
        str(tmp_path / "o"),
        "--config",
        str(cfg),
    )
    assert r.returncode == 1
    assert f"{cfg}:2: YAML syntax error" in r.stderr
    assert r.stderr.count("\n") == 1


def test_dry_run_prints_resolved_config(tmp_path, capsys):
    assert (
        main(
            [
                "run",
                "code",
                "--input",
                str(tmp_path),
                "--output",
                "o",
                "--dry-run",
                "--set",
                "source=mycode",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("source: mycode\n") or "\nsource: mycode\n" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: mellum-data" in capsys.readouterr().out

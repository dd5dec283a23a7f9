"""Stage pipelines. Names are re-exported lazily so that ``mellum-data --help`` (which reads
the stage registry) does not import datatrove, fastText and tree-sitter."""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "WebConfig": "web",
    "run_web": "web",
    "build_web_steps": "web",
    "train_quality_classifier": "quality",
    "MathConfig": "math",
    "run_math": "math",
    "build_math_steps": "math",
    "CodeConfig": "code",
    "run_code": "code",
    "build_code_steps": "code",
    "DedupConfig": "dedup",
    "run_dedup": "dedup",
    "TokenizeConfig": "tokenize",
    "run_tokenize": "tokenize",
    "Execution": "executor",
    "run_steps": "executor",
    "StageOutputReader": "common",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"mellum_data.pipelines.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'mellum_data.pipelines' has no attribute {name!r}")

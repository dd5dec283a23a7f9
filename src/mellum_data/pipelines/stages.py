"""The registry of runnable stages, imported lazily so that ``--help`` stays fast."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Stage:
    name: str
    module: str
    config: str
    run: str
    summary: str

    def load(self) -> tuple[type[BaseModel], Callable[..., Any]]:
        mod = importlib.import_module(self.module)
        return getattr(mod, self.config), getattr(mod, self.run)


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage(
            "web",
            "mellum_data.pipelines.web",
            "WebConfig",
            "run_web",
            "WARC / jsonl / parquet pages -> extract -> language -> quality",
        ),
        Stage(
            "code",
            "mellum_data.pipelines.code",
            "CodeConfig",
            "run_code",
            "repository folders / Stack-style parquet -> license -> code quality -> syntax",
        ),
        Stage(
            "math",
            "mellum_data.pipelines.math",
            "MathConfig",
            "run_math",
            "LaTeX / markdown / HTML with math -> math score -> language",
        ),
        Stage(
            "dedup",
            "mellum_data.pipelines.dedup",
            "DedupConfig",
            "run_dedup",
            "MinHash near-dedup over one or more stage outputs",
        ),
        Stage(
            "tokenize",
            "mellum_data.pipelines.tokenize",
            "TokenizeConfig",
            "run_tokenize",
            "documents -> token shards per source, with counts for the planner",
        ),
    )
}

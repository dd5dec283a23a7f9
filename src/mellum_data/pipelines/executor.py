"""Executor selection: the same list of datatrove steps runs locally, on Slurm or on Ray."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from datatrove.data import DocumentsPipeline
from datatrove.executor.base import PipelineExecutor
from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers.base import BaseReader
from tqdm import tqdm

from mellum_data.errors import ConfigError

ExecutorKind = Literal["local", "slurm", "ray"]


@dataclass
class Execution:
    """How a stage runs. ``tasks`` splits the input; ``workers`` runs tasks in parallel."""

    executor: ExecutorKind = "local"
    tasks: int = 1
    workers: int = 1
    logging_dir: str | None = None
    # Passed through to the Slurm or Ray executor (partition, time, cpus_per_task, ...).
    options: dict[str, Any] = field(default_factory=dict)
    # Skip datatrove's completion markers (rerun everything).
    force: bool = False
    # A document progress bar per task on stderr (local executor only).
    progress: bool = False

    def validate(self) -> None:
        if self.tasks < 1 or self.workers < 1:
            raise ConfigError(
                f"--tasks and --workers must be >= 1 (got {self.tasks}, {self.workers})"
            )


class DocProgress(PipelineStep):
    """Passes documents through, counting them on a progress bar."""

    name = "⏳ Progress"
    type = "🔧 - PROCESS"

    def __init__(self, desc: str) -> None:
        super().__init__()
        self.desc = desc

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        label = self.desc if world_size == 1 else f"{self.desc} [task {rank}/{world_size}]"
        with tqdm(desc=label, unit=" docs", file=sys.stderr) as bar:
            for doc in data:
                bar.update()
                yield doc


def with_progress(steps: list[PipelineStep | Any], desc: str) -> list[PipelineStep | Any]:
    """``steps`` with a progress bar after the last reader (where documents enter)."""
    readers = [i for i, s in enumerate(steps) if isinstance(s, BaseReader)]
    if not readers:
        return steps
    at = readers[-1] + 1
    return [*steps[:at], DocProgress(desc), *steps[at:]]


# Threads that are safe to fork past: fsspec's IO loop (its at-fork hook gives a child a new
# loop and lock) and the shard writers' helper (a child makes its own; it is idle between
# shards, and its executor's lock is reset at fork by concurrent.futures).
FORK_SAFE_THREADS = ("fsspecIO", "shard-writer")


def local_start_method() -> str:
    """How local workers start: ``fork`` while this process runs no thread of its own besides
    the main one and those in ``FORK_SAFE_THREADS``, else datatrove's default ``forkserver``.

    A forked worker starts with this process's imports and loaded modules; under
    ``forkserver`` each worker imports datatrove, pyarrow and the stage's libraries again
    (about 0.5 s of a 2-worker web run over 3,000 pages, a fifth of it). Forking a process
    whose other threads may hold a lock (an event loop, a thread pool) can deadlock the child,
    so any other Python thread means ``forkserver``. The native threads that numpy's BLAS and
    pyarrow's allocator start at import handle fork themselves. ``--executor-opt
    start_method=...`` overrides the choice."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if all(t.name.startswith(FORK_SAFE_THREADS) for t in others):
        return "fork"
    return "forkserver"


def make_executor(
    steps: list[PipelineStep | Any],
    execution: Execution,
    *,
    logging_dir: str,
    tasks: int | None = None,
    depends: PipelineExecutor | None = None,
    name: str = "mellum",
) -> PipelineExecutor:
    """Build the executor for ``steps``; ``tasks`` overrides ``execution.tasks`` for stages
    whose parallelism is fixed by the data (e.g. one task per MinHash bucket)."""
    execution.validate()
    n_tasks = tasks if tasks is not None else execution.tasks
    log_dir = execution.logging_dir or logging_dir
    common: dict[str, Any] = dict(pipeline=steps, tasks=n_tasks, logging_dir=log_dir)
    if execution.force:
        common["skip_completed"] = False
    if depends is not None:
        common["depends"] = depends
    if execution.executor == "local":
        if execution.progress:
            common["pipeline"] = with_progress(steps, name)
        options = {"start_method": local_start_method(), **execution.options}
        return LocalPipelineExecutor(workers=min(execution.workers, n_tasks), **common, **options)
    if execution.executor == "slurm":
        from datatrove.executor.slurm import SlurmPipelineExecutor

        if shutil.which("sbatch") is None:
            raise ConfigError(
                "--executor slurm: sbatch not found on PATH (run on a Slurm login node)"
            )

        opts = {"time": "24:00:00", "partition": "default", "job_name": name, **execution.options}
        return SlurmPipelineExecutor(workers=execution.workers, **common, **opts)
    if execution.executor == "ray":
        if importlib.util.find_spec("ray") is None:
            raise ConfigError(
                "--executor ray: the ray package is not installed "
                "(pip install 'mellum-data[ray]', which pins ray[default]==2.60.0)"
            )
        from datatrove.executor.ray import RayPipelineExecutor

        return RayPipelineExecutor(workers=execution.workers, **common, **execution.options)
    raise ConfigError(f"unknown executor {execution.executor!r}; valid: local, slurm, ray")


def run_steps(
    steps: list[PipelineStep | Any],
    execution: Execution,
    *,
    logging_dir: str,
    tasks: int | None = None,
    name: str = "mellum",
) -> None:
    """Run ``steps`` to completion (locally) or submit them (Slurm)."""
    make_executor(steps, execution, logging_dir=logging_dir, tasks=tasks, name=name).run()

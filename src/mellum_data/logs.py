"""Console logging: quiet by default (warnings and our own progress lines), datatrove's
per-task INFO logs with ``--verbose``. Full DEBUG logs always go to each stage's
``logs/<stage>/logs/task_*.log`` files, as datatrove writes them."""

from __future__ import annotations

import sys

from loguru import logger

_FORMAT = (
    "{time:YYYY-MM-DD HH:mm:ss.SSS} | <level>{level: <8}</level> | "
    "{name}:{function}:{line} - <level>{message}</level>"
)


def configure_logging(*, verbose: bool = False) -> None:
    level = "INFO" if verbose else "WARNING"
    logger.remove()
    logger.add(sys.stderr, level=level, format=_FORMAT)
    if verbose:
        return

    import datatrove.executor.base as executor_base
    import datatrove.utils.logging as dt_logging

    def add_task_logger(logging_dir, rank: int, local_rank: int = 0, node_rank: int = -1):
        # Same files as datatrove's own task logger, but only warnings on the console.
        logger.remove()
        logfile = logging_dir.open(f"logs/task_{rank:05d}.log", "w")
        logger.add(sys.stderr, level="WARNING", format=_FORMAT)
        logger.add(logfile, level="DEBUG", format=_FORMAT, colorize=False)
        logger.info(f"Launching pipeline for {rank=}")
        return logfile

    def setup_default_logger() -> None:
        logger.remove()
        logger.add(sys.stderr, level="WARNING", format=_FORMAT)

    executor_base.add_task_logger = add_task_logger
    dt_logging.setup_default_logger = setup_default_logger

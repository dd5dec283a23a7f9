"""The run's record: ``metrics.jsonl`` (one JSON object per line) and the loss plot.

Records: ``{"kind": "train", "phase", "step", "loss", "lr", "tokens", ...}`` after every
optimizer step (``step`` counts steps over all phases, ``loss`` is the next-token loss) and
``{"kind": "val", "phase", "source", "loss", "step"}`` at the end of each phase.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class MetricsLog:
    """Appends records, flushing each line so that a crashed run keeps its history."""

    def __init__(self, path: Path, keep_lines: int = 0) -> None:
        self.path = path
        kept: list[str] = []
        if keep_lines and path.exists():
            # Resuming: drop what was logged after the checkpoint; it will be redone.
            kept = path.read_text().splitlines()[:keep_lines]
        path.write_text("".join(line + "\n" for line in kept))
        self.lines = len(kept)
        self._f = path.open("a")

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps(record) + "\n")
        self._f.flush()
        self.lines += 1

    def close(self) -> None:
        self._f.close()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]


def plot_loss(records: list[dict[str, Any]], path: Path) -> list[str]:
    """Training loss per step (raw and smoothed), phase boundaries, per-source val losses
    (one line per source, a point at each phase's end). Returns the legend's labels."""
    train = [r for r in records if r["kind"] == "train"]
    fig = Figure(figsize=(8, 4.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if train:
        steps = np.array([r["step"] for r in train])
        loss = np.array([r["loss"] for r in train])
        ax.plot(steps, loss, color="tab:blue", alpha=0.3, lw=1)
        k = max(1, len(loss) // 30)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax.plot(steps[k - 1 :], smooth, color="tab:blue", lw=2, label="train loss")
        starts: dict[str, int] = {}
        for r in train:
            starts.setdefault(r["phase"], r["step"] - 1)
        for name, s in starts.items():
            ax.axvline(s, color="grey", ls="--", lw=1)
            ax.text(s, 1.0, f" {name}", transform=ax.get_xaxis_transform(), va="top", fontsize=9)
    val = [r for r in records if r["kind"] == "val"]
    for i, source in enumerate(sorted({r["source"] for r in val})):
        pts = [(r["step"], r["loss"]) for r in val if r["source"] == source]
        xs, ys = zip(*pts, strict=True)
        ax.plot(xs, ys, marker="o", ls=":", color=f"C{i + 1}", label=f"val {source}")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("next-token loss (nats)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    return ax.get_legend_handles_labels()[1]

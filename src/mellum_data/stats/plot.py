"""Plots of phase mixtures (matplotlib, written to PNG)."""

from __future__ import annotations

from typing import Any

from mellum_data.errors import InputError


def plot_phases(summary: dict[str, Any], path: str) -> str:
    """Stacked bars of each source's token share per phase, with the token count on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    phases = list(summary["phases"].values())
    if not phases:
        raise InputError(f"{summary['path']}: no phases to plot (no manifest.json found)")
    sources = sorted({s for ph in phases for s in ph["sources"]})
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(phases), 4.2))
    bottoms = [0.0] * len(phases)
    names = [ph["phase"] for ph in phases]
    for src in sources:
        shares = [ph["sources"].get(src, {}).get("share", 0.0) for ph in phases]
        bars = ax.bar(names, shares, bottom=bottoms, label=src)
        for bar, share, b in zip(bars, shares, bottoms):
            if share >= 4:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    b + share / 2,
                    f"{share:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                )
        bottoms = [b + s for b, s in zip(bottoms, shares)]
    for i, ph in enumerate(phases):
        ax.text(i, 101, f"{ph['tokens']:,} tok", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("share of phase tokens (%)")
    ax.set_title("Token mixture per phase")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""Plain-text tables for ``summarize`` output."""

from __future__ import annotations

from typing import Any


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """An aligned text table; numbers right-aligned, text left-aligned."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    numeric = [
        all(isinstance(r[i], (int, float)) for r in rows) if rows else False
        for i in range(len(headers))
    ]

    def line(values: list[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def render_tables(summary: dict[str, Any]) -> str:
    blocks: list[str] = []
    for name, st in summary["stages"].items():
        rows = [[src, v["documents"], v["bytes"]] for src, v in st["kept"].items()]
        blocks.append(
            f"stage output {name}: {st['documents_in']:,} documents in, "
            f"{st['documents_kept']:,} kept, {st['documents_removed']:,} removed\n"
            + table(["kept source", "documents", "bytes"], rows)
        )
        removed = [
            [step, reason, n]
            for step, reasons in st["removed"].items()
            for reason, n in reasons.items()
        ]
        if removed:
            blocks.append(table(["removed by step", "drop_reason", "documents"], removed))
    if summary["tokens"]:
        rows = [
            [
                t["source"],
                t["documents"],
                t["tokens"],
                t["tokens_per_doc_mean"],
                t["tokens_per_doc_p50"],
                t["tokens_per_doc_p90"],
                t["shards"],
            ]
            for t in summary["tokens"].values()
        ]
        blocks.append(
            "tokenized sources\n"
            + table(["source", "documents", "tokens", "mean tok/doc", "p50", "p90", "shards"], rows)
        )
    if summary["phases"]:
        rows = []
        for ph in summary["phases"].values():
            for src, v in ph["sources"].items():
                rows.append(
                    [
                        ph["phase"],
                        src,
                        v.get("documents", 0),
                        v.get("tokens", 0),
                        v["share"],
                        v.get("epochs_after", v.get("epochs")),
                    ]
                )
            rows.append([ph["phase"], "(total)", ph["documents"], ph["tokens"], 100.0, ""])
        blocks.append(
            "phases\n"
            + table(["phase", "source", "documents", "tokens", "share %", "epochs"], rows)
        )
    return "\n\n".join(blocks)

"""Stats over hand-made stage outputs, token folders and phase manifests."""

import json

import pyarrow as pa
import pytest
from datatrove.data import Document
from datatrove.executor.local import LocalPipelineExecutor

from mellum_data.cli import main
from mellum_data.errors import InputError
from mellum_data.pipelines.common import kept_writer
from mellum_data.pipelines.writers import RemovedWriter
from mellum_data.stats import plot_phases, render_tables, summarize
from mellum_data.tokenize.manifest import (
    PhaseManifest,
    SourceCounts,
    TokenizerInfo,
    write_phase_manifest,
    write_source_counts,
)
from mellum_data.tokenize.shards import ShardWriter

TOK = TokenizerInfo(id="sha256:beef", name="bpe-512", vocab_size=512, token_size=2, eos_id=1)


def doc(i: int, source: str, reason: str | None = None) -> Document:
    meta = {"source": source}
    if reason:
        meta["filter_reason"] = reason
    return Document(text="x" * (10 + i), id=f"{source}/{i}", metadata=meta)


def write_stage(out):
    kept = [doc(0, "web"), doc(1, "web"), doc(2, "code")]
    LocalPipelineExecutor(
        [kept, kept_writer(str(out))], tasks=1, logging_dir=str(out / "logs" / "k")
    ).run()
    removed = [doc(3, "web", "gopher_short"), doc(4, "web", "gopher_short"), doc(5, "web", "lang")]
    writer = RemovedWriter(str(out), "quality", {"source": pa.string()})
    LocalPipelineExecutor([removed, writer], tasks=1, logging_dir=str(out / "logs" / "r")).run()


def write_tokens(folder, source, lengths):
    w = ShardWriter(folder, "00000_00000", token_size=2, tokenizer_id=TOK.id)
    for i, n in enumerate(lengths):
        w.add(list(range(2, 2 + n)), id=f"{source}/{i}", source=source)
    info = w.close()
    write_source_counts(
        folder, SourceCounts(source, TOK, len(lengths), sum(lengths), [info], {"min_unique": 2})
    )
    return info


def write_phase(folder, name, index, tokens_by_source):
    info = write_tokens(folder, "mix", [sum(tokens_by_source.values())])
    total = sum(tokens_by_source.values())
    sources = {
        s: {"documents": 1, "tokens": t, "epochs_after": 0.5 * (index + 1)}
        for s, t in tokens_by_source.items()
    }
    write_phase_manifest(
        folder, PhaseManifest(name, index, "abc", TOK, 0, 64, sources, 2, total, [info])
    )


def test_stage_output_counts_and_reasons(tmp_path):
    write_stage(tmp_path / "clean")
    st = summarize(str(tmp_path / "clean"))["stages"]["."]
    assert st["documents_in"] == 6
    assert st["kept"] == {
        "code": {"documents": 1, "bytes": 12},
        "web": {"documents": 2, "bytes": 21},
    }
    assert st["removed"] == {"quality": {"gopher_short": 2, "lang": 1}}


def test_tokens_and_phases_found_below_a_root(tmp_path):
    write_tokens(tmp_path / "tokens" / "web", "web", [10, 20, 30, 40])
    write_phase(tmp_path / "mix" / "phase2", "phase2", 1, {"web": 30, "code": 70})
    write_phase(tmp_path / "mix" / "phase1", "phase1", 0, {"web": 75, "code": 25})
    s = summarize(str(tmp_path))
    assert s["tokens"]["tokens/web"] == {
        "source": "web",
        "tokenizer": "sha256:beef",
        "documents": 4,
        "tokens": 100,
        "shards": 1,
        "tokens_per_doc_mean": 25.0,
        "tokens_per_doc_p50": 25,
        "tokens_per_doc_p90": 40,
        "dropped": {"min_unique": 2},
    }
    assert list(s["phases"]) == ["mix/phase1", "mix/phase2"]
    assert s["phases"]["mix/phase2"]["sources"]["code"]["share"] == 70.0
    text = render_tables(s)
    assert "phase1  web              1      75    75.00  0.50" in text
    assert "phase2  code             1      70    70.00  1.00" in text
    png = plot_phases(s, str(tmp_path / "p.png"))
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_nothing_to_summarise(tmp_path):
    with pytest.raises(InputError, match="nothing to summarise"):
        summarize(str(tmp_path))
    with pytest.raises(InputError, match="folder not found"):
        summarize(str(tmp_path / "missing"))


def test_cli_json_and_plot(tmp_path, capsys):
    write_phase(tmp_path / "phase1", "phase1", 0, {"web": 60, "math": 40})
    assert main(["stats", str(tmp_path), "--json", "--plot", str(tmp_path / "x.png")]) == 0
    out = capsys.readouterr().out
    data = json.loads(out[: out.rindex("}") + 1])
    assert data["phases"]["phase1"]["sources"]["math"]["share"] == 40.0
    assert (tmp_path / "x.png").exists()

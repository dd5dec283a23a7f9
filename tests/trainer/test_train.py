import json
import shutil

import pytest
import torch

from mellum_data.errors import ConfigError, InputError
from mellum_data.trainer import load_train_config, train
from mellum_data.trainer.metrics import plot_loss


def _records(path):
    return [json.loads(line) for line in open(path)]


def test_loss_decreases_and_outputs_are_written(run):
    root, _, _, result, lines = run
    phases = result["phases"]
    assert [p["phase"] for p in phases] == ["phase1", "phase2", "phase3"]
    assert all(p["steps"] == 12 and p["tokens"] == 12 * 4 * 64 for p in phases)
    assert phases[0]["loss_end"] < phases[0]["loss_start"] - 0.5
    assert phases[-1]["loss_end"] < phases[0]["loss_start"] - 2.0
    assert set(phases[-1]["val"]) == {"web", "code", "math"}
    assert phases[-1]["val"]["code"] < phases[0]["val"]["code"]
    records = _records(result["metrics"])
    train_recs = [r for r in records if r["kind"] == "train"]
    assert [r["step"] for r in train_recs] == list(range(1, 37))
    assert {"phase", "step", "loss", "lr", "tokens"} <= set(train_recs[0])
    assert train_recs[-1]["tokens"] == 36 * 256 and train_recs[-1]["lr"] < 3e-4
    val = [r for r in records if r["kind"] == "val"]
    assert len(val) == 9 and {r["source"] for r in val} == {"web", "code", "math"}
    assert open(result["plot"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert 4 <= len(lines) <= 14  # compact: a start, an end and few progress lines a phase
    assert result["params_active"] < result["params_total"]
    ckpt = torch.load(root / "out" / "ckpt.pt", weights_only=True)
    assert {"model", "optimizers", "schedule", "rng", "position", "config"} <= set(ckpt)
    assert ckpt["position"]["phase"] == 3 and ckpt["config"]["model"]["vocab_size"] == 512


def test_resume_mid_phase_matches_uninterrupted_run(run, tmp_path):
    root, shards, cfg, result, _ = run
    out = tmp_path / "out"
    stopped = train(str(shards), cfg, str(out), log=lambda s: None, stop_after=17)
    assert stopped["stopped"] and len(stopped["phases"]) == 1
    resumed = train(str(shards), cfg, str(out), log=lambda s: None, resume=str(out / "ckpt.pt"))
    assert not resumed["stopped"]
    full = [(r["step"], r["loss"]) for r in _records(result["metrics"])]
    again = [(r["step"], r["loss"]) for r in _records(resumed["metrics"])]
    assert again == full  # exactly: same data, same state, same arithmetic
    assert resumed["phases"] == result["phases"]


def test_corrupt_shard_fails_before_training(run, tmp_path):
    _, shards, cfg, _, _ = run
    bad = tmp_path / "shards"
    shutil.copytree(shards, bad)
    target = bad / "phase2" / "shard1.ds"
    data = bytearray(target.read_bytes())
    data[10] ^= 0xFF
    target.write_bytes(bytes(data))
    # The wording belongs to the shard verifier; the trainer must name the file.
    with pytest.raises(InputError, match=r"phase2/shard1\.ds: "):
        train(str(bad), cfg, str(tmp_path / "out"), log=lambda s: None)
    assert not (tmp_path / "out").exists()


def test_phases_must_share_a_tokenizer(run, tmp_path):
    _, shards, cfg, _, _ = run
    bad = tmp_path / "shards"
    shutil.copytree(shards, bad)
    manifest = bad / "phase3" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["tokenizer"]["id"] = "sha256:other"
    manifest.write_text(json.dumps(data))
    with pytest.raises(InputError, match="phase3/manifest.json: tokenizer sha256:other"):
        train(str(bad), cfg, str(tmp_path / "out"), log=lambda s: None)


def test_config_errors_name_file_line_and_field(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("model:\n  d_model: 64\n  n_expert: 4\n")
    with pytest.raises(ConfigError, match=r"t.yaml:3: unknown field 'model.n_expert'.*n_experts"):
        load_train_config(str(path))
    path.write_text("preset: huge\n")
    with pytest.raises(ConfigError, match="t.yaml:1: unknown preset 'huge'; valid presets: tiny"):
        load_train_config(str(path))
    path.write_text("preset: small\ndata:\n  seq_len: 128\n")
    cfg = load_train_config(str(path), ["model.top_k=1"], preset="tiny")
    assert (cfg.preset, cfg.model.d_model, cfg.data.seq_len, cfg.model.top_k) == (
        "small",
        512,
        128,
        1,
    )
    with pytest.raises(ConfigError, match="top_k 9 exceeds n_experts 8"):
        load_train_config(None, ["model.top_k=9"])


def test_best_fit_packing_trains(run, tmp_path):
    _, shards, cfg, _, _ = run
    data = cfg.data.model_copy(update={"packing": "best_fit", "max_steps_per_phase": 2})
    result = train(
        str(shards), cfg.model_copy(update={"data": data}), str(tmp_path), log=lambda s: None
    )
    assert [p["steps"] for p in result["phases"]] == [2, 2, 2]
    assert all(p["loss_end"] == p["loss_end"] for p in result["phases"])  # finite, not NaN


def test_plot_marks_phases_and_every_source(tmp_path):
    records = [
        {"kind": "train", "phase": p, "step": s, "loss": 5.0 - s / 10}
        for p, steps in (("phase1", range(1, 4)), ("phase2", range(4, 7)))
        for s in steps
    ]
    records += [
        {"kind": "val", "phase": p, "source": src, "loss": 4.0, "step": step}
        for p, step in (("phase1", 3), ("phase2", 6))
        for src in ("web", "code")
    ]
    labels = plot_loss(records, tmp_path / "loss.png")
    assert labels == ["train loss", "val code", "val web"]
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"

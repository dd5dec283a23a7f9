"""The parts of benchmarks/train.py that a CPU machine can check: device choice, the CUDA
run's settings, MFU arithmetic, and a shrunken measurement through the same code path."""

import contextlib
import importlib.util
import math
from pathlib import Path

import pytest
import torch

from mellum_data.errors import ConfigError
from mellum_data.trainer import flops_per_token, load_train_config
from mellum_data.trainer.device import autocast, resolve_device

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "train.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_train", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_device_resolution():
    assert resolve_device("auto", cuda_available=True).type == "cuda"
    assert resolve_device("auto", cuda_available=False).type == "cpu"
    assert resolve_device("cpu", cuda_available=True).type == "cpu"
    with pytest.raises(ConfigError, match="no CUDA device is visible"):
        resolve_device("cuda", cuda_available=False)


def test_cuda_runs_small_preset_in_bf16(bench):
    run = bench.settings(torch.device("cuda"))
    cfg = load_train_config(None, [*run["overrides"], "compile=true"], run["preset"])
    assert (cfg.preset, cfg.device, cfg.compile) == ("small", "cuda", True)
    assert cfg.data.micro_batch_size == 16 and cfg.data.batch_size == 64
    with pytest.warns(UserWarning, match="CUDA is not available"):  # this machine has none
        ctx = autocast(torch.device("cuda"))
    assert ctx.fast_dtype == torch.bfloat16 and ctx.device == "cuda"
    assert isinstance(autocast(torch.device("cpu")), contextlib.nullcontext)
    assert list(bench.variants(True, torch.device("cuda"))) == [
        "concat",
        "best_fit+doc_mask",
        "concat+compile",
    ]
    assert "concat+compile" not in bench.variants(True, torch.device("cpu"))
    cpu = bench.settings(torch.device("cpu"))
    assert cpu["preset"] == "tiny" and cpu["autocast"] is None


def test_mfu_arithmetic(bench):
    cfg = load_train_config(None, preset="small")
    flops = flops_per_token(cfg.model, cfg.data.seq_len)
    # 1M tokens/s on the small preset is ~329 TFLOP/s: a third of the H100 bf16 peak.
    assert bench.mfu(1e6, flops) == pytest.approx(flops * 1e6 / 989e12)
    assert 0.3 < bench.mfu(1e6, flops) < 0.36


def test_measure_runs_the_training_step_path(bench, tmp_path):
    shards = bench.write_synthetic_phase(tmp_path, vocab=512, tokens=12_000)
    overrides = [
        "device=cpu",
        "model.d_model=32",
        "model.n_layers=2",
        "model.n_heads=2",
        "model.n_kv_heads=1",
        "model.expert_dim=32",
        "model.n_experts=4",
        "model.window=16",
        "data.seq_len=32",
        "data.batch_size=4",
        "data.micro_batch_size=2",  # gradient accumulation, as the CUDA run does
    ]
    for extra in ([], ["data.packing=best_fit", "data.doc_mask=true"]):
        cfg = load_train_config(None, overrides + extra, preset="small")
        r = bench.measure(str(shards), cfg, warmup=1, steps=2)
        assert r["tokens_per_s"] > 0 and math.isfinite(r["loss_last"])
        assert r["flops_per_token"] == flops_per_token(
            cfg.model.model_copy(update={"vocab_size": 512}), 32
        )

"""Typed trainer configuration and its presets.

A run's configuration is a preset (``tiny``, ``small``, ``mellum2``) with a YAML file and
``--set`` overrides merged on top, in that order. The YAML may name its own ``preset``.
Field defaults are the ``tiny`` model, so ``TrainConfig()`` is CPU-sized; the ``tiny`` preset
adds a step cap per phase and one CPU thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from mellum_data.config import (
    StrictModel,
    apply_overrides,
    parse_yaml,
    read_text,
    validation_error_message,
)
from mellum_data.errors import ConfigError


class ModelConfig(StrictModel):
    """Shape of a Mellum-2-style decoder (MoE, GQA, sliding windows, one MTP head)."""

    # Replaced at train time by the manifest's vocabulary; used as is by ``describe``.
    vocab_size: int = Field(512, ge=2)
    d_model: int = Field(128, ge=8)
    n_layers: int = Field(4, ge=1)
    n_heads: int = Field(4, ge=1)
    n_kv_heads: int = Field(2, ge=1)
    head_dim: int | None = Field(None, ge=2, description="None: d_model // n_heads")
    # Sliding-window attention on the layers that are not global; every `global_every`-th
    # layer (the 4th, 8th, ...) attends to the whole sequence (Mellum 2: SWA on 3 of 4).
    window: int = Field(64, ge=1)
    global_every: int = Field(4, ge=1)
    rope_theta: float = Field(10_000.0, gt=0)
    n_experts: int = Field(8, ge=1)
    top_k: int = Field(2, ge=1)
    expert_dim: int = Field(64, ge=1, description="hidden width of one SwiGLU expert")
    shared_expert_dim: int = Field(0, ge=0, description="0: no shared expert")
    # "aux_loss": switch-transformer balance loss (Fedus et al. 2021, eq. 4; weight 0.01 there);
    # "bias": auxiliary-loss-free router bias (Wang et al. 2024, used by DeepSeek-V3, whose
    # update rate is 0.001). Short runs need a faster rate: at 0.001 (or with the aux loss at
    # 0.01) the tiny preset routes nearly every token of a layer to 2 of 8 experts within
    # 60 steps; at 0.01 the busiest expert stays under ~2x the mean at the same loss.
    balance: Literal["aux_loss", "bias"] = "bias"
    aux_loss_weight: float = Field(0.01, ge=0)
    bias_update_rate: float = Field(0.01, ge=0)
    mtp: bool = True
    mtp_weight: float = Field(0.3, ge=0)
    tie_embeddings: bool = False
    norm_eps: float = Field(1e-6, gt=0)
    init_std: float = Field(0.02, gt=0)

    @model_validator(mode="after")
    def _check_shape(self) -> ModelConfig:
        if self.head_dim is None and self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(f"n_heads {self.n_heads} is not a multiple of n_kv_heads")
        if self.top_k > self.n_experts:
            raise ValueError(f"top_k {self.top_k} exceeds n_experts {self.n_experts}")
        if self.dim_head % 2:
            raise ValueError(f"head dimension {self.dim_head} must be even for RoPE")
        return self

    @property
    def dim_head(self) -> int:
        return self.head_dim or self.d_model // self.n_heads


class OptimConfig(StrictModel):
    """Muon for hidden matrices, AdamW for the rest (see ``muon.param_groups``)."""

    lr: float = Field(3e-3, gt=0, description="AdamW peak learning rate")
    muon_lr: float = Field(0.02, gt=0, description="Muon peak learning rate")
    muon_momentum: float = Field(0.95, ge=0, lt=1)
    betas: tuple[float, float] = (0.9, 0.95)
    weight_decay: float = Field(0.0, ge=0)
    grad_clip: float | None = Field(1.0, gt=0)


class ScheduleConfig(StrictModel):
    """Warmup-Hold-Decay, linear decay to zero. By default warmup over ``warmup_steps``, hold
    until the last phase, decay over the last phase; fractions (of all steps) override."""

    warmup_steps: int = Field(10, ge=0)
    warmup_fraction: float | None = Field(None, ge=0, le=1)
    decay_fraction: float | None = Field(None, ge=0, le=1)


class DataConfig(StrictModel):
    seq_len: int = Field(128, ge=2)
    batch_size: int = Field(4, ge=1, description="sequences per optimizer step")
    micro_batch_size: int | None = Field(None, ge=1, description="None: batch_size")
    packing: Literal["concat", "best_fit"] = "concat"
    # Documents considered together by best-fit packing; bounds its memory and time.
    best_fit_window: int = Field(8192, ge=1)
    # Document masking: attention stays within a document and no token is a target for a
    # position in another document (the first token of each document is never predicted).
    # Off by default: the demo and Mellum 2's concatenated pre-training attend across.
    doc_mask: bool = False
    shuffle: bool = True
    max_steps_per_phase: int | None = Field(None, ge=1)
    val_fraction: float = Field(0.02, gt=0, le=1)
    val_max_docs_per_source: int = Field(32, ge=1)
    val_max_tokens_per_source: int = Field(4096, ge=2)

    @model_validator(mode="after")
    def _check_micro(self) -> DataConfig:
        if self.micro_batch_size and self.batch_size % self.micro_batch_size:
            raise ValueError(
                f"batch_size {self.batch_size} is not a multiple of micro_batch_size "
                f"{self.micro_batch_size}"
            )
        return self


class TrainConfig(StrictModel):
    preset: str = "tiny"
    seed: int = 0
    model: ModelConfig = Field(default_factory=ModelConfig)
    optim: OptimConfig = Field(default_factory=OptimConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compile: bool = Field(False, description="torch.compile the model (CUDA only)")
    # CPU threads for torch (process-wide). On a busy machine 1 thread can be many times
    # faster than 2: idle OpenMP workers spin while waiting for a core.
    threads: int | None = Field(None, ge=1, description="None: torch's default")
    log_every: int = Field(25, ge=1, description="a progress line every N steps")
    ckpt_every: int = Field(0, ge=0, description="also checkpoint every N steps (0: at the end)")


def _preset(**sections: Any) -> TrainConfig:
    return TrainConfig.model_validate(sections)


PRESETS: dict[str, TrainConfig] = {
    # ~3 steps/s on one CPU core at an 8k vocabulary: three phases in under a minute. One
    # thread: on 2 shared cores it ran 1.8x faster than two (44 s against 78 s).
    "tiny": _preset(data={"max_steps_per_phase": 40}, threads=1),
    # ~100M total parameters (at a 32k vocabulary), ~25M active: one GPU, hours not days.
    "small": _preset(
        preset="small",
        model={
            "vocab_size": 32_768,
            "d_model": 512,
            "n_layers": 8,
            "n_heads": 8,
            "n_kv_heads": 2,
            "window": 512,
            "n_experts": 16,
            "top_k": 2,
            "expert_dim": 320,
            "bias_update_rate": 1e-3,
        },
        optim={"lr": 1e-3, "weight_decay": 0.1},
        # Micro-batches of 16: 64 x 2048 tokens in one pass would hold ~2 x 17 GB of fp32
        # logits (main and MTP head, 32k vocabulary) on top of the activations.
        data={
            "seq_len": 2048,
            "batch_size": 64,
            "micro_batch_size": 16,
            "val_max_tokens_per_source": 65_536,
        },
        schedule={"warmup_steps": 200},
    ),
    # The report's shape: 64 experts / 8 active, GQA with 4 KV heads, SWA on 3 of 4 layers,
    # a 98,304 vocabulary, 2k warmup steps (MELLUM2.md). Width, depth, expert width, window
    # and sequence length are not in the abstract: chosen so that the counts land near
    # 12B total / 2.5B active (see ``describe``).
    "mellum2": _preset(
        preset="mellum2",
        model={
            "vocab_size": 98_304,
            "d_model": 2048,
            "n_layers": 40,
            "n_heads": 32,
            "n_kv_heads": 4,
            "head_dim": 128,
            "window": 4096,
            "rope_theta": 500_000.0,
            "n_experts": 64,
            "top_k": 8,
            "expert_dim": 672,
            "bias_update_rate": 1e-3,
        },
        optim={"lr": 3e-4, "muon_lr": 0.02, "weight_decay": 0.1},
        data={
            "seq_len": 8192,
            "batch_size": 512,
            "micro_batch_size": 1,
            "val_max_tokens_per_source": 262_144,
        },
        schedule={"warmup_steps": 2000},
    ),
}


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_train_config(
    path: str | Path | None = None,
    overrides: list[str] | None = None,
    preset: str = "tiny",
) -> TrainConfig:
    """The preset, then the YAML at ``path``, then ``--set`` overrides; errors name file:line."""
    source = str(path) if path else "<config>"
    data: Any = {}
    lines: dict = {}
    if path is not None:
        data, lines = parse_yaml(read_text(path), source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: expected a mapping of fields at the top level")
    data = apply_overrides(data, overrides)
    name = data.get("preset", preset)
    if name not in PRESETS:
        line = lines.get(("preset",))
        where = f"{source}:{line}" if line else source
        raise ConfigError(f"{where}: unknown preset {name!r}; valid presets: {', '.join(PRESETS)}")
    merged = _merge(PRESETS[name].model_dump(), {**data, "preset": name})
    try:
        return TrainConfig.model_validate(merged)
    except ValidationError as e:
        raise ConfigError(validation_error_message(e, TrainConfig, source, lines)) from None

"""Compact reference trainer: a Mellum-2-style MoE decoder trained on mixture phase shards."""

from mellum_data.trainer.config import (
    PRESETS,
    DataConfig,
    ModelConfig,
    OptimConfig,
    ScheduleConfig,
    TrainConfig,
    load_train_config,
)
from mellum_data.trainer.generate import generate
from mellum_data.trainer.model import Transformer
from mellum_data.trainer.params import count_params, describe, flops_per_token
from mellum_data.trainer.train import train

__all__ = [
    "PRESETS",
    "DataConfig",
    "ModelConfig",
    "OptimConfig",
    "ScheduleConfig",
    "TrainConfig",
    "Transformer",
    "count_params",
    "describe",
    "flops_per_token",
    "generate",
    "load_train_config",
    "train",
]

"""Where a run computes and in what precision."""

from __future__ import annotations

import contextlib

import torch

from mellum_data.errors import ConfigError


def resolve_device(setting: str, cuda_available: bool | None = None) -> torch.device:
    """``auto``: CUDA when a GPU is visible, else CPU; ``cuda`` without a GPU is an error."""
    has_cuda = torch.cuda.is_available() if cuda_available is None else cuda_available
    if setting == "cuda" and not has_cuda:
        raise ConfigError("device: cuda was asked for but no CUDA device is visible")
    if setting == "auto":
        setting = "cuda" if has_cuda else "cpu"
    return torch.device(setting)


def autocast(device: torch.device):
    """bf16 autocast on CUDA (matmuls in bf16, weights and optimizer state in fp32). CPU
    runs stay in fp32: they are for tests and the demo, which compare exact losses."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()

"""Checkpoints: one ``torch.save`` file with everything needed to continue bit-for-bit.

Contents: ``model``, ``optimizers`` (Muon, AdamW), ``schedule`` (its boundaries),
``rng`` (torch CPU and CUDA states), ``position`` (phase index, step within the phase,
global step, tokens seen, metrics lines written), ``history`` (finished phases' results
and the current phase's losses), ``config`` (the resolved ``TrainConfig``) and
``tokenizer``. Only tensors and plain Python values, so it loads with ``weights_only=True``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from mellum_data.errors import InputError


def rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise InputError(f"{path}: checkpoint not found") from None
    except Exception as e:  # torch raises bare RuntimeError/UnpicklingError on bad files
        raise InputError(f"{path}: not a readable checkpoint ({e})") from None
    missing = {"model", "optimizers", "position", "config"} - set(payload)
    if missing:
        raise InputError(f"{path}: checkpoint lacks {', '.join(sorted(missing))}")
    return payload

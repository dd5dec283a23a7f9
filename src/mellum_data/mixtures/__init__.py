"""Mixture specs, the planner and the phase emitter."""

from mellum_data.mixtures.emitter import emit
from mellum_data.mixtures.planner import Plan, make_plan
from mellum_data.mixtures.spec import MixtureSpec, list_presets, load_mixture, preset_path

__all__ = [
    "MixtureSpec",
    "Plan",
    "emit",
    "list_presets",
    "load_mixture",
    "make_plan",
    "preset_path",
]

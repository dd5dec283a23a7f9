"""Warmup-Hold-Decay learning-rate schedule with linear decay to zero (Mellum 2 uses it with
a 2k-step warmup, hold through phases 1-2 and decay over phase 3; MELLUM2.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mellum_data.trainer.config import ScheduleConfig


@dataclass(frozen=True)
class WSD:
    """Multiplier of the peak learning rate at each optimizer step (0-based).

    Steps ``0 .. warmup-1`` ramp linearly up to 1 (the first step already moves), steps
    ``warmup .. decay_start-1`` hold at 1, and steps ``decay_start .. total-1`` fall
    linearly so that the step after the last one would be exactly 0.
    """

    warmup: int
    decay_start: int
    total: int

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup
        if step < self.decay_start:
            return 1.0
        return max(0.0, (self.total - step) / max(1, self.total - self.decay_start))

    def state_dict(self) -> dict[str, int]:
        return asdict(self)


def wsd_from_phases(phase_steps: list[int], cfg: ScheduleConfig) -> WSD:
    """Boundaries from the per-phase step counts: decay over the last phase unless
    ``decay_fraction`` is set; warmup ``warmup_steps`` unless ``warmup_fraction`` is set.
    Warmup never runs into the decay."""
    total = sum(phase_steps)
    if cfg.decay_fraction is not None:
        decay_start = total - round(cfg.decay_fraction * total)
    else:
        decay_start = total - phase_steps[-1] if len(phase_steps) > 1 else 0
    if cfg.warmup_fraction is not None:
        warmup = round(cfg.warmup_fraction * total)
    else:
        warmup = cfg.warmup_steps
    warmup = min(warmup, decay_start) if decay_start > 0 else min(warmup, total)
    return WSD(warmup=warmup, decay_start=max(decay_start, warmup), total=total)

import pytest

from mellum_data.trainer.config import ScheduleConfig
from mellum_data.trainer.schedule import WSD, wsd_from_phases


def test_wsd_values_at_known_steps():
    s = WSD(warmup=4, decay_start=10, total=15)
    assert [s(i) for i in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert all(s(i) == 1.0 for i in range(4, 10))
    assert [s(i) for i in range(10, 15)] == [1.0, 0.8, 0.6, 0.4, pytest.approx(0.2)]
    assert s(15) == 0.0  # linear decay reaches zero after the last step


def test_boundaries_from_phases_decay_over_last_phase():
    s = wsd_from_phases([100, 50, 30], ScheduleConfig(warmup_steps=20))
    assert (s.warmup, s.decay_start, s.total) == (20, 150, 180)
    assert s(149) == 1.0 and s(150) == 1.0 and s(165) == 0.5


def test_boundaries_from_fractions():
    s = wsd_from_phases([100, 50, 50], ScheduleConfig(warmup_fraction=0.1, decay_fraction=0.2))
    assert (s.warmup, s.decay_start, s.total) == (20, 160, 200)


def test_warmup_never_runs_into_decay():
    s = wsd_from_phases([3, 3, 4], ScheduleConfig(warmup_steps=50))
    assert (s.warmup, s.decay_start, s.total) == (6, 6, 10)
    single = wsd_from_phases([10], ScheduleConfig(warmup_steps=2))
    assert (single.warmup, single.decay_start, single.total) == (2, 2, 10)

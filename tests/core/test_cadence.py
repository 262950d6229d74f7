"""The polling schedule as a pure function: past durations and what the looks saw in, the next delay out."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest

from amc_cltv.cadence import Forecast, Schedule, Seen, phase_of
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.config import PollingSettings
from amc_cltv.orchestration.history import amc_durations

DEFAULTS = PollingSettings()  # 30 s, x1.5, 300 s, max_sleep_s 1800
HOUR = 3600.0
USUAL = [HOUR * f for f in (0.97, 1.02, 0.99, 1.03, 1.0, 0.98, 1.01, 1.0, 0.99, 1.02)]


def looks(schedule: Schedule, until: float, seen: Seen = Seen()) -> list[float]:
    """The times of the status calls after a fresh submit, up to ``until``."""
    elapsed, times = 0.0, []
    while elapsed < until:
        elapsed += schedule.next_delay(elapsed, seen)
        times.append(elapsed)
    return times


def calls_and_delay(schedule: Schedule, end: float) -> tuple[int, float]:
    elapsed, calls = 0.0, 0
    while elapsed < end:
        elapsed += schedule.next_delay(elapsed)
        calls += 1
    return calls, elapsed - end


def test_no_history_is_one_early_look_then_a_fixed_grid_of_max_interval() -> None:
    """No history: one look after initial_interval_s (moved by up to 20 % with the execution id), then every
    max_interval_s; never a gap above max_interval_s, never more calls than a 300 s poll."""
    schedule = Schedule(DEFAULTS, [], key="e1")
    first = 30 * (1 + 0.2 * phase_of("e1"))
    times = looks(schedule, 4 * HOUR)
    assert schedule.learned is False and times[0] == pytest.approx(first)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == pytest.approx([300.0] * len(gaps))
    for end in (100.0, 899.0, 3600.0, 12345.0):
        calls, delay = calls_and_delay(schedule, end)
        assert calls <= math.ceil(end / 300) + 1 and delay <= 300


def test_two_histories_short_of_the_minimum_are_no_history() -> None:
    assert Forecast.from_durations([HOUR, HOUR], DEFAULTS) is None
    assert Schedule(DEFAULTS, [HOUR, HOUR]).learned is False


def test_history_sleeps_long_while_the_run_cannot_be_done_and_looks_densely_where_past_runs_ended() -> None:
    """Two early looks (30 s, 75 s), sleeps of at most max_sleep_s, then looks closer than max_interval_s
    around the usual end: far fewer calls than a 300 s poll for an hour-long run."""
    schedule = Schedule(DEFAULTS, USUAL, key="e2")
    times = looks(schedule, 1.2 * HOUR)
    assert times[:2] == pytest.approx([30, 75])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) <= DEFAULTS.max_sleep_s
    assert max(gaps[:2]) > DEFAULTS.max_interval_s  # long sleeps early on
    around_end = [b - a for a, b in itertools.pairwise(times) if 0.97 * HOUR <= a <= 1.03 * HOUR]
    assert around_end and max(around_end) < DEFAULTS.max_interval_s
    calls, delay = calls_and_delay(schedule, HOUR)
    assert calls <= 8 < math.ceil(HOUR / 300) + 1 and delay < 150


def test_one_outlier_among_ten_runs_does_not_widen_the_forecast() -> None:
    """Nine runs near an hour and one of three hours: the forecast is the nine's (median and MAD)."""
    with_outlier = [*USUAL[:9], 3 * HOUR]
    clean = Forecast.from_durations(USUAL[:9], DEFAULTS)
    noisy = Forecast.from_durations(with_outlier, DEFAULTS)
    assert clean is not None and noisy is not None
    assert noisy.median_s == pytest.approx(HOUR, rel=0.02)
    assert noisy.sigma < 1.5 * clean.sigma
    calls, _ = calls_and_delay(Schedule(DEFAULTS, with_outlier), HOUR)
    assert calls <= 9


def test_a_run_far_longer_than_ever_seen_backs_off_to_max_interval_and_never_beyond() -> None:
    """Past the range history has seen, gaps grow by the multiplier and stay at max_interval_s: a run 5x
    longer than usual is still noticed within max_interval_s, at about a 300 s poll's rate."""
    schedule = Schedule(DEFAULTS, USUAL, key="e3")
    times = looks(schedule, 5 * HOUR)
    late = [b - a for a, b in itertools.pairwise(times) if a > 1.5 * HOUR]
    assert late and max(late) == pytest.approx(DEFAULTS.max_interval_s)
    assert late[-10:] == pytest.approx([DEFAULTS.max_interval_s] * 10)
    _, delay = calls_and_delay(schedule, 5 * HOUR)
    assert delay <= DEFAULTS.max_interval_s


def test_max_sleep_s_bounds_every_sleep_so_a_failure_mid_run_is_noticed_within_it() -> None:
    six_hours = [6 * HOUR * f for f in (0.98, 1.0, 1.02)]
    for max_sleep in (600.0, 1800.0, 3600.0):
        polling = PollingSettings(max_sleep_s=max_sleep)
        times = looks(Schedule(polling, six_hours), 8 * HOUR)
        gaps = [b - a for a, b in itertools.pairwise([0.0, *times])]
        assert max(gaps) <= max_sleep + 1e-9
        assert max(gaps) == pytest.approx(max_sleep)  # the bound is used while the run cannot be done


def test_the_schedule_is_a_function_of_elapsed_time_so_a_resume_continues_it() -> None:
    """A process that resumes at any look of the schedule makes the same next delay as the original."""
    schedule = Schedule(DEFAULTS, USUAL, key="e4")
    times = looks(schedule, 1.2 * HOUR)
    resumed = Schedule(DEFAULTS, list(USUAL), key="e4")
    for a, b in itertools.pairwise(times):
        assert resumed.next_delay(a) == pytest.approx(b - a)


def test_clock_skew_between_the_ledger_and_amc() -> None:
    """AMC's clock 10 minutes ahead of ours: durations taken from AMC's times (both on AMC's clock) are the
    same, and an elapsed time made negative by a clock behind the ledger's submit time is taken as zero."""
    submitted = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    skew = timedelta(minutes=10)

    def listed(offset: timedelta) -> list[WorkflowExecution]:
        return [
            WorkflowExecution(
                workflow_execution_id=f"e{day}",
                status="SUCCEEDED",
                create_time=submitted + timedelta(days=day) + offset,
                last_updated_time=submitted + timedelta(days=day, seconds=USUAL[day]) + offset,
            )
            for day in range(5)
        ]

    assert amc_durations(listed(skew)) == pytest.approx(amc_durations(listed(timedelta(0))))
    assert amc_durations(listed(skew)) == pytest.approx(USUAL[:5])
    schedule = Schedule(DEFAULTS, amc_durations(listed(skew)), key="e5")
    assert schedule.next_delay(-600.0) == schedule.next_delay(0.0) == pytest.approx(30)


def test_queueing_moves_the_forecast_later_and_publishing_brings_the_looks_close() -> None:
    """Still PENDING 20 minutes in: the dense looks start 20 minutes later. PUBLISHING: the next look is
    initial_interval_s away, then the ramp."""
    schedule = Schedule(DEFAULTS, USUAL, key="e6")
    queued = Seen().after("PENDING", 1500.0)
    assert schedule.shift(queued) == pytest.approx(1500 - 75)
    assert schedule.next_delay(0.9 * HOUR, queued) > schedule.next_delay(0.9 * HOUR)
    assert schedule.predicted_finish_s(queued) == pytest.approx(schedule.predicted_finish_s() + 1425)
    publishing = Seen().after("RUNNING", 100.0).after("PUBLISHING", 2000.0)
    assert schedule.next_delay(2000.0, publishing) == pytest.approx(30)
    assert schedule.next_delay(2030.0, publishing) == pytest.approx(45)
    assert Schedule(DEFAULTS, [], key="e6").next_delay(2000.0, publishing) == pytest.approx(30)


def test_the_same_schedule_runs_sandbox_executions_of_seconds() -> None:
    """Settings and durations scaled down 1,000 times give the same looks, scaled down: no fixed minutes."""
    small = PollingSettings(initial_interval_s=0.03, max_interval_s=0.3, max_sleep_s=1.8)
    big = looks(Schedule(DEFAULTS, USUAL, key="e7"), 1.5 * HOUR)
    tiny = looks(Schedule(small, [d / 1000 for d in USUAL], key="e7"), 1.5 * HOUR / 1000)
    assert tiny == pytest.approx([t / 1000 for t in big], rel=1e-6)


def test_aim_sooner_looks_more_often_for_a_shorter_delay() -> None:
    fewer = Schedule(DEFAULTS, USUAL, aim="fewer-calls")
    sooner = Schedule(DEFAULTS, USUAL, aim="sooner")
    ends = [HOUR * f for f in (0.98, 0.995, 1.0, 1.01, 1.02)]
    fewer_runs = [calls_and_delay(fewer, end) for end in ends]
    sooner_runs = [calls_and_delay(sooner, end) for end in ends]
    assert sum(c for c, _ in sooner_runs) > sum(c for c, _ in fewer_runs)
    assert sum(d for _, d in sooner_runs) < sum(d for _, d in fewer_runs)

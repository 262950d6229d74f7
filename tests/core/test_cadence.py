"""The polling schedule as a pure function: past durations and what the looks saw in, the next delay out."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest

from amc_cltv.cadence import Forecast, Regime, Schedule, Seen, phase_of, trend_t, usable_logs
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


def test_no_history_is_a_fixed_poll_of_max_interval_from_the_submit() -> None:
    """No history: a look every max_interval_s after the submit (AMC's answer to the submit is the first
    look), the grid moved up to 5 % earlier by the execution id; never a gap above max_interval_s, never
    more calls than a fixed 300 s poll, nor a later look."""
    schedule = Schedule(DEFAULTS, [], key="e1")
    first = 300 * (1 - 0.05 * phase_of("e1"))
    times = looks(schedule, 4 * HOUR)
    assert schedule.learned is False and schedule.regime is Regime.NO_HISTORY
    assert times[0] == pytest.approx(first)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == pytest.approx([300.0] * len(gaps))
    for end in (100.0, 899.0, 3600.0, 12345.0):
        calls, delay = calls_and_delay(schedule, end)
        assert calls <= math.ceil(end / 300) + 1 and delay <= 300


def test_two_histories_short_of_the_minimum_are_no_history() -> None:
    assert Forecast.from_durations([HOUR, HOUR], DEFAULTS) is None
    assert Schedule(DEFAULTS, [HOUR, HOUR]).learned is False


def test_history_sleeps_long_while_the_run_cannot_be_done_and_looks_densely_where_past_runs_ended() -> None:
    """The early window on the fixed grid (about 300 s and 600 s: runs that fail, fail early), then sleeps of
    at most max_sleep_s, then looks closer than max_interval_s around the usual end: about half the calls
    of a 300 s poll for an hour-long run."""
    schedule = Schedule(DEFAULTS, USUAL, key="e2")
    assert schedule.regime is Regime.LEARNT
    times = looks(schedule, 1.2 * HOUR)
    grid = 300 * (1 - 0.05 * phase_of("e2"))
    assert times[:2] == pytest.approx([grid, grid + 300])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) <= DEFAULTS.max_sleep_s
    assert gaps[1] > DEFAULTS.max_interval_s  # a long sleep after the early window
    around_end = [b - a for a, b in itertools.pairwise(times) if 0.97 * HOUR <= a <= 1.03 * HOUR]
    assert around_end and max(around_end) < DEFAULTS.max_interval_s
    calls, delay = calls_and_delay(schedule, HOUR)
    assert calls <= 8 < math.ceil(HOUR / 300) and delay < 150


def test_a_failure_in_the_early_window_is_seen_as_a_fixed_poll_would_see_it() -> None:
    """Even with a history of hour-long runs, a run that fails 7 minutes in is seen at the 600 s look, not
    after a long sleep."""
    schedule = Schedule(DEFAULTS, USUAL, key="e2")
    _, delay = calls_and_delay(schedule, 420.0)
    assert delay <= 300


def test_durations_that_cannot_forecast_the_next_run_fall_back_to_the_fixed_poll() -> None:
    """Each regime the forecast cannot serve gets the same looks as no history at all."""
    drifting = [HOUR * 0.95**night for night in range(10)]  # each night 5 % shorter
    bimodal = [HOUR * f for f in (1, 3, 1.02, 2.9, 0.98, 3.1, 1.01, 3.05, 0.99, 2.95)]
    queued = [HOUR * f for f in (1.0, 2.6, 1.4, 2.9, 1.2, 2.0, 1.7, 2.4, 1.1, 2.2)]  # 0-2 h queue + 1 h
    short = [60 * f for f in (8, 8.5, 9, 8.2, 8.8, 8.4)]  # steady 8-9 minute runs
    changed = [*USUAL[:9], 0.6 * HOUR]  # the last run far faster than all before it
    cases = {
        Regime.DRIFTING: drifting,
        Regime.SPREAD: bimodal,
        Regime.SHORT: short,
        Regime.CHANGED: changed,
    }
    no_history = looks(Schedule(DEFAULTS, [], key="e8"), 4 * HOUR)
    for regime, durations in cases.items():
        schedule = Schedule(DEFAULTS, durations, key="e8")
        assert schedule.regime is regime and not schedule.learned, regime
        assert looks(schedule, 4 * HOUR) == pytest.approx(no_history), regime
    assert Schedule(DEFAULTS, queued).regime is Regime.SPREAD
    # The same histories without their irregularity are learnt from.
    assert Schedule(DEFAULTS, [HOUR * (1 + 0.01 * (i % 3)) for i in range(10)]).regime is Regime.LEARNT
    assert Schedule(DEFAULTS, [*USUAL[:9], 1.6 * HOUR]).regime is Regime.LEARNT  # a slower last run is safe


def test_noise_alone_is_not_a_trend() -> None:
    """Runs scattered around an hour in no order: no significant trend, so the history is learnt from."""
    assert abs(trend_t(usable_logs(USUAL), DEFAULTS)) < 4
    assert trend_t(usable_logs([HOUR * 1.05**n for n in range(10)]), DEFAULTS) > 4


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
    first = 300 * (1 - 0.05 * phase_of("e5"))
    assert schedule.next_delay(-600.0) == schedule.next_delay(0.0) == pytest.approx(first)


def test_a_run_still_queued_falls_back_to_the_grid_and_publishing_brings_the_looks_close() -> None:
    """Still PENDING at a look after the submit's answer: the queueing decides the end, so the looks stay on
    the fixed grid (a long sleep would see the queue end late) and the predicted finish moves later.
    PUBLISHING: the next look is initial_interval_s away, then the ramp."""
    schedule = Schedule(DEFAULTS, USUAL, key="e6")
    grid = 300 * (1 - 0.05 * phase_of("e6"))
    queued = Seen().after("PENDING", grid + 300)
    assert schedule.queued(queued) and not schedule.queued(Seen().after("PENDING", 0.0))
    assert schedule.next_delay(grid + 300, queued) == pytest.approx(300)
    assert schedule.next_delay(grid + 300) > DEFAULTS.max_interval_s
    assert schedule.predicted_finish_s(queued) == pytest.approx(schedule.predicted_finish_s() + 300)
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

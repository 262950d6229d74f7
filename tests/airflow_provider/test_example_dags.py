"""The example DAGs as written: their windows come from the logical date and stay outside AMC's 48-hour
data lag in every time zone, and the nightly DAG's long wait for DSP does not hold back the next nights.
(``test_nightly_dag`` runs the nightly DAG for real.)"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

import pendulum
import pytest

from amc_cltv.errors import UsageError
from amc_cltv.timewindow import resolve_window
from tests.airflow_provider.conftest import EXAMPLES

# The zones a profile may name, plus the two ends of the world's offsets.
ZONES = sorted(available_timezones() - {"localtime", "Factory"})


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("amc_cltv_nightly", EXAMPLES / "amc_cltv_nightly.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example() -> Any:
    return load_example()


def rendered(dag: Any, template: str, logical_date: datetime) -> str:
    """``template`` as Airflow renders it for a run of ``dag`` at ``logical_date``."""
    from airflow.sdk.execution_time import macros

    moment = pendulum.instance(logical_date)
    return str(
        dag.get_template_env()
        .from_string(template)
        .render(ds=moment.to_date_string(), logical_date=moment, macros=macros)
    )


def fire_times(dag: Any, first: datetime, count: int) -> list[datetime]:
    """When the DAG's schedule fires, from ``first`` on (CronTriggerTimetable: the logical date too)."""
    from croniter import croniter

    times = croniter(dag.timetable.expression, first)
    return [times.get_next(datetime) for _ in range(count)]


def outside_the_lag_everywhere(logical_date: datetime, window_end: date) -> list[str]:
    """The time zones in which a run at ``logical_date`` could not use a window ending ``window_end``."""
    refused = []
    for zone in ZONES:
        try:
            resolve_window(logical_date, zone, window_end=window_end)
        except UsageError:
            refused.append(zone)
    return refused


def test_the_nightly_window_is_the_logical_dates_so_a_backfill_covers_its_own_days(example: Any) -> None:
    """Three days before the logical date, whatever day the run actually happens on."""
    nightly = example.nightly
    tasks = {task.task_id: task for task in nightly.tasks}
    for task_id in ("instance.segmentation", "instance.activate_audience"):
        assert tasks[task_id].window_end == example.WINDOW_END  # tasks of a mapped group
    for logical_date in (datetime(2026, 3, 1, 6, tzinfo=UTC), datetime(2026, 11, 20, 6, tzinfo=UTC)):
        expected = (logical_date - timedelta(days=3)).date()
        assert rendered(nightly, example.WINDOW_END, logical_date) == expected.isoformat()


def test_the_nightly_window_is_outside_the_data_lag_in_every_time_zone(example: Any) -> None:
    nightly = example.nightly
    assert nightly.timetable.expression == "0 6 * * *"
    for logical_date in fire_times(nightly, datetime(2026, 12, 1, tzinfo=UTC), 3):
        window_end = date.fromisoformat(rendered(nightly, example.WINDOW_END, logical_date))
        assert outside_the_lag_everywhere(logical_date, window_end) == []
    # Two days back would not do: the western zones would still be inside the lag at 06:00 UTC.
    assert "America/Los_Angeles" in outside_the_lag_everywhere(
        datetime(2026, 12, 6, 6, tzinfo=UTC), date(2026, 12, 4)
    )


def test_cohorts_runs_monthly_over_whole_months_outside_the_lag_in_every_time_zone(
    example: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """One mapped run of the cohorts workflow per profile, on the 4th; its window ends on the 1st of the
    logical date's month, at least 48 hours back everywhere. (On the 3rd at 06:30 UTC it was not, for the
    Americas.) The nightly DAG does not run cohorts."""
    from amc_cltv.airflow import AmcRunWorkflowOperator

    monthly = example.monthly_cohorts
    assert monthly.dag_id == "amc_cltv_monthly_cohorts"
    (cohorts,) = [t for t in monthly.tasks if t.task_id == "cohorts"]
    assert cohorts.operator_class is AmcRunWorkflowOperator
    assert cohorts.partial_kwargs["workflow"] == "cohorts"
    assert cohorts.partial_kwargs["window_end"] == example.MONTH_START
    assert all(getattr(t, "workflow", None) != "cohorts" for t in example.nightly.tasks)
    for logical_date in fire_times(monthly, datetime(2026, 12, 1, tzinfo=UTC), 12):
        window_end = date.fromisoformat(rendered(monthly, example.MONTH_START, logical_date))
        assert window_end == logical_date.date().replace(day=1)
        assert outside_the_lag_everywhere(logical_date, window_end) == []
    assert "America/Denver" in outside_the_lag_everywhere(
        datetime(2027, 1, 3, 6, 30, tzinfo=UTC), date(2027, 1, 1)
    )

    for name in ("b.toml", "a.toml", "notes.txt"):
        (tmp_path / name).write_text("")
    monkeypatch.setenv("AMC_CLTV_PROFILES", str(tmp_path))
    assert example.profile_paths() == [str(tmp_path / "a.toml"), str(tmp_path / "b.toml")]


def test_a_night_waiting_out_the_dsp_lag_does_not_hold_back_the_next_nights(example: Any) -> None:
    """The longest a night's run lasts (segmentation and audience each deferred up to the profiles'
    [polling] max_wait_s of 12 hours, then the sensor's wait for DSP) fits in the nights that may run at
    once, so the next night starts on its schedule."""
    from amc_cltv.config import PollingSettings

    nightly = example.nightly
    sensor = next(task for task in nightly.tasks if task.task_id == "instance.audience_usable")
    sensor_wait = timedelta(seconds=sensor.timeout)
    assert sensor_wait >= timedelta(hours=48)
    longest_run = 2 * timedelta(seconds=PollingSettings().max_wait_s) + sensor_wait
    assert nightly.max_active_runs * timedelta(days=1) > longest_run
    # Every AMC task defers, so the nights in flight hold triggerer time, not workers.
    for task in nightly.tasks:
        if task.task_id.startswith("instance."):
            assert task.deferrable is True, task.task_id

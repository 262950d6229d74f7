"""The nightly amc-cltv job for every AMC instance, in Airflow 3.

One mapped task group per instance profile (``*.toml``) in the folder ``AMC_CLTV_PROFILES`` (default: the
``amc_cltv_profiles`` folder beside this file), listed when the run starts, so adding an instance is adding
a file; the UI names each mapped task after its profile. Per instance: the ``segmentation`` workflow, then
the high-value audience, then a sensor that holds until Amazon DSP can use it (48 hours after AMC built
it), all three deferring instead of holding a worker.

The window comes from the run's logical date, not from the clock: it ends three days before it
(``WINDOW_END``), a midnight at least 48 hours back in every time zone at 06:00 UTC, so AMC has all its
data, and a backfill or a rerun of a past night covers that night's days. The audience is sized over the
same window.

The secrets come from the ``amc`` connection ``amc_default`` (``AIRFLOW_CONN_AMC_DEFAULT``); a connection's
extra may override profile keys. Executions run in the pool ``AMC_CLTV_POOL`` (default ``amc_cltv``),
deferred ones included: see the README for its size. While an instance already runs AMC's limit of 10
executions the operator submits nothing and its try fails for a later retry.

A night's run lasts until its audience is usable in DSP: up to 12 hours of segmentation, 12 of building
the audience, then the 48-hour lag (the sensor waits in the triggerer, holding no worker and no pool slot).
``max_active_runs`` lets the next nights start on time meanwhile (``NIGHTS_IN_FLIGHT``).

A second DAG, ``amc_cltv_monthly_cohorts``, runs the ``cohorts`` workflow once a month for the same
profiles (AMC's own schedules are daily or weekly only): over the 365 days that end on the 1st of the
logical date's month, so the last month is whole, on the 4th at 06:30 UTC, when that midnight is at least
48 hours past in every time zone.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import dag, task, task_group

from amc_cltv.airflow import AmcActivateAudienceOperator, AmcAudienceUsableSensor, AmcRunWorkflowOperator

DEFAULT_PROFILES = Path(__file__).parent / "amc_cltv_profiles"
POOL = os.environ.get("AMC_CLTV_POOL", "amc_cltv")

# The window's last midnight: three days before the logical date (06:00 UTC), 66 hours back in the
# westernmost time zone (UTC-12) and more everywhere else.
WINDOW_END = "{{ macros.ds_add(ds, -3) }}"
# The sensor waits out the 48-hour lag from the moment AMC built the audience, plus room for its last look.
DSP_LAG_WAIT = timedelta(hours=50)
# How long a night's run may last: segmentation and audience each within a deferral of up to 12 hours
# (the profiles' [polling] max_wait_s), then the lag: four nights may be in flight at once.
NIGHTS_IN_FLIGHT = 4
# The window of the monthly cohorts ends at the 1st of the logical date's month (66.5 hours before 06:30 UTC
# on the 4th in UTC-12).
MONTH_START = "{{ logical_date.strftime('%Y-%m-01') }}"

DEFAULTS = {"retries": 2, "retry_delay": timedelta(minutes=10), "deferrable": True}


def profile_paths() -> list[str]:
    """Every instance profile of the folder, read when a run starts."""
    folder = Path(os.environ.get("AMC_CLTV_PROFILES", DEFAULT_PROFILES))
    return sorted(str(path) for path in folder.glob("*.toml"))


@dag(
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2026, 12, 1, tz="UTC"),
    catchup=False,
    max_active_runs=NIGHTS_IN_FLIGHT,
    default_args=DEFAULTS,
    tags=["amc"],
)
def amc_cltv_nightly() -> None:
    @task
    def instance_profiles() -> list[str]:
        return profile_paths()

    @task_group
    def instance(config: str) -> None:
        segmentation = AmcRunWorkflowOperator(
            task_id="segmentation", workflow="segmentation", config=config, window_end=WINDOW_END, pool=POOL
        )
        activate = AmcActivateAudienceOperator(
            task_id="activate_audience", config=config, segment="high-value", window_end=WINDOW_END
        )
        usable = AmcAudienceUsableSensor(
            task_id="audience_usable", config=config, audience=activate.output, timeout=DSP_LAG_WAIT
        )
        segmentation >> activate >> usable

    instance.expand(config=instance_profiles())


nightly = amc_cltv_nightly()


@dag(
    schedule="30 6 4 * *",
    start_date=pendulum.datetime(2026, 12, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULTS,
    tags=["amc"],
)
def amc_cltv_monthly_cohorts() -> None:
    @task
    def instance_profiles() -> list[str]:
        return profile_paths()

    AmcRunWorkflowOperator.partial(
        task_id="cohorts", workflow="cohorts", window_end=MONTH_START, pool=POOL
    ).expand(config=instance_profiles())


monthly_cohorts = amc_cltv_monthly_cohorts()

"""The nightly amc-cltv job for every AMC instance, in Airflow 3.

One mapped task group per instance profile (``*.toml``) in the folder ``AMC_CLTV_PROFILES`` (default: the
``amc_cltv_profiles`` folder beside this file), listed when the run starts, so adding an instance is adding
a file. Per instance: the ``segmentation`` workflow, then the high-value audience, then a sensor that holds
until Amazon DSP can use it (48 hours after AMC built it), all three deferring instead of holding a worker.

The secrets come from the ``amc`` connection ``amc_default`` (``AIRFLOW_CONN_AMC_DEFAULT``); a connection's
extra may override profile keys. Executions run in the pool ``AMC_CLTV_POOL`` (default ``amc_cltv``),
deferred ones included: see the README for its size. Each instance has at most one execution of this DAG
in flight (one mapped group per instance, one run at a time), and while an instance already runs AMC's
limit of 10 executions the operator submits nothing and its try fails for a later retry.

A second DAG, ``amc_cltv_monthly_cohorts``, runs the ``cohorts`` workflow once a month for the same
profiles (AMC's own schedules are daily or weekly only): on the 3rd, so the default window, which ends 48
hours back, covers whole months.
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


def profile_paths() -> list[str]:
    """Every instance profile of the folder, read when a run starts."""
    folder = Path(os.environ.get("AMC_CLTV_PROFILES", DEFAULT_PROFILES))
    return sorted(str(path) for path in folder.glob("*.toml"))


@dag(
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2026, 12, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["amc"],
)
def amc_cltv_nightly() -> None:
    @task
    def instance_profiles() -> list[str]:
        return profile_paths()

    @task_group
    def instance(config: str) -> None:
        segmentation = AmcRunWorkflowOperator(
            task_id="segmentation", workflow="segmentation", config=config, pool=POOL
        )
        activate = AmcActivateAudienceOperator(
            task_id="activate_audience", config=config, segment="high-value"
        )
        usable = AmcAudienceUsableSensor(task_id="audience_usable", config=config, audience=activate.output)
        segmentation >> activate >> usable

    instance.expand(config=instance_profiles())


nightly = amc_cltv_nightly()


@dag(
    schedule="30 6 3 * *",
    start_date=pendulum.datetime(2026, 12, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["amc"],
)
def amc_cltv_monthly_cohorts() -> None:
    @task
    def instance_profiles() -> list[str]:
        return profile_paths()

    AmcRunWorkflowOperator.partial(task_id="cohorts", workflow="cohorts", pool=POOL).expand(
        config=instance_profiles()
    )


monthly_cohorts = amc_cltv_monthly_cohorts()

"""The history polling learns from: the ledger's finished runs, else one list call to AMC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest

from amc_cltv.client.models import WorkflowExecution
from amc_cltv.errors import APIConnectionError
from amc_cltv.ledger import Ledger
from amc_cltv.orchestration.history import execution_durations, ledger_durations
from tests.orchestration.conftest import INSTANCE, NOW


def _finished(ledger: Ledger, day: int, seconds: float, status: str = "SUCCEEDED") -> None:
    submitted = NOW - timedelta(days=day)
    run = ledger.begin_run(
        run_key=f"key-{day}",
        instance_id=INSTANCE,
        workflow="segmentation",
        workflow_id="amc_cltv_segmentation",
        sql_sha256="0" * 64,
        time_window_start="2025-11-20T00:00:00+00:00",
        time_window_end="2026-11-20T00:00:00+00:00",
        time_zone="UTC",
        parameters={},
        now=submitted,
    )
    ledger.record_submitted(run.id, submitted, execution_id=f"e{day}", status="PENDING")
    ended = submitted + timedelta(seconds=seconds)
    ledger.record_finished(run.id, ended, status=status, status_reason=None, finished_at=ended)


def _amc(days: Iterable[int], seconds: float) -> list[WorkflowExecution]:
    return [
        WorkflowExecution(
            workflow_execution_id=f"amc{day}",
            status="SUCCEEDED",
            create_time=NOW - timedelta(days=day),
            last_updated_time=NOW - timedelta(days=day) + timedelta(seconds=seconds),
        )
        for day in days
    ]


def test_the_ledger_is_enough_once_it_holds_three_successes(ledger: Ledger) -> None:
    """Oldest first; a FAILED run is left out; AMC is not asked."""
    for day, seconds in ((4, 3500.0), (3, 3600.0), (2, 3700.0), (1, 60.0)):
        _finished(ledger, day, seconds, status="FAILED" if seconds == 60 else "SUCCEEDED")

    def never(since: datetime) -> list[WorkflowExecution]:
        raise AssertionError("AMC listed although the ledger had enough")

    assert ledger_durations(ledger, INSTANCE, "segmentation") == [3500.0, 3600.0, 3700.0]
    assert execution_durations(ledger, INSTANCE, "segmentation", never, NOW) == [3500.0, 3600.0, 3700.0]


def test_a_new_ledger_learns_from_amcs_list_of_executions(ledger: Ledger) -> None:
    """One run in the ledger: AMC's list (last 60 days) gives the durations instead."""
    _finished(ledger, 1, 3600.0)
    asked: list[datetime] = []

    def listing(since: datetime) -> list[WorkflowExecution]:
        asked.append(since)
        return _amc(range(5, 0, -1), 3000.0)

    assert execution_durations(ledger, INSTANCE, "segmentation", listing, NOW) == [3000.0] * 5
    assert asked == [NOW - timedelta(days=60)]


def test_amc_unavailable_costs_the_history_not_the_run(ledger: Ledger) -> None:
    _finished(ledger, 1, 3600.0)

    def failing(since: datetime) -> list[WorkflowExecution]:
        raise APIConnectionError("AMC unavailable")

    assert execution_durations(ledger, INSTANCE, "segmentation", failing, NOW) == [3600.0]


@pytest.mark.parametrize("status", ["FAILED", "RUNNING", "CANCELLED"])
def test_only_amcs_succeeded_executions_count(ledger: Ledger, status: str) -> None:
    executions = _amc(range(4, 0, -1), 3000.0)
    executions[0] = executions[0].model_copy(update={"status": status})
    assert (
        execution_durations(ledger, INSTANCE, "segmentation", lambda since: executions, NOW) == [3000.0] * 3
    )

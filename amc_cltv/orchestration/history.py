"""How long past runs took: the history the polling schedule learns from (docs/polling.md).

A duration runs from the submit to the last status AMC reported. The ledger holds them for the runs this
state folder made (``finished_at`` is AMC's end, see ``run``); when it knows fewer than the schedule needs
(a new or lost ledger, a worker under Airflow with no local state), one list call asks AMC for the
workflow's recent executions and takes ``lastUpdatedTime - createTime`` of the SUCCEEDED ones: both on AMC's
clock, so a skew between AMC's clock and this machine's does not enter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from amc_cltv.cadence import MAX_RUNS, MIN_RUNS
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import AudienceStatus, ExecutionStatus
from amc_cltv.errors import AmcCltvError
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration.polling import amc_duration_s

# How far back AMC's list is read when the ledger knows too few runs: two months of nightly or weekly runs.
AMC_LOOKBACK = timedelta(days=60)

log = get_logger("amc_cltv.history")


def ledger_durations(ledger: Ledger, instance_id: str, workflow: str) -> list[float]:
    """Durations of the workflow's SUCCEEDED runs in the ledger, oldest first (at most ``MAX_RUNS``)."""
    durations = []
    for run in ledger.runs(instance_id=instance_id, workflow=workflow, status=ExecutionStatus.SUCCEEDED):
        if run.finished_at is not None:
            seconds = (run.finished_at - run.submitted_at).total_seconds()
            if seconds > 0:
                durations.append(seconds)
        if len(durations) == MAX_RUNS:
            break
    return durations[::-1]


def amc_durations(executions: Iterable[WorkflowExecution]) -> list[float]:
    """Durations of the SUCCEEDED executions AMC listed, oldest first (at most ``MAX_RUNS``)."""
    done = [
        (execution.create_time, amc_duration_s(execution))
        for execution in executions
        if execution.status == ExecutionStatus.SUCCEEDED
    ]
    timed = sorted((created, seconds) for created, seconds in done if created and seconds)
    return [seconds for _, seconds in timed][-MAX_RUNS:]


def execution_durations(
    ledger: Ledger,
    instance_id: str,
    workflow: str,
    list_executions: Callable[[datetime], Iterable[WorkflowExecution]],
    now: datetime,
) -> list[float]:
    """The history for a new poll of ``workflow``: the ledger's, else AMC's (``list_executions(since)``).

    AMC's list is asked only when the ledger has fewer than ``MIN_RUNS`` runs; an error there costs the
    history, never the run.
    """
    durations = ledger_durations(ledger, instance_id, workflow)
    source = "ledger"
    if len(durations) < MIN_RUNS:
        try:
            listed = amc_durations(list_executions(now - AMC_LOOKBACK))
        except AmcCltvError as exc:
            log.warning("polling_history_unavailable", workflow=workflow, error=str(exc))
            listed = []
        if len(listed) > len(durations):
            durations, source = listed, "amc"
    log.info("polling_history", workflow=workflow, source=source, runs=len(durations))
    return durations


def audience_durations(ledger: Ledger, instance_id: str, segment: str) -> list[float]:
    """How long AMC took to build the segment's past audiences (intent written to SUCCEEDED seen)."""
    records = [
        record
        for record in ledger.audiences(instance_id=instance_id)
        if record.segment == segment
        and record.succeeded_at is not None
        and record.status != AudienceStatus.FAILED
    ]
    records.sort(key=lambda record: record.requested_at)
    durations = []
    for record in records[-MAX_RUNS:]:
        assert record.succeeded_at is not None
        seconds = (record.succeeded_at - record.requested_at).total_seconds()
        if seconds > 0:
            durations.append(seconds)
    return durations

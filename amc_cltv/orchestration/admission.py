"""The admission gate: never submit into a full instance (at most 10 PENDING/RUNNING executions).

AMC runs at most 10 executions in parallel per instance through the API. Submitting an 11th only queues
it behind the others (or earns a 429), so the gate counts the in-progress executions of the last 24 hours
and, when the instance is full, waits on the polling schedule and looks again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from amc_cltv import clock
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import PollingSettings
from amc_cltv.errors import Remedy, StillRunning
from amc_cltv.log import get_logger
from amc_cltv.orchestration.polling import next_poll_delay

CONCURRENT_EXECUTION_LIMIT = 10
LOOKBACK = timedelta(hours=24)

log = get_logger("amc_cltv.admission")


def amc_time(moment: datetime) -> str:
    """AMC's list-filter time format, ``yyyy-MM-dd'T'HH:mm:ss`` (UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def count_in_progress(executions: Iterable[WorkflowExecution]) -> int:
    """How many of ``executions`` occupy a slot (PENDING, RUNNING, PUBLISHING, or a status AMC added)."""
    return sum(1 for execution in executions if execution.status.in_progress)


def wait_for_slot(
    list_recent: Callable[[str], Iterable[WorkflowExecution]],
    *,
    polling: PollingSettings,
    max_wait_s: float | None,
    workflow: str,
    limit: int = CONCURRENT_EXECUTION_LIMIT,
    draw: Callable[[], float] = random.random,
) -> int:
    """Return once fewer than ``limit`` executions are in progress; the count seen last.

    ``list_recent(min_creation_time)`` lists the instance's executions created since that time.
    Raises StillRunning (nothing submitted) when ``max_wait_s`` runs out first.
    """
    now = clock.current()
    started = now.monotonic()
    while True:
        since = (now.now() - LOOKBACK).astimezone(now.now().tzinfo)
        busy = count_in_progress(list_recent(amc_time(since)))
        if busy < limit:
            return busy
        waited = now.monotonic() - started
        delay = next_poll_delay(waited, polling, draw)
        if max_wait_s is not None and waited + delay > max_wait_s:
            raise StillRunning(
                f"the instance already runs {busy} executions (AMC's limit is {limit}); nothing was "
                f"submitted for {workflow}",
                remedy=Remedy.LATER,
                status=ExecutionStatus.PENDING,
            )
        log.info("admission_wait", workflow=workflow, in_progress=busy, limit=limit, next_check_s=delay)
        now.sleep(delay)

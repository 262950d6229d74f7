"""Polling a workflow execution until AMC finishes it (docs/reliability.md §4).

The cadence is a pure function of the time elapsed since the persisted submit time, so a process that resumes
an execution hours later polls at the same rhythm as the one that submitted it: 30 s, then ×1.5 per poll up to
300 s, each interval jittered ±20 %. Each status call is one client call (retried inside it:
docs/reliability.md §3), so a transient error never ends the loop. An unknown status is logged and treated as
still running.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from amc_cltv import clock
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import PollingSettings
from amc_cltv.errors import StillRunning
from amc_cltv.log import get_logger

JITTER = 0.2

log = get_logger("amc_cltv.polling")


def base_interval(elapsed_s: float, polling: PollingSettings) -> float:
    """The un-jittered interval of the schedule step that contains ``elapsed_s``.

    The schedule polls at 0, then after 30, 45, 67.5, … seconds (capped): the step is found from the
    elapsed time alone, never from a counter kept in memory.
    """
    interval = min(polling.initial_interval_s, polling.max_interval_s)
    step_start = 0.0
    while step_start + interval <= elapsed_s and interval < polling.max_interval_s:
        step_start += interval
        interval = min(interval * polling.multiplier, polling.max_interval_s)
    return interval


def jittered(interval: float, draw: Callable[[], float] = random.random) -> float:
    """``interval`` spread uniformly over ±20 % (``draw`` returns a number in [0, 1))."""
    return interval * (1 - JITTER + 2 * JITTER * draw())


def next_poll_delay(
    elapsed_s: float, polling: PollingSettings, draw: Callable[[], float] = random.random
) -> float:
    """How long to wait before the next status call, ``elapsed_s`` after the submit."""
    return jittered(base_interval(elapsed_s, polling), draw)


@dataclass(frozen=True)
class PollUpdate:
    """What one status call saw; handed to the progress display."""

    execution_id: str
    status: str
    elapsed_s: float
    next_poll_s: float | None


def poll_until_done(
    get_execution: Callable[[str], WorkflowExecution],
    execution_id: str,
    *,
    submitted_at: datetime,
    polling: PollingSettings,
    max_wait_s: float | None,
    workflow: str,
    on_update: Callable[[PollUpdate], None] | None = None,
    draw: Callable[[], float] = random.random,
) -> WorkflowExecution:
    """Poll ``get_execution(execution_id)`` until its status is terminal; return the last execution.

    ``max_wait_s`` bounds this invocation's wait (None: unbounded; 0: one look). Raises StillRunning
    (exit 4) when it runs out, leaving the execution running on AMC to be resumed.
    """
    now = clock.current()
    started = now.monotonic()
    calls = 0
    last_look = False
    while True:
        execution = get_execution(execution_id)
        calls += 1
        status = execution.status or ExecutionStatus("UNKNOWN")
        elapsed = max(0.0, (now.now() - submitted_at).total_seconds())
        if not status.known:
            log.warning("unknown_status", workflow=workflow, execution_id=execution_id, status=status)
        if status.terminal:
            log.info(
                "execution_finished",
                workflow=workflow,
                execution_id=execution_id,
                status=status,
                elapsed_s=round(elapsed, 1),
                status_calls=calls,
            )
            if on_update:
                on_update(PollUpdate(execution_id, status, elapsed, None))
            return execution
        delay = next_poll_delay(elapsed, polling, draw)
        waited = now.monotonic() - started
        if max_wait_s is not None and (last_look or waited + delay > max_wait_s):
            remaining = max_wait_s - waited
            # After the wait was cut to what was left, the next look is the last: a remainder too small
            # for the clock to register must not keep the loop going.
            if last_look or remaining <= 0 or max_wait_s == 0:
                if on_update:
                    on_update(PollUpdate(execution_id, status, elapsed, None))
                raise StillRunning(
                    f"execution {execution_id} of {workflow} is still {status} after waiting "
                    f"{waited:.0f} s; run the same command again to resume",
                    status=status,
                    execution_id=execution_id,
                )
            delay = remaining
            last_look = True
        log.info(
            "execution_status",
            workflow=workflow,
            execution_id=execution_id,
            status=status,
            elapsed_s=round(elapsed, 1),
            next_poll_s=round(delay, 1),
        )
        if on_update:
            on_update(PollUpdate(execution_id, status, elapsed, delay))
        now.sleep(delay)

"""Polling a workflow execution until AMC finishes it (docs/reliability.md §4).

When to look is ``amc_cltv.cadence``: a schedule learnt from the durations of past runs of the same workflow
(docs/polling.md), a pure function of the time elapsed since the persisted submit time, so a process that
resumes an execution hours later keeps the schedule of the one that submitted it. Each status call is one
client call (retried inside it: docs/reliability.md §3), so a transient error never ends the loop. An unknown
status is logged and treated as still running.

``base_interval`` / ``next_poll_delay`` are the plain ramp (30 s, ×1.5, up to 300 s, jittered ±20 %) the
admission gate waits on.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from amc_cltv import clock
from amc_cltv.cadence import Schedule, Seen
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


@dataclass(frozen=True)
class Polled:
    """How a poll ended: AMC's last answer, and what finding it out cost."""

    execution: WorkflowExecution
    status_calls: int  # GETs made by this invocation
    # The end happened at most this long before the tool saw it: the last wait (None: seen at the first look).
    detection_delay_bound_s: float | None


def amc_duration_s(execution: WorkflowExecution) -> float | None:
    """Submit to the last status AMC reported, on AMC's own clock (no skew with ours), when AMC gave both."""
    if execution.create_time is None or execution.last_updated_time is None:
        return None
    seconds = (execution.last_updated_time - execution.create_time).total_seconds()
    return seconds if seconds >= 0 else None


def poll_until_done(
    get_execution: Callable[[str], WorkflowExecution],
    execution_id: str,
    *,
    submitted_at: datetime,
    polling: PollingSettings,
    max_wait_s: float | None,
    workflow: str,
    history: Sequence[float] = (),
    just_submitted: bool = False,
    on_update: Callable[[PollUpdate], None] | None = None,
) -> Polled:
    """Poll ``get_execution(execution_id)`` until its status is terminal.

    ``history``: durations in seconds of past finished runs of the same workflow on the same instance (most
    recent last). ``just_submitted``: AMC's answer to the submit was the first look, so the first GET waits
    for the schedule's first look. ``max_wait_s`` bounds this invocation's wait (None: unbounded; 0: one
    look). Raises StillRunning (exit 4, with ``status_calls`` in its context) when it runs out, leaving the
    execution running on AMC to be resumed.
    """
    now = clock.current()
    schedule = Schedule(polling, history, key=execution_id)
    started = now.monotonic()
    calls = 0
    seen = Seen()
    last_wait: float | None = None
    last_look = False
    if just_submitted and max_wait_s != 0:  # (0: one look, at once)
        first = schedule.next_delay(max(0.0, (now.now() - submitted_at).total_seconds()))
        if max_wait_s is not None:
            first = min(first, max_wait_s)
        now.sleep(first)
        last_wait = first
    while True:
        execution = get_execution(execution_id)
        calls += 1
        status = execution.status or ExecutionStatus("UNKNOWN")
        elapsed = max(0.0, (now.now() - submitted_at).total_seconds())
        seen = seen.after(status, elapsed)
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
                detection_delay_bound_s=None if last_wait is None else round(last_wait, 1),
            )
            if on_update:
                on_update(PollUpdate(execution_id, status, elapsed, None))
            return Polled(execution, calls, last_wait)
        delay = schedule.next_delay(elapsed, seen)
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
                    f"{waited:.0f} s; call again to resume",
                    status=status,
                    execution_id=execution_id,
                    status_calls=calls,
                )
            delay = remaining
            last_look = True
        predicted = schedule.predicted_finish_s(seen)
        log.info(
            "execution_status",
            workflow=workflow,
            execution_id=execution_id,
            status=status,
            elapsed_s=round(elapsed, 1),
            next_poll_s=round(delay, 1),
            predicted_duration_s=None if predicted is None else round(predicted, 1),
        )
        if on_update:
            on_update(PollUpdate(execution_id, status, elapsed, delay))
        now.sleep(delay)
        last_wait = delay

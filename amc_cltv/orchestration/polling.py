"""The one poll engine: every waiter (run, fleet, audiences, the Airflow triggers) asks it when to look.

``Poll`` is the decision and nothing else: given what each look saw (AMC's status, or a transient error),
the history and the clock, it answers *finished*, *wait this long and look again*, or *give up* (the bound
ran out: the execution stays running on AMC, resumable). It does no I/O, so the sync and the async waiters
are two short loops over the same decision (``drive`` and ``adrive``), and a test steps it with statuses
and times alone.

When to look is ``amc_cltv.cadence``: a schedule learnt from the durations of past runs of the same workflow
(docs/polling.md), a pure function of the time elapsed since the persisted submit time, so a process that
resumes an execution hours later keeps the schedule of the one that submitted it. Every status seen (PENDING
and PUBLISHING included) is fed to it. Each status call is one client call (retried inside it:
docs/reliability.md §3), so a transient error never ends the loop. An unknown status is logged and treated
as still running.

``base_interval`` / ``next_poll_delay`` are the plain ramp (30 s, ×1.5, up to 300 s, jittered ±20 %) the
admission gate waits on.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from amc_cltv import clock
from amc_cltv.cadence import Schedule, Seen
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus, Status, is_terminal
from amc_cltv.config import PollingSettings
from amc_cltv.errors import (
    APIConnectionError,
    APIError,
    InternalServerError,
    RateLimitError,
    Remedy,
    RetryBudgetExhausted,
    StillRunning,
)
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


T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    """The engine's answer after a look: finished, or wait ``delay_s`` and look again, or give up."""

    finished: bool = False
    delay_s: float | None = None

    @property
    def gave_up(self) -> bool:
        """The bound ran out before AMC finished: still running, resumable."""
        return not self.finished and self.delay_s is None


class Poll:
    """When to look next at one execution (or audience), decided from what was seen and the clock alone.

    ``since`` is when it was submitted (the schedule counts from it, so a resumed waiter keeps the rhythm);
    ``started`` is the monotonic time this waiter began (``max_wait_s`` counts from it: None unbounded, 0 one
    look); ``final`` says which statuses end the wait.
    """

    def __init__(
        self,
        schedule: Schedule,
        *,
        since: datetime,
        started: float,
        max_wait_s: float | None,
        final: Callable[[Status | None], bool] = is_terminal,
    ) -> None:
        self.schedule = schedule
        self.since = since
        self.started = started
        self.max_wait_s = max_wait_s
        self.final = final
        self.seen = Seen()
        self.looks = 0
        self.last_wait: float | None = None  # the wait before the latest look (how late an end is seen)
        self._last_look = False  # the wait was cut to what was left of the bound: the next look is the last

    def elapsed_s(self, now: datetime) -> float:
        return max(0.0, (now - self.since).total_seconds())

    def waited_s(self, monotonic: float) -> float:
        return monotonic - self.started

    def first_wait(self, now: datetime, *, just_looked: bool) -> float | None:
        """Before the first look: None to look at once; a delay when the caller has just seen the status
        (AMC's answer to the submit), which the schedule's first look replaces."""
        if not just_looked or self.max_wait_s == 0:
            return None
        delay = self.schedule.next_delay(self.elapsed_s(now), self.seen)
        if self.max_wait_s is not None:
            delay = min(delay, self.max_wait_s)
        self.last_wait = delay
        return delay

    def after_look(self, status: Status | None, now: datetime, monotonic: float) -> Step:
        """What to do once a look saw ``status``."""
        self.looks += 1
        elapsed = self.elapsed_s(now)
        self.seen = self.seen.after(status, elapsed)
        if self.final(status):
            return Step(finished=True)
        return self._bounded(self.schedule.next_delay(elapsed, self.seen), monotonic)

    def after_error(self, retry_after_s: float | None, now: datetime, monotonic: float) -> Step:
        """What to do once a look failed transiently (429, 5xx, no answer): the schedule's next look, or
        later when the server asked for that (``Retry-After``); give up only when the bound runs out."""
        delay = self.schedule.next_delay(self.elapsed_s(now), self.seen)
        return self._bounded(max(delay, retry_after_s or 0.0), monotonic)

    def predicted_finish_s(self) -> float | None:
        return self.schedule.predicted_finish_s(self.seen)

    def _bounded(self, delay: float, monotonic: float) -> Step:
        waited = self.waited_s(monotonic)
        if self.max_wait_s is not None and (self._last_look or waited + delay > self.max_wait_s):
            remaining = self.max_wait_s - waited
            # A remainder too small for the clock to register must not keep the loop going.
            if self._last_look or remaining <= 0 or self.max_wait_s == 0:
                return Step()
            delay, self._last_look = remaining, True
        self.last_wait = delay
        return Step(delay_s=delay)


def transient_retry_after(error: APIError) -> float | None:
    """For an error a waiter outlives (429, 5xx, no answer, the retry budget spent): the server's
    ``Retry-After`` in seconds, else 0. None for an error that ends the wait (400, 403, 404, ...)."""
    if isinstance(error, RateLimitError):
        return error.retry_after or 0.0
    if isinstance(error, InternalServerError | APIConnectionError | RetryBudgetExhausted):
        return 0.0
    return None


Observe = Callable[[T, Step], None]


def drive(
    poll: Poll,
    look: Callable[[], T],
    status_of: Callable[[T], Status | None],
    *,
    just_looked: bool = False,
    on_step: Observe[T] | None = None,
) -> tuple[T, Step]:
    """Look until ``poll`` says finished or gave up, sleeping on the tool's clock; the last look and step.
    Errors of ``look`` propagate (the client has retried inside it)."""
    now = clock.current()
    delay = poll.first_wait(now.now(), just_looked=just_looked)
    if delay is not None:
        now.sleep(delay)
    while True:
        seen = look()
        step = poll.after_look(status_of(seen), now.now(), now.monotonic())
        if on_step is not None:
            on_step(seen, step)
        if step.delay_s is None:
            return seen, step
        now.sleep(step.delay_s)


async def adrive(
    poll: Poll,
    look: Callable[[], Awaitable[T]],
    status_of: Callable[[T], Status | None],
    *,
    just_looked: bool = False,
    outlive_transient: bool = False,
    on_step: Observe[T] | None = None,
) -> tuple[T, Step] | tuple[None, Step]:
    """``drive`` on an event loop. With ``outlive_transient``, a look that fails with a 429 (after its
    ``Retry-After``), a 5xx or no answer is waited out on the same schedule until the bound runs out
    (then the last look, None if none answered, and a gave-up step); other errors propagate."""
    now = clock.current()
    delay = poll.first_wait(now.now(), just_looked=just_looked)
    if delay is not None:
        await clock.asleep(delay)
    last: T | None = None
    while True:
        try:
            last = await look()
        except APIError as error:
            retry_after = transient_retry_after(error) if outlive_transient else None
            if retry_after is None:
                raise
            step = poll.after_error(retry_after, now.now(), now.monotonic())
            log.warning("look_failed", error=str(error), next_poll_s=step.delay_s)
        else:
            step = poll.after_look(status_of(last), now.now(), now.monotonic())
            if on_step is not None:
                on_step(last, step)
        if step.delay_s is None:
            return (None, step) if last is None else (last, step)
        await clock.asleep(step.delay_s)


@dataclass(frozen=True)
class PollUpdate:
    """What one status call saw; handed to the progress display."""

    execution_id: str
    status: ExecutionStatus
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


def execution_poll(
    polling: PollingSettings,
    execution_id: str,
    *,
    submitted_at: datetime,
    max_wait_s: float | None,
    history: Sequence[float] = (),
) -> Poll:
    """The engine for one execution, starting now on the tool's clock."""
    return Poll(
        Schedule(polling, history, key=execution_id),
        since=submitted_at,
        started=clock.current().monotonic(),
        max_wait_s=max_wait_s,
    )


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
    look). Raises StillRunning (with ``status_calls`` in its context) when it runs out, leaving the
    execution running on AMC to be resumed.
    """
    poll = execution_poll(
        polling, execution_id, submitted_at=submitted_at, max_wait_s=max_wait_s, history=history
    )

    def observe(execution: WorkflowExecution, step: Step) -> None:
        status = execution.status or ExecutionStatus("UNKNOWN")
        elapsed = poll.elapsed_s(clock.current().now())
        if not status.known:
            log.warning("unknown_status", workflow=workflow, execution_id=execution_id, status=status)
        if step.finished:
            log.info(
                "execution_finished",
                workflow=workflow,
                execution_id=execution_id,
                status=status,
                elapsed_s=round(elapsed, 1),
                status_calls=poll.looks,
                detection_delay_bound_s=None if poll.last_wait is None else round(poll.last_wait, 1),
            )
        elif step.delay_s is not None:
            predicted = poll.predicted_finish_s()
            log.info(
                "execution_status",
                workflow=workflow,
                execution_id=execution_id,
                status=status,
                elapsed_s=round(elapsed, 1),
                next_poll_s=round(step.delay_s, 1),
                predicted_duration_s=None if predicted is None else round(predicted, 1),
            )
        if on_update:
            on_update(PollUpdate(execution_id, status, elapsed, step.delay_s))

    execution, step = drive(
        poll,
        lambda: get_execution(execution_id),
        lambda execution: execution.status,
        just_looked=just_submitted,
        on_step=observe,
    )
    if step.gave_up:
        status = execution.status or ExecutionStatus("UNKNOWN")
        waited = poll.waited_s(clock.current().monotonic())
        raise StillRunning(
            f"execution {execution_id} of {workflow} is still {status} after waiting {waited:.0f} s",
            remedy=Remedy.RESUME,
            status=status,
            execution_id=execution_id,
            status_calls=poll.looks,
        )
    return Polled(execution, poll.looks, poll.last_wait)

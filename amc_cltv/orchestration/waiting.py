"""Waiting on an event loop: the poll engine (``polling.Poll``) driven by ``AsyncAmcClient`` calls.

``watch_execution`` and ``watch_audience`` are what every asynchronous waiter uses: ``run --all`` (many
executions on one loop, so a fleet whose executions take an hour is waited for in about an hour, not in
waves of a thread pool), ``wait_for_workflow_async`` and the Airflow triggers. They decide exactly as the
blocking waiters do (the same ``Poll``), and can outlive a 429 (after its ``Retry-After``), a 5xx or a lost
connection until their bound runs out, which a trigger needs: failing there would spend the task's retries.
Nothing is recorded here: the caller looks once more through the resumable pipeline, which records the
status and downloads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from amc_cltv import clock
from amc_cltv.cadence import Schedule
from amc_cltv.client import AsyncAmcClient
from amc_cltv.client.models import AudienceMetadata, WorkflowExecution
from amc_cltv.client.status import AudienceStatus, ExecutionStatus, is_final
from amc_cltv.config import Config, PollingSettings
from amc_cltv.errors import AmcCltvError
from amc_cltv.log import get_logger
from amc_cltv.orchestration.history import AMC_LOOKBACK, amc_durations
from amc_cltv.orchestration.polling import Poll, Step, adrive

log = get_logger("amc_cltv.waiting")


async def _amc_history(client: AsyncAmcClient, workflow_id: str) -> list[float]:
    """Durations of the workflow's recent executions on AMC (no ledger on this side); none on error."""
    try:
        listed = await client.executions.list(
            workflow_id=workflow_id,
            min_creation_time=clock.current().now() - AMC_LOOKBACK,
            time_zone="UTC",
            limit=100,
        )
    except AmcCltvError as error:
        log.warning("polling_history_unavailable", workflow_id=workflow_id, error=str(error))
        return []
    return amc_durations(listed)


async def watch_execution(
    client: AsyncAmcClient,
    execution_id: str,
    *,
    polling: PollingSettings,
    max_wait_s: float | None,
    since: datetime | None = None,
    history: Sequence[float] | None = None,
    just_looked: bool = False,
    outlive_transient: bool = True,
) -> WorkflowExecution | None:
    """Poll an execution until AMC finishes it or ``max_wait_s`` runs out; AMC's last answer (None when
    none came: every look failed transiently). ``.status.terminal`` tells which.

    ``since``: when it was submitted (None: AMC's ``createTime``); ``history``: past durations (None: AMC's
    list is asked once, when a wait is needed); ``just_looked``: the caller has just seen it running, so the
    first look waits for the schedule. Errors other than transient ones propagate.
    """
    now = clock.current()
    poll = Poll(
        Schedule(polling, history or (), key=execution_id),
        since=since or now.now(),
        started=now.monotonic(),
        max_wait_s=max_wait_s,
    )
    learn = history is None

    async def look() -> WorkflowExecution:
        nonlocal learn
        execution = await client.executions.get(execution_id)
        if since is None and execution.create_time is not None:
            poll.since = min(execution.create_time, now.now())
        if learn and not execution.status.terminal and execution.workflow_id:
            learn = False
            durations = await _amc_history(client, execution.workflow_id)
            poll.schedule = Schedule(polling, durations, key=execution_id)
        return execution

    def observe(execution: WorkflowExecution, step: Step) -> None:
        log.info(
            "execution_status",
            execution_id=execution_id,
            instance_id=client.instance_id,
            status=execution.status,
            next_poll_s=None if step.delay_s is None else round(step.delay_s, 1),
        )

    found, _ = await adrive(
        poll,
        look,
        _execution_status,
        just_looked=just_looked,
        outlive_transient=outlive_transient,
        on_step=observe,
    )
    return found


async def watch_audience(
    client: AsyncAmcClient,
    audience_execution_id: str,
    *,
    polling: PollingSettings,
    max_wait_s: float | None,
    since: datetime | None = None,
    history: Sequence[float] = (),
    outlive_transient: bool = True,
) -> AudienceMetadata | None:
    """``watch_execution`` for a rule-based audience: until SUCCEEDED, FAILED or DEACTIVATED."""
    now = clock.current()
    poll = Poll(
        Schedule(polling, history, key=audience_execution_id),
        since=since or now.now(),
        started=now.monotonic(),
        max_wait_s=max_wait_s,
        final=is_final,
    )

    async def look() -> AudienceMetadata:
        audience = await client.audiences.get(audience_execution_id)
        if since is None and audience.create_time is not None:
            poll.since = min(audience.create_time, now.now())
        return audience

    found, _ = await adrive(poll, look, _audience_status, outlive_transient=outlive_transient)
    return found


def _execution_status(execution: WorkflowExecution) -> ExecutionStatus:
    return execution.status


def _audience_status(audience: AudienceMetadata) -> AudienceStatus | None:
    return audience.status


@dataclass(frozen=True)
class Awaited:
    """One execution to wait for: the profile it runs on and when it was submitted."""

    config: Config
    workflow: str
    execution_id: str
    submitted_at: datetime
    history: Sequence[float] = ()  # durations of past runs of the workflow (docs/polling.md)


async def _wait_one(
    awaited: Awaited, open_client: Callable[[Config], AsyncAmcClient], max_wait_s: float | None
) -> WorkflowExecution | None:
    try:
        async with open_client(awaited.config) as client:
            return await watch_execution(
                client,
                awaited.execution_id,
                polling=awaited.config.profile.polling,
                max_wait_s=max_wait_s,
                since=awaited.submitted_at,
                history=awaited.history,
                just_looked=True,
                outlive_transient=False,
            )
    except AmcCltvError as error:
        log.warning(
            "wait_failed",
            workflow=awaited.workflow,
            execution_id=awaited.execution_id,
            instance_id=awaited.config.instance_id,
            error=str(error),
        )
        return None


async def wait_for_all(
    executions: Sequence[Awaited],
    *,
    max_wait_s: float | None,
    open_client: Callable[[Config], AsyncAmcClient],
) -> list[WorkflowExecution | None]:
    """Wait for every execution at once; AMC's last answer about each (None when its wait failed)."""
    return list(await asyncio.gather(*(_wait_one(a, open_client, max_wait_s) for a in executions)))

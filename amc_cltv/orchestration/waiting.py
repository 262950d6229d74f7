"""Waiting for many executions at once: one event loop, one ``AsyncAmcClient`` per instance.

Each execution is polled on the same schedule as ``polling.poll_until_done`` (``amc_cltv.cadence``, from
the history the caller passes, counted from its submit time), but a wait is a suspended coroutine instead
of a blocked thread, so a fleet of instances whose executions take an hour is waited for in about an hour,
not in waves of a thread pool.
Nothing is recorded here: the caller looks once more through the resumable pipeline, which records the
status and downloads (a wait that fails or runs out just leaves that look to report it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from amc_cltv import clock
from amc_cltv.cadence import Schedule
from amc_cltv.client import AsyncAmcClient
from amc_cltv.client.status import is_terminal
from amc_cltv.config import Config
from amc_cltv.errors import AmcCltvError
from amc_cltv.log import get_logger
from amc_cltv.orchestration.handle import ExecutionHandle

log = get_logger("amc_cltv.waiting")


@dataclass(frozen=True)
class Awaited:
    """One execution to wait for: the profile it runs on and when it was submitted."""

    config: Config
    workflow: str
    execution_id: str
    submitted_at: datetime
    history: Sequence[float] = ()  # durations of past runs of the workflow (docs/polling.md)


async def wait_for_execution(
    client: AsyncAmcClient,
    awaited: Awaited,
    *,
    max_wait_s: float | None,
) -> str | None:
    """Poll until AMC finishes the execution or ``max_wait_s`` runs out; the last status seen.

    The first look waits one interval (the submit has just looked). API errors propagate.
    """
    now = clock.current()
    started = now.monotonic()
    schedule = Schedule(awaited.config.profile.polling, awaited.history, key=awaited.execution_id)
    status: str | None = None
    while True:
        elapsed = max(0.0, (now.now() - awaited.submitted_at).total_seconds())
        delay = schedule.next_delay(elapsed)
        if max_wait_s is not None and now.monotonic() - started + delay > max_wait_s:
            return status
        await clock.asleep(delay)
        execution = await client.executions.get(awaited.execution_id)
        status = execution.status
        log.info(
            "execution_status",
            workflow=awaited.workflow,
            execution_id=awaited.execution_id,
            instance_id=awaited.config.instance_id,
            status=status,
        )
        if is_terminal(status):
            return status


async def wait_for_handle(
    client: AsyncAmcClient, config: Config, handle: ExecutionHandle, *, max_wait_s: float | None
) -> str | None:
    """Look at the handle's execution now, then poll until AMC finishes it or ``max_wait_s`` runs out; the
    last status seen. API errors propagate."""
    execution = await client.executions.get(handle.execution_id)
    if is_terminal(execution.status):
        return execution.status
    awaited = Awaited(config, handle.workflow, handle.execution_id, handle.submitted_at)
    return await wait_for_execution(client, awaited, max_wait_s=max_wait_s) or execution.status


async def _wait_one(
    awaited: Awaited, open_client: Callable[[Config], AsyncAmcClient], max_wait_s: float | None
) -> str | None:
    try:
        async with open_client(awaited.config) as client:
            return await wait_for_execution(client, awaited, max_wait_s=max_wait_s)
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
) -> list[str | None]:
    """Wait for every execution at once; the last status seen of each (None when its wait failed)."""
    return list(await asyncio.gather(*(_wait_one(a, open_client, max_wait_s) for a in executions)))

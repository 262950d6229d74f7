"""Triggers: the waiting of the operators, in the triggerer, without a worker slot.

``AmcExecutionTrigger`` polls an execution on the tool's schedule (counted from the persisted submit time,
so a trigger restarted by the triggerer keeps the same rhythm) until AMC reports a final status.
``AmcUntilTrigger`` waits until a moment (an audience's ``usable_in_dsp_at``). Both wait on the tool's
clock, which tests replace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from amc_cltv import clock
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.client.status import is_terminal
from amc_cltv.connect import open_client
from amc_cltv.errors import AmcCltvError
from amc_cltv.orchestration.polling import next_poll_delay

ERROR = "error"  # the event's status when the trigger could not follow the execution


async def wait(seconds: float) -> None:
    """Wait on the process clock: on the event loop for the real clock, through the clock for a test's."""
    current = clock.current()
    if isinstance(current, clock.SystemClock):
        await asyncio.sleep(max(0.0, seconds))
    else:
        await asyncio.to_thread(current.sleep, seconds)


class AmcExecutionTrigger(BaseTrigger):
    """Fires once execution ``execution_id`` is SUCCEEDED, FAILED, CANCELLED or REJECTED on AMC.

    The event is ``{"status", "status_reason", "execution_id"}``; ``status`` is ``"error"`` (with
    ``message``) when AMC could not be asked after the client's own retries.
    """

    def __init__(
        self, *, config: str, amc_conn_id: str, execution_id: str, workflow: str, submitted_at: str
    ) -> None:
        super().__init__()
        self.config = config
        self.amc_conn_id = amc_conn_id
        self.execution_id = execution_id
        self.workflow = workflow
        self.submitted_at = submitted_at

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "config": self.config,
                "amc_conn_id": self.amc_conn_id,
                "execution_id": self.execution_id,
                "workflow": self.workflow,
                "submitted_at": self.submitted_at,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        submitted_at = datetime.fromisoformat(self.submitted_at)
        try:
            config = await AmcHook(self.amc_conn_id).aconfig(self.config)
            client = open_client(config)
        except AmcCltvError as exc:
            yield TriggerEvent({"status": ERROR, "execution_id": self.execution_id, "message": str(exc)})
            return
        try:
            while True:
                try:
                    # One status call (the client retries inside it) off the event loop.
                    execution = await asyncio.to_thread(client.executions.get, self.execution_id)
                except AmcCltvError as exc:
                    yield TriggerEvent(
                        {"status": ERROR, "execution_id": self.execution_id, "message": str(exc)}
                    )
                    return
                status = str(execution.status or "UNKNOWN")
                if is_terminal(status):
                    yield TriggerEvent(
                        {
                            "status": status,
                            "status_reason": execution.status_reason,
                            "execution_id": self.execution_id,
                        }
                    )
                    return
                elapsed = max(0.0, (clock.current().now() - submitted_at).total_seconds())
                delay = next_poll_delay(elapsed, config.profile.polling)
                self.log.info(
                    "AMC execution %s of %s is %s; next look in %.0f s",
                    self.execution_id,
                    self.workflow,
                    status,
                    delay,
                )
                await wait(delay)
        finally:
            client.close()


class AmcUntilTrigger(BaseTrigger):
    """Fires at ``moment`` (an aware ISO 8601 date-time) on the tool's clock: ``{"moment": moment}``."""

    def __init__(self, *, moment: str) -> None:
        super().__init__()
        self.moment = moment

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}", {"moment": self.moment})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        target = datetime.fromisoformat(self.moment)
        while (remaining := (target - clock.current().now()).total_seconds()) > 0:
            await wait(remaining)
        yield TriggerEvent({"moment": self.moment})

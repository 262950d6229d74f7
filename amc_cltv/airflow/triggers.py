"""Triggers: the waiting of the operators, in the triggerer, without a worker slot.

``AmcExecutionTrigger`` polls an execution on the tool's schedule (``amc_cltv.cadence``, learnt from the
workflow's past executions on AMC: docs/polling.md; counted from the execution's creation time, so a trigger
restarted by the triggerer keeps the same rhythm) until AMC reports a final status.
``AmcAudienceTrigger`` does the same for an audience AMC is building (on the ``[polling]`` ramp).
``AmcUntilTrigger`` waits until a moment (an audience's ``usable_in_dsp_at``). All wait on the tool's
clock, which tests replace.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from amc_cltv import clock
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.cadence import Schedule
from amc_cltv.client.status import is_final
from amc_cltv.connect import open_async_client
from amc_cltv.errors import AmcCltvError
from amc_cltv.orchestration.history import AMC_LOOKBACK, amc_durations
from amc_cltv.orchestration.polling import next_poll_delay

ERROR = "error"  # the event's status when the trigger could not follow the execution


class AmcExecutionTrigger(BaseTrigger):
    """Fires once execution ``execution_id`` is SUCCEEDED, FAILED, CANCELLED or REJECTED on AMC.

    The schedule is the profile's ``[polling]``, counted from the execution's creation time as AMC reports
    it. The event is ``{"status", "status_reason", "execution_id"}``; ``status`` is ``"error"`` (with
    ``message``) when AMC could not be asked after the client's own retries.
    """

    def __init__(self, *, config: str, amc_conn_id: str, execution_id: str, workflow: str) -> None:
        super().__init__()
        self.config = config
        self.amc_conn_id = amc_conn_id
        self.execution_id = execution_id
        self.workflow = workflow

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "config": self.config,
                "amc_conn_id": self.amc_conn_id,
                "execution_id": self.execution_id,
                "workflow": self.workflow,
            },
        )

    def _failed(self, error: Exception) -> TriggerEvent:
        return TriggerEvent({"status": ERROR, "execution_id": self.execution_id, "message": str(error)})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            config = await AmcHook(self.amc_conn_id).aconfig(self.config)
        except AmcCltvError as exc:
            yield self._failed(exc)
            return
        async with open_async_client(config) as client:
            schedule: Schedule | None = None
            while True:
                try:
                    execution = await client.executions.get(self.execution_id)
                except AmcCltvError as exc:
                    yield self._failed(exc)
                    return
                if execution.status.terminal:
                    yield TriggerEvent(
                        {
                            "status": str(execution.status),
                            "status_reason": execution.status_reason,
                            "execution_id": self.execution_id,
                        }
                    )
                    return
                now = clock.current().now()
                if schedule is None:  # no ledger here: the history is AMC's list, asked once
                    history: list[float] = []
                    if execution.workflow_id:
                        try:
                            history = amc_durations(
                                await client.executions.list(
                                    workflow_id=execution.workflow_id,
                                    min_creation_time=now - AMC_LOOKBACK,
                                    time_zone="UTC",
                                    limit=100,
                                )
                            )
                        except AmcCltvError as exc:
                            self.log.warning("no polling history for %s: %s", self.workflow, exc)
                    schedule = Schedule(config.profile.polling, history, key=self.execution_id)
                elapsed = max(0.0, (now - (execution.create_time or now)).total_seconds())
                delay = schedule.next_delay(elapsed)
                self.log.info(
                    "AMC execution %s of %s is %s; next look in %.0f s",
                    self.execution_id,
                    self.workflow,
                    execution.status,
                    delay,
                )
                await clock.asleep(delay)


class AmcAudienceTrigger(BaseTrigger):
    """Fires once AMC reports the audience ``audience_execution_id`` SUCCEEDED, FAILED or DEACTIVATED.

    Polled on the profile's ``[polling]`` schedule, counted from the audience's creation time. The event
    is ``{"status", "status_reason", "audience_execution_id"}`` (``status`` ``"error"`` with ``message``
    when AMC could not be asked).
    """

    def __init__(self, *, config: str, amc_conn_id: str, audience_execution_id: str) -> None:
        super().__init__()
        self.config = config
        self.amc_conn_id = amc_conn_id
        self.audience_execution_id = audience_execution_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "config": self.config,
                "amc_conn_id": self.amc_conn_id,
                "audience_execution_id": self.audience_execution_id,
            },
        )

    def _failed(self, error: Exception) -> TriggerEvent:
        return TriggerEvent(
            {"status": ERROR, "audience_execution_id": self.audience_execution_id, "message": str(error)}
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            config = await AmcHook(self.amc_conn_id).aconfig(self.config)
        except AmcCltvError as exc:
            yield self._failed(exc)
            return
        async with open_async_client(config) as client:
            while True:
                try:
                    audience = await client.audiences.get(self.audience_execution_id)
                except AmcCltvError as exc:
                    yield self._failed(exc)
                    return
                if is_final(audience.status):
                    yield TriggerEvent(
                        {
                            "status": str(audience.status),
                            "status_reason": audience.status_reason,
                            "audience_execution_id": self.audience_execution_id,
                        }
                    )
                    return
                now = clock.current().now()
                elapsed = max(0.0, (now - (audience.create_time or now)).total_seconds())
                delay = next_poll_delay(elapsed, config.profile.polling)
                self.log.info(
                    "AMC audience %s is %s; next look in %.0f s",
                    self.audience_execution_id,
                    audience.status,
                    delay,
                )
                await clock.asleep(delay)


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
            await clock.asleep(remaining)
        yield TriggerEvent({"moment": self.moment})

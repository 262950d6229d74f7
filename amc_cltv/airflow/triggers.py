"""Triggers: the waiting of the operators, in the triggerer, without a worker slot.

``AmcExecutionTrigger`` polls an execution on the tool's schedule (``amc_cltv.cadence``, learnt from the
workflow's past executions on AMC: docs/polling.md; counted from the execution's creation time, so a trigger
restarted by the triggerer keeps the same rhythm) until AMC reports a final status.
``AmcAudienceTrigger`` does the same for an audience AMC is building. ``AmcUntilTrigger`` waits until a
moment (an audience's ``usable_in_dsp_at``). All wait on the tool's clock, which tests replace.

A trigger carries the profile as the task resolved it (no secret: the connection gives those), so a
triggerer without the DAG folder or the profile's TOML follows it all the same. AMC throttling (429, its
``Retry-After`` honoured) or briefly failing (5xx, no answer) is waited out, look after look, until the
task's deferral timeout ends the wait; what cannot get better (a refused token, an execution AMC does not
know) ends it at once with an ``"error"`` event. When a person kills the deferred task (Airflow 3.3's
``on_kill``), the execution trigger cancels the AMC execution (``cancel_on_kill``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from airflow.triggers.base import BaseTrigger, TriggerEvent

from amc_cltv import clock
from amc_cltv.airflow.execution import SubmittedRun
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.cadence import Schedule
from amc_cltv.client.status import is_final
from amc_cltv.config import Config
from amc_cltv.connect import open_async_client
from amc_cltv.errors import (
    AmcCltvError,
    APIConnectionError,
    InternalServerError,
    MalformedResponseError,
    RateLimitError,
    RetryBudgetExhausted,
)
from amc_cltv.orchestration.history import AMC_LOOKBACK, amc_durations
from amc_cltv.orchestration.polling import next_poll_delay

ERROR = "error"  # the event's status when the trigger could not follow the execution

# What a later look may get past: AMC throttling or briefly down, after the client's own retries.
PASSING = (
    RateLimitError,
    InternalServerError,
    APIConnectionError,
    MalformedResponseError,
    RetryBudgetExhausted,
)

T = TypeVar("T")


def passing_delay(error: AmcCltvError, scheduled: float) -> float:
    """How long to wait after ``error`` before the next look: the schedule's delay, or AMC's
    ``Retry-After`` when it asks for longer."""
    retry_after = error.retry_after if isinstance(error, RateLimitError) else None
    return max(scheduled, retry_after or 0.0)


class _AmcTrigger(BaseTrigger):
    """What both AMC triggers share: the profile they carry and how they look and wait."""

    def __init__(self, *, profile: Mapping[str, Any], amc_conn_id: str) -> None:
        super().__init__()
        self.profile = dict(profile)
        self.amc_conn_id = amc_conn_id

    def _classpath(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"

    async def _config(self) -> Config:
        return await AmcHook(self.amc_conn_id).aconfig(self.profile)

    async def _look(self, what: str, look: Callable[[], Awaitable[T]], scheduled: float) -> T:
        """``look()``, again and again while AMC's answer is one that passes (429, 5xx, none), waiting
        ``scheduled`` seconds (or AMC's longer ``Retry-After``) in between. Other errors propagate."""
        while True:
            try:
                return await look()
            except PASSING as error:
                delay = passing_delay(error, scheduled)
                self.log.warning("AMC did not answer about %s (%s); next look in %.0f s", what, error, delay)
                await clock.asleep(delay)


class AmcExecutionTrigger(_AmcTrigger):
    """Fires once the execution of ``run`` (a ``SubmittedRun.as_json()``) is SUCCEEDED, FAILED, CANCELLED
    or REJECTED on AMC.

    The event is ``{"status", "status_reason", "execution_id", "run"}``, ``run`` handed back as given so
    the task finishes the execution it submitted; ``status`` is ``"error"`` (with ``message``) when AMC
    refused to say. ``cancel_on_kill``: a person killing the deferred task cancels the execution on AMC.
    """

    def __init__(
        self,
        *,
        profile: Mapping[str, Any],
        amc_conn_id: str,
        run: Mapping[str, Any],
        cancel_on_kill: bool = True,
    ) -> None:
        super().__init__(profile=profile, amc_conn_id=amc_conn_id)
        self.run_json = dict(run)
        self.submitted = SubmittedRun.from_json(run)
        self.cancel_on_kill = cancel_on_kill

    @property
    def execution_id(self) -> str:
        return self.submitted.execution_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            self._classpath(),
            {
                "profile": self.profile,
                "amc_conn_id": self.amc_conn_id,
                "run": self.run_json,
                "cancel_on_kill": self.cancel_on_kill,
            },
        )

    def _event(self, **fields: Any) -> TriggerEvent:
        return TriggerEvent({**fields, "execution_id": self.execution_id, "run": self.run_json})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            config = await self._config()
            async with open_async_client(config) as client:
                polling = config.profile.polling
                schedule = Schedule(polling, [], key=self.execution_id)
                elapsed = 0.0
                learnt = False
                while True:
                    execution = await self._look(
                        f"execution {self.execution_id}",
                        lambda: client.executions.get(self.execution_id),
                        schedule.next_delay(elapsed),
                    )
                    if execution.status.terminal:
                        yield self._event(status=str(execution.status), status_reason=execution.status_reason)
                        return
                    now = clock.current().now()
                    if not learnt and execution.workflow_id:  # no ledger here: AMC's list, asked once
                        learnt = True
                        schedule = Schedule(
                            polling,
                            await self._history(client, execution.workflow_id, now),
                            key=self.execution_id,
                        )
                    elapsed = max(0.0, (now - (execution.create_time or now)).total_seconds())
                    delay = schedule.next_delay(elapsed)
                    self.log.info(
                        "AMC execution %s of %s is %s; next look in %.0f s",
                        self.execution_id,
                        self.submitted.workflow,
                        execution.status,
                        delay,
                    )
                    await clock.asleep(delay)
        except AmcCltvError as error:
            yield self._event(status=ERROR, message=str(error))

    async def _history(self, client: Any, workflow_id: str, now: datetime) -> list[float]:
        try:
            return amc_durations(
                await client.executions.list(
                    workflow_id=workflow_id, min_creation_time=now - AMC_LOOKBACK, time_zone="UTC", limit=100
                )
            )
        except AmcCltvError as error:
            self.log.warning("no polling history for %s: %s", self.submitted.workflow, error)
            return []

    async def on_kill(self) -> None:
        """The task was killed while deferred: cancel the execution on AMC (``cancel_on_kill``)."""
        if not self.cancel_on_kill:
            return
        config = await self._config()
        async with open_async_client(config) as client:
            await client.executions.cancel(self.execution_id)
        self.log.info("cancelled AMC execution %s of %s", self.execution_id, self.submitted.workflow)


class AmcAudienceTrigger(_AmcTrigger):
    """Fires once AMC reports the audience ``audience_execution_id`` SUCCEEDED, FAILED or DEACTIVATED.

    Polled on the profile's ``[polling]`` schedule, counted from the audience's creation time. The event
    is ``{"status", "status_reason", "audience_execution_id"}`` (``status`` ``"error"`` with ``message``
    when AMC refused to say). Killing the task leaves the audience be: AMC cannot stop building one, and
    the task's next try adopts it.
    """

    def __init__(self, *, profile: Mapping[str, Any], amc_conn_id: str, audience_execution_id: str) -> None:
        super().__init__(profile=profile, amc_conn_id=amc_conn_id)
        self.audience_execution_id = audience_execution_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            self._classpath(),
            {
                "profile": self.profile,
                "amc_conn_id": self.amc_conn_id,
                "audience_execution_id": self.audience_execution_id,
            },
        )

    def _event(self, **fields: Any) -> TriggerEvent:
        return TriggerEvent({**fields, "audience_execution_id": self.audience_execution_id})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            config = await self._config()
            async with open_async_client(config) as client:
                elapsed = 0.0
                while True:
                    audience = await self._look(
                        f"audience {self.audience_execution_id}",
                        lambda: client.audiences.get(self.audience_execution_id),
                        next_poll_delay(elapsed, config.profile.polling),
                    )
                    if is_final(audience.status):
                        yield self._event(status=str(audience.status), status_reason=audience.status_reason)
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
        except AmcCltvError as error:
            yield self._event(status=ERROR, message=str(error))


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

"""Triggers: the waiting of the operators, in the triggerer, without a worker slot.

``AmcExecutionTrigger`` and ``AmcAudienceTrigger`` follow an execution, or an audience AMC is building, with
the public API's ``watch_execution`` and ``watch_audience``: the one poll engine every waiter of the tool
shares (docs/polling.md: the schedule learnt from the workflow's past executions on AMC, counted from the
submit time, so a trigger restarted by the triggerer keeps the same rhythm). ``AmcUntilTrigger`` waits
until a moment (an audience's ``usable_in_dsp_at``). All wait on the tool's clock, which tests replace.

A trigger carries the profile as the task resolved it (no secret: the connection gives those), so a
triggerer without the DAG folder or the profile's TOML follows it all the same. AMC throttling (429, its
``Retry-After`` honoured) or briefly failing (5xx, no answer) is waited out, look after look, until the
profile's ``[polling] max_wait_s``, which is also the task's deferral timeout; what cannot get better (a
refused token, an execution AMC does not know) ends the wait at once with an ``"error"`` event. When a
person kills the deferred task (Airflow 3.3's ``on_kill``), the execution trigger cancels the AMC execution
(``cancel_on_kill``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from amc_cltv import api, clock
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.client.status import is_final
from amc_cltv.config import Config
from amc_cltv.errors import AmcCltvError
from amc_cltv.orchestration.handle import ExecutionHandle

ERROR = "error"  # the event's status when the trigger could not follow the execution


class _AmcTrigger(BaseTrigger):
    """What both AMC triggers share: the profile they carry and the connection its secrets come from."""

    def __init__(self, *, profile: Mapping[str, Any], amc_conn_id: str) -> None:
        super().__init__()
        self.profile = dict(profile)
        self.amc_conn_id = amc_conn_id

    def _classpath(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"

    async def _config(self) -> Config:
        return await AmcHook(self.amc_conn_id).aconfig(self.profile)


class AmcExecutionTrigger(_AmcTrigger):
    """Fires once the execution ``handle`` names (an ``ExecutionHandle.as_dict()``) is SUCCEEDED, FAILED,
    CANCELLED or REJECTED on AMC.

    The event is ``{"status", "status_reason", "execution_id", "handle"}``, the handle given back as it came,
    so the task finishes the execution it submitted; ``status`` is ``"error"`` (with ``message``) when AMC
    refused to say, or was still running it when the wait ran out. ``cancel_on_kill``: a person killing the
    deferred task cancels the execution on AMC.
    """

    def __init__(
        self,
        *,
        profile: Mapping[str, Any],
        amc_conn_id: str,
        handle: Mapping[str, Any],
        cancel_on_kill: bool = True,
    ) -> None:
        super().__init__(profile=profile, amc_conn_id=amc_conn_id)
        self.handle = dict(handle)
        self.cancel_on_kill = cancel_on_kill

    @property
    def execution_id(self) -> str:
        return str(self.handle.get("execution_id"))

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            self._classpath(),
            {
                "profile": self.profile,
                "amc_conn_id": self.amc_conn_id,
                "handle": self.handle,
                "cancel_on_kill": self.cancel_on_kill,
            },
        )

    def _event(self, **fields: Any) -> TriggerEvent:
        return TriggerEvent({**fields, "execution_id": self.execution_id, "handle": self.handle})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        self.log.info("following AMC execution %s of %s", self.execution_id, self.handle.get("workflow"))
        try:
            execution = await api.watch_execution(await self._config(), self.handle)
        except AmcCltvError as error:
            yield self._event(status=ERROR, message=str(error))
            return
        if execution is None or not execution.status.terminal:
            seen = "no answer" if execution is None else f"still {execution.status}"
            yield self._event(status=ERROR, message=f"AMC gave {seen} within [polling] max_wait_s")
            return
        yield self._event(status=str(execution.status), status_reason=execution.status_reason)

    async def on_kill(self) -> None:
        """The task was killed while deferred: cancel the execution on AMC (``cancel_on_kill``)."""
        if not self.cancel_on_kill:
            return
        handle = ExecutionHandle.from_dict(self.handle)
        async with api.open_async_client(await self._config()) as client:
            await client.executions.cancel(handle.execution_id)
        self.log.info("cancelled AMC execution %s of %s", handle.execution_id, handle.workflow)


class AmcAudienceTrigger(_AmcTrigger):
    """Fires once AMC reports the audience ``audience_execution_id`` SUCCEEDED, FAILED or DEACTIVATED.

    The event is ``{"status", "status_reason", "audience_execution_id"}`` (``status`` ``"error"`` with
    ``message`` when AMC refused to say, or was still building it when the wait ran out). Killing the
    task leaves the audience be: AMC cannot stop building one, and the task's next try adopts it.
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
        self.log.info("following AMC audience %s while AMC builds it", self.audience_execution_id)
        try:
            audience = await api.watch_audience(await self._config(), self.audience_execution_id)
        except AmcCltvError as error:
            yield self._event(status=ERROR, message=str(error))
            return
        if audience is None or not is_final(audience.status):
            seen = "no answer" if audience is None else f"still {audience.status}"
            yield self._event(status=ERROR, message=f"AMC gave {seen} within [polling] max_wait_s")
            return
        yield self._event(status=str(audience.status), status_reason=audience.status_reason)


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

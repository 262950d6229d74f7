"""AMC schedules (Daily/Weekly runs of a saved workflow): ``/amc/reporting/{instanceId}/schedules``."""

from __future__ import annotations

from typing import Any

from amc_cltv.client.base import AsyncBaseClient, BaseClient, Call, ClientBase, segment
from amc_cltv.client.models import Schedule, SchedulesPage
from amc_cltv.client.retry import CallKind


class ScheduleCalls:
    """What each schedules call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def _path(self, schedule_id: str | None = None) -> str:
        path = f"{self._base.reporting_prefix}/schedules"
        return f"{path}/{segment(schedule_id)}" if schedule_id else path

    def create(self, schedule: Schedule) -> Call[Any]:
        # A POST, yet safe to resend: the schedule id is ours, so a repeat cannot make a second schedule.
        return Call(
            "POST",
            self._path(),
            self._base.reporting_headers(),
            kind=CallKind.IDEMPOTENT,
            body=schedule.dump(),
        )

    def get(self, schedule_id: str) -> Call[Schedule]:
        return Call("GET", self._path(schedule_id), self._base.reporting_headers(), Schedule)

    def list(self) -> Call[SchedulesPage]:
        return Call("GET", self._path(), self._base.reporting_headers(), SchedulesPage)

    def update(self, schedule: Schedule) -> Call[Any]:
        path = self._path(schedule.schedule_id)
        return Call("PUT", path, self._base.reporting_headers(), body=schedule.dump())

    def delete(self, schedule_id: str) -> Call[Any]:
        return Call("DELETE", self._path(schedule_id), self._base.reporting_headers())


class Schedules:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = ScheduleCalls(base)

    def create(self, schedule: Schedule) -> None:
        """Create a schedule. Safe to retry: the ``schedule_id`` is ours."""
        self._base.send(self._calls.create(schedule))

    def get(self, schedule_id: str) -> Schedule:
        return self._base.fetch_call(self._calls.get(schedule_id))

    def list(self) -> list[Schedule]:
        """Every schedule of the instance (all pages)."""
        return [schedule for page in self._base.pages_of(self._calls.list()) for schedule in page.schedules]

    def update(self, schedule: Schedule) -> None:
        """Replace a schedule as a whole (PUT)."""
        self._base.send(self._calls.update(schedule))

    def delete(self, schedule_id: str) -> None:
        self._base.send(self._calls.delete(schedule_id))


class AsyncSchedules:
    """``Schedules`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = ScheduleCalls(base)

    async def create(self, schedule: Schedule) -> None:
        """See ``Schedules.create`` (safe to retry)."""
        await self._base.send(self._calls.create(schedule))

    async def get(self, schedule_id: str) -> Schedule:
        return await self._base.fetch_call(self._calls.get(schedule_id))

    async def list(self) -> list[Schedule]:
        return [
            schedule async for page in self._base.pages_of(self._calls.list()) for schedule in page.schedules
        ]

    async def update(self, schedule: Schedule) -> None:
        await self._base.send(self._calls.update(schedule))

    async def delete(self, schedule_id: str) -> None:
        await self._base.send(self._calls.delete(schedule_id))

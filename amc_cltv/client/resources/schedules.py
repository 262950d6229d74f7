"""AMC schedules (Daily/Weekly runs of a saved workflow): ``/amc/reporting/{instanceId}/schedules``."""

from __future__ import annotations

from amc_cltv.client.base import BaseClient, segment
from amc_cltv.client.models import Schedule, SchedulesPage
from amc_cltv.client.retry import CallKind


class Schedules:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def _path(self, schedule_id: str | None = None) -> str:
        path = f"{self._base.reporting_prefix}/schedules"
        return f"{path}/{segment(schedule_id)}" if schedule_id else path

    def create(self, schedule: Schedule) -> None:
        """Create a schedule. Safe to retry: the ``schedule_id`` is ours."""
        self._base.request(
            "POST",
            self._path(),
            headers=self._base.reporting_headers(),
            kind=CallKind.IDEMPOTENT,
            body=schedule.dump(),
        )

    def get(self, schedule_id: str) -> Schedule:
        return self._base.fetch(
            Schedule, "GET", self._path(schedule_id), headers=self._base.reporting_headers()
        )

    def list(self) -> list[Schedule]:
        """Every schedule of the instance (all pages)."""
        schedules: list[Schedule] = []
        for page in self._base.pages(SchedulesPage, self._path(), headers=self._base.reporting_headers()):
            schedules.extend(page.schedules)
        return schedules

    def update(self, schedule: Schedule) -> None:
        """Replace a schedule as a whole (PUT)."""
        self._base.request(
            "PUT",
            self._path(schedule.schedule_id),
            headers=self._base.reporting_headers(),
            body=schedule.dump(),
        )

    def delete(self, schedule_id: str) -> None:
        self._base.request("DELETE", self._path(schedule_id), headers=self._base.reporting_headers())

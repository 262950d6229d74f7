"""The activation lag: AMC says SUCCEEDED, Amazon DSP can use the audience up to 48 hours later.

``usable_in_dsp_at`` is when the tool first saw SUCCEEDED plus ``[audience] activation_lag_hours`` (tool
clock). Every audience is in one of a few plain states derived from what the ledger holds, and a campaign
start (``--needed-by``) is checked against the earliest moment the audience can be usable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from amc_cltv.client.status import AudienceStatus
from amc_cltv.errors import UsageError
from amc_cltv.ledger import AudienceRecord


class AudienceState(StrEnum):
    """The plain states ``audience status`` shows (JSON ``state``), derived from the ledger's row."""

    CREATING = "creating"  # intent written, AMC's id not known yet
    BUILDING = "running"  # AMC is building it for the first time
    PENDING_LAG = "pending lag"  # AMC finished; DSP cannot use it yet
    USABLE = "usable"
    REFRESHING = "refreshing"  # AMC is refreshing an audience that already succeeded once
    FAILED = "failed"
    RETIRED = "retired"  # superseded by an audience for newer rules; deleted once that one is usable
    DEACTIVATED = "deactivated"
    DELETED = "deleted"


def lag(hours: float) -> timedelta:
    return timedelta(hours=hours)


def usable_in_dsp_at(succeeded_at: datetime, activation_lag_hours: float) -> datetime:
    """When Amazon DSP can use an audience AMC reported SUCCEEDED at ``succeeded_at``."""
    return succeeded_at + lag(activation_lag_hours)


def usable_now(record: AudienceRecord, now: datetime) -> bool:
    """Whether DSP can use the audience now (its lag has passed and it was not deleted or deactivated)."""
    if record.deleted_at is not None or record.usable_in_dsp_at is None:
        return False
    if record.status in (AudienceStatus.FAILED, AudienceStatus.DEACTIVATED):
        return False
    return now >= record.usable_in_dsp_at


def state_of(record: AudienceRecord, now: datetime) -> AudienceState:
    """The plain state of an audience: usable, pending lag, refreshing, failed, retired, …"""
    if record.deleted_at is not None:
        return AudienceState.DELETED
    if record.status == AudienceStatus.FAILED:
        return AudienceState.FAILED
    if record.status == AudienceStatus.DEACTIVATED:
        return AudienceState.DEACTIVATED
    if record.retired_at is not None:
        return AudienceState.RETIRED
    if record.audience_execution_id is None:
        return AudienceState.CREATING
    if record.succeeded_at is None:
        return AudienceState.BUILDING
    if record.status != AudienceStatus.SUCCEEDED:
        return AudienceState.REFRESHING
    return AudienceState.USABLE if usable_now(record, now) else AudienceState.PENDING_LAG


def inside_lag(record: AudienceRecord, now: datetime) -> bool:
    """Still on its way to DSP: being created or built, or SUCCEEDED but its lag not yet passed."""
    if record.deleted_at is not None or record.status in (AudienceStatus.FAILED, AudienceStatus.DEACTIVATED):
        return False
    return not usable_now(record, now)


@dataclass(frozen=True)
class LagPlan:
    """When the audience can be used in DSP, against a campaign's start."""

    earliest_usable_at: datetime
    needed_by: datetime | None
    known: bool  # True: AMC already reported SUCCEEDED; False: a lower bound (AMC has still to build it)

    @property
    def met(self) -> bool:
        return self.needed_by is None or self.earliest_usable_at <= self.needed_by

    def statement(self) -> str:
        """One plain sentence for the operator."""
        when = _show(self.earliest_usable_at)
        basis = "" if self.known else " at the earliest (AMC has still to build it, then DSP needs the lag)"
        if self.needed_by is None:
            return f"usable in Amazon DSP from {when}{basis}"
        if self.met:
            return (
                f"usable in Amazon DSP from {when}{basis}, before the campaign start {_show(self.needed_by)}"
            )
        short = self.earliest_usable_at - self.needed_by
        return (
            f"the audience cannot be usable in Amazon DSP by {_show(self.needed_by)}: it will be usable from "
            f"{when}{basis}, {_hours(short)} too late"
        )


def plan(
    record: AudienceRecord | None, now: datetime, activation_lag_hours: float, needed_by: datetime | None
) -> LagPlan:
    """The earliest time DSP can use the audience (known once SUCCEEDED, else now + the lag)."""
    if record is not None and record.usable_in_dsp_at is not None:
        return LagPlan(record.usable_in_dsp_at, needed_by, known=True)
    return LagPlan(now + lag(activation_lag_hours), needed_by, known=False)


@dataclass(frozen=True)
class DeferredPlan:
    """A campaign start while activation waits behind ``current``, an audience of earlier rules still on its
    way to DSP: the campaign can use ``current`` once it is usable, or the audience for the new rules, which
    is created only after that and then needs the whole lag."""

    current_name: str
    current: LagPlan
    new_earliest_usable_at: datetime

    @property
    def needed_by(self) -> datetime | None:
        return self.current.needed_by

    @property
    def met(self) -> bool:
        """Whether either audience can be usable in DSP by the campaign start."""
        if self.needed_by is None:
            return True
        return min(self.current.earliest_usable_at, self.new_earliest_usable_at) <= self.needed_by

    def statement(self) -> str:
        """One plain sentence for the operator: both audiences against the campaign start."""
        basis = "" if self.current.known else " at the earliest"
        current = f"audience {self.current_name!r} (earlier rules) is usable in Amazon DSP from "
        current += _show(self.current.earliest_usable_at) + basis
        new = (
            "the audience for the new rules is created only once that one is usable, so it cannot be usable "
            f"before {_show(self.new_earliest_usable_at)}"
        )
        if self.needed_by is None:
            return f"{current}; {new}"
        start = _show(self.needed_by)
        if self.new_earliest_usable_at <= self.needed_by:
            return f"both audiences can be usable by the campaign start {start}: {current}; {new}"
        if self.met:
            return f"the campaign start {start} can be met only with the earlier rules: {current}; {new}"
        short = self.current.earliest_usable_at - self.needed_by
        return (
            f"neither audience can be usable in Amazon DSP by the campaign start {start}: {current}, "
            f"{_hours(short)} too late; {new}"
        )


def deferred_plan(
    current: AudienceRecord, now: datetime, activation_lag_hours: float, needed_by: datetime | None
) -> DeferredPlan:
    """The campaign start against the audience still inside its lag and the one that will replace it."""
    plan_now = plan(current, now, activation_lag_hours, needed_by)
    new_earliest = max(plan_now.earliest_usable_at, now) + lag(activation_lag_hours)
    return DeferredPlan(current.name, plan_now, new_earliest)


def parse_needed_by(value: str, time_zone: str) -> datetime:
    """``--needed-by``: an ISO 8601 date or date-time; without an offset it is read in ``time_zone``."""
    text = value.strip()
    zone = ZoneInfo(time_zone)
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--needed-by: not a date or date-time: {value!r} (expected e.g. 2026-12-01 or 2026-12-01T09:00Z)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _show(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"

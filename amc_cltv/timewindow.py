"""The execution time window: its default (docs/contract.md §2), overrides, validation, AMC's two formats.

AMC data takes up to 48 hours to land, and an instance holds 13 months of it. The default window is the
365 days ending at the latest midnight (in the profile's time zone) that lies at least 48 hours before now.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from amc_cltv.errors import UsageError

DATA_LAG = timedelta(hours=48)
RETENTION_MONTHS = 13
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class TimeWindow:
    """A half-open window ``[start, end)`` of whole days in ``time_zone``."""

    start: datetime  # aware, midnight in time_zone
    end: datetime  # aware, midnight in time_zone
    time_zone: str

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days

    @property
    def amc_start(self) -> str:
        """``timeWindowStart`` of an execution: local time in ``timeWindowTimeZone``, no offset."""
        return self.start.strftime("%Y-%m-%dT%H:%M:%S")

    @property
    def amc_end(self) -> str:
        return self.end.strftime("%Y-%m-%dT%H:%M:%S")

    @property
    def audience_start(self) -> str:
        """``timeWindowStart`` of a rule-based audience: UTC with ``Z``."""
        return self.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def audience_end(self) -> str:
        return self.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def as_dict(self) -> dict[str, str]:
        return {
            "time_window_start": self.start.isoformat(),
            "time_window_end": self.end.isoformat(),
            "time_zone": self.time_zone,
        }


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def latest_complete_midnight(now: datetime, time_zone: str) -> datetime:
    """The latest midnight in ``time_zone`` at least 48 hours before ``now``."""
    zone = ZoneInfo(time_zone)
    cutoff = (now - DATA_LAG).astimezone(zone)
    return _midnight(cutoff.date(), zone)


def resolve_window(
    now: datetime,
    time_zone: str,
    *,
    window_days: int | None = None,
    window_end: date | None = None,
) -> TimeWindow:
    """The window for a run: the default, or ``window_days``/``window_end`` overrides.

    Raises UsageError for a window that ends in the future, inside the 48-hour data lag (its
    last days are not all in AMC yet) or starts more than 13 months ago, naming the allowed range.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(time_zone)
    days = DEFAULT_DAYS if window_days is None else window_days
    if days < 1:
        raise UsageError(f"--window-days must be at least 1, got {days}")
    end = _midnight(window_end, zone) if window_end else latest_complete_midnight(now, time_zone)
    # Whole calendar days, so the start is a midnight even across a DST change.
    start = _midnight(end.date() - timedelta(days=days), zone)
    earliest = _months_before(now.astimezone(zone), RETENTION_MONTHS)
    latest_end = latest_complete_midnight(now, time_zone)
    allowed = (
        f"allowed: from {earliest.date().isoformat()} (AMC keeps 13 months) "
        f"to {latest_end.date().isoformat()} (AMC data lands within 48 hours)"
    )
    if end > now:
        raise UsageError(f"the time window ends in the future ({end.date().isoformat()}); {allowed}")
    if end > latest_end:
        raise UsageError(
            f"the time window ends {end.date().isoformat()}, inside AMC's 48-hour data lag (its last days "
            f"would be incomplete); the latest allowed end is {latest_end.date().isoformat()} "
            f"({time_zone}): give --window-end {latest_end.date().isoformat()} or earlier"
        )
    if start.date() < earliest.date():
        raise UsageError(
            f"the time window starts {start.date().isoformat()}, more than 13 months ago; {allowed}"
        )
    return TimeWindow(start=start, end=end, time_zone=time_zone)


def parse_day(value: str) -> date:
    """A ``YYYY-MM-DD`` date from the command line (UsageError otherwise)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None

"""The default window, its overrides and AMC's two time formats."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from amc_cltv.errors import UsageError
from amc_cltv.timewindow import latest_complete_midnight, parse_day, resolve_window

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


def test_default_is_365_days_ending_at_the_latest_midnight_48_hours_back() -> None:
    window = resolve_window(NOW, "UTC")
    assert window.end == datetime(2026, 11, 23, tzinfo=UTC)
    assert window.start == datetime(2025, 11, 23, tzinfo=UTC)
    assert window.days == 365


def test_just_before_midnight_plus_48h_the_end_stays_a_day_earlier() -> None:
    assert latest_complete_midnight(datetime(2026, 11, 25, 0, 0, tzinfo=UTC), "UTC").day == 23
    assert latest_complete_midnight(datetime(2026, 11, 24, 23, 59, tzinfo=UTC), "UTC").day == 22


def test_midnights_are_taken_in_the_profile_time_zone() -> None:
    window = resolve_window(datetime(2026, 11, 25, 3, 0, tzinfo=UTC), "America/New_York", window_days=7)
    assert window.amc_start == "2026-11-15T00:00:00" and window.amc_end == "2026-11-22T00:00:00"
    assert window.audience_end == "2026-11-22T05:00:00Z"


def test_execution_format_has_no_offset_and_audience_format_is_utc_z() -> None:
    window = resolve_window(NOW, "UTC", window_days=30, window_end=date(2026, 11, 1))
    assert window.amc_start == "2026-10-02T00:00:00"
    assert window.audience_start == "2026-10-02T00:00:00Z"


def test_whole_days_across_a_dst_change() -> None:
    window = resolve_window(NOW, "Europe/Berlin", window_days=60, window_end=date(2026, 11, 20))
    assert (window.start.hour, window.end.hour) == (0, 0)
    assert window.days == 60


def test_a_window_ending_in_the_future_is_refused_with_the_allowed_range() -> None:
    with pytest.raises(UsageError, match=r"ends in the future .* allowed: from 2025-10-25 .* to 2026-11-23"):
        resolve_window(NOW, "UTC", window_end=date(2026, 12, 1))


def test_a_window_starting_more_than_13_months_ago_is_refused() -> None:
    with pytest.raises(UsageError, match="more than 13 months ago"):
        resolve_window(NOW, "UTC", window_days=400)
    assert resolve_window(NOW, "UTC", window_days=394).days == 394


def test_bad_day_strings_and_sizes_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="expected YYYY-MM-DD"):
        parse_day("11/25/2026")
    with pytest.raises(UsageError, match="at least 1"):
        resolve_window(NOW, "UTC", window_days=0)


@pytest.mark.parametrize("end", [date(2026, 11, 24), date(2026, 11, 25)], ids=["yesterday", "today"])
def test_a_window_ending_inside_the_48_hour_lag_is_refused_naming_the_latest_end(end: date) -> None:
    with pytest.raises(UsageError, match=r"inside AMC's 48-hour data lag.*latest allowed end is 2026-11-23"):
        resolve_window(NOW, "UTC", window_end=end)
    assert resolve_window(NOW, "UTC", window_end=date(2026, 11, 23)).end.date() == date(2026, 11, 23)


def test_the_lag_is_counted_in_the_instance_time_zone() -> None:
    """At 03:00 UTC it is still the 24th in New York: the latest complete end there is the 22nd."""
    early = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    with pytest.raises(UsageError, match="latest allowed end is 2026-11-22"):
        resolve_window(early, "America/New_York", window_end=date(2026, 11, 23))
    assert resolve_window(early, "UTC", window_end=date(2026, 11, 23)).days == 365

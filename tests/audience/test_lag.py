"""The DSP lag: usable_in_dsp_at, the plain states ``audience status`` shows, and --needed-by."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from amc_cltv.audience import lag
from amc_cltv.errors import UsageError
from amc_cltv.ledger import AudienceRecord

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SUCCEEDED_AT = NOW - timedelta(hours=10)

BASE = AudienceRecord(
    id=1,
    instance_id="amc1",
    name="amc-cltv high-value 0123abcd",
    segment="high-value",
    rules_sha256="0123abcd" * 8,
    state="created",
    audience_execution_id="a-1",
    status="SUCCEEDED",
    status_reason=None,
    audience_count=3000,
    dsp_audience_id=None,
    time_window_start="2025-11-23T00:00:00Z",
    time_window_end="2026-11-23T00:00:00Z",
    requested_at=SUCCEEDED_AT - timedelta(minutes=5),
    created_at=SUCCEEDED_AT - timedelta(minutes=5),
    succeeded_at=SUCCEEDED_AT,
    usable_in_dsp_at=lag.usable_in_dsp_at(SUCCEEDED_AT, 48),
    retired_at=None,
    deleted_at=None,
    updated_at=SUCCEEDED_AT,
)


def test_usable_in_dsp_at_is_succeeded_plus_the_lag() -> None:
    """48 hours after the tool first saw SUCCEEDED (the configured lag, fractions allowed)."""
    assert lag.usable_in_dsp_at(SUCCEEDED_AT, 48) == SUCCEEDED_AT + timedelta(hours=48)
    assert lag.usable_in_dsp_at(SUCCEEDED_AT, 1.5) == SUCCEEDED_AT + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("changes", "now", "state", "usable"),
    [
        ({}, NOW, "pending lag", False),
        ({}, SUCCEEDED_AT + timedelta(hours=48), "usable", True),
        ({"status": "RUNNING"}, SUCCEEDED_AT + timedelta(hours=50), "refreshing", True),
        ({"status": "RUNNING"}, NOW, "refreshing", False),
        ({"status": "RUNNING", "succeeded_at": None, "usable_in_dsp_at": None}, NOW, "running", False),
        ({"status": "PUBLISHING", "succeeded_at": None, "usable_in_dsp_at": None}, NOW, "running", False),
        ({"audience_execution_id": None, "status": None, "succeeded_at": None, "usable_in_dsp_at": None},
         NOW, "creating", False),
        ({"status": "FAILED", "succeeded_at": None, "usable_in_dsp_at": None}, NOW, "failed", False),
        ({"retired_at": NOW}, SUCCEEDED_AT + timedelta(hours=49), "retired", True),
        ({"status": "DEACTIVATED"}, SUCCEEDED_AT + timedelta(hours=49), "deactivated", False),
        ({"deleted_at": NOW}, SUCCEEDED_AT + timedelta(hours=49), "deleted", False),
    ],
)  # fmt: skip
def test_states(changes: dict[str, object], now: datetime, state: str, usable: bool) -> None:
    """Each ledger situation maps to one plain state; usable_now only once the lag has passed (a refresh
    or a retirement does not take a usable audience away from DSP)."""
    record = replace(BASE, **changes)  # type: ignore[arg-type]
    assert lag.state_of(record, now) == state
    assert lag.usable_now(record, now) is usable


def test_inside_lag_blocks_until_usable_and_never_for_failed() -> None:
    """Being built or pending the lag blocks another audience of the segment; usable or FAILED does not."""
    assert lag.inside_lag(BASE, NOW)
    assert not lag.inside_lag(BASE, SUCCEEDED_AT + timedelta(hours=48))
    assert lag.inside_lag(replace(BASE, succeeded_at=None, usable_in_dsp_at=None, status="RUNNING"), NOW)
    assert not lag.inside_lag(replace(BASE, status="FAILED", usable_in_dsp_at=None), NOW)


def test_plan_without_success_is_a_lower_bound_of_now_plus_the_lag() -> None:
    """Before AMC finishes, the earliest DSP time is now + lag, and the statement says it is a lower bound."""
    plan = lag.plan(None, NOW, 48, NOW + timedelta(hours=24))
    assert plan.earliest_usable_at == NOW + timedelta(hours=48)
    assert not plan.met
    assert plan.statement() == (
        "the audience cannot be usable in Amazon DSP by 2026-11-26 12:00 UTC: it will be usable from "
        "2026-11-27 12:00 UTC at the earliest (AMC has still to build it, then DSP needs the lag), "
        "24.0 hours too late"
    )


def test_plan_with_success_uses_the_recorded_time() -> None:
    """Once SUCCEEDED, usable_in_dsp_at is known and compared with the campaign start."""
    plan = lag.plan(BASE, NOW, 48, SUCCEEDED_AT + timedelta(hours=48))
    assert plan.met and plan.known
    assert plan.statement().startswith("usable in Amazon DSP from 2026-11-27 02:00 UTC, before the campaign")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T09:30Z", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        ("2026-12-01T09:30:00+01:00", datetime(2026, 12, 1, 8, 30, tzinfo=UTC)),
        ("2026-12-01T09:30", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_needed_by_parsing(text: str, expected: datetime) -> None:
    """A date is midnight in the profile's time zone; a time without offset is read in it too."""
    assert lag.parse_needed_by(text, "UTC") == expected


def test_needed_by_without_offset_is_read_in_the_profile_time_zone() -> None:
    assert lag.parse_needed_by("2026-12-01", "America/New_York") == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_needed_by_garbage_is_a_usage_error() -> None:
    """Not a date: exit 2 with an example of what is expected."""
    with pytest.raises(UsageError) as raised:
        lag.parse_needed_by("next tuesday", "UTC")
    assert "2026-12-01" in str(raised.value)


def test_deferred_plan_that_neither_audience_can_meet_says_both_dates() -> None:
    """Waiting behind an audience of earlier rules (usable from NOW + 38 h): a campaign in 24 h cannot use it,
    and the new rules' audience, created only once that one is usable, comes 48 h later still."""
    plan = lag.deferred_plan(BASE, NOW, 48, NOW + timedelta(hours=24))
    assert not plan.met
    assert plan.new_earliest_usable_at == BASE.usable_in_dsp_at + timedelta(hours=48)  # type: ignore[operator]
    assert plan.statement() == (
        "neither audience can be usable in Amazon DSP by the campaign start 2026-11-26 12:00 UTC: audience "
        "'amc-cltv high-value 0123abcd' (earlier rules) is usable in Amazon DSP from 2026-11-27 02:00 UTC, "
        "14.0 hours too late; the audience for the new rules is created only once that one is usable, so it "
        "cannot be usable before 2026-11-29 02:00 UTC"
    )


@pytest.mark.parametrize(
    ("needed_by", "opening"),
    [
        (NOW + timedelta(hours=40), "the campaign start 2026-11-27 04:00 UTC can be met only with the"),
        (NOW + timedelta(days=5), "both audiences can be usable by the campaign start 2026-11-30 12:00 UTC"),
    ],
)
def test_deferred_plan_met_by_the_audience_inside_its_lag(needed_by: datetime, opening: str) -> None:
    """A campaign after the earlier audience's lag is met (by it alone, or by both), as the statement says."""
    plan = lag.deferred_plan(BASE, NOW, 48, needed_by)
    assert plan.met
    assert plan.statement().startswith(opening)


def test_deferred_plan_behind_an_audience_still_being_built_is_a_lower_bound() -> None:
    """The earlier audience has not succeeded yet: it is usable from now + lag at the earliest, the new one
    from now + twice the lag at the earliest."""
    building = replace(BASE, status="RUNNING", succeeded_at=None, usable_in_dsp_at=None)
    plan = lag.deferred_plan(building, NOW, 48, None)
    assert plan.met and not plan.current.known
    assert plan.current.earliest_usable_at == NOW + timedelta(hours=48)
    assert plan.new_earliest_usable_at == NOW + timedelta(hours=96)
    assert "from 2026-11-27 12:00 UTC at the earliest;" in plan.statement()

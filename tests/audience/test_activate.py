"""The activation lifecycle against AMC's audience endpoints on a mocked wire: the request, the size guard,
write-ahead create and reconcile, polling, the DSP lag, rotation and --dry-run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import respx

from amc_cltv.audience import activate, known_on_error, refresh_status
from amc_cltv.client import AmcClient
from amc_cltv.clock import FakeClock
from amc_cltv.config import Config
from amc_cltv.errors import AudienceFailed, NeedsHuman, Refused
from amc_cltv.ledger import Ledger
from tests.audience.conftest import CLIENT_SECRET, ENTITY, INSTANCE, START, FakeAudiences, record_segmentation

Amc = tuple[respx.MockRouter, FakeAudiences]
LAG = timedelta(hours=48)


def test_creates_the_audience_with_amc_fields_and_headers(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """One POST with the audience headers, the segment's name, the DSP advertiser, AMC's UTC window format,
    a relative window and the configured refresh rate; then it is polled to SUCCEEDED."""
    router, fake = amc
    record_segmentation(config, ledger, 3200)
    outcome = activate(config, client, ledger)
    assert router["create"].call_count == 1
    body, headers = fake.posts[0], fake.post_headers[0]
    assert headers["Amazon-Advertising-API-EntityId"] == ENTITY
    assert headers["Amazon-Marketing-Cloud-Audience-InstanceId"] == INSTANCE
    assert headers["Content-Type"] == "application/vnd.amcquerybasedaudience.v1+json"
    assert "Amazon-Advertising-API-AdvertiserId" not in headers
    assert body["audienceName"] == outcome.name
    assert body["audienceName"].startswith("amc-cltv high-value ")
    assert len(body["audienceName"].split()[-1]) == 8
    assert body["advertiserId"] == "5550001234"
    assert body["timeWindowStart"] == "2025-11-23T00:00:00Z"
    assert body["timeWindowEnd"] == "2026-11-23T00:00:00Z"
    assert body["timeWindowRelative"] is True
    assert body["refreshRateDays"] == 7
    assert "_for_audiences" in body["query"]
    assert outcome.action == "created"
    assert outcome.segment_size == 3200
    assert outcome.audience is not None and outcome.audience.status == "SUCCEEDED"


def test_a_given_window_is_the_one_sized_over_and_sent(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """With ``window_end`` (an Airflow task's templated window), the segment is sized from the segmentation
    result of that window, not today's, and the audience starts on it; nothing else is run."""
    router, fake = amc
    record_segmentation(config, ledger, 3200, window_end=date(2026, 11, 1))
    outcome = activate(config, client, ledger, window_end=date(2026, 11, 1))
    assert outcome.segment_size == 3200 and router["create"].call_count == 1
    assert fake.posts[0]["timeWindowEnd"] == "2026-11-01T00:00:00Z"
    assert fake.posts[0]["timeWindowStart"] == "2025-11-01T00:00:00Z"


def test_succeeded_starts_the_lag_and_the_audience_is_usable_48_hours_later(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """usable_in_dsp_at = when the tool first saw SUCCEEDED + activation_lag_hours; pending lag until then."""
    record_segmentation(config, ledger, 3200)
    outcome = activate(config, client, ledger)
    assert outcome.audience is not None
    row = ledger.audience_by_name(INSTANCE, outcome.name)
    assert row is not None and row.succeeded_at is not None
    assert row.usable_in_dsp_at == row.succeeded_at + LAG
    assert outcome.audience.state == "pending lag" and outcome.audience.usable_now is False
    tool_clock.advance(LAG.total_seconds() - 60)
    assert refresh_status(config, client, ledger)[0].state == "pending lag"
    tool_clock.advance(60)
    view = refresh_status(config, client, ledger)[0]
    assert view.state == "usable" and view.usable_now is True


def test_a_second_activation_reuses_the_audience_and_sends_nothing(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """The same rules give the same name: the ledger's audience is reported, no POST, no list, no GET."""
    router, _ = amc
    record_segmentation(config, ledger, 3200)
    first = activate(config, client, ledger)
    calls = {name: router[name].call_count for name in ("create", "list", "get")}
    tool_clock.advance(3600)
    second = activate(config, client, ledger)
    assert second.action == "reused" and second.name == first.name
    assert {name: router[name].call_count for name in calls} == calls
    assert second.audience is not None and second.audience.state == "pending lag"


def test_below_the_minimum_size_is_refused_and_nothing_is_sent(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """High Value under [audience] min_size: Refused (exit 1) naming both numbers; no POST, no intent."""
    router, _ = amc
    record_segmentation(config, ledger, 2499)
    with pytest.raises(Refused) as raised:
        activate(config, client, ledger)
    assert "2,499" in str(raised.value) and "2,500" in str(raised.value)
    assert router["create"].call_count == 0
    assert ledger.audiences() == []


def test_failed_surfaces_amc_status_reason(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """AMC's FAILED: AudienceFailed (exit 1) carrying statusReason, also recorded in the ledger."""
    _, fake = amc
    fake.script = ["RUNNING", "FAILED"]
    fake.reason = "Audience size 1800 is below the minimum audience size of 2000 records."
    record_segmentation(config, ledger, 3200)
    with pytest.raises(AudienceFailed) as raised:
        activate(config, client, ledger)
    assert "below the minimum audience size" in str(raised.value)
    (row,) = ledger.audiences()
    assert row.status == "FAILED" and row.status_reason == fake.reason
    known = known_on_error(raised.value)
    assert known is not None and known.audience is not None and known.action == "created"
    assert known.audience.audience_execution_id == row.audience_execution_id
    assert known.as_dict()["status_reason"] == fake.reason


def test_an_error_before_any_request_carries_the_name_and_size_only(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """Refused below the minimum: what the error carries names the audience and the size, no AMC id, and
    no action (nothing was done)."""
    record_segmentation(config, ledger, 2499)
    with pytest.raises(Refused) as raised:
        activate(config, client, ledger)
    known = known_on_error(raised.value)
    assert known is not None and known.name.startswith("amc-cltv high-value ")
    assert known.segment_size == 2499 and known.action is None and known.audience is None
    assert known.as_dict()["audience_execution_id"] is None


def test_ambiguous_post_is_reconciled_by_listing_never_resent(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """A read timeout after AMC created the audience: the list finds it and it is adopted; one POST only."""
    router, fake = amc
    fake.post_faults = ["timeout"]
    record_segmentation(config, ledger, 3200)
    outcome = activate(config, client, ledger)
    assert router["create"].call_count == 1
    assert len(fake.audiences) == 1
    (row,) = ledger.audiences()
    assert row.audience_execution_id == next(iter(fake.audiences))
    assert outcome.audience is not None and outcome.audience.status == "SUCCEEDED"


def test_ambiguous_post_that_created_nothing_is_sent_again_after_two_empty_lists(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """A 503 on the POST: two lists 30 s apart find nothing, so the audience is created by a second POST."""
    router, fake = amc
    fake.post_faults = ["lost"]
    record_segmentation(config, ledger, 3200)
    activate(config, client, ledger)
    assert router["create"].call_count == 2
    assert router["list"].call_count == 3  # one look for an existing audience, two to reconcile
    assert tool_clock.sleeps[0] == 30
    assert len(fake.audiences) == 1


def test_a_crash_after_the_post_is_reconciled_by_adoption(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """An intent without AMC's id (the process died after the POST) and AMC holding the audience: adopted,
    no second POST."""
    router, fake = amc
    record_segmentation(config, ledger, 3200)
    dry = activate(config, client, ledger, dry_run=True)
    row = ledger.begin_audience(
        instance_id=INSTANCE,
        name=dry.name,
        segment="high-value",
        rules_sha256=dry.rules_sha256,
        time_window_start=dry.time_window_start,
        time_window_end=dry.time_window_end,
        now=tool_clock.now(),
    )
    fake.add(dry.name, status="RUNNING")
    tool_clock.advance(120)
    outcome = activate(config, client, ledger)
    assert router["create"].call_count == 0
    assert outcome.action == "reused"
    adopted = ledger.audience_by_name(INSTANCE, dry.name)
    assert adopted is not None and adopted.id == row.id
    assert adopted.audience_execution_id == next(iter(fake.audiences))


def test_several_audiences_with_the_name_need_a_human(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """Two matching audiences on AMC: NeedsHuman (exit 3) naming both ids; nothing is created."""
    router, fake = amc
    record_segmentation(config, ledger, 3200)
    name = activate(config, client, ledger, dry_run=True).name
    first, second = fake.add(name), fake.add(name)
    with pytest.raises(NeedsHuman) as raised:
        activate(config, client, ledger)
    assert first in str(raised.value) and second in str(raised.value)
    assert router["create"].call_count == 0


def test_an_audience_amc_already_holds_is_adopted_without_size_check(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """Not in the ledger but on AMC under the same name (another machine): adopted, nothing created."""
    router, fake = amc
    name = activate(config, client, ledger, dry_run=True).name
    fake.add(name, status="SUCCEEDED")
    outcome = activate(config, client, ledger)
    assert outcome.action == "adopted"
    assert router["create"].call_count == 0


def test_needed_by_that_the_lag_cannot_meet_is_refused_unless_forced(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """A campaign starting in 24 h cannot use an audience that needs 48 h after AMC finishes: exit 1, nothing
    sent, said plainly; with --force it goes ahead and says so."""
    router, _ = amc
    record_segmentation(config, ledger, 3200)
    campaign = START + timedelta(hours=24)
    with pytest.raises(Refused) as raised:
        activate(config, client, ledger, needed_by=campaign)
    assert "cannot be usable in Amazon DSP by 2026-11-26 12:00 UTC" in str(raised.value)
    assert "--force" in str(raised.value)
    assert router["create"].call_count == 0
    outcome = activate(config, client, ledger, needed_by=campaign, force=True)
    assert router["create"].call_count == 1
    assert any("accepted with --force" in message for message in outcome.messages)


def test_needed_by_after_the_lag_is_accepted(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """A campaign three days out is met: the statement says when the audience is usable."""
    record_segmentation(config, ledger, 3200)
    outcome = activate(config, client, ledger, needed_by=START + timedelta(days=3))
    assert outcome.lag_statement is not None and "before the campaign start" in outcome.lag_statement


def test_rules_change_rotates_without_a_gap(
    make_config: Callable[..., Config], client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """New rules: a new audience (new name) is created only once the old one is usable; the old one is
    retired when the new one succeeds and deleted only once the new one is usable in DSP."""
    router, fake = amc
    old_config = make_config(shopping_insights=True)
    record_segmentation(old_config, ledger, 3200)
    old = activate(old_config, client, ledger)

    new_config = make_config(shopping_insights=False)
    deferred = activate(new_config, client, ledger)  # the old one is inside its lag
    assert deferred.action == "deferred" and deferred.name != old.name
    assert router["create"].call_count == 1

    tool_clock.advance(LAG.total_seconds())
    record_segmentation(new_config, ledger, 2800)
    new = activate(new_config, client, ledger)
    assert new.action == "created" and router["create"].call_count == 2
    assert new.retired == [old.name] and new.deleted == []
    old_row = ledger.audience_by_name(INSTANCE, old.name)
    assert old_row is not None and old_row.retired_at is not None and old_row.deleted_at is None
    assert fake.deleted == []

    tool_clock.advance(LAG.total_seconds() - 1)
    assert activate(new_config, client, ledger).deleted == []
    tool_clock.advance(1)
    later = activate(new_config, client, ledger)
    assert later.deleted == [old.name]
    assert fake.deleted == [old_row.audience_execution_id]
    assert router["create"].call_count == 2
    assert [view.name for view in refresh_status(new_config, client, ledger)] == [new.name]

    # The rules come back once the new audience is usable: the deleted name is created anew.
    record_segmentation(old_config, ledger, 3300)
    back = activate(old_config, client, ledger)
    assert back.name == old.name and back.action == "created" and router["create"].call_count == 3
    assert back.retired == [new.name] and back.audience is not None
    assert back.audience.audience_execution_id not in (None, old_row.audience_execution_id)


def test_dry_run_prints_the_exact_request_and_sends_nothing(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """--dry-run: method, path, audience headers with the bearer token masked, the body; no call at all."""
    router, _ = amc
    outcome = activate(config, client, ledger, dry_run=True)
    assert outcome.request is not None
    assert outcome.request["method"] == "POST" and outcome.request["path"] == "/amc/audiences/query"
    headers = outcome.request["headers"]
    assert headers["Authorization"] == "Bearer ***"
    assert headers["Amazon-Advertising-API-EntityId"] == ENTITY
    assert outcome.request["body"]["audienceName"] == outcome.name
    assert CLIENT_SECRET not in str(outcome.request)
    assert all(route.call_count == 0 for route in router.routes)
    assert ledger.audiences() == []

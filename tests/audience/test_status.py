"""Following an audience: the polling cadence and its bound, what status refreshes, its JSON, and the
resubmission of a FAILED audience."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import respx

from amc_cltv.audience import activate, refresh_status
from amc_cltv.audience.poll import wait_until_final
from amc_cltv.cadence import Schedule, phase_of
from amc_cltv.client import AmcClient
from amc_cltv.clock import FakeClock, use_clock
from amc_cltv.config import Config
from amc_cltv.errors import AudienceFailed, StillRunning
from amc_cltv.ledger import Ledger
from amc_cltv.orchestration.history import audience_durations
from tests.audience.conftest import INSTANCE, FakeAudiences, record_segmentation

Amc = tuple[respx.MockRouter, FakeAudiences]


def _started(config: Config, client: AmcClient, ledger: Ledger, fake: FakeAudiences, clock: FakeClock) -> int:
    """An audience whose intent is written and whose id AMC gave, not yet polled."""
    name = activate(config, client, ledger, dry_run=True).name
    record = ledger.begin_audience(
        instance_id=INSTANCE,
        name=name,
        segment="high-value",
        rules_sha256="0" * 64,
        time_window_start="2025-11-23T00:00:00Z",
        time_window_end="2026-11-23T00:00:00Z",
        now=clock.now(),
    )
    audience_id = fake.add(name, status="PENDING")
    return ledger.record_audience_created(
        record.id, clock.now(), audience_execution_id=audience_id, status=None, created_at=clock.now()
    ).id


def test_polls_on_the_polling_schedule_until_final(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """The polling schedule from the intent's time (no past audience: a look every max_interval_s, the
    grid moved a little earlier by the audience id) until SUCCEEDED; each status is written to the ledger."""
    _, fake = amc
    fake.script = ["PENDING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]
    row_id = _started(config, client, ledger, fake, tool_clock)
    (record,) = ledger.audiences()
    final = wait_until_final(client, ledger, config, record)
    assert final.id == row_id and final.status == "SUCCEEDED" and final.audience_count == fake.count
    assert record.audience_execution_id is not None
    first = 300 * (1 - 0.05 * phase_of(record.audience_execution_id))
    assert tool_clock.sleeps == pytest.approx([first, 300, 300, 300])


def test_max_wait_ends_with_still_running_and_the_next_run_resumes(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """Past [polling] max_wait_s: StillRunning (exit 4) with the audience left as it is; the next activation
    follows the same audience to SUCCEEDED without creating another."""
    router, fake = amc
    fake.script = ["RUNNING"] * 40 + ["SUCCEEDED"]
    record_segmentation(config, ledger, 3000)
    with pytest.raises(StillRunning):
        activate(config, client, ledger)
    assert sum(tool_clock.sleeps) == pytest.approx(3600)
    (row,) = ledger.audiences()
    assert row.status == "RUNNING" and row.audience_execution_id is not None
    fake.script = ["SUCCEEDED"]
    fake.progress[row.audience_execution_id] = 0
    outcome = activate(config, client, ledger)
    assert outcome.action == "reused" and outcome.audience is not None
    assert outcome.audience.status == "SUCCEEDED"
    assert router["create"].call_count == 1


class CoarseClock(FakeClock):
    """A fake clock that cannot measure a wait shorter than a millisecond (a real clock's resolution); it
    refuses to be slept on more than ``budget`` times, so a poll loop that would never end fails instead."""

    def __init__(self, budget: int = 50) -> None:
        super().__init__()
        self.budget = budget

    def sleep(self, seconds: float) -> None:
        self.budget -= 1
        assert self.budget >= 0, f"still polling after {len(self.sleeps)} sleeps"
        self.sleeps.append(seconds)
        self.advance(seconds if seconds >= 1e-3 else 0.0)


def test_a_remainder_of_the_bound_below_the_clock_resolution_ends_with_still_running(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """The bound leaves a sliver the clock cannot measure: the wait is cut to it once, then StillRunning
    (exit 4), never a loop of waits that do not move the clock."""
    _, fake = amc
    fake.script = ["RUNNING"]
    _started(config, client, ledger, fake, tool_clock)
    (record,) = ledger.audiences()
    coarse = CoarseClock()
    elapsed = (coarse.now() - record.requested_at).total_seconds()
    history = audience_durations(ledger, config.instance_id, record.segment)
    key = record.audience_execution_id or record.name
    first = Schedule(config.profile.polling, history, key=key).next_delay(elapsed)
    with use_clock(coarse), pytest.raises(StillRunning):
        wait_until_final(client, ledger, config, record, max_wait_s=first + 1e-9)
    assert coarse.sleeps == [pytest.approx(first), pytest.approx(1e-9)]


def test_failed_audience_is_reported_again_and_resubmitted_only_with_force(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """A FAILED audience: each activation says so (exit 1) without sending anything; --force updates it
    in place (PUT, AMC's only way to fix a FAILED audience) and follows it to SUCCEEDED."""
    router, fake = amc
    fake.script = ["FAILED"]
    fake.reason = "Invalid tables in the SQL query: Use audience-specific tables in the query."
    record_segmentation(config, ledger, 3000)
    with pytest.raises(AudienceFailed):
        activate(config, client, ledger)
    with pytest.raises(AudienceFailed) as again:
        activate(config, client, ledger)
    assert "Invalid tables" in str(again.value)
    assert router["create"].call_count == 1 and router["update"].call_count == 0
    fake.script = ["RUNNING", "SUCCEEDED"]
    outcome = activate(config, client, ledger, force=True)
    assert router["update"].call_count == 1 and router["create"].call_count == 1
    assert outcome.audience is not None and outcome.audience.status == "SUCCEEDED"
    put = router["update"].calls.last.request
    assert b'"audienceType":"RULE_BASED"' in put.content.replace(b" ", b"")


def test_status_json_has_the_contract_keys_with_offsets(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """Each audience: the keys of docs/contract.md §3.1 (times ISO 8601 with an offset, usable_in_dsp_at
    null until SUCCEEDED), then the plain state, AMC's reason and DSP id."""
    _, fake = amc
    fake.script = ["RUNNING"]
    record_segmentation(config, ledger, 3000)
    with pytest.raises(StillRunning):
        activate(config, client, ledger)
    (view,) = refresh_status(config, client, ledger)
    payload = view.as_dict()
    assert list(payload)[:8] == [
        "name",
        "segment",
        "audience_execution_id",
        "status",
        "audience_count",
        "created_at",
        "usable_in_dsp_at",
        "usable_now",
    ]
    assert payload["usable_in_dsp_at"] is None and payload["usable_now"] is False
    assert payload["status"] == "RUNNING" and payload["state"] == "running"
    assert payload["created_at"].endswith("+00:00")


def test_status_refreshes_unfinished_audiences_and_records_ones_amc_forgot(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """status asks AMC about audiences that may change; one AMC answers 404 for is recorded as deleted and
    no longer listed."""
    router, fake = amc
    _started(config, client, ledger, fake, tool_clock)
    (view,) = refresh_status(config, client, ledger)
    assert view.status == "RUNNING" and router["get"].call_count == 1
    fake.audiences.clear()
    assert refresh_status(config, client, ledger) == []
    (row,) = ledger.audiences(include_deleted=True)
    assert row.deleted_at is not None


def test_an_audience_amc_is_refreshing_is_reported_not_waited_on(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """Once SUCCEEDED, AMC's own refresh (RUNNING again) keeps it usable: status shows refreshing and the
    next activation reports it without polling."""
    router, fake = amc
    record_segmentation(config, ledger, 3000)
    first = activate(config, client, ledger)
    assert first.audience is not None and first.audience.audience_execution_id is not None
    fake.audiences[first.audience.audience_execution_id]["status"] = "RUNNING"
    tool_clock.advance(49 * 3600)
    (view,) = refresh_status(config, client, ledger)
    assert view.state == "refreshing" and view.usable_now is True
    gets = router["get"].call_count
    again = activate(config, client, ledger)
    assert again.action == "reused" and again.audience is not None and again.audience.state == "refreshing"
    assert router["get"].call_count == gets


def test_a_crashed_intent_of_earlier_rules_does_not_block_new_rules_forever(
    make_config: Callable[..., Config], client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """An intent of the old rules that never reached AMC (two empty looks) is abandoned, and the audience
    for the new rules is created."""
    router, _ = amc
    old_name = activate(make_config(shopping_insights=True), client, ledger, dry_run=True).name
    ledger.begin_audience(
        instance_id=INSTANCE,
        name=old_name,
        segment="high-value",
        rules_sha256="1" * 64,
        time_window_start="2025-11-23T00:00:00Z",
        time_window_end="2026-11-23T00:00:00Z",
        now=tool_clock.now(),
    )
    new_config = make_config(shopping_insights=False)
    record_segmentation(new_config, ledger, 3000)
    outcome = activate(new_config, client, ledger)
    assert outcome.action == "created" and router["create"].call_count == 1
    abandoned = ledger.audience_by_name(INSTANCE, old_name)
    assert abandoned is not None and abandoned.deleted_at is not None

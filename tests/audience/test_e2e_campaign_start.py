"""--needed-by while activation is deferred behind an audience of earlier rules still inside its lag: the
real CLI against the embedded sandbox, with linked clocks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tests.audience.sandbox_fixtures import Workspace
from tests.stderr import failure

pytestmark = pytest.mark.e2e

HOUR = 3600.0


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def _rotation_pending(workspace: Workspace) -> tuple[str, str, dict[str, object]]:
    """The old rules' audience activated (SUCCEEDED, pending lag), then the rules changed: the two profiles
    and the old audience as ``activate --json`` reported it."""
    old_rules = workspace.profile("old.toml", workflows="shopping_insights = true")
    new_rules = workspace.profile("new.toml", workflows="shopping_insights = false")
    code, old = workspace.cli_json("--config", old_rules, "audience", "activate")
    assert code == 0 and old["state"] == "pending lag", old
    workspace.clock.advance(1 * HOUR)
    return old_rules, new_rules, old


def test_a_campaign_start_neither_audience_can_meet_is_refused_plainly(workspace: Workspace) -> None:
    """Rules changed, the old audience is usable only in about 47 h and the new one cannot be created before
    then: a campaign in 24 h is refused (exit 1) naming both dates; the JSON says what is known; none sent."""
    _, new_rules, old = _rotation_pending(workspace)
    campaign = _at(workspace.clock.now() + timedelta(hours=24))
    code, out, err = workspace.cli(
        "--config", new_rules, "audience", "activate", "--needed-by", campaign, "--json"
    )
    assert code == 1
    message = failure(err)
    assert message.startswith("neither audience can be usable in Amazon DSP by the campaign")
    assert repr(old["name"]) in message and "(earlier rules)" in message
    assert "audience for the new rules" in message and "--force" in message
    refused = json.loads(out)
    assert refused["exit_code"] == 1 and refused["error"] in message
    assert refused["action"] == "deferred" and refused["name"] != old["name"]
    assert refused["audience_execution_id"] is None and refused["status"] is None
    assert refused["waiting_for"]["name"] == old["name"]
    assert refused["waiting_for"]["audience_execution_id"] == old["audience_execution_id"]
    assert [a.audience_name for a in workspace.amc_audiences()] == [old["name"]]


def test_a_campaign_start_after_the_old_audience_lag_is_met_with_the_earlier_rules(
    workspace: Workspace,
) -> None:
    """A campaign an hour after the old audience becomes usable: exit 0, deferred, and the statement says the
    start is met only with the earlier rules (the new audience comes 48 h after that)."""
    _, new_rules, old = _rotation_pending(workspace)
    usable_at = datetime.fromisoformat(str(old["usable_in_dsp_at"]))
    args = ("--config", new_rules, "audience", "activate", "--needed-by", _at(usable_at + timedelta(hours=1)))
    code, deferred = workspace.cli_json(*args)
    assert code == 0, deferred
    assert deferred["action"] == "deferred" and deferred["waiting_for"]["state"] == "pending lag"
    assert (
        deferred["lag"].startswith("the campaign start") and "only with the earlier rules" in deferred["lag"]
    )
    assert len(workspace.amc_audiences()) == 1

    code, out, _ = workspace.cli(*args)
    assert code == 0
    assert f"waiting for: {old['name']} (pending lag)" in out and "only with the earlier rules" in out


def test_force_accepts_a_campaign_start_neither_audience_can_meet(workspace: Workspace) -> None:
    """--force: exit 0, still deferred (no second audience inside the lag), and the acceptance is said."""
    _, new_rules, _ = _rotation_pending(workspace)
    campaign = _at(workspace.clock.now() + timedelta(hours=24))
    code, forced = workspace.cli_json(
        "--config", new_rules, "audience", "activate", "--needed-by", campaign, "--force"
    )
    assert code == 0, forced
    assert forced["action"] == "deferred"
    assert any("neither audience" in m and "accepted with --force" in m for m in forced["messages"])
    assert len(workspace.amc_audiences()) == 1

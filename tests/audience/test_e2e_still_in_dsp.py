"""Rotation against an audience a DSP campaign uses: AMC says it is not ``deletable`` and refuses its DELETE,
so the retired audience stays in DSP; that is reported (run and ``audience status``), never a failed run."""

from __future__ import annotations

import pytest

from tests.audience.sandbox_fixtures import Workspace

pytestmark = pytest.mark.e2e

HOUR = 3600.0
# Any DELETE of an audience answers 500: a rotation that sends none still succeeds.
NO_DELETE = [{"kind": "status", "status": 500, "match": "^DELETE /amc/audiences", "times": 0}]


def test_a_retired_audience_a_campaign_uses_stays_in_dsp_until_the_line_items_move(
    workspace: Workspace,
) -> None:
    """The old audience is used in DSP: no DELETE is sent, the run exits 0 saying it is still in DSP and what
    to do; `audience status` says the same; once nothing uses it, the next run deletes it."""
    old_rules = workspace.profile("old.toml", workflows="shopping_insights = true")
    new_rules = workspace.profile("new.toml", workflows="shopping_insights = false")
    code, old = workspace.cli_json("--config", old_rules, "audience", "activate")
    assert code == 0, old
    workspace.sandbox.configure(audiences_in_use=True)
    workspace.clock.advance(48 * HOUR)
    code, new = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0 and new["retired"] == [old["name"]], new
    workspace.clock.advance(48 * HOUR)

    workspace.sandbox.faults.script(NO_DELETE)
    code, later = workspace.cli_json("--config", new_rules, "audience", "activate")
    workspace.sandbox.faults.clear()
    assert code == 0, later
    assert later["deleted"] == []
    said = " ".join(later["messages"])
    assert f"{old['name']} is still in DSP" in said and f"move those line items to {new['name']}" in said
    assert {a.audience_name for a in workspace.amc_audiences()} == {old["name"], new["name"]}

    views = {v["name"]: v for v in workspace.cli_json("audience", "status")[1]["audiences"]}
    retired = views[old["name"]]
    assert retired["state"] == "retired" and retired["deletable"] is False
    assert "still in DSP" in retired["note"] and "move those line items" in retired["note"]
    assert views[new["name"]]["note"] is None
    code, text, _ = workspace.cli("audience", "status")
    assert code == 0 and "retired, still in DSP: AMC will not delete it" in " ".join(text.split())

    workspace.sandbox.configure(audiences_in_use=False)  # the trader moved the line items
    code, done = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0 and done["deleted"] == [old["name"]], done
    assert [a.audience_name for a in workspace.amc_audiences()] == [new["name"]]

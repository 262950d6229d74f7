"""The real CLI against the embedded sandbox, with the clocks advanced instead of waiting 48 hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.audience.sandbox_fixtures import Workspace
from tests.stderr import failure

pytestmark = pytest.mark.e2e

HOUR = 3600.0
CONTRACT_KEYS = {
    "name",
    "segment",
    "audience_execution_id",
    "status",
    "audience_count",
    "created_at",
    "usable_in_dsp_at",
    "usable_now",
}
# Any audience request answers 500: an activation that sends nothing still succeeds.
NO_AUDIENCE_CALLS = [{"kind": "status", "status": 500, "match": "/amc/audiences", "times": 0}]


def _high_value_users(folder: Path) -> int:
    files = sorted(str(p) for p in (folder / "results").rglob("segmentation/*/part-*.csv"))
    with duckdb.connect() as db:
        row = db.execute(
            "SELECT SUM(num_users) FROM read_csv($files)"
            " WHERE customer_audience_segment = 'High Value Customer'",
            {"files": files},
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_activate_then_pending_lag_then_usable_after_48_hours(workspace: Workspace) -> None:
    """activate sizes the segment (running segmentation), creates the audience and waits for SUCCEEDED;
    status shows it pending the lag until 48 h after SUCCEEDED, then usable now with AMC's DSP id."""
    code, activated = workspace.cli_json("audience", "activate", "--segment", "high-value")
    assert code == 0, activated
    assert activated["action"] == "created" and activated["status"] == "SUCCEEDED"
    assert activated["state"] == "pending lag" and activated["usable_now"] is False
    assert activated["audience_count"] == activated["segment_size"] == _high_value_users(workspace.folder)
    assert activated["segment_size"] >= 2500

    code, status = workspace.cli_json("audience", "status")
    assert code == 0
    (audience,) = status["audiences"]
    assert set(audience) >= CONTRACT_KEYS
    assert audience["name"] == activated["name"] and audience["segment"] == "high-value"
    assert audience["usable_now"] is False and audience["state"] == "pending lag"
    usable_at = datetime.fromisoformat(audience["usable_in_dsp_at"])
    assert usable_at.utcoffset() == timedelta(0)
    assert usable_at - workspace.clock.now() > timedelta(hours=47, minutes=59)

    workspace.clock.advance(47 * HOUR)
    assert workspace.cli_json("audience", "status")[1]["audiences"][0]["usable_now"] is False
    workspace.clock.advance(1 * HOUR)
    code, status = workspace.cli_json("audience", "status")
    (audience,) = status["audiences"]
    assert audience["usable_now"] is True and audience["state"] == "usable"
    assert audience["dsp_audience_id"]  # the sandbox hands out DSP ids only after its own 48 h

    code, out, _ = workspace.cli("audience", "status")
    assert code == 0 and activated["name"] in out and "usable now" in out


def test_a_second_activation_inside_the_lag_sends_nothing(workspace: Workspace) -> None:
    """Run again (nightly) inside the lag: the same audience is reported and no audience request is sent
    (every audience call would fail); still exactly one audience on AMC."""
    code, first = workspace.cli_json("audience", "activate")
    assert code == 0
    workspace.sandbox.faults.script(NO_AUDIENCE_CALLS)
    workspace.clock.advance(24 * HOUR)
    code, second = workspace.cli_json("audience", "activate")
    assert code == 0, second
    assert second["action"] == "reused" and second["name"] == first["name"]
    assert second["state"] == "pending lag" and second["usable_now"] is False
    workspace.sandbox.faults.clear()
    assert len(workspace.amc_audiences()) == 1


def test_rules_change_rotates_without_a_gap(workspace: Workspace) -> None:
    """New segment rules (here: revenue without shopping insights) create a new audience only once the old
    one is usable; the old one is retired, stays in DSP, and is deleted by a later run once the new one
    is usable in DSP."""
    old_rules = workspace.profile("old.toml", workflows="shopping_insights = true")
    new_rules = workspace.profile("new.toml", workflows="shopping_insights = false")
    code, old = workspace.cli_json("--config", old_rules, "audience", "activate")
    assert code == 0, old

    code, deferred = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0, deferred
    assert deferred["action"] == "deferred" and deferred["name"] != old["name"]
    assert "no second audience" in " ".join(deferred["messages"])
    assert len(workspace.amc_audiences()) == 1

    workspace.clock.advance(48 * HOUR)
    code, new = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0, new
    assert new["action"] == "created" and new["retired"] == [old["name"]] and new["deleted"] == []
    assert {a.audience_name for a in workspace.amc_audiences()} == {old["name"], new["name"]}
    views = {v["name"]: v for v in workspace.cli_json("audience", "status")[1]["audiences"]}
    assert views[old["name"]]["state"] == "retired" and views[old["name"]]["usable_now"] is True
    assert views[new["name"]]["state"] == "pending lag"

    workspace.clock.advance(47 * HOUR)
    code, early = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0 and early["deleted"] == []
    assert len(workspace.amc_audiences()) == 2

    workspace.clock.advance(1 * HOUR)
    code, later = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0 and later["action"] == "reused" and later["deleted"] == [old["name"]]
    assert [a.audience_name for a in workspace.amc_audiences()] == [new["name"]]
    (only,) = workspace.cli_json("audience", "status")[1]["audiences"]
    assert only["name"] == new["name"] and only["usable_now"] is True


def test_below_the_minimum_is_refused_and_nothing_is_sent(workspace: Workspace) -> None:
    """A segment under [audience] min_size: exit 1 naming the size and the minimum; no audience on AMC."""
    profile = workspace.profile("strict.toml", audience="min_size = 100000")
    code, out, err = workspace.cli("--config", profile, "audience", "activate", "--json")
    assert code == 1
    assert "below the minimum of 100,000" in failure(err)
    assert '"exit_code": 1' in out
    assert workspace.amc_audiences() == []


def test_failed_is_surfaced_with_amc_reason(workspace: Workspace) -> None:
    """AMC finishes the audience FAILED: exit 1 with its statusReason; status shows it failed."""
    reason = "Audience size 1200 is below the minimum audience size of 2000 records."
    workspace.sandbox.faults.script(
        [
            {
                "kind": "execution_outcome",
                "status": "FAILED",
                "status_reason": reason,
                "match": "POST /amc/audiences",
            }
        ]
    )
    code, _, err = workspace.cli("audience", "activate")
    assert code == 1
    assert reason in err and "--force" in err
    (audience,) = workspace.cli_json("audience", "status")[1]["audiences"]
    assert (
        audience["status"] == "FAILED" and audience["state"] == "failed" and audience["usable_now"] is False
    )
    assert audience["status_reason"] == reason


def test_needed_by_too_soon_is_refused_before_anything_is_created(workspace: Workspace) -> None:
    """A campaign starting tomorrow cannot use a new audience (48 h lag): exit 1, said plainly, none sent."""
    tomorrow = (workspace.clock.now() + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%MZ")
    code, _, err = workspace.cli("audience", "activate", "--needed-by", tomorrow)
    assert code == 1 and "cannot be usable in Amazon DSP by" in err
    assert workspace.amc_audiences() == []


def test_dry_run_prints_the_request_and_sends_nothing(workspace: Workspace) -> None:
    """--dry-run: the POST line, the audience headers with the token masked, the JSON body; AMC untouched."""
    code, out, _ = workspace.cli("audience", "activate", "--dry-run")
    assert code == 0
    assert out.startswith("POST /amc/audiences/query")
    assert "Authorization: Bearer ***" in out
    assert "Amazon-Marketing-Cloud-Audience-InstanceId: amcsandbox01" in out
    assert '"timeWindowRelative": true' in out and "_for_audiences" in out
    assert workspace.amc_audiences() == []


def test_nightly_run_chains_the_activation_on_its_own_result(workspace: Workspace) -> None:
    """run --workflow segmentation --activate-audience: the audience is sized from that very run (one
    execution in all) and reported under "audience"; the next night reuses it and sends no audience POST."""
    code, night = workspace.cli_json("run", "--workflow", "segmentation", "--activate-audience")
    assert code == 0, night
    audience = night["audience"]
    assert audience["action"] == "created" and audience["status"] == "SUCCEEDED"
    assert audience["segment_size"] == _high_value_users(workspace.folder)
    code, executions = workspace.cli_json("executions", "list")
    assert code == 0 and len(executions["executions"]) == 1
    workspace.sandbox.faults.script([{"kind": "status", "status": 500, "match": "^POST /amc/audiences"}])
    workspace.clock.advance(24 * HOUR)
    code, next_night = workspace.cli_json("run", "--workflow", "segmentation", "--activate-audience")
    assert code == 0, next_night
    assert next_night["audience"]["action"] == "reused"
    assert next_night["audience"]["name"] == audience["name"]
    assert len(workspace.amc_audiences()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--needed-by", "next tuesday"), "--needed-by: not a date"),
        (
            ("--segment", "lowvalue"),
            "unknown segment 'lowvalue'; allowed: high-value, growth-potential, revenue-potential, "
            "low-value, or all",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(workspace: Workspace, args: tuple[str, ...], message: str) -> None:
    """A bad --needed-by or --segment: one line on stderr, exit 2, the JSON object on stdout, nothing sent."""
    code, out, err = workspace.cli("audience", "activate", *args, "--json")
    assert code == 2
    assert message in failure(err)
    assert '"exit_code": 2' in out
    assert workspace.amc_audiences() == []


def test_a_segmentation_run_with_another_threshold_method_does_not_size_the_audience(
    workspace: Workspace,
) -> None:
    """A median run is a different segment: activation runs the mean segmentation itself, and the size it
    checks is the size AMC then reports for the audience."""
    code, _, err = workspace.cli("run", "--workflow", "segmentation", "--param", "threshold_method=median")
    assert code == 0, err
    code, activated = workspace.cli_json("audience", "activate", "--segment", "high-value")
    assert code == 0, activated
    assert activated["audience_count"] == activated["segment_size"]
    runs = {run["execution_id"] for run in workspace.cli_json("status")[1]["runs"]}
    assert len(runs) == 2  # the median run, then the mean run that sized the audience


def test_a_chained_activation_that_is_refused_still_reports_the_run_in_json(workspace: Workspace) -> None:
    """run --activate-audience with a segment below min_size: exit 1, and the one JSON object on stdout holds
    the successful run and what the activation knew (its name, no AMC id), with the error."""
    profile = workspace.profile("strict.toml", audience="min_size = 100000")
    code, night = workspace.cli_json(
        "--config", profile, "run", "--workflow", "segmentation", "--activate-audience"
    )
    assert code == 1 and night["exit_code"] == 1
    assert night["status"] == "SUCCEEDED" and night["rows"] == 4 and night["files"]
    assert night["audience"]["name"].startswith("amc-cltv high-value ")
    assert night["audience"]["audience_execution_id"] is None
    assert "below the minimum of 100,000" in night["error"]
    assert workspace.amc_audiences() == []


def test_a_lost_ledger_adopts_the_audience_and_the_segmentation_from_amc(workspace: Workspace) -> None:
    """A new host: no ledger. The audience is found on AMC by its name and the segment's sizing run is
    adopted from AMC's executions: nothing is created or submitted twice."""
    code, first = workspace.cli_json("audience", "activate", "--segment", "high-value")
    assert code == 0 and first["action"] == "created"
    executions = len(workspace.sandbox.store.all("execution"))
    for path in (workspace.folder / ".amc-cltv").glob("ledger.sqlite*"):
        path.unlink()
    code, again = workspace.cli_json("audience", "activate", "--segment", "high-value")
    assert code == 0, again
    assert again["action"] == "adopted" and again["audience_execution_id"] == first["audience_execution_id"]
    assert [a.audience_execution_id for a in workspace.amc_audiences()] == [first["audience_execution_id"]]
    assert len(workspace.sandbox.store.all("execution")) == executions


def test_a_terminal_night_with_the_audience_prints_what_happened_to_it(workspace: Workspace) -> None:
    """run --activate-audience without --json: after the segment table, the audience's name, AMC id,
    what was done (created, then reused) and AMC's status, as `audience activate` prints them."""
    code, out, err = workspace.cli("run", "--workflow", "segmentation", "--activate-audience")
    assert code == 0, err
    assert "High Value Customer" in out
    (named,) = [line for line in out.splitlines() if line.startswith("audience: ")]
    (created,) = workspace.amc_audiences()
    assert created.audience_name in named and "action: created" in out and "AMC status: SUCCEEDED" in out
    workspace.clock.advance(24 * HOUR)
    code, out, _ = workspace.cli("run", "--workflow", "segmentation", "--activate-audience")
    assert code == 0 and "action: reused" in out and created.audience_name in out

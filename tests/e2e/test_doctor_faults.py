"""``amc-cltv doctor`` when something fails: the failure is put on the component that failed (Login with
Amazon, AMC, the dry run), the checks that could not run are listed as skipped, the whole list keeps within
its budget, and the exit code is the documented one (docs/real-instance.md §3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import Result, Sandbox

pytestmark = pytest.mark.e2e

BUDGET_S = 60


def _states(result: Result) -> dict[str, tuple[str, str]]:
    """Each check's name -> (its state word, the rest of its line)."""
    found = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(ok|PROBLEM|skipped) +([^:]+): (.*)$", line)
        if match:
            found[match.group(2)] = (match.group(1), match.group(3))
    return found


def _amc_checks_skipped(states: dict[str, tuple[str, str]], after: str) -> None:
    """Every check after ``after`` that needs AMC is listed, skipped, saying why; the local ones still ran."""
    names = list(states)
    for name in names[names.index(after) + 1 :]:
        if name in ("DSP advertiser", "state_dir", "output_dir"):
            assert states[name][0] == "ok", (name, states[name])
        else:
            assert states[name][0] == "skipped" and "needs" in states[name][1], (name, states[name])
    for expected in ("AMC instance", "clock", "shopping insights", "workflow segmentation", "output_dir"):
        assert expected in states


def test_a_dead_token_url_is_put_on_login_with_amazon_not_on_amc(served: Sandbox) -> None:
    """AMC answers, Login with Amazon does not: the problem names token_url, never api_url; exit 5."""
    profile = Path(served.config_args[1])
    text = profile.read_text()
    profile.write_text(re.sub(r'token_url = "[^"]+"', 'token_url = "http://127.0.0.1:9/auth/o2/token"', text))
    result = served.cli("doctor")
    assert result.code == 5, result.stdout
    states = _states(result)
    state, line = states["Login with Amazon"]
    assert state == "PROBLEM" and "Login with Amazon did not answer" in line and "[amc] token_url" in line
    assert "api_url" not in result.stdout and "AMC is unreachable" not in result.stdout
    _amc_checks_skipped(states, "Login with Amazon")


@pytest.mark.parametrize("status", [500, 429])
def test_an_error_on_amc_accounts_is_put_on_amc_not_on_login_with_amazon(
    sandbox: Sandbox, status: int
) -> None:
    """The token was obtained, then GET /amc/accounts kept failing: Login with Amazon is ok, the AMC account
    line names AMC's HTTP status and says to try later (not to change the profile); exit 5."""
    sandbox.faults({"kind": "status", "status": status, "match": "^GET /amc/accounts", "times": 0})
    result = sandbox.cli("doctor", "--budget", str(BUDGET_S))
    assert result.code == 5, result.stdout
    states = _states(result)
    assert states["Login with Amazon"][0] == "ok"
    state, line = states["AMC account"]
    assert state == "PROBLEM" and f"HTTP {status}" in line and "run doctor again later" in line
    assert "api_url" not in line
    _amc_checks_skipped(states, "AMC account")


@pytest.mark.parametrize("insights", ["true", "false"])
def test_an_unfinished_dry_run_is_not_read_as_a_missing_subscription(sandbox: Sandbox, insights: str) -> None:
    """AMC does not finish the dry runs within the budget: exit 5 (AMC did not answer in time), and no advice
    on shopping_insights in either direction; the wait stays within the budget."""
    sandbox.app.configure(run_s=3600)
    profile = sandbox.cwd / "profile.toml"
    profile.write_text(
        '[amc]\napi_url = "embedded"\ninstance_id = "amcsandbox01"\nadvertiser_id = "ENTITYSANDBOX0001"\n'
        'marketplace_id = "ATVPDKIKX0DER"\nsynthetic_data = true\n'
        f"[workflows]\nshopping_insights = {insights}\n"
    )
    result = sandbox.cli("--config", str(profile), "doctor", "--budget", str(BUDGET_S))
    assert result.code == 5, result.stdout
    state, line = _states(result)["shopping insights"]
    assert state == "PROBLEM" and "not known yet" in line
    assert "lacks" not in line and "is right for this instance" not in line
    assert "set [workflows] shopping_insights" not in line
    state, line = _states(result)["workflow segmentation"]
    assert state == "PROBLEM" and f"within doctor's budget of {BUDGET_S} s" in line
    assert sum(sandbox.clock.sleeps) <= BUDGET_S


def test_an_execution_stuck_in_an_unknown_status_does_not_hold_doctor(sandbox: Sandbox) -> None:
    """Every status call answers a status AMC never documented: doctor gives up at its budget (not at the
    profile's 12-hour max_wait_s), lists every check and exits 5."""
    sandbox.faults(
        {
            "kind": "unknown_status",
            "status": "AWAITING_CAPACITY",
            "match": "^GET .*/workflowExecutions/",
            "times": 0,
        }
    )
    result = sandbox.cli("doctor", "--budget", str(BUDGET_S), "--json")
    assert result.code == 5
    assert sum(sandbox.clock.sleeps) <= BUDGET_S
    payload = result.json
    assert payload["budget_s"] == BUDGET_S and payload["exit_code"] == 5
    checks = {check["check"]: check for check in payload["checks"]}
    assert checks["workflow segmentation"]["state"] == "problem"
    assert checks["workflow segmentation"]["kind"] == "unreachable"
    assert checks["output_dir"]["state"] == "ok"


def test_the_budget_is_printed_first(sandbox: Sandbox) -> None:
    result = sandbox.cli("doctor", "--budget", "45")
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[0] == "doctor: every check within 45 s (--budget)"


@pytest.mark.parametrize("budget", ["0", "-1", "nan"])
def test_a_bad_budget_is_exit_2(sandbox: Sandbox, budget: str) -> None:
    result = sandbox.cli("doctor", "--budget", budget, "--json")
    assert result.code == 2 and "--budget" in result.json["error"]
    assert sandbox.executions() == []


def test_the_clock_check_reads_the_served_sandboxs_date_not_the_http_servers(served: Sandbox) -> None:
    """``sandbox serve`` answers with two Date headers: the HTTP server's (real time) and the app's (the
    sandbox's clock, here three days on). The tool's clock runs on the sandbox's: the check compares the
    app's, and passes."""
    served.clock.sleep(3 * 86400)
    result = served.cli("doctor")
    state, line = _states(result)["clock"]
    assert state == "ok" and line.startswith("within "), line


def test_data_sources_lists_every_column_the_workflows_read_on_the_sandbox(sandbox: Sandbox) -> None:
    """GET dataSources of the sandbox lists AMC's documented schema: nothing the workflows read is missing."""
    result = sandbox.cli("doctor")
    assert result.code == 0, result.stdout
    state, line = _states(result)["data sources"]
    assert state == "ok" and "every table and column the workflows read" in line


def test_a_renamed_column_and_a_missing_paid_dataset_show_before_any_dry_run(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The instance lists no conversions_all (no paid dataset) and calls dsp_impressions.total_cost
    something else: the data sources line names both, per workflow, with the fix for the dataset; exit 1."""
    from amc_cltv.sandbox import reporting

    listed = reporting.data_source

    def instance_answer(name: str) -> dict[str, object]:
        source = listed(name)
        if name == "dsp_impressions":
            columns = source["columns"]
            assert isinstance(columns, list)
            source["columns"] = [
                {**c, "name": "total_cost_renamed"} if c["name"] == "total_cost" else c for c in columns
            ]
        return source

    monkeypatch.setattr(reporting, "data_source", instance_answer)
    tables = {name: table for name, table in reporting.ALL_TABLES.items() if name != "conversions_all"}
    monkeypatch.setattr(reporting, "ALL_TABLES", tables)
    result = sandbox.cli("doctor", "--json")
    assert result.code == 1
    (check,) = [c for c in result.json["checks"] if c["check"] == "data sources"]
    assert check["state"] == "problem" and check["kind"] == "check"
    assert "segmentation reads conversions_all, which the instance does not list" in check["detail"]
    assert "segmentation reads dsp_impressions.{total_cost}" in check["detail"]
    assert "shopping_insights = false" in check["fix"]

"""``amc-cltv run`` end to end: the real CLI against the embedded sandbox, faults and all."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox
from tests.stderr import failure

pytestmark = pytest.mark.e2e

RUN = ("run", "--workflow", "segmentation")
EXECUTION_POST = r"^POST /amc/reporting/[^/]+/workflowExecutions$"


def assert_intact(folder: Path) -> int:
    """Every file in the manifest is there with its bytes and sha256; no temporary is left. Returns rows."""
    manifest = json.loads((folder / "manifest.json").read_text())
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([*(f["name"] for f in manifest["files"]), "manifest.json"])
    for entry in manifest["files"]:
        content = (folder / entry["name"]).read_bytes()
        assert len(content) == entry["bytes"]
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert content.count(b"\n") - 1 == entry["rows"] or content.count(b"\n") == entry["rows"]
    return sum(f["rows"] for f in manifest["files"])


def test_happy_path_submits_once_downloads_and_prints_the_contract_json(sandbox: Sandbox) -> None:
    """One execution, SUCCEEDED, files with a manifest under output_dir/instance/workflow/execution."""
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    payload = result.json
    for key in ("workflow", "execution_id", "status", "status_reason", "time_window_start", "time_window_end",
                "files", "rows", "exit_code"):  # fmt: skip
        assert key in payload
    assert (payload["workflow"], payload["status"], payload["status_reason"]) == (
        "segmentation",
        "SUCCEEDED",
        None,
    )
    assert payload["exit_code"] == 0 and payload["reused"] is False
    executions = sandbox.executions()
    assert [e["workflowExecutionId"] for e in executions] == [payload["execution_id"]]
    sent = executions[0]
    assert sent["timeWindowType"] == "EXPLICIT" and sent.get("requireSyntheticData") is True
    folder = sandbox.cwd / "results" / "amcsandbox01" / "segmentation" / payload["execution_id"]
    assert [Path(f).parent for f in payload["files"]] == [folder]
    assert assert_intact(folder) == payload["rows"] == 4
    segments = (folder / "part-1.csv").read_text()
    assert "High Value Customer" in segments
    for line in result.stderr.splitlines():  # JSON log lines only, each naming its execution
        event = json.loads(line)
        if "execution_id" in event:
            assert event["workflow"] == "segmentation"


def test_a_terminal_run_prints_the_segment_table_most_valuable_first(sandbox: Sandbox) -> None:
    """The segment table in the order of docs/segments.md §5, whatever order AMC wrote the rows in."""
    result = sandbox.cli(*RUN)
    assert result.code == 0, result.stderr
    assert "customer_audience_segment" in result.stdout
    labels = ("High Value", "Revenue Potential", "Growth Potential", "Low Value")
    positions = [result.stdout.index(f"{label} Customer") for label in labels]
    assert positions == sorted(positions)
    # total_sales and total_spend are per-customer averages: said under the table.
    assert "total_sales, total_spend, cltv: averages per customer, not totals" in result.stdout


def test_running_again_reuses_the_finished_execution(sandbox: Sandbox) -> None:
    """Same workflow, window and SQL: nothing is submitted, the same files are reported."""
    first = sandbox.cli(*RUN, "--json").json
    second = sandbox.cli(*RUN, "--json")
    assert second.code == 0
    assert second.json["execution_id"] == first["execution_id"] and second.json["reused"] is True
    assert second.json["files"] == first["files"]
    assert len(sandbox.executions()) == 1


def test_force_rerun_submits_a_new_execution(sandbox: Sandbox) -> None:
    first = sandbox.cli(*RUN, "--json").json
    again = sandbox.cli(*RUN, "--force-rerun", "--json")
    assert again.code == 0
    assert again.json["execution_id"] != first["execution_id"] and again.json["reused"] is False
    assert len(sandbox.executions()) == 2


def test_a_storm_of_429s_and_5xx_is_ridden_out_with_one_execution(sandbox: Sandbox) -> None:
    """429 (with Retry-After) and 5xx on every kind of call: retried within budget, one execution."""
    sandbox.faults(
        {"kind": "status", "status": 503, "match": r"^POST /amc/reporting/[^/]+/workflows$", "times": 2},
        {"kind": "status", "status": 429, "retry_after": 2, "match": EXECUTION_POST, "times": 2},
        {
            "kind": "status",
            "status": 429,
            "match": r"^GET /amc/reporting/[^/]+/workflowExecutions/",
            "times": 3,
        },
        {"kind": "status", "status": 500, "match": r"downloadUrls$", "times": 2},
        {
            "kind": "status",
            "status": 502,
            "match": r"^GET /amc/reporting/[^/]+/workflowExecutions$",
            "times": 1,
        },
    )
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    assert len(sandbox.executions()) == 1
    assert len(result.events("retrying")) >= 8
    assert sandbox.app.faults.active() == []


def test_rate_limited_beyond_the_budget_exits_5(sandbox: Sandbox) -> None:
    """Every status call 503: the retry budget runs out, exit 5, and the execution is left for a rerun."""
    sandbox.faults({"kind": "status", "status": 503, "match": "^GET .*/workflowExecutions/", "times": 0})
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 5
    assert result.json["exit_code"] == 5 and result.json["execution_id"]
    assert failure(result.stderr) == result.json["error"]
    sandbox.app.faults.clear()
    resumed = sandbox.cli(*RUN, "--json")
    assert resumed.code == 0 and resumed.json["execution_id"] == result.json["execution_id"]
    assert len(sandbox.executions()) == 1


def test_a_dropped_connection_on_the_execution_post_leaves_exactly_one_execution(sandbox: Sandbox) -> None:
    """AMC created the execution but the answer was lost: reconciled and adopted, never posted twice."""
    sandbox.faults({"kind": "drop", "match": EXECUTION_POST, "times": 1})
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    executions = sandbox.executions()
    assert len(executions) == 1
    assert result.json["execution_id"] == executions[0]["workflowExecutionId"]
    assert result.events("submit_ambiguous") and result.events("execution_adopted")


@pytest.mark.parametrize("status", ["FAILED", "REJECTED"])
def test_failed_and_rejected_exit_1_with_amcs_reason(sandbox: Sandbox, status: str) -> None:
    reason = f"synthetic {status.lower()}: too many workflows against the same input data sources"
    sandbox.faults(
        {"kind": "execution_outcome", "match": EXECUTION_POST, "status": status, "status_reason": reason}
    )
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 1
    assert (result.json["status"], result.json["status_reason"], result.json["exit_code"]) == (
        status,
        reason,
        1,
    )
    assert result.json["files"] == []
    assert reason in result.stderr
    assert all(json.loads(line) for line in result.stderr.splitlines())  # JSON lines only, as under cron
    assert result.events("run_not_done")[0]["exit_code"] == 1
    again = sandbox.cli(*RUN, "--json")  # not resubmitted without --force-rerun
    assert again.code == 1 and len(sandbox.executions()) == 1
    assert "--force-rerun" in again.stderr


def test_an_unknown_status_is_logged_and_polled_through(sandbox: Sandbox) -> None:
    sandbox.faults(
        {"kind": "unknown_status", "status": "AWAITING_CAPACITY", "match": "^GET .*/workflowExecutions/"}
    )
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    assert [e["status"] for e in result.events("unknown_status")] == ["AWAITING_CAPACITY"]


def test_an_expired_url_is_re_requested(sandbox: Sandbox) -> None:
    sandbox.faults({"kind": "expired_url", "match": "downloadUrls$", "times": 1})
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    assert result.events("download_retry")[0]["reason"] == "url_expired"
    assert assert_intact(Path(result.json["files"][0]).parent) == 4


def test_a_truncated_download_is_fetched_again_and_never_left_under_its_final_name(sandbox: Sandbox) -> None:
    sandbox.faults({"kind": "truncate", "match": "^GET /s3/", "times": 1})
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    assert result.events("download_retry")[0]["reason"] == "incomplete"
    assert assert_intact(Path(result.json["files"][0]).parent) == 4


def test_downloads_that_stay_truncated_exit_5_with_no_partial_file(sandbox: Sandbox) -> None:
    sandbox.faults({"kind": "truncate", "match": "^GET /s3/", "times": 0})
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 5
    folder = sandbox.cwd / "results" / "amcsandbox01" / "segmentation" / result.json["execution_id"]
    assert list(folder.iterdir()) == []
    sandbox.app.faults.clear()
    assert sandbox.cli(*RUN).code == 0
    assert assert_intact(folder) == 4 and len(sandbox.executions()) == 1


def test_max_wait_exits_4_and_the_next_invocation_resumes(sandbox: Sandbox) -> None:
    """An execution that runs 5 minutes: --max-wait 60 gives exit 4; the same command later finishes it."""
    sandbox.app.configure(run_s=300)
    waited = sandbox.cli(*RUN, "--max-wait", "60", "--json")
    assert waited.code == 4
    assert waited.json["status"] in ("PENDING", "RUNNING") and waited.json["exit_code"] == 4
    assert "run the same command again" in waited.stderr
    assert sum(sandbox.clock.sleeps) <= 60.5
    resumed = sandbox.cli(*RUN, "--json")
    assert resumed.code == 0, resumed.stderr
    assert resumed.json["execution_id"] == waited.json["execution_id"]
    assert len(sandbox.executions()) == 1


def test_no_wait_submits_and_exits_4(sandbox: Sandbox) -> None:
    sandbox.app.configure(run_s=600)
    result = sandbox.cli(*RUN, "--no-wait", "--json")
    assert result.code == 4 and result.json["execution_id"]
    assert sandbox.clock.sleeps == []


def test_dry_run_prints_the_request_and_sends_nothing(sandbox: Sandbox) -> None:
    result = sandbox.cli(*RUN, "--dry-run")
    assert result.code == 0
    request = json.loads(result.stdout)
    assert request["execution"]["body"]["workflowId"] == "amc_cltv.segmentation"
    assert request["execution"]["body"]["timeWindowType"] == "EXPLICIT"
    assert sandbox.executions() == [] and sandbox.app.store.all("workflow") == []


def test_bad_input_is_one_line_and_exit_2(sandbox: Sandbox) -> None:
    for args in (
        ("--window-end", "2999-01-01"),
        ("--window-days", "500"),
        ("--param", "threshold_method=bogus"),
        ("--window-end", "yesterday"),
    ):
        result = sandbox.cli(*RUN, *args, "--json")
        assert result.code == 2, args
        assert result.json["exit_code"] == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert sandbox.executions() == []


def test_an_audience_query_is_refused_as_a_reporting_run(sandbox: Sandbox) -> None:
    """AMC would reject the audience query as a reporting execution: say so before sending anything."""
    result = sandbox.cli("run", "--workflow", "high-value-audience", "--json")
    assert result.code == 2
    assert "audience activate" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sandbox.executions() == [] and sandbox.app.store.all("workflow") == []


def test_a_wide_result_is_cut_to_the_terminal_keeping_the_key_and_cltv_columns() -> None:
    """On a narrow terminal the summary keeps the first column and the CLTV, drops what does not fit and
    keeps the CSV's column order; a wide terminal shows everything."""
    from amc_cltv.cli.run import _fitting_columns

    columns = ["tracked_asin", "avg_purchase_frequency_ratio", "dsp_spend", "total_spend", "cltv"]
    rows = [["B0SBX00001", "0.97", "1,234.56", "6.14", "2.04"]]
    narrow = _fitting_columns(columns, rows, 48)
    assert [columns[i] for i in narrow] == ["tracked_asin", "total_spend", "cltv"]
    assert _fitting_columns(columns, rows, 200) == [0, 1, 2, 3, 4]
    assert _fitting_columns(columns, rows, 5) == [0]  # the key column even when nothing fits


def test_on_a_terminal_the_progress_line_shows_status_elapsed_and_next_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The live line a person sees while waiting; under cron (not a terminal) there is none, but the
    --json partial object is fed either way."""
    import io

    from rich.console import Console

    from amc_cltv.cli import common
    from amc_cltv.cli.run import _Progress

    screen = io.StringIO()
    monkeypatch.setattr(
        common, "stderr_console", lambda: Console(file=screen, force_terminal=True, width=100)
    )
    common.reset_invocation()
    progress = _Progress("segmentation", interactive=True)
    try:
        progress("submitted", {"execution_id": "e1", "status": "PENDING"})
        progress("poll", {"execution_id": "e1", "status": "RUNNING", "elapsed_s": 3725.4, "next_poll_s": 300})
        assert progress.status is not None
        line = str(progress.status.renderable.text)
        assert line == "segmentation e1: RUNNING, elapsed 1:02:05, next poll in 300 s"
    finally:
        progress.stop()
    assert common.invocation().json_partial == {"execution_id": "e1", "status": "RUNNING"}

    quiet = _Progress("segmentation", interactive=False)
    quiet("poll", {"execution_id": "e2", "status": "PENDING", "elapsed_s": 1, "next_poll_s": 30})
    assert quiet.status is None and common.invocation().json_partial["execution_id"] == "e2"

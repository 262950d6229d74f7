"""Executions move PENDING -> RUNNING -> SUCCEEDED/FAILED/REJECTED on the sandbox clock, across processes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from amc_cltv.sandbox import GenerationStats
from amc_cltv.sandbox.app import SandboxApp
from amc_cltv.sandbox.engine import Engine

from .conftest import NOW, SQL, Api


def _download(api: Api, url: str) -> str:
    response = api.http.get(url)
    assert response.status_code == 200, response.text
    return response.text


def test_execution_takes_its_queue_and_run_time_in_sandbox_time(app: SandboxApp, api: Api) -> None:
    """With 'hours' configured, the status changes only when the clock is advanced past each step."""
    app.configure(queue_s=600, run_s=3 * 3600)
    execution_id = api.submit()["workflowExecutionId"]
    assert api.status(execution_id)["status"] == "PENDING"
    app.clock.advance(599)
    assert api.status(execution_id)["status"] == "PENDING"
    app.clock.advance(1)
    assert api.status(execution_id)["status"] == "RUNNING"
    app.clock.advance(3 * 3600 - 1)
    assert api.status(execution_id)["status"] == "RUNNING"
    app.clock.advance(1)
    done = api.status(execution_id)
    assert done["status"] == "SUCCEEDED"
    assert done["outputChannels"] == [{"channel": {"type": "DOWNLOAD"}, "status": "AVAILABLE"}]


def test_at_most_ten_run_at_once_and_the_rest_wait_pending(app: SandboxApp, api: Api) -> None:
    """Twelve submissions: ten RUNNING, two PENDING; the two start when slots free up."""
    app.configure(queue_s=1, run_s=3600)
    ids = [api.submit()["workflowExecutionId"] for _ in range(12)]
    app.clock.advance(2)
    statuses = [api.status(i)["status"] for i in ids]
    assert statuses.count("RUNNING") == 10
    assert statuses[10:] == ["PENDING", "PENDING"]
    app.clock.advance(3600)
    statuses = [api.status(i)["status"] for i in ids]
    assert statuses[:10] == ["SUCCEEDED"] * 10
    assert statuses[10:] == ["RUNNING", "RUNNING"]


def test_cancel_running_execution_and_400_on_a_terminal_one(app: SandboxApp, api: Api) -> None:
    """PUT status CANCELLED stops a running execution; a finished one answers 400."""
    app.configure(queue_s=1, run_s=3600)
    execution_id = api.submit()["workflowExecutionId"]
    app.clock.advance(2)
    assert api.status(execution_id)["status"] == "RUNNING"
    assert api.r("PUT", f"workflowExecutions/{execution_id}", json={"status": "CANCELLED"}).json() == {}
    app.clock.advance(7200)
    assert api.status(execution_id)["status"] == "CANCELLED"
    again = api.r("PUT", f"workflowExecutions/{execution_id}", json={"status": "CANCELLED"})
    assert again.status_code == 400
    assert "CANCELLED" in again.json()["details"]


def test_rule_violations_are_rejected_and_runtime_errors_fail(app: SandboxApp, api: Api) -> None:
    """LIMIT -> REJECTED with AMC's reason; a cast error -> FAILED with the engine's message."""
    rejected = api.submit("SELECT COUNT(1) AS n FROM conversions_all LIMIT 10")["workflowExecutionId"]
    failed = api.submit("SELECT CAST(event_subtype AS INTEGER) AS n FROM conversions_all")[
        "workflowExecutionId"
    ]
    app.clock.advance(1)
    assert (api.status(rejected)["status"], "LIMIT" in str(api.status(rejected)["statusReason"])) == (
        "REJECTED",
        True,
    )
    assert api.status(failed)["status"] == "FAILED"
    assert "Conversion Error" in str(api.status(failed)["statusReason"])
    unavailable = api.r("GET", f"workflowExecutions/{failed}/downloadUrls")
    assert unavailable.status_code == 400
    assert unavailable.json()["details"] == f"Execution with ID {failed} is unavailable for download."


def test_sandbox_executions_must_require_synthetic_data(app: SandboxApp, api: Api) -> None:
    """As on AMC's sandbox instance: accepted with 200, then FAILED at compile time."""
    execution_id = api.submit(requireSyntheticData=False)["workflowExecutionId"]
    app.clock.advance(1)
    status = api.status(execution_id)
    assert status["status"] == "FAILED"
    assert "requireSyntheticData" in str(status["statusReason"])


def test_saved_workflow_with_parameters_and_include_workflow(app: SandboxApp, api: Api) -> None:
    """Declared parameters take defaults or parameterValues, typed; includeWorkflow returns the SQL."""
    sql = "SELECT COUNT(1) AS n FROM conversions_all WHERE total_units_sold >= CUSTOM_PARAMETER('min_units')"
    api.r(
        "POST",
        "workflows",
        json={
            "workflowId": "p",
            "sqlQuery": sql,
            "inputParameters": [{"name": "min_units", "dataType": "INTEGER", "defaultValue": "1"}],
        },
    )
    body = {
        "workflowId": "p",
        "timeWindowType": "EXPLICIT",
        "timeWindowStart": "2026-01-01T00:00:00",
        "timeWindowEnd": "2026-11-01T00:00:00",
        "requireSyntheticData": True,
    }
    all_units = api.r("POST", "workflowExecutions", json=body).json()["workflowExecutionId"]
    many = api.r("POST", "workflowExecutions", json={**body, "parameterValues": {"min_units": "3"}}).json()[
        "workflowExecutionId"
    ]
    app.clock.advance(1)
    counts = []
    for execution_id in (all_units, many):
        url = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"][0]
        counts.append(int(_download(api, url).splitlines()[1]))
    assert counts[0] > counts[1] > 0
    assert (
        api.r("GET", f"workflowExecutions/{many}", params={"includeWorkflow": "true"}).json()["sqlQuery"]
        == sql
    )
    assert "sqlQuery" not in api.status(many)


def test_state_persists_across_processes_sharing_the_state_dir(app: SandboxApp, api: Api) -> None:
    """A second app on the same state_dir (a new CLI process) sees the work and finishes it."""
    app.configure(queue_s=1, run_s=1)
    execution_id = api.submit()["workflowExecutionId"]
    later = SandboxApp(app.state_dir, base_now=lambda: NOW)
    later.clock.advance(5)
    other = Api(later)
    assert other.status(execution_id)["status"] == "SUCCEEDED"
    assert api.status(execution_id)["status"] == "SUCCEEDED"


def test_results_split_into_parts_above_the_row_threshold(app: SandboxApp, api: Api) -> None:
    """Rows above max_rows_per_file go to part-2.csv, ...; never more than five URLs."""
    app.configure(max_rows_per_file=1000)
    sql = "SELECT user_id, event_dt_utc FROM conversions_all"
    execution_id = api.submit(sql, disableAggregationControls=True)["workflowExecutionId"]
    app.clock.advance(1)
    urls = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"]
    assert 2 <= len(urls) <= 5
    assert [u.split("?")[0].rsplit("/", 1)[1] for u in urls] == [
        f"part-{i}.csv" for i in range(1, len(urls) + 1)
    ]
    rows = [list(csv.reader(io.StringIO(_download(api, url))))[1:] for url in urls]
    assert all(len(part) <= max(1000, sum(map(len, rows)) // 5 + 1) for part in rows)
    assert rows[0][0][1].endswith(".000")  # AMC's timestamp format


def test_same_sql_through_the_sandbox_as_straight_duckdb_over_the_parquet(app: SandboxApp, api: Api) -> None:
    """The sandbox's CSV equals DuckDB over the generated Parquet files, filtered to the window by hand."""
    sql = (
        "SELECT tracked_asin, COUNT(DISTINCT user_id) AS buyers, SUM(total_product_sales) AS sales "
        "FROM conversions_all WHERE event_subtype = 'order' GROUP BY tracked_asin"
    )
    execution_id = api.submit(sql)["workflowExecutionId"]
    app.clock.advance(1)
    url = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"][0]
    through_sandbox = sorted(tuple(r) for r in list(csv.reader(io.StringIO(_download(api, url))))[1:])
    data = Path(app.state_dir) / "data" / "conversions_all.parquet"
    direct = (
        duckdb.connect()
        .execute(
            "SELECT tracked_asin, COUNT(DISTINCT user_id), SUM(total_product_sales) FROM read_parquet(?) "
            "WHERE event_subtype = 'order' AND event_dt_utc >= TIMESTAMP '2026-01-01' "
            "AND event_dt_utc < TIMESTAMP '2026-11-01' "
            "GROUP BY tracked_asin",
            [str(data)],
        )
        .fetchall()
    )
    assert through_sandbox == sorted((str(a), str(b), f"{c:.4f}") for a, b, c in direct)
    engine = Engine.over_parquet(Path(app.state_dir) / "data")
    again = engine.execute(
        sql,
        time_window_start=datetime(2026, 1, 1, tzinfo=UTC),
        time_window_end=datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert again.row_count == len(direct)


def test_two_processes_polling_at_once_compute_each_execution_once(app: SandboxApp, api: Api) -> None:
    """Two apps on one state_dir (two CLI processes) poll in parallel threads: every execution ends
    SUCCEEDED exactly once, with one set of result files."""
    import threading

    ids = [api.submit()["workflowExecutionId"] for _ in range(6)]
    app.clock.advance(1)
    other = Api(SandboxApp(app.state_dir, base_now=lambda: NOW))
    seen: dict[str, list[object]] = {"a": [], "b": []}

    def poll(client: Api, key: str) -> None:
        for execution_id in ids:
            seen[key].append(client.status(execution_id)["status"])

    threads = [
        threading.Thread(target=poll, args=(api, "a")),
        threading.Thread(target=poll, args=(other, "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finals = [api.status(i) for i in ids]
    assert {str(f["status"]) for f in finals} == {"SUCCEEDED"}
    assert set(seen["a"] + seen["b"]) <= {"PENDING", "RUNNING", "SUCCEEDED"}  # never a half-written state
    for execution_id in ids:
        assert [p.name for p in sorted((Path(app.state_dir) / "results" / str(execution_id)).iterdir())] == [
            "part-1.csv"
        ]


def test_an_execution_running_past_its_timeout_fails(app: SandboxApp, api: Api) -> None:
    """workflowExecutionTimeoutSeconds bounds the RUNNING time: past it the execution FAILS and says so."""
    app.configure(queue_s=1, run_s=7200)
    execution_id = api.submit(workflowExecutionTimeoutSeconds=900)["workflowExecutionId"]
    app.clock.advance(1 + 899)
    assert api.status(execution_id)["status"] == "RUNNING"
    app.clock.advance(1)
    timed_out = api.status(execution_id)
    assert (timed_out["status"], timed_out["statusReason"]) == (
        "FAILED",
        "Workflow execution timed out after 900 seconds.",
    )


def test_data_is_generated_on_first_use_ending_on_the_sandbox_clocks_today(tmp_path: Path) -> None:
    """A fresh state_dir has no data until an execution needs it; then it is generated once, as configured."""
    fresh = SandboxApp(tmp_path / "fresh", base_now=lambda: NOW)
    fresh.configure(users=1500, seed=11)
    api = Api(fresh)
    execution_id = api.submit()["workflowExecutionId"]
    assert not (tmp_path / "fresh" / "data").exists()
    fresh.clock.advance(1)
    assert api.status(execution_id)["status"] == "SUCCEEDED"
    stats = GenerationStats.read(tmp_path / "fresh" / "data")
    assert stats is not None
    assert (stats.users, stats.seed, stats.end_date) == (1500, 11, NOW.date())


def test_an_internal_error_fails_the_execution_instead_of_wedging_the_sandbox(
    app: SandboxApp, api: Api
) -> None:
    """If results cannot be written (here: a file where the results folder should be), the execution FAILS
    with an internal-error reason and the sandbox keeps answering."""
    (Path(app.state_dir) / "results").write_text("in the way")
    execution_id = api.submit()["workflowExecutionId"]
    app.clock.advance(1)
    status = api.status(execution_id)
    assert status["status"] == "FAILED"
    assert str(status["statusReason"]).startswith("Internal error:")
    assert api.r("GET", "workflows").status_code == 200


def test_declared_output_columns_are_checked_against_the_query(app: SandboxApp, api: Api) -> None:
    """A workflow whose outputColumns do not match what its SQL outputs is REJECTED; a match runs."""
    good = [{"name": "event_subtype"}, {"name": "users"}]
    api.r("POST", "workflows", json={"workflowId": "ok", "sqlQuery": SQL, "outputColumns": good})
    api.r("POST", "workflows", json={"workflowId": "bad", "sqlQuery": SQL, "outputColumns": [{"name": "x"}]})
    window = {
        "timeWindowType": "EXPLICIT",
        "timeWindowStart": "2026-01-01T00:00:00",
        "timeWindowEnd": "2026-11-01T00:00:00",
        "requireSyntheticData": True,
    }
    ok = api.r("POST", "workflowExecutions", json={"workflowId": "ok", **window}).json()[
        "workflowExecutionId"
    ]
    bad = api.r("POST", "workflowExecutions", json={"workflowId": "bad", **window}).json()[
        "workflowExecutionId"
    ]
    app.clock.advance(1)
    assert api.status(ok)["status"] == "SUCCEEDED"
    rejected = api.status(bad)
    assert rejected["status"] == "REJECTED"
    assert "outputColumns" in str(rejected["statusReason"])


def test_too_many_executions_over_overlapping_windows_are_rejected_with_amcs_message(
    app: SandboxApp, api: Api
) -> None:
    """With overlap_limit 1, a second execution reading the same table over an overlapping window is REJECTED
    with the execute-workflow guide's message; one over a window that does not overlap runs."""
    app.configure(overlap_limit=1)
    first = api.submit()["workflowExecutionId"]
    app.clock.advance(1)
    assert api.status(first)["status"] == "SUCCEEDED"
    again = api.submit(timeWindowStart="2026-06-01T00:00:00")["workflowExecutionId"]
    elsewhere = api.submit(timeWindowStart="2025-01-01T00:00:00", timeWindowEnd="2025-06-01T00:00:00")
    app.clock.advance(1)
    rejected = api.status(again)
    assert rejected["status"] == "REJECTED"
    assert rejected["statusReason"] == (
        f'Execution "{again}" of workflow "{rejected["workflowId"]}" could not be run because too many '
        "workflows have already been run against the same input data sources in the same or overlapping "
        "time windows."
    )
    assert api.status(str(elsewhere["workflowExecutionId"]))["status"] == "SUCCEEDED"

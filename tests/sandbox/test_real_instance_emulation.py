"""What a real instance does that the default sandbox does not: an instance without the paid shopping dataset,
and AMC's dryRun (validate and compile, never run, no output)."""

from __future__ import annotations

from typing import Any

from amc_cltv.sandbox.app import SandboxApp

from .conftest import Api

CONVERSIONS_ALL_SQL = "SELECT SUM(conversions) AS conversions FROM conversions_all"
AUDIENCE_SQL = (
    "SELECT user_id FROM conversions_all_for_audiences WHERE event_subtype = 'order' GROUP BY user_id"
)


def _finish(app: SandboxApp, api: Api, execution_id: object) -> dict[str, Any]:
    app.clock.advance(3600)
    return dict(api.status(execution_id))


def test_without_shopping_insights_conversions_all_is_rejected_at_compile_time(
    app: SandboxApp, api: Api
) -> None:
    """The setting shopping_insights=false emulates an instance without the paid dataset: a reporting query on
    conversions_all is REJECTED with a message that does not name the subscription (as AMC's does), the
    instance lists no optional dataset, and conversions still works."""
    app.configure(shopping_insights=False)
    rejected = _finish(app, api, api.submit(CONVERSIONS_ALL_SQL)["workflowExecutionId"])
    assert rejected["status"] == "REJECTED"
    assert rejected["statusReason"] == "Table or view not found: conversions_all."
    assert "subscription" not in str(rejected["statusReason"]).lower()
    plain = _finish(
        app, api, api.submit("SELECT SUM(conversions) AS c FROM conversions")["workflowExecutionId"]
    )
    assert plain["status"] == "SUCCEEDED"
    instances = api.r("GET", "/amc/instances").json()["instances"]
    assert instances[0]["optionalDatasets"] == []


def test_an_audience_may_read_conversions_all_without_the_subscription(app: SandboxApp, api: Api) -> None:
    app.configure(shopping_insights=False, min_audience_size=10)
    body = {
        "audienceName": "High value",
        "advertiserId": "1234567890",
        "query": AUDIENCE_SQL,
        "timeWindowStart": "2026-01-01T00:00:00Z",
        "timeWindowEnd": "2026-11-01T00:00:00Z",
        "refreshRateDays": 7,
    }
    audience_id = api.r("POST", "/amc/audiences/query", json=body).json()["audienceExecutionId"]
    app.clock.advance(3600)
    assert api.r("GET", f"/amc/audiences/query/{audience_id}").json()["status"] == "SUCCEEDED"


def test_shopping_insights_setting_is_a_boolean(app: SandboxApp, api: Api) -> None:
    bad = api.http.post("/_sandbox/settings", json={"shopping_insights": 3})
    assert bad.status_code == 400
    assert "true or false" in bad.text


def test_dry_run_compiles_but_never_runs(app: SandboxApp, api: Api) -> None:
    """A dry run of a query that fails only while running (a cast of text to a number) SUCCEEDS without
    output, while the real run FAILS; a query AMC rejects at compile time is REJECTED by the dry run too."""
    runtime_failure = "SELECT SUM(CAST(tracked_asin AS INTEGER)) AS n FROM conversions"
    dry = _finish(app, api, api.submit(runtime_failure, dryRun=True)["workflowExecutionId"])
    assert dry["status"] == "SUCCEEDED"
    assert api.r("GET", f"workflowExecutions/{dry['workflowExecutionId']}/downloadUrls").status_code == 400
    real = _finish(app, api, api.submit(runtime_failure)["workflowExecutionId"])
    assert real["status"] == "FAILED"
    rejected = _finish(
        app, api, api.submit("SELECT user_id FROM conversions", dryRun=True)["workflowExecutionId"]
    )
    assert rejected["status"] == "REJECTED"
    assert "user_id" in str(rejected["statusReason"])


def _csv(api: Api, execution_id: object) -> list[list[str]]:
    urls = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"]
    text = api.http.get(urls[0]).text
    return [line.split(",") for line in text.strip().splitlines()]


def test_aggregation_threshold_drops_rows_unless_asked_to_mark_them(app: SandboxApp, api: Api) -> None:
    """Under the threshold (read from the row's user count), AMC drops a row silently; a workflow with
    filteredMetricsDiscriminatorColumn gets the rows re-aggregated into one, marked, with the reason."""
    app.configure(aggregation_threshold=10**9)
    sql = "SELECT event_subtype, COUNT(DISTINCT user_id) AS users FROM conversions_all GROUP BY event_subtype"
    plain = api.submit(sql)["workflowExecutionId"]
    assert _finish(app, api, plain)["status"] == "SUCCEEDED"
    assert _csv(api, plain) == [["event_subtype", "users"]]
    body = {
        "workflow": {"sqlQuery": sql, "filteredMetricsDiscriminatorColumn": "f", "filteredReasonColumn": "r"}
    }
    response = api.r(
        "POST",
        "workflowExecutions",
        json={
            **body,
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2026-01-01T00:00:00",
            "timeWindowEnd": "2026-11-01T00:00:00",
            "requireSyntheticData": True,
        },
    )
    marked = response.json()["workflowExecutionId"]
    assert _finish(app, api, marked)["status"] == "SUCCEEDED"
    header, *rows = _csv(api, marked)
    assert header == ["event_subtype", "users", "f", "r"]
    (row,) = rows
    assert row[0] == "" and int(row[1]) > 0 and row[2] == "true"
    assert row[3] == f"'users' users < {10**9} required"

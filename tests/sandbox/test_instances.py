"""``instances = N``: one sandbox serves amcsandbox01 .. amcsandboxNN, each with its own workflows, its own
executions and its own limit of concurrent executions (what a fleet of instance profiles needs)."""

from __future__ import annotations

from amc_cltv.sandbox.app import SandboxApp

from .conftest import SQL, Api

SECOND = "/amc/reporting/amcsandbox02"
BODY = {
    "timeWindowType": "EXPLICIT",
    "timeWindowStart": "2026-01-01T00:00:00",
    "timeWindowEnd": "2026-11-01T00:00:00",
    "requireSyntheticData": True,
}


def test_an_instance_beyond_the_setting_is_not_found(app: SandboxApp, api: Api) -> None:
    assert api.r("GET", f"{SECOND}/workflows").status_code == 404
    app.configure(instances=2)
    assert api.r("GET", f"{SECOND}/workflows").status_code == 200
    assert api.r("GET", "/amc/reporting/amcsandbox03/workflows").status_code == 404


def test_each_instance_has_its_own_workflows_and_executions(app: SandboxApp, api: Api) -> None:
    """The same workflow id is created on two instances; each lists only its own executions."""
    app.configure(instances=2)
    workflow = {"workflowId": "cltv", "sqlQuery": SQL}
    assert api.r("POST", "workflows", json=workflow).status_code == 200
    assert api.r("POST", f"{SECOND}/workflows", json=workflow).status_code == 200
    assert api.r("POST", f"{SECOND}/workflows", json=workflow).status_code == 400  # already exists there
    first = api.r("POST", "workflowExecutions", json={**BODY, "workflowId": "cltv"}).json()
    second = api.r("POST", f"{SECOND}/workflowExecutions", json={**BODY, "workflowId": "cltv"}).json()
    assert second["instanceId"] == "amcsandbox02"
    listed = api.r("GET", f"{SECOND}/workflowExecutions", params={"workflowId": "cltv"}).json()
    assert [e["workflowExecutionId"] for e in listed["executions"]] == [second["workflowExecutionId"]]
    other = api.r("GET", f"{SECOND}/workflowExecutions/{first['workflowExecutionId']}")
    assert other.status_code == 404  # another instance's execution


def test_the_concurrency_limit_counts_each_instance_alone(app: SandboxApp, api: Api) -> None:
    """With one slot per instance, one execution runs on each of two instances at the same time."""
    app.configure(instances=2, max_concurrent=1, queue_s=1, run_s=3600)
    inline = {**BODY, "workflow": {"sqlQuery": SQL}}
    ids = [
        api.r("POST", path, json=inline).json()["workflowExecutionId"]
        for path in ("workflowExecutions", "workflowExecutions", f"{SECOND}/workflowExecutions")
    ]
    app.clock.advance(2)
    assert api.status(ids[0])["status"] == "RUNNING"
    assert api.status(ids[1])["status"] == "PENDING"  # the first instance's one slot is taken
    assert api.r("GET", f"{SECOND}/workflowExecutions/{ids[2]}").json()["status"] == "RUNNING"


def test_the_same_query_on_many_instances_is_computed_once(app: SandboxApp, api: Api) -> None:
    """The data never changes under a state folder: a second execution of the same query and window gets
    a copy of the first one's files (one entry in results/_cache), its own folder all the same."""
    app.configure(instances=2, queue_s=0, run_s=1)
    inline = {**BODY, "workflow": {"sqlQuery": SQL}}
    first = api.r("POST", "workflowExecutions", json=inline).json()["workflowExecutionId"]
    second = api.r("POST", f"{SECOND}/workflowExecutions", json=inline).json()["workflowExecutionId"]
    app.clock.advance(2)
    assert api.status(first)["status"] == "SUCCEEDED"
    assert api.r("GET", f"{SECOND}/workflowExecutions/{second}").json()["status"] == "SUCCEEDED"
    results = app.state_dir / "results"
    assert len(list((results / "_cache").iterdir())) == 1
    assert (results / first / "part-1.csv").read_bytes() == (results / second / "part-1.csv").read_bytes()

"""Every resource call puts the right method, path, headers and body on the wire."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.client.models import (
    AudienceRequest,
    CreateWorkflowExecution,
    Schedule,
    Workflow,
)
from tests.client.conftest import ACCESS_TOKEN, ADVERTISER, CLIENT_ID, INSTANCE, MARKETPLACE, REPORTING

WORKFLOW = Workflow(workflow_id="cltv_segmentation", sql_query="SELECT 1 AS x")
SCHEDULE = Schedule(schedule_id="nightly", workflow_id="cltv_segmentation", aggregation_period="Daily")
AUDIENCE = AudienceRequest(
    audience_name="cltv high value",
    advertiser_id="1234567890",
    query="SELECT user_id FROM conversions_for_audiences",
    time_window_start="2024-01-01T00:00:00Z",
    time_window_end="2024-12-31T00:00:00Z",
    time_window_relative=True,
    refresh_rate_days=7,
)
EXECUTION = {"workflowExecutionId": "e-1", "status": "PENDING"}
AUDIENCE_ANSWER = {"audienceExecutionId": "a-1", "status": "PENDING"}


@dataclass(frozen=True)
class Case:
    name: str
    call: Callable[[AmcClient], Any]
    method: str
    path: str
    family: str  # accounts | reporting | audience
    body: Any = None
    answer: Any = None
    params: dict[str, str] | None = None


CASES = [
    Case(
        "accounts.list",
        lambda c: c.accounts.list(),
        "GET",
        "/amc/accounts",
        "accounts",
        answer={"amcAccounts": []},
    ),
    Case("instances.list", lambda c: c.instances.list(), "GET", "/amc/instances", "reporting", answer={}),
    Case(
        "instances.get",
        lambda c: c.instances.get(),
        "GET",
        f"/amc/instances/{INSTANCE}",
        "reporting",
        answer={"instance": {"instanceId": INSTANCE}},
    ),
    Case(
        "instances.advertisers",
        lambda c: c.instances.advertisers(),
        "GET",
        f"/amc/instances/{INSTANCE}/advertisers",
        "reporting",
        answer={"advertisers": []},
    ),
    Case(
        "workflows.create",
        lambda c: c.workflows.create(WORKFLOW),
        "POST",
        f"{REPORTING}/workflows",
        "reporting",
        body={"workflowId": "cltv_segmentation", "sqlQuery": "SELECT 1 AS x"},
        answer={},
    ),
    Case(
        "workflows.get",
        lambda c: c.workflows.get("cltv_segmentation"),
        "GET",
        f"{REPORTING}/workflows/cltv_segmentation",
        "reporting",
        answer={"workflowId": "cltv_segmentation"},
    ),
    Case(
        "workflows.list",
        lambda c: c.workflows.list(),
        "GET",
        f"{REPORTING}/workflows",
        "reporting",
        answer={},
    ),
    Case(
        "workflows.update",
        lambda c: c.workflows.update(WORKFLOW),
        "PUT",
        f"{REPORTING}/workflows/cltv_segmentation",
        "reporting",
        body={"workflowId": "cltv_segmentation", "sqlQuery": "SELECT 1 AS x"},
        answer={},
    ),
    Case(
        "workflows.delete",
        lambda c: c.workflows.delete("cltv_segmentation"),
        "DELETE",
        f"{REPORTING}/workflows/cltv_segmentation",
        "reporting",
        answer={},
    ),
    Case(
        "executions.create (saved)",
        lambda c: c.executions.create(
            CreateWorkflowExecution(
                workflow_id="cltv_segmentation",
                time_window_type="EXPLICIT",
                time_window_start="2024-01-01T00:00:00",
                time_window_end="2025-01-01T00:00:00",
                time_window_time_zone="UTC",
                parameter_values={"min_orders": "2"},
                require_synthetic_data=True,
            )
        ),
        "POST",
        f"{REPORTING}/workflowExecutions",
        "reporting",
        body={
            "workflowId": "cltv_segmentation",
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2024-01-01T00:00:00",
            "timeWindowEnd": "2025-01-01T00:00:00",
            "timeWindowTimeZone": "UTC",
            "parameterValues": {"min_orders": "2"},
            "requireSyntheticData": True,
        },
        answer=EXECUTION,
    ),
    Case(
        "executions.create (ad hoc)",
        lambda c: c.executions.create(CreateWorkflowExecution(workflow=Workflow(sql_query="SELECT 2 AS y"))),
        "POST",
        f"{REPORTING}/workflowExecutions",
        "reporting",
        body={"workflow": {"sqlQuery": "SELECT 2 AS y"}},
        answer=EXECUTION,
    ),
    Case(
        "executions.get",
        lambda c: c.executions.get("e-1"),
        "GET",
        f"{REPORTING}/workflowExecutions/e-1",
        "reporting",
        answer=EXECUTION,
    ),
    Case(
        "executions.list",
        lambda c: c.executions.list(
            workflow_id="cltv_segmentation",
            min_creation_time="2024-01-01T00:00:00",
            include_cancelled=True,
            sort_ascending=False,
            include_workflow=False,
            time_zone="UTC",
            limit=50,
            max_creation_time="2024-02-01T00:00:00",
        ),
        "GET",
        f"{REPORTING}/workflowExecutions",
        "reporting",
        answer={"executions": []},
        params={
            "workflowId": "cltv_segmentation",
            "minCreationTime": "2024-01-01T00:00:00",
            "maxCreationTime": "2024-02-01T00:00:00",
            "includeCancelled": "true",
            "sortAscending": "false",
            "includeWorkflow": "false",
            "timeZone": "UTC",
            "limit": "50",
        },
    ),
    Case(
        "executions.cancel",
        lambda c: c.executions.cancel("e-1"),
        "PUT",
        f"{REPORTING}/workflowExecutions/e-1",
        "reporting",
        body={"status": "CANCELLED"},
        answer={},
    ),
    Case(
        "executions.download_urls",
        lambda c: c.executions.download_urls("e-1"),
        "GET",
        f"{REPORTING}/workflowExecutions/e-1/downloadUrls",
        "reporting",
        answer={"downloadUrls": []},
    ),
    Case(
        "schedules.create",
        lambda c: c.schedules.create(SCHEDULE),
        "POST",
        f"{REPORTING}/schedules",
        "reporting",
        body={"scheduleId": "nightly", "workflowId": "cltv_segmentation", "aggregationPeriod": "Daily"},
        answer={},
    ),
    Case(
        "schedules.get",
        lambda c: c.schedules.get("nightly"),
        "GET",
        f"{REPORTING}/schedules/nightly",
        "reporting",
        answer={"schedule": {"scheduleId": "nightly"}},
    ),
    Case(
        "schedules.list",
        lambda c: c.schedules.list(),
        "GET",
        f"{REPORTING}/schedules",
        "reporting",
        answer={},
    ),
    Case(
        "schedules.update",
        lambda c: c.schedules.update(SCHEDULE),
        "PUT",
        f"{REPORTING}/schedules/nightly",
        "reporting",
        body={"scheduleId": "nightly", "workflowId": "cltv_segmentation", "aggregationPeriod": "Daily"},
        answer={},
    ),
    Case(
        "schedules.delete",
        lambda c: c.schedules.delete("nightly"),
        "DELETE",
        f"{REPORTING}/schedules/nightly",
        "reporting",
        answer={},
    ),
    Case(
        "audiences.create",
        lambda c: c.audiences.create(AUDIENCE),
        "POST",
        "/amc/audiences/query",
        "audience",
        body={
            "audienceName": "cltv high value",
            "advertiserId": "1234567890",
            "timeWindowStart": "2024-01-01T00:00:00Z",
            "timeWindowEnd": "2024-12-31T00:00:00Z",
            "query": "SELECT user_id FROM conversions_for_audiences",
            "timeWindowRelative": True,
            "refreshRateDays": 7,
        },
        answer=AUDIENCE_ANSWER,
    ),
    Case(
        "audiences.get",
        lambda c: c.audiences.get("a-1"),
        "GET",
        "/amc/audiences/query/a-1",
        "audience",
        answer=AUDIENCE_ANSWER,
    ),
    Case(
        "audiences.list",
        lambda c: c.audiences.list(),
        "GET",
        "/amc/audiences/query",
        "audience",
        answer={"executionMetadata": []},
        params={"maxResults": "100"},
    ),
    Case(
        "audiences.update",
        lambda c: c.audiences.update("a-1", AUDIENCE.model_copy(update={"audience_type": "RULE_BASED"})),
        "PUT",
        "/amc/audiences/query/a-1",
        "audience",
        body={
            "audienceName": "cltv high value",
            "advertiserId": "1234567890",
            "timeWindowStart": "2024-01-01T00:00:00Z",
            "timeWindowEnd": "2024-12-31T00:00:00Z",
            "query": "SELECT user_id FROM conversions_for_audiences",
            "timeWindowRelative": True,
            "refreshRateDays": 7,
            "audienceType": "RULE_BASED",
        },
        answer=AUDIENCE_ANSWER,
    ),
    Case(
        "audiences.delete",
        lambda c: c.audiences.delete("a-1"),
        "DELETE",
        "/amc/audiences/query/a-1",
        "audience",
    ),
]

REPORTING_ONLY = ("amazon-advertising-api-advertiserid", "amazon-advertising-api-marketplaceid")
AUDIENCE_ONLY = ("amazon-advertising-api-entityid", "amazon-marketing-cloud-audience-instanceid")


def _check_headers(case: Case, headers: httpx.Headers) -> None:
    assert headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert headers["amazon-advertising-api-clientid"] == CLIENT_ID
    assert "amazon-advertising-api-scope" not in headers
    if case.family == "accounts":
        assert not any(name in headers for name in REPORTING_ONLY + AUDIENCE_ONLY)
    elif case.family == "reporting":
        assert headers["amazon-advertising-api-advertiserid"] == ADVERTISER
        assert headers["amazon-advertising-api-marketplaceid"] == MARKETPLACE
        assert not any(name in headers for name in AUDIENCE_ONLY)
        if case.body is not None:
            assert headers["content-type"] == "application/json"
    else:
        assert headers["amazon-advertising-api-entityid"] == ADVERTISER
        assert headers["amazon-marketing-cloud-audience-instanceid"] == INSTANCE
        assert not any(name in headers for name in REPORTING_ONLY)
        if case.method == "GET":
            assert headers["accept"] == "application/vnd.amcquerybasedaudience.v1.2+json"
        if case.body is not None:
            assert headers["content-type"] == "application/vnd.amcquerybasedaudience.v1+json"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_resource_call_sends_method_path_headers_and_body(
    case: Case, client: AmcClient, wire: respx.MockRouter
) -> None:
    """Each call hits AMC's documented path with its header family, and sends exactly the documented body."""
    answer = httpx.Response(204) if case.answer is None else httpx.Response(200, json=case.answer)
    route = wire.route(method=case.method, path=case.path).mock(return_value=answer)
    case.call(client)
    assert route.call_count == 1
    request = route.calls.last.request
    _check_headers(case, request.headers)
    if case.body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.body
    if case.params is not None:
        assert dict(request.url.params) == case.params


def test_instances_list_uses_the_account_given_not_the_configured_one(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """`instances list` asks per AMC account, so that account's ids go in the headers."""
    route = wire.get("/amc/instances").respond(json={"instances": [{"instanceId": "amcother"}]})
    instances = client.instances.list(advertiser_id="ENTITYOTHER", marketplace_id="A1PA6795UKMFR9")
    assert [i.instance_id for i in instances] == ["amcother"]
    headers = route.calls.last.request.headers
    assert headers["amazon-advertising-api-advertiserid"] == "ENTITYOTHER"
    assert headers["amazon-advertising-api-marketplaceid"] == "A1PA6795UKMFR9"


def test_lists_follow_next_token_until_it_is_absent(client: AmcClient, wire: respx.MockRouter) -> None:
    """A list returns every page: the nextToken of one page is sent to fetch the next."""
    route = wire.get(f"{REPORTING}/workflowExecutions").mock(
        side_effect=[
            httpx.Response(200, json={"executions": [{"workflowExecutionId": "e-1"}], "nextToken": "t2"}),
            httpx.Response(200, json={"executions": [{"workflowExecutionId": "e-2"}], "nextToken": ""}),
        ]
    )
    executions = client.executions.list(workflow_id="w")
    assert [e.workflow_execution_id for e in executions] == ["e-1", "e-2"]
    assert "nextToken" not in route.calls[0].request.url.params
    assert route.calls[1].request.url.params["nextToken"] == "t2"
    assert route.calls[1].request.url.params["workflowId"] == "w"


def test_workflow_list_audience_list_and_schedules_list_page_too(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """Workflows, schedules and audiences are paged the same way."""
    wire.get(f"{REPORTING}/workflows").mock(
        side_effect=[
            httpx.Response(200, json={"workflows": [{"workflowId": "a"}], "nextToken": "n"}),
            httpx.Response(200, json={"workflows": [{"workflowId": "b"}]}),
        ]
    )
    wire.get("/amc/audiences/query").mock(
        side_effect=[
            httpx.Response(200, json={"executionMetadata": [{"audienceExecutionId": "x"}], "nextToken": "n"}),
            httpx.Response(
                200, json={"executionMetadata": [{"audienceExecutionId": "y"}], "nextToken": None}
            ),
        ]
    )
    assert [w.workflow_id for w in client.workflows.list()] == ["a", "b"]
    assert [a.audience_execution_id for a in client.audiences.list()] == ["x", "y"]


def test_listing_executions_without_workflow_or_start_is_refused_locally(client: AmcClient) -> None:
    """AMC needs workflowId or minCreationTime; asking without either is a usage error, not a 400."""
    from amc_cltv.errors import UsageError

    with pytest.raises(UsageError):
        client.executions.list()


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (400, {"code": "400", "details": "Workflow with ID cltv_segmentation already exists."}),
        (409, {"code": "409", "details": "conflict"}),
    ],
)
def test_upsert_replaces_a_workflow_that_already_exists(
    client: AmcClient, wire: respx.MockRouter, status: int, answer: dict[str, str]
) -> None:
    """Creating an existing workflow (409, or a 4xx saying "already exists") falls back to a PUT."""
    post = wire.post(f"{REPORTING}/workflows").respond(status, json=answer)
    put = wire.put(f"{REPORTING}/workflows/cltv_segmentation").respond(200, json={})
    assert client.workflows.upsert(WORKFLOW) == "updated"
    assert post.call_count == 1
    assert json.loads(put.calls.last.request.content)["sqlQuery"] == "SELECT 1 AS x"


def test_upsert_creates_a_new_workflow_without_a_put(client: AmcClient, wire: respx.MockRouter) -> None:
    """A workflow AMC does not know is created with one POST and no PUT."""
    wire.post(f"{REPORTING}/workflows").respond(200, json={})
    put = wire.put(f"{REPORTING}/workflows/cltv_segmentation").respond(200, json={})
    assert client.workflows.upsert(WORKFLOW) == "created"
    assert put.call_count == 0


def test_upsert_does_not_hide_other_client_errors(client: AmcClient, wire: respx.MockRouter) -> None:
    """A 400 for invalid SQL is raised, not turned into an update."""
    from amc_cltv.errors import BadRequestError

    wire.post(f"{REPORTING}/workflows").respond(
        400, json={"code": "400", "details": "Invalid SQL near LIMIT"}
    )
    put = wire.put(f"{REPORTING}/workflows/cltv_segmentation").respond(200, json={})
    with pytest.raises(BadRequestError, match="Invalid SQL near LIMIT"):
        client.workflows.upsert(WORKFLOW)
    assert put.call_count == 0

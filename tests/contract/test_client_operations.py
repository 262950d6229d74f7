"""Each operation the client implements, sent by the sync and the async client to the sandbox, is held to
Amazon's specifications: the requests by the client, the answers by the sandbox (docs/amc-api.md §9)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from amc_cltv.client import AmcClient, AsyncAmcClient, async_wsgi_transport, wsgi_transport
from amc_cltv.client.models import (
    AudienceRequest,
    CreateWorkflowExecution,
    LookalikeAudienceRequest,
    Schedule,
    Workflow,
)
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import BadRequestError
from amc_cltv.sandbox.app import SandboxApp
from tests.contract.amc_specs import WireContract, all_operations

SQL = "SELECT event_subtype, COUNT(DISTINCT user_id) AS users FROM conversions_all GROUP BY event_subtype"
AUDIENCE_SQL = "SELECT user_id FROM conversions_all_for_audiences WHERE event_subtype = 'order'"

# What the client implements, by the specifications' operation ids.
SYNC_OPERATIONS = {
    "administration:AmcpLinkListAmcAccounts",
    "administration:listInstances",
    "administration:getInstance",
    "administration:getInstanceAdvertisers",
    "workflow-management:createWorkflow",
    "workflow-management:getWorkflow",
    "workflow-management:listWorkflows",
    "workflow-management:updateWorkflow",
    "workflow-management:deleteWorkflow",
    "workflow-management:createWorkflowExecution",
    "workflow-management:getWorkflowExecution",
    "workflow-management:listWorkflowExecutions",
    "workflow-management:UpdateWorkflowExecution",
    "workflow-management:getWorkflowExecutionDownloadUrls",
    "workflow-management:createSchedule",
    "workflow-management:getSchedule",
    "workflow-management:listSchedules",
    "workflow-management:updateSchedule",
    "workflow-management:deleteSchedule",
    "rule-based-audiences:createQueryBasedAudience",
    "rule-based-audiences:getQueryBasedAudienceByAudienceExecutionId",
    "rule-based-audiences:getAllQueryBasedAudiencesByInstanceId",
    "rule-based-audiences:updateQueryBasedAudienceByAudienceExecutionId",
    "rule-based-audiences:deleteQueryBasedAudienceByAudienceExecutionId",
    "rule-based-audiences:createLookalikeAudience",
}
ASYNC_OPERATIONS = {
    name for name in SYNC_OPERATIONS if name.startswith(("workflow-management:", "rule-based-audiences:"))
} - {name for name in SYNC_OPERATIONS if "Schedule" in name}

IDENTITY: dict[str, Any] = {
    "api_url": "https://advertising-api.sandbox.invalid",
    "token_url": "https://api.sandbox.invalid/auth/o2/token",
    "client_id": "amzn1.application-oa2-client.test",
    "client_secret": "secret",
    "refresh_token": "Atzr|refresh",
    "instance_id": "amcsandbox01",
    "advertiser_id": "ENTITYSANDBOX0001",
    "marketplace_id": "ATVPDKIKX0DER",
}


def _execution() -> CreateWorkflowExecution:
    return CreateWorkflowExecution.model_validate(
        {
            "workflowId": "seg",
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2026-01-01T00:00:00",
            "timeWindowEnd": "2026-11-01T00:00:00",
            "requireSyntheticData": True,
        }
    )


def _lookalike() -> LookalikeAudienceRequest:
    return LookalikeAudienceRequest(
        audience_name="Like high value",
        advertiser_id="1234567890",
        time_window_start="2026-01-01T00:00:00Z",
        time_window_end="2026-11-01T00:00:00Z",
        query=AUDIENCE_SQL,
        lookalike_audience_expected_reach="BALANCED",
        refresh_rate_days=14,
    )


def _audience() -> AudienceRequest:
    return AudienceRequest(
        audience_name="High value",
        advertiser_id="1234567890",
        time_window_start="2026-01-01T00:00:00Z",
        time_window_end="2026-11-01T00:00:00Z",
        query=AUDIENCE_SQL,
        refresh_rate_days=7,
        time_window_relative=True,
    )


@pytest.fixture
def client(app: SandboxApp) -> Iterator[AmcClient]:
    amc = AmcClient(**IDENTITY, transport=wsgi_transport(app), sleep=lambda _: None, retry_quota=RetryQuota())
    yield amc
    amc.close()


def test_the_three_specifications_are_vendored_whole() -> None:
    """17 reporting, 6 audience and 22 administration operations: the documents as Amazon published them."""
    by_api: dict[str, int] = {}
    for operation in all_operations():
        by_api[operation.api] = by_api.get(operation.api, 0) + 1
    assert by_api == {"workflow-management": 17, "rule-based-audiences": 6, "administration": 22}


def test_every_operation_of_the_sync_client_conforms(
    app: SandboxApp, client: AmcClient, _wire_contract: WireContract
) -> None:
    """Each of the 25 operations the client implements is sent and answered, and nothing breaks the specs."""
    client.workflows.create(Workflow(workflow_id="seg", sql_query=SQL))
    client.workflows.update(Workflow(workflow_id="seg", sql_query=SQL))
    assert client.workflows.get("seg").sql_query == SQL
    assert [w.workflow_id for w in client.workflows.list()] == ["seg"]
    done = client.executions.create(_execution())
    app.clock.advance(1)
    assert client.executions.get(done.workflow_execution_id).status == "SUCCEEDED"
    assert len(client.executions.list(workflow_id="seg")) == 1
    assert client.executions.download_urls(done.workflow_execution_id).download_urls
    app.configure(queue_s=3600)
    pending = client.executions.create(_execution())
    client.executions.cancel(pending.workflow_execution_id)
    with pytest.raises(BadRequestError):  # an error answer is held to the specification too
        client.executions.cancel(pending.workflow_execution_id)
    schedule = Schedule(schedule_id="nightly", workflow_id="seg", aggregation_period="Daily")
    client.schedules.create(schedule)
    client.schedules.update(schedule.model_copy(update={"aggregation_hour_utc": 7}))
    assert client.schedules.get("nightly").aggregation_hour_utc == 7
    assert [s.schedule_id for s in client.schedules.list()] == ["nightly"]
    client.schedules.delete("nightly")
    client.workflows.delete("seg")
    assert client.instances.get().instance_id == "amcsandbox01"
    assert [i.instance_id for i in client.instances.list()] == ["amcsandbox01"]
    assert client.instances.advertisers()
    assert [a.account_id for a in client.accounts.list()] == ["ENTITYSANDBOX0001"]
    created = client.audiences.create(_audience())
    app.clock.advance(1)
    assert client.audiences.get(created.audience_execution_id).status == "FAILED"  # under 2,000 users
    client.audiences.update(created.audience_execution_id, _audience())
    assert [a.audience_execution_id for a in client.audiences.list()] == [created.audience_execution_id]
    app.clock.advance(1)
    client.audiences.delete(created.audience_execution_id)
    assert client.audiences.create_lookalike(_lookalike()).audience_execution_id

    assert _wire_contract.requested == SYNC_OPERATIONS
    assert _wire_contract.answered == SYNC_OPERATIONS


def test_every_operation_of_the_async_client_conforms(app: SandboxApp, _wire_contract: WireContract) -> None:
    """The async client's workflows, executions and audiences: the same requests, the same answers."""

    async def drive() -> None:
        async with AsyncAmcClient(
            **IDENTITY, transport=async_wsgi_transport(app), retry_quota=RetryQuota()
        ) as amc:
            await amc.workflows.create(Workflow(workflow_id="seg", sql_query=SQL))
            await amc.workflows.update(Workflow(workflow_id="seg", sql_query=SQL))
            assert (await amc.workflows.get("seg")).sql_query == SQL
            assert len(await amc.workflows.list()) == 1
            done = await amc.executions.create(_execution())
            app.clock.advance(1)
            assert (await amc.executions.get(done.workflow_execution_id)).status == "SUCCEEDED"
            assert len(await amc.executions.list(workflow_id="seg")) == 1
            assert (await amc.executions.download_urls(done.workflow_execution_id)).download_urls
            app.configure(queue_s=3600)
            pending = await amc.executions.create(_execution())
            await amc.executions.cancel(pending.workflow_execution_id)
            await amc.workflows.delete("seg")
            created = await amc.audiences.create(_audience())
            app.clock.advance(1)
            assert (await amc.audiences.get(created.audience_execution_id)).status == "FAILED"
            await amc.audiences.update(created.audience_execution_id, _audience())
            assert len(await amc.audiences.list()) == 1
            app.clock.advance(1)
            await amc.audiences.delete(created.audience_execution_id)
            assert (await amc.audiences.create_lookalike(_lookalike())).audience_execution_id

    asyncio.run(drive())
    assert _wire_contract.requested == ASYNC_OPERATIONS
    assert _wire_contract.answered == ASYNC_OPERATIONS

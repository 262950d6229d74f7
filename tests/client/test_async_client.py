"""``AsyncAmcClient`` on a respx-mocked wire: the sync client's retry, Retry-After, ambiguous-submit and
401 behaviour, from the same decisions, with the async sleep seam recorded instead of slept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from amc_cltv import AsyncAmcClient
from amc_cltv.client.models import CreateWorkflowExecution, Workflow
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import (
    AmbiguousSubmitError,
    AuthenticationError,
    InternalServerError,
    RateLimitError,
    RetryBudgetExhausted,
)
from tests.client.conftest import (
    REPORTING,
    FakeClock,
    make_async_client,
    run,
    token_response,
)

STATUS_PATH = f"{REPORTING}/workflowExecutions/e-1"
SUBMIT_PATH = f"{REPORTING}/workflowExecutions"
OK = httpx.Response(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})


async def _get(client: AsyncAmcClient) -> str | None:
    async with client:
        return (await client.executions.get("e-1")).status


def test_persistent_5xx_gives_up_after_six_attempts_with_the_exact_backoff_sequence(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    route = wire.get(STATUS_PATH).respond(503, headers={"x-amzn-RequestId": "req-503"})
    with pytest.raises(InternalServerError) as raised:
        run(_get(make_async_client(clock)))
    assert route.call_count == 6
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert "req-503" in str(raised.value)


def test_429_with_retry_after_then_503_then_success(wire: respx.MockRouter, clock: FakeClock) -> None:
    """Retry-After (2 s) is honoured as max(header, backoff); the following 503 uses the backoff."""
    route = wire.get(STATUS_PATH).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(503), OK]
    )
    assert run(_get(make_async_client(clock))) == "RUNNING"
    assert route.call_count == 3
    assert clock.sleeps == [2.0, 1.0]


def test_a_retry_after_beyond_120_seconds_is_raised_for_the_caller(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    wire.get(STATUS_PATH).respond(429, headers={"Retry-After": "600"})
    with pytest.raises(RateLimitError) as raised:
        run(_get(make_async_client(clock)))
    assert raised.value.retry_after == 600.0
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), httpx.Response(502)],
    ids=["read-timeout", "dropped", "502"],
)
def test_a_submit_that_may_have_reached_amc_is_ambiguous_and_never_resent(
    wire: respx.MockRouter, clock: FakeClock, failure: Any
) -> None:
    route = wire.post(SUBMIT_PATH).mock(side_effect=[failure, OK])

    async def submit() -> None:
        async with make_async_client(clock) as client:
            await client.executions.create(CreateWorkflowExecution(workflow_id="cltv_segmentation"))

    with pytest.raises(AmbiguousSubmitError):
        run(submit())
    assert route.call_count == 1


def test_a_submit_refused_at_connect_is_sent_again(wire: respx.MockRouter, clock: FakeClock) -> None:
    route = wire.post(SUBMIT_PATH).mock(side_effect=[httpx.ConnectError("refused"), OK])

    async def submit() -> str:
        async with make_async_client(clock) as client:
            request = CreateWorkflowExecution(workflow_id="cltv_segmentation")
            return (await client.executions.create(request)).workflow_execution_id

    assert run(submit()) == "e-1"
    assert route.call_count == 2


def test_401_refreshes_the_token_once_and_replays_the_call(wire: respx.MockRouter, clock: FakeClock) -> None:
    wire.routes["token"].side_effect = [token_response("Atza|one"), token_response("Atza|two")]
    route = wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(401, json={"code": "401"}), OK])
    client = make_async_client(clock)
    assert run(_get(client)) == "RUNNING"
    assert route.call_count == 2
    assert route.calls[1].request.headers["Authorization"] == "Bearer Atza|two"
    assert client.auth.refresh_count == 2


def test_a_second_401_after_the_refresh_is_final(wire: respx.MockRouter, clock: FakeClock) -> None:
    route = wire.get(STATUS_PATH).respond(401, json={"code": "401", "details": "Not authorized"})
    with pytest.raises(AuthenticationError):
        run(_get(make_async_client(clock)))
    assert route.call_count == 2


def test_the_budget_is_the_clients_own_and_fails_fast_when_spent(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    wire.get(STATUS_PATH).respond(503)
    with pytest.raises(RetryBudgetExhausted):
        run(_get(make_async_client(clock, retry_quota=RetryQuota(capacity=12, monotonic=clock.monotonic))))
    assert clock.sleeps == [0.5, 1.0]


def test_lists_follow_every_page_and_upsert_updates_an_existing_workflow(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    """The calls are the sync resources' own (same paths, params and bodies), awaited."""
    wire.get(SUBMIT_PATH, params={"nextToken": "p2"}).respond(
        200, json={"executions": [{"workflowExecutionId": "e-2", "status": "SUCCEEDED"}]}
    )
    wire.get(SUBMIT_PATH).respond(
        200,
        json={"executions": [{"workflowExecutionId": "e-1", "status": "RUNNING"}], "nextToken": "p2"},
    )
    created = wire.post(f"{REPORTING}/workflows").respond(409, json={"details": "already exists"})
    updated = wire.put(f"{REPORTING}/workflows/cltv_segmentation").respond(200, json={})

    async def scenario() -> tuple[list[str], str]:
        async with make_async_client(clock) as client:
            executions = await client.executions.list(workflow_id="cltv_segmentation")
            upsert = await client.workflows.upsert(
                Workflow(workflow_id="cltv_segmentation", sql_query="SELECT 1")
            )
            return [e.workflow_execution_id for e in executions], upsert

    assert run(scenario()) == (["e-1", "e-2"], "updated")
    assert created.call_count == 1 and updated.call_count == 1


def test_the_async_client_of_a_profile_waits_its_retries_on_the_process_clock(
    wire: respx.MockRouter, profile: Path
) -> None:
    """``connect.open_async_client`` hands the client the tool's clock, as the sync client gets it: a test
    clock (or an Airflow test's sandbox clock) covers the retries instead of real seconds passing."""
    from amc_cltv import clock as tool_clock
    from amc_cltv.config import load_config
    from amc_cltv.connect import open_async_client

    wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(503), httpx.Response(503), OK])
    with tool_clock.use_clock(tool_clock.FakeClock()) as installed:
        assert run(_get(open_async_client(load_config(profile)))) == "RUNNING"
    assert isinstance(installed, tool_clock.FakeClock) and len(installed.sleeps) == 2

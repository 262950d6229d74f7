"""The retry budget: a token bucket per client that retries drain, successes top up and time refills."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.client.retry import QUOTA_CAPACITY, REFILL_PER_S, RetryQuota
from amc_cltv.errors import InternalServerError, RetryBudgetExhausted
from tests.client.conftest import REPORTING, FakeClock

STATUS_PATH = f"{REPORTING}/workflowExecutions/e-1"
OK = httpx.Response(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})


def test_the_bucket_refills_with_time_up_to_its_capacity() -> None:
    """Spent tokens come back at REFILL_PER_S a second on the injected clock, never past the capacity."""
    clock = FakeClock()
    quota = RetryQuota(capacity=100, refill_per_s=0.5, monotonic=clock.monotonic)
    assert quota.acquire(60) and quota.available == 40
    assert not quota.acquire(50)  # refused, and nothing spent
    clock.now += 20
    assert quota.available == 50
    clock.now += 1000
    assert quota.available == 100


def test_a_client_starved_by_an_outage_recovers_once_time_has_passed(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    """An outage spends the client's whole budget; without any success, the refill alone lets it retry
    again later (a long-lived worker is not starved for ever by yesterday's outage)."""
    quota = RetryQuota(monotonic=clock.monotonic)
    client = make_client(retry_quota=quota)
    route = wire.get(STATUS_PATH).respond(503)
    with pytest.raises(RetryBudgetExhausted) as raised:
        for _ in range(100):  # each call gives up after 6 attempts, having spent 25 tokens
            with contextlib.suppress(InternalServerError):
                client.executions.get("e-1")
    assert "this client has spent its retry budget" in str(raised.value)
    assert quota.available < 5
    calls = route.call_count
    clock.now += QUOTA_CAPACITY / REFILL_PER_S  # time for a full bucket (the client's sleeps also count)
    route.side_effect = [httpx.Response(503), OK]
    assert client.executions.get("e-1").status == "RUNNING"
    assert route.call_count == calls + 2  # it retried: the budget had refilled


def test_every_client_has_a_budget_of_its_own(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Without a shared quota passed in, one client's spent budget does not stop another's retries."""
    starved = make_client(retry_quota=None)
    fresh = make_client(retry_quota=None)
    assert starved.retry.quota is not fresh.retry.quota
    starved.retry.quota.acquire(starved.retry.quota.available)
    route = wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(503), OK, httpx.Response(503)])
    assert fresh.executions.get("e-1").status == "RUNNING"
    with pytest.raises(RetryBudgetExhausted):
        starved.executions.get("e-1")
    assert route.call_count == 3

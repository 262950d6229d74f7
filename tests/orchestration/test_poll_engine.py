"""The one poll engine: ``Poll`` decides from statuses, history and the clock alone; ``watch_execution``
drives it on an event loop through a real ``AsyncAmcClient`` on a respx-mocked wire."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import respx

from amc_cltv.cadence import Schedule, Seen
from amc_cltv.client import AsyncAmcClient
from amc_cltv.client.retry import RetryQuota
from amc_cltv.clock import FakeClock
from amc_cltv.config import PollingSettings
from amc_cltv.errors import NotFoundError
from amc_cltv.orchestration.polling import Poll
from amc_cltv.orchestration.waiting import watch_execution
from tests.orchestration.conftest import API, INSTANCE, NOW, REPORTING, TOKEN_URL, execution

POLLING = PollingSettings()
HISTORY = [7200.0] * 10  # two-hour runs: the learnt schedule looks rarely in the middle
STATUS = f"{REPORTING}/workflowExecutions/e1"


def _poll(max_wait_s: float | None, history: list[float] = HISTORY, started: float = 0.0) -> Poll:
    return Poll(Schedule(POLLING, history, key="e1"), since=NOW, started=started, max_wait_s=max_wait_s)


def test_a_final_status_finishes_and_any_other_waits_on_the_schedule() -> None:
    poll = _poll(None)
    running = poll.after_look("RUNNING", NOW + timedelta(seconds=3600), 3600)
    assert running.delay_s == Schedule(POLLING, HISTORY, key="e1").next_delay(3600)
    assert poll.after_look("SUCCEEDED", NOW + timedelta(seconds=5000), 5000).finished
    assert poll.looks == 2


def test_publishing_and_pending_are_fed_to_the_schedule() -> None:
    """PUBLISHING means the result is nearly there: the next look comes on the short ramp, not the gap
    the two-hour history would price in the middle of a run."""
    schedule = Schedule(POLLING, HISTORY, key="e1")
    poll = _poll(None)
    step = poll.after_look("PUBLISHING", NOW + timedelta(seconds=3600), 3600)
    assert step.delay_s == POLLING.initial_interval_s < schedule.next_delay(3600)
    pending = _poll(None)
    pending.after_look("PENDING", NOW + timedelta(seconds=1800), 1800)
    assert pending.seen == Seen(pending_until=1800)
    assert pending.predicted_finish_s() == schedule.predicted_finish_s(Seen(pending_until=1800))


def test_the_bound_cuts_the_last_wait_then_gives_up() -> None:
    first_delay = Schedule(POLLING, [], key="e1").next_delay(0)
    poll = _poll(first_delay + 10, history=[])
    assert poll.after_look("RUNNING", NOW, 0.0).delay_s == pytest.approx(first_delay)
    at = NOW + timedelta(seconds=first_delay)
    assert poll.after_look("RUNNING", at, first_delay).delay_s == pytest.approx(10.0)  # what is left
    assert poll.after_look("RUNNING", at + timedelta(seconds=10), first_delay + 10).gave_up


def test_a_zero_bound_is_one_look() -> None:
    poll = _poll(0.0)
    assert poll.first_wait(NOW, just_looked=True) is None
    assert poll.after_look("RUNNING", NOW, 0.0).gave_up


def test_a_transient_error_waits_at_least_the_servers_retry_after() -> None:
    poll = _poll(None, history=[])
    at = NOW + timedelta(seconds=10)
    assert poll.after_error(900.0, at, 10.0).delay_s == 900.0
    assert poll.after_error(0.0, at, 10.0).delay_s == Schedule(POLLING, [], key="e1").next_delay(10)
    bounded = _poll(600.0, history=[])
    assert bounded.after_error(900.0, at, 10.0).delay_s == pytest.approx(590.0)


@pytest.fixture
def wire() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=True) as router:
        router.post(TOKEN_URL).respond(
            200, json={"access_token": "Atza|a", "token_type": "bearer", "expires_in": 3600}
        )
        yield router


def _client(clock: FakeClock) -> AsyncAmcClient:
    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    return AsyncAmcClient(
        api_url=API,
        token_url=TOKEN_URL,
        client_id="amzn1.application-oa2-client.test",
        client_secret="secret",
        refresh_token="Atzr|refresh",
        instance_id=INSTANCE,
        advertiser_id="ENTITY1AA1AA11AAA1",
        marketplace_id="ATVPDKIKX0DER",
        sleep=sleep,
        monotonic=clock.monotonic,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    )


def _watch(clock: FakeClock, **options: object) -> object:
    async def go() -> object:
        async with _client(clock) as client:
            return await watch_execution(client, "e1", polling=POLLING, **options)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_the_async_waiter_outlives_a_long_429_and_a_503_until_amc_finishes(
    wire: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """A 429 whose Retry-After is past what the client sleeps, then 5xx past the client's own retries:
    the waiter waits them out (Retry-After honoured) and returns AMC's final answer."""
    route = wire.get(STATUS).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "900"}, json={"message": "slow down"}),
            *[httpx.Response(503, json={"message": "unavailable"})] * 6,
            httpx.Response(200, json=execution("e1", "SUCCEEDED")),
        ]
    )
    found = _watch(fake_clock, max_wait_s=7200, since=NOW, history=[])
    assert getattr(found, "status", None) == "SUCCEEDED"
    assert route.call_count == 8
    assert fake_clock.sleeps[0] >= 900  # the server's Retry-After, not the schedule's first look


def test_the_async_waiter_gives_up_at_its_bound_with_none_when_amc_never_answered(
    wire: respx.MockRouter, fake_clock: FakeClock
) -> None:
    wire.get(STATUS).respond(429, headers={"retry-after": "900"}, json={"message": "slow down"})
    assert _watch(fake_clock, max_wait_s=1000, since=NOW, history=[]) is None


def test_the_async_waiter_lets_an_error_that_will_not_pass_through(
    wire: respx.MockRouter, fake_clock: FakeClock
) -> None:
    wire.get(STATUS).respond(404, json={"message": "no such execution"})
    with pytest.raises(NotFoundError):
        _watch(fake_clock, max_wait_s=1000, since=NOW, history=[])


def test_the_async_waiter_feeds_publishing_to_the_learnt_schedule(
    wire: respx.MockRouter, fake_clock: FakeClock
) -> None:
    """The fleet's waiter, like the blocking one: PUBLISHING an hour into a two-hour run is looked at
    again after the ramp's first step, not after the history's long gap."""
    wire.get(STATUS).mock(
        side_effect=[
            httpx.Response(200, json=execution("e1", "PUBLISHING")),
            httpx.Response(200, json=execution("e1", "SUCCEEDED")),
        ]
    )
    found = _watch(fake_clock, max_wait_s=None, since=NOW - timedelta(hours=1), history=HISTORY)
    assert getattr(found, "status", None) == "SUCCEEDED"
    assert fake_clock.sleeps == [POLLING.initial_interval_s]

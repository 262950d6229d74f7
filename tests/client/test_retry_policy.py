"""The retry policy of one call (docs/reliability.md §3), through real client calls on a respx-mocked wire."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from amc_cltv import clock as tool_clock
from amc_cltv.client import AmcClient
from amc_cltv.client.models import AudienceRequest, CreateWorkflowExecution
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import (
    AmbiguousSubmitError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    MalformedResponseError,
    PermissionDeniedError,
    RateLimitError,
    RetryBudgetExhausted,
)
from tests.client.conftest import REPORTING, FakeClock, token_response

STATUS_PATH = f"{REPORTING}/workflowExecutions/e-1"
SUBMIT_PATH = f"{REPORTING}/workflowExecutions"
OK = httpx.Response(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})
# A wall clock years away from the machine's, so that a date measured against the machine's clock shows.
WALL_START = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


def _submit(client: AmcClient) -> None:
    client.executions.create(CreateWorkflowExecution(workflow_id="cltv_segmentation"))


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_transient_status_on_get_is_retried_after_the_first_backoff(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock, status: int
) -> None:
    """408 and 5xx on a GET are retried; the first retry waits U(0, 0.5) s (0.5 with jitter at its top)."""
    route = wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(status), OK])
    assert client.executions.get("e-1").status == "RUNNING"
    assert route.call_count == 2
    assert clock.sleeps == [0.5]


def test_persistent_5xx_gives_up_after_six_attempts_with_the_exact_backoff_sequence(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Six attempts, sleeping min(0.5 * 2**n, 8) between them, then the 5xx is raised with its request id."""
    route = wire.get(STATUS_PATH).respond(
        503, json={"code": "503", "details": "Service Unavailable"}, headers={"x-amzn-RequestId": "req-503"}
    )
    with pytest.raises(InternalServerError) as raised:
        client.executions.get("e-1")
    assert route.call_count == 6
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert "req-503" in str(raised.value) and "Service Unavailable" in str(raised.value)


def test_429_with_retry_after_seconds_then_503_then_success(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """A 429's Retry-After (2 s) is honoured as max(header, backoff); the following 503 uses the backoff."""
    route = wire.get(STATUS_PATH).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(503), OK]
    )
    client.executions.get("e-1")
    assert route.call_count == 3
    assert clock.sleeps == [2.0, 1.0]


def test_retry_after_shorter_than_the_backoff_waits_the_backoff(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Retry-After is a floor: with jitter drawing 0.8 the third retry waits 1.6 s, not 0.1 s."""
    client = make_client(jitter=lambda: 0.8)
    wire.get(STATUS_PATH).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(503),
            httpx.Response(429, headers={"retry-after-ms": "100"}),
            OK,
        ]
    )
    client.executions.get("e-1")
    assert clock.sleeps == pytest.approx([0.4, 0.8, 1.6])


def test_429_without_retry_after_uses_the_slower_throttling_backoff(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """A bare 429 waits min(2 * 2**n, 60) at the top of the jitter: 2, 4, 8, 16, 32 s over six attempts."""
    route = wire.get(STATUS_PATH).respond(429, json={"code": "429", "details": "Too Many Requests"})
    with pytest.raises(RateLimitError) as raised:
        client.executions.get("e-1")
    assert route.call_count == 6
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert raised.value.retry_after is None


def test_429_with_an_http_date_retry_after_waits_until_that_date_on_the_clients_wall_clock(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    """An HTTP-date Retry-After 30 s ahead of the injected wall clock makes the client wait 30 s. The clock
    is years away from the machine's: measured against the machine's, the date would be far past 120 s
    (and raised) instead."""
    wall = tool_clock.FakeClock(start=WALL_START)
    when = email.utils.format_datetime(wall.now() + timedelta(seconds=30), usegmt=True)
    wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(429, headers={"Retry-After": when}), OK])
    make_client(now=wall.now).executions.get("e-1")
    assert clock.sleeps == [30.0]


def test_a_503_with_an_http_date_retry_after_is_measured_against_the_clients_wall_clock_too(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    wall = tool_clock.FakeClock(start=WALL_START)
    when = email.utils.format_datetime(wall.now() + timedelta(seconds=12), usegmt=True)
    wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(503, headers={"Retry-After": when}), OK])
    make_client(now=wall.now).executions.get("e-1")
    assert clock.sleeps == [12.0]


def test_a_throttled_token_grant_is_measured_against_the_clients_wall_clock(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Login with Amazon's 429 carries an HTTP-date too: the auth flow reads the same injected clock."""
    wall = tool_clock.FakeClock(start=WALL_START)
    when = email.utils.format_datetime(wall.now() + timedelta(seconds=20), usegmt=True)
    wire.routes["token"].side_effect = [httpx.Response(429, headers={"Retry-After": when}), token_response()]
    wire.get(STATUS_PATH).mock(return_value=OK)
    make_client(now=wall.now).executions.get("e-1")
    assert clock.sleeps == [20.0]


def test_the_clients_of_a_profile_measure_an_http_date_against_the_process_clock(
    wire: respx.MockRouter, profile: Path
) -> None:
    """``connect`` hands every client the tool's clock as its wall clock: a test clock installed with
    ``use_clock`` decides what an HTTP-date Retry-After means, for ``open_client`` and the shared clients."""
    from amc_cltv.config import load_config
    from amc_cltv.connect import SharedClients, open_client

    installed = tool_clock.FakeClock(start=WALL_START)

    def throttled(ahead_s: float) -> httpx.Response:
        when = email.utils.format_datetime(installed.now() + timedelta(seconds=ahead_s), usegmt=True)
        return httpx.Response(429, headers={"Retry-After": when})

    # The first wait moves the installed clock on by 15 s: the second date is 15 s past that.
    wire.get(STATUS_PATH).mock(side_effect=[throttled(15), OK, throttled(30), OK])
    config = load_config(profile)
    shared = SharedClients()
    with tool_clock.use_clock(installed):
        with open_client(config) as client:
            client.executions.get("e-1")
        shared.client(config).executions.get("e-1")
        shared.close()
    assert installed.sleeps == [15.0, 15.0]


@pytest.mark.parametrize("header", ["121", "300", "retry-after-ms:180000"])
def test_retry_after_beyond_120_seconds_is_raised_not_slept(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock, header: str
) -> None:
    """Over 120 s nothing sleeps in process: RateLimitError carries retry_after for the caller."""
    name, value = header.split(":") if ":" in header else ("Retry-After", header)
    route = wire.get(STATUS_PATH).respond(429, headers={name: value, "x-amzn-RequestId": "req-429"})
    with pytest.raises(RateLimitError) as raised:
        client.executions.get("e-1")
    assert route.call_count == 1
    assert clock.sleeps == []
    assert raised.value.retry_after == pytest.approx(float(value) / (1000 if "ms" in name else 1))
    assert raised.value.request_id == "req-429"


def test_retry_after_of_exactly_120_seconds_is_slept(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """120 s is the last value waited for in process."""
    wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "120"}), OK])
    client.executions.get("e-1")
    assert clock.sleeps == [120.0]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.ReadTimeout("slow read"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.ReadError("reset"),
    ],
    ids=["connect-error", "connect-timeout", "read-timeout", "dropped", "read-error"],
)
def test_connection_failures_on_get_are_retried(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock, failure: Exception
) -> None:
    """A GET is safe to repeat, so every kind of lost answer is retried."""
    route = wire.get(STATUS_PATH).mock(side_effect=[failure, OK])
    client.executions.get("e-1")
    assert route.call_count == 2
    assert clock.sleeps == [0.5]


def test_read_timeout_on_get_exhausted_raises_a_timeout_error(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """When every attempt times out, the caller gets APITimeoutError (exit 5), never an httpx exception."""
    wire.get(STATUS_PATH).mock(side_effect=httpx.ReadTimeout("slow read"))
    with pytest.raises(APITimeoutError):
        client.executions.get("e-1")


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow connect")],
    ids=["connect-error", "connect-timeout"],
)
def test_submit_is_retried_when_the_request_never_reached_amc(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock, failure: Exception
) -> None:
    """A connect failure proves nothing was sent, so even a non-idempotent POST is sent again."""
    route = wire.post(SUBMIT_PATH).mock(side_effect=[failure, OK])
    _submit(client)
    assert route.call_count == 2


def test_submit_gives_up_after_four_attempts(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Create-execution has four attempts, not six; the last connect error is raised as such."""
    route = wire.post(SUBMIT_PATH).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as raised:
        _submit(client)
    assert not isinstance(raised.value, AmbiguousSubmitError)
    assert route.call_count == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("slow read"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.ReadError("reset"),
        httpx.Response(500),
        httpx.Response(502),
        httpx.Response(503),
        httpx.Response(504),
    ],
    ids=["read-timeout", "dropped", "read-error", "500", "502", "503", "504"],
)
def test_submit_that_may_have_reached_amc_is_never_sent_twice(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock, failure: object
) -> None:
    """A lost answer or a 5xx on create-execution is ambiguous: one POST, AmbiguousSubmitError (exit 3)."""
    route = wire.post(SUBMIT_PATH).mock(side_effect=[failure, OK])
    with pytest.raises(AmbiguousSubmitError) as raised:
        _submit(client)
    assert route.call_count == 1
    assert clock.sleeps == []
    assert "not re-sent" in str(raised.value)


def test_audience_create_is_also_never_sent_twice_after_a_read_timeout(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """Creating an audience is a SUBMIT too: a second POST could make a second audience."""
    route = wire.post("/amc/audiences/query").mock(side_effect=httpx.ReadTimeout("slow read"))
    request = AudienceRequest(
        audience_name="n",
        advertiser_id="1",
        query="SELECT user_id FROM x",
        time_window_start="2026-01-01T00:00:00Z",
        time_window_end="2026-02-01T00:00:00Z",
    )
    with pytest.raises(AmbiguousSubmitError):
        client.audiences.create(request)
    assert route.call_count == 1


def test_submit_is_retried_on_429(client: AmcClient, wire: respx.MockRouter, clock: FakeClock) -> None:
    """A throttled POST was refused before any work started, so it is sent again."""
    route = wire.post(SUBMIT_PATH).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "3"}), OK])
    _submit(client)
    assert route.call_count == 2
    assert clock.sleeps == [3.0]


def test_403_is_not_retried(client: AmcClient, wire: respx.MockRouter, clock: FakeClock) -> None:
    """No access (or terms not accepted) will not change by waiting: one attempt, AMC's words in the error."""
    route = wire.get(STATUS_PATH).respond(
        403, json={"code": "403", "details": "Terms and conditions must be accepted to continue."}
    )
    with pytest.raises(PermissionDeniedError, match="Terms and conditions must be accepted"):
        client.executions.get("e-1")
    assert route.call_count == 1
    assert clock.sleeps == []


def test_401_mid_run_refreshes_the_token_exactly_once_and_replays_the_call(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """A token revoked mid-run: one refresh, the call replayed with the new token, no retry.

    See docs/reliability.md §2.
    """
    wire.routes["token"].mock(side_effect=[token_response("Atza|first"), token_response("Atza|second")])
    route = wire.get(STATUS_PATH).mock(side_effect=[OK, httpx.Response(401, json={"code": "401"}), OK])
    client.executions.get("e-1")
    client.executions.get("e-1")
    assert wire.routes["token"].call_count == 2
    assert route.call_count == 3
    assert [call.request.headers["authorization"] for call in route.calls] == [
        "Bearer Atza|first",
        "Bearer Atza|first",
        "Bearer Atza|second",
    ]
    assert clock.sleeps == []


def test_a_second_401_after_the_refresh_is_final(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """If the fresh token is refused too, the caller gets AuthenticationError after exactly one refresh."""
    route = wire.get(STATUS_PATH).respond(401, json={"code": "401", "details": "Not authorized"})
    with pytest.raises(AuthenticationError, match="Not authorized"):
        client.executions.get("e-1")
    assert route.call_count == 2
    assert wire.routes["token"].call_count == 2
    assert clock.sleeps == []


def test_malformed_json_on_success_is_a_clear_error_naming_the_endpoint(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """A 200 whose body is not JSON raises MalformedResponseError naming the call, and is not retried."""
    route = wire.get(STATUS_PATH).respond(
        200, text="<html>gateway</html>", headers={"x-amzn-RequestId": "r-html"}
    )
    with pytest.raises(MalformedResponseError) as raised:
        client.executions.get("e-1")
    assert route.call_count == 1
    assert f"GET {STATUS_PATH}" in str(raised.value)
    assert "r-html" in str(raised.value)


def test_total_budget_stops_before_a_sleep_that_would_cross_300_seconds(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Each attempt takes 100 s on the fake clock: after the third (at 301.5 s) no sleep is started."""

    def slow_503(request: httpx.Request) -> httpx.Response:
        clock.now += 100.0
        return httpx.Response(503)

    route = wire.get(STATUS_PATH).mock(side_effect=slow_503)
    with pytest.raises(InternalServerError):
        client.executions.get("e-1")
    assert route.call_count == 3
    assert clock.sleeps == [0.5, 1.0]


def test_retry_quota_exhaustion_fails_fast(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter, clock: FakeClock
) -> None:
    """With 12 tokens two retries (5 each) are paid for; the third is refused with RetryBudgetExhausted."""
    quota = RetryQuota(capacity=12)
    client = make_client(retry_quota=quota)
    route = wire.get(STATUS_PATH).respond(503)
    with pytest.raises(RetryBudgetExhausted):
        client.executions.get("e-1")
    assert route.call_count == 3
    assert quota.available == 2


def test_timeouts_cost_more_of_the_quota_and_successes_earn_one_back(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter
) -> None:
    """A timeout retry costs 10 tokens, a status retry 5, and each successful call refunds 1."""
    quota = RetryQuota(capacity=500)
    client = make_client(retry_quota=quota)
    wire.get(STATUS_PATH).mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(503), OK])
    client.executions.get("e-1")
    assert quota.available == 500 - 10 - 5 + 1


def test_the_quota_is_shared_by_every_client_of_the_process(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter
) -> None:
    """Two clients on one quota: retries by the first leave fewer tokens for the second."""
    quota = RetryQuota(capacity=7)
    first, second = make_client(retry_quota=quota), make_client(retry_quota=quota)
    wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(503), OK, httpx.Response(503)])
    first.executions.get("e-1")
    with pytest.raises(RetryBudgetExhausted):
        second.executions.get("e-1")


def test_one_retrying_event_per_retry_with_request_id(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Each retry logs one warning `retrying` with attempt, sleep_s, status, request_id and reason."""
    wire.get(STATUS_PATH).mock(
        side_effect=[
            httpx.Response(503, headers={"x-amzn-RequestId": "req-1"}),
            httpx.Response(429, json={"code": "429", "requestId": "req-2"}),
            OK,
        ]
    )
    with capture_logs() as logs:
        client.executions.get("e-1")
    retrying = [entry for entry in logs if entry["event"] == "retrying"]
    assert [
        (e["log_level"], e["attempt"], e["sleep_s"], e["status"], e["request_id"], e["reason"])
        for e in retrying
    ] == [("warning", 1, 0.5, 503, "req-1", "status_503"), ("warning", 2, 4.0, 429, "req-2", "status_429")]


def test_no_retrying_event_when_the_first_attempt_succeeds(client: AmcClient, wire: respx.MockRouter) -> None:
    """A clean call logs no retry."""
    wire.get(STATUS_PATH).mock(return_value=OK)
    with capture_logs() as logs:
        client.executions.get("e-1")
    assert [entry for entry in logs if entry["event"] == "retrying"] == []


def test_token_endpoint_outage_is_retried_like_any_call(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """A 503 from Login with Amazon fails the attempt; the next attempt fetches the token again."""
    wire.routes["token"].mock(side_effect=[httpx.Response(503), token_response()])
    route = wire.get(STATUS_PATH).mock(return_value=OK)
    client.executions.get("e-1")
    assert route.call_count == 1
    assert clock.sleeps == [0.5]


def test_refused_refresh_token_is_an_authentication_error_naming_the_variables(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """LwA's invalid_grant becomes one clear AuthenticationError; nothing is retried."""
    wire.routes["token"].respond(
        400, json={"error": "invalid_grant", "error_description": "The request has an invalid grant"}
    )
    route = wire.get(STATUS_PATH).mock(return_value=OK)
    with pytest.raises(AuthenticationError, match="AMC_CLTV_REFRESH_TOKEN") as raised:
        client.executions.get("e-1")
    assert route.call_count == 0
    assert wire.routes["token"].call_count == 1
    assert "invalid grant" in str(raised.value)


def test_a_503_with_retry_after_is_honoured_too(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Retry-After on a 503 is a floor under the backoff, as on a 429."""
    wire.get(STATUS_PATH).mock(side_effect=[httpx.Response(503, headers={"Retry-After": "5"}), OK])
    with capture_logs() as logs:
        client.executions.get("e-1")
    assert clock.sleeps == [5.0]
    assert [entry.get("logger") for entry in logs if entry["event"] == "retrying"] == ["amc_cltv.client"]


def test_an_ambiguous_submit_names_the_request_id_once(client: AmcClient, wire: respx.MockRouter) -> None:
    """The 5xx's request id is carried over to AmbiguousSubmitError and printed once."""
    wire.post(SUBMIT_PATH).respond(500, json={"details": "boom"}, headers={"x-amzn-RequestId": "rq-amb"})
    with pytest.raises(AmbiguousSubmitError) as raised:
        _submit(client)
    assert raised.value.request_id == "rq-amb"
    assert str(raised.value).count("rq-amb") == 1 and "boom" in str(raised.value)

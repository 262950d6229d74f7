"""Retry-After parsing, and the backoff's bounds with real jitter."""

from __future__ import annotations

import email.utils
import random

import pytest

from amc_cltv.client.retry import CallKind, RetryPolicy, parse_retry_after
from amc_cltv.errors import InternalServerError, RateLimitError

NOW = 1_700_000_000.0  # a frozen wall clock for HTTP-dates


def _date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After-Ms": "250"}, 0.25),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),  # ms wins
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),  # unreadable ms falls back
        ({"retry-after": "2"}, 2.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after": " 7 "}, 7.0),
        ({"retry-after": _date(20)}, 20.0),
        ({"retry-after": _date(-20)}, None),  # a date in the past
        ({"retry-after": "-3"}, None),
        ({"retry-after-ms": "-100"}, None),
        ({"retry-after": "0"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after-ms": "inf", "retry-after": "4"}, 4.0),
        ({"retry-after": "120"}, 120.0),
        ({"retry-after": "121"}, 121.0),  # returned; the policy decides it is too long
        ({"retry-after": ""}, None),
        ({"retry-after": "   "}, None),
        ({"retry-after": "Fri, 99 Foo 2024 25:61:00 GMT"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """ms, then seconds, then an HTTP-date; anything non-finite or not positive means "no header"."""
    result = parse_retry_after(headers, now=NOW)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("retry_after", "retried"), [(None, True), (0.1, True), (120.0, True), (120.5, False)]
)
def test_a_429_is_retried_only_when_its_retry_after_is_at_most_120_seconds(
    retry_after: float | None, retried: bool
) -> None:
    """The 120/121 boundary: up to 120 s is waited in process, beyond is raised for rescheduling."""
    error = RateLimitError("throttled", retry_after=retry_after)
    for kind in CallKind:
        assert RetryPolicy.retryable(error, kind) is retried


def _policy(jitter: float | None = None) -> RetryPolicy:
    draw = random.Random(7).random if jitter is None else (lambda: jitter)
    return RetryPolicy(sleep=lambda _: None, monotonic=lambda: 0.0, jitter=draw)


def test_backoff_with_jitter_at_its_top_is_the_cap_sequence() -> None:
    """Jitter stubbed to 1: 0.5, 1, 2, 4, 8, 8 for errors; 2, 4, …, 60 for a bare 429."""
    policy = _policy(jitter=1.0)
    server_error = InternalServerError("x", status_code=503)
    throttled = RateLimitError("x")
    assert [policy.backoff(n, server_error) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert [policy.backoff(n, throttled) for n in range(7)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


def test_backoff_with_real_jitter_stays_within_full_jitter_bounds() -> None:
    """Over 10,000 draws each delay lies in [0, cap] and the draws spread over the whole range."""
    policy = _policy()
    for error, caps in (
        (InternalServerError("x", status_code=500), [0.5, 1.0, 2.0, 4.0, 8.0]),
        (RateLimitError("x"), [2.0, 4.0, 8.0, 16.0, 32.0]),
    ):
        for n, cap in enumerate(caps):
            draws = [policy.backoff(n, error) for _ in range(2000)]
            assert all(0.0 <= d <= cap for d in draws)
            assert min(draws) < 0.05 * cap and max(draws) > 0.95 * cap


def test_retry_after_is_a_floor_under_the_jittered_backoff() -> None:
    """With a 3 s Retry-After the sleep is never below 3 s and never above max(3, cap)."""
    policy = _policy()
    error = RateLimitError("x", retry_after=3.0)
    draws = [policy.backoff(4, error) for _ in range(2000)]
    assert all(3.0 <= d <= 8.0 for d in draws)
    assert any(d > 3.0 for d in draws)

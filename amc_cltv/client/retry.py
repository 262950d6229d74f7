"""Retrying one logical API call (docs/reliability.md §3), with tenacity.

What is retried depends on the kind of call:

    kind         retried on                                          attempts
    READ         408 429 500 502 503 504, connect error/timeout,     6
    IDEMPOTENT   read timeout, dropped connection                    6
    SUBMIT       429, connect error/timeout (nothing reached AMC)    4

A SUBMIT (create an execution or an audience) has no idempotency key: if it may have reached AMC (read
timeout, dropped connection, 5xx) a second POST could start a second multi-hour run, so it is never
re-sent and ``AmbiguousSubmitError`` tells the orchestrator to reconcile instead.

Backoff is full jitter, ``U(0, min(0.5 * 2**n, 8))`` s, or ``U(0, min(2 * 2**n, 60))`` s for a 429 without
a Retry-After. A Retry-After of at most 120 s is honoured (``max(header, backoff)``); a longer one is not
slept in process: the ``RateLimitError`` carrying ``retry_after`` is raised for the caller to reschedule.
No sleep may end past 300 s from the first attempt, and every retry spends tokens from the client's
refilling quota (``RetryQuota``) so that an outage fails fast instead of storming AMC.

The decisions (what to retry, how long to wait, what the budget allows) are written once; ``call`` runs
them for the sync client and ``acall`` for the async one.
"""

from __future__ import annotations

import asyncio
import email.utils
import enum
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from amc_cltv.errors import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    RetryBudgetExhausted,
)
from amc_cltv.log import get_logger

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Connection failures after which the request may be re-sent when the call is idempotent.
RETRY_REASONS = frozenset({"connect_error", "connect_timeout", "read_timeout", "connection_dropped"})
# Failures that prove the request never reached AMC: safe to re-send even a non-idempotent POST.
UNSENT_REASONS = frozenset({"connect_error", "connect_timeout"})

MAX_ATTEMPTS = 6
MAX_SUBMIT_ATTEMPTS = 4
MAX_DELAY_S = 300.0
MAX_RETRY_AFTER_S = 120.0
QUOTA_CAPACITY = 500
# A full bucket again about 17 minutes after it ran dry: one retry every 10 s can go on for ever.
REFILL_PER_S = 0.5
RETRY_COST = 5
TIMEOUT_RETRY_COST = 10
SUCCESS_REFUND = 1

_log = get_logger("amc_cltv.client")


class CallKind(enum.Enum):
    """How safe a call is to send twice."""

    READ = "read"  # GET
    IDEMPOTENT = "idempotent"  # PUT, DELETE, POST with a client-chosen id (workflow, schedule)
    SUBMIT = "submit"  # POST that starts something new each time (execution, audience)


def parse_retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds to wait from ``retry-after-ms``, else ``retry-after`` (seconds or an HTTP-date).

    ``now`` is the wall-clock time an HTTP-date is measured from, in seconds since the epoch (the transport
    reads it from its clock seam). Returns None when no header gives a finite, positive delay.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    milliseconds = _finite(lowered.get("retry-after-ms"))
    if milliseconds is not None:
        return _positive(milliseconds / 1000.0)
    value = (lowered.get("retry-after") or "").strip()
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return _positive(seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _positive(when.timestamp() - now)


def _finite(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _positive(seconds: float) -> float | None:
    return seconds if seconds > 0 else None


class RetryQuota:
    """A client's retry budget, a token bucket modelled on the AWS SDKs' retry quota.

    Retries spend tokens (5, or 10 after a timeout), a successful call earns one back, and the bucket
    refills at ``refill_per_s`` tokens a second up to ``capacity``: an outage fails fast instead of storming
    AMC, and a long-lived client (a notebook kernel, a scheduler's worker) is full again minutes after AMC
    recovers instead of staying starved by yesterday's outage. ``monotonic`` is the clock seam.
    """

    def __init__(
        self,
        capacity: int = QUOTA_CAPACITY,
        *,
        refill_per_s: float = REFILL_PER_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.refill_per_s = refill_per_s
        self._monotonic = monotonic
        self._available = float(capacity)
        self._updated = monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._monotonic()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._available = min(float(self.capacity), self._available + elapsed * self.refill_per_s)

    @property
    def available(self) -> int:
        """Whole tokens in the bucket now."""
        with self._lock:
            self._refill()
            return int(self._available)

    def acquire(self, cost: int) -> bool:
        """Spend ``cost`` tokens; False (and nothing spent) when too few are left."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, amount: int = SUCCESS_REFUND) -> None:
        with self._lock:
            self._refill()
            self._available = min(float(self.capacity), self._available + amount)


class _StopBeforeDeadline(stop_base):
    """Stop rather than start a sleep that would end ``max_delay`` seconds or more after ``start``."""

    def __init__(self, start: float, monotonic: Callable[[], float], max_delay: float) -> None:
        self._start = start
        self._monotonic = monotonic
        self._max_delay = max_delay

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = self._monotonic() - self._start
        return elapsed + (retry_state.upcoming_sleep or 0.0) >= self._max_delay


def _reason(error: BaseException) -> str:
    if isinstance(error, APIStatusError):
        return f"status_{error.status_code}"
    if isinstance(error, APIError):
        return str(error.context.get("reason", error.__class__.__name__))
    return error.__class__.__name__


def _may_have_reached_amc(error: BaseException) -> bool:
    if isinstance(error, APIStatusError):
        return error.status_code >= 500 or error.status_code == 408
    if isinstance(error, APIConnectionError):
        return error.context.get("reason") not in UNSENT_REASONS | {"pool_timeout"}
    return False


class RetryPolicy:
    """Runs one API call under docs/reliability.md §3; sleep, clock and jitter are injectable seams."""

    def __init__(
        self,
        *,
        sleep: Callable[[float], None],
        monotonic: Callable[[], float],
        jitter: Callable[[], float],
        quota: RetryQuota | None = None,
        max_delay_s: float = MAX_DELAY_S,
        asleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._sleep = sleep
        self._asleep = asleep or _asyncio_sleep
        self._monotonic = monotonic
        self._jitter = jitter
        self.quota = quota if quota is not None else RetryQuota(monotonic=monotonic)
        self._max_delay_s = max_delay_s

    @staticmethod
    def retryable(error: BaseException, kind: CallKind) -> bool:
        """Whether ``error`` may be retried for a call of ``kind``."""
        if isinstance(error, RateLimitError):
            return error.retry_after is None or error.retry_after <= MAX_RETRY_AFTER_S
        if kind is CallKind.SUBMIT:
            return isinstance(error, APIConnectionError) and error.context.get("reason") in UNSENT_REASONS
        if isinstance(error, APIStatusError):
            return error.status_code in RETRY_STATUSES
        if isinstance(error, APIConnectionError):
            return error.context.get("reason") in RETRY_REASONS
        return False

    def backoff(self, retry_number: int, error: BaseException) -> float:
        """Seconds to sleep before retry ``retry_number`` (0 for the first retry) after ``error``."""
        header: float | None = None
        if isinstance(error, RateLimitError):
            header = error.retry_after
            if header is None:
                return self._jitter() * min(2.0 * 2**retry_number, 60.0)
        elif isinstance(error, APIStatusError):
            header = error.context.get("retry_after_header")
        backoff = self._jitter() * min(0.5 * 2**retry_number, 8.0)
        if header is not None and 0 < header <= MAX_RETRY_AFTER_S:
            return max(header, backoff)
        return backoff

    def _wait(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        assert error is not None  # tenacity only waits after a failed attempt
        return self.backoff(retry_state.attempt_number - 1, error)

    def _before_sleep(self, retry_state: RetryCallState, endpoint: str) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        request_id = getattr(error, "request_id", None)
        cost = TIMEOUT_RETRY_COST if isinstance(error, APITimeoutError) else RETRY_COST
        if not self.quota.acquire(cost):
            raise RetryBudgetExhausted(
                f"{endpoint}: giving up, this client has spent its retry budget (AMC looks unavailable); "
                f"last error: {getattr(error, 'message', error)}",
                request_id=request_id,
            ) from error
        _log.warning(
            "retrying",
            endpoint=endpoint,
            attempt=retry_state.attempt_number,
            sleep_s=round(retry_state.upcoming_sleep, 3),
            status=getattr(error, "status_code", None),
            request_id=request_id,
            reason=_reason(error) if error else None,
        )

    def _retrying_options(self, kind: CallKind, endpoint: str) -> dict[str, Any]:
        attempts = MAX_SUBMIT_ATTEMPTS if kind is CallKind.SUBMIT else MAX_ATTEMPTS
        deadline = _StopBeforeDeadline(self._monotonic(), self._monotonic, self._max_delay_s)
        return {
            "retry": retry_if_exception(lambda error: self.retryable(error, kind)),
            "wait": self._wait,
            "stop": stop_after_attempt(attempts) | deadline,
            "before_sleep": lambda state: self._before_sleep(state, endpoint),
            "reraise": True,
        }

    @staticmethod
    def _ambiguous(error: APIError, kind: CallKind) -> APIError:
        """The error to raise for a call that failed: a SUBMIT that may have reached AMC is ambiguous."""
        if kind is CallKind.SUBMIT and _may_have_reached_amc(error):
            ambiguous = AmbiguousSubmitError(
                f"{error.message}; not re-sent, because AMC may have accepted it: "
                "check what exists before submitting again",
                request_id=error.request_id,
                reason=_reason(error),
            )
            ambiguous.__cause__ = error
            return ambiguous
        return error

    def call(self, send: Callable[[], T], *, kind: CallKind, endpoint: str) -> T:
        """Call ``send`` until it succeeds or the policy gives up; re-raises the last error.

        Raises AmbiguousSubmitError when a SUBMIT may have reached AMC, RateLimitError (with
        ``retry_after``) for a Retry-After over 120 s, and RetryBudgetExhausted when the quota is spent.
        """
        retrying = Retrying(sleep=self._sleep, **self._retrying_options(kind, endpoint))
        try:
            result: T = retrying(send)
        except APIError as error:
            raised = self._ambiguous(error, kind)
            if raised is error:
                raise
            raise raised from error
        self.quota.refund()
        return result

    async def acall(self, send: Callable[[], Awaitable[T]], *, kind: CallKind, endpoint: str) -> T:
        """``call`` for a coroutine: the same decisions, sleeping with the async sleep seam."""
        retrying = AsyncRetrying(sleep=self._asleep, **self._retrying_options(kind, endpoint))

        async def attempt() -> T:  # tenacity awaits only what is a coroutine function itself
            return await send()

        try:
            result: T = await retrying(attempt)
        except APIError as error:
            raised = self._ambiguous(error, kind)
            if raised is error:
                raise
            raise raised from error
        self.quota.refund()
        return result


async def _asyncio_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)

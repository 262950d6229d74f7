"""The one seam to the network: send a request, get JSON back or one of our errors.

Only this module (and ``auth.py``, for the ``httpx.Auth`` subclass) imports httpx. It owns the timeouts
and pool limits (docs/reliability.md §2: httpcore retries failed connects twice), the bounds on what a
server may send (``ReceiveLimits``, docs/reliability.md §6), maps every httpx exception and every error
status to ``amc_cltv.errors``, and streams pre-signed result files through a separate client that carries
no credentials (under ``downloads.DownloadRules``, blocking or awaited). Retrying is not done here: see
``retry.py``. The wall clock a ``Retry-After`` HTTP-date is measured against is a seam (``now``), as the
retry policy's sleep and monotonic clock are.
"""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from amc_cltv.client.downloads import ERROR_HEAD_BYTES, DownloadMeter, DownloadRules
from amc_cltv.client.retry import parse_retry_after
from amc_cltv.clock import SystemClock
from amc_cltv.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseLimitExceeded,
    UnprocessableEntityError,
)
from amc_cltv.redact import redact_text, shown

TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)
CONNECT_RETRIES = 2
# The wall clock of a client given none: the real one, as ``amc_cltv.clock`` tells it.
SYSTEM_NOW: Callable[[], datetime] = SystemClock().now

_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
# AMC's error bodies name the problem under different keys per API family (docs/amc-api.md §6.2).
_MESSAGE_KEYS = ("details", "message", "statusReason", "messageSubject")
_REQUEST_ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id")
_MAX_DETAIL = 500
MIB = 1 << 20


@dataclass(frozen=True)
class ReceiveLimits:
    """Bounds on what a server may send (docs/reliability.md §6), generous for real AMC results.

    ``max_answer_bytes`` bounds one JSON answer (decompressed); ``max_pages`` and ``max_items`` one listing
    followed through its ``nextToken``s; ``max_download_bytes`` one result file (decompressed), and
    ``max_decompression_ratio`` its decompressed size over the bytes received, checked past 1 MiB.
    """

    max_answer_bytes: int = 64 * MIB
    max_pages: int = 1000
    max_items: int = 200_000
    max_download_bytes: int = 50 * 1024 * MIB
    max_decompression_ratio: float = 200.0


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """The process's one TLS context (certifi's roots). Building one costs tens of milliseconds of CPU,
    which a fleet of clients (two transports each, sync and async) would otherwise pay per client."""
    return httpx.create_ssl_context()


def network_transport() -> httpx.BaseTransport:
    """The real network: pooled, and retrying failed connects (never a sent request) twice."""
    return httpx.HTTPTransport(retries=CONNECT_RETRIES, limits=LIMITS, verify=ssl_context())


def async_network_transport() -> httpx.AsyncBaseTransport:
    """``network_transport`` for the async client."""
    return httpx.AsyncHTTPTransport(retries=CONNECT_RETRIES, limits=LIMITS, verify=ssl_context())


class _WSGITransport(httpx.WSGITransport):
    # In process there is no socket to drop: the sandbox's "drop" fault raises ConnectionResetError after
    # doing the work, which is what a dropped connection is on the network.
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionResetError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from None


def wsgi_transport(app: Any) -> httpx.BaseTransport:
    """A transport that serves a WSGI app in process (the embedded sandbox).

    An exception the app raises propagates as it is: a sandbox bug is not an AMC outage to retry. Only a
    dropped connection (``ConnectionResetError``, the sandbox's ``drop`` fault) becomes httpx's own error.
    """
    return _WSGITransport(app=app)


class _ThreadedWSGITransport(httpx.AsyncBaseTransport):
    # httpx has no async WSGI transport: the in-process app answers in a worker thread, so the event loop
    # keeps polling other executions meanwhile.
    def __init__(self, app: Any) -> None:
        self._sync = _WSGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        replay = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await asyncio.to_thread(self._sync.handle_request, replay)
        content = await asyncio.to_thread(response.read)
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )


def async_wsgi_transport(app: Any) -> httpx.AsyncBaseTransport:
    """``wsgi_transport`` for the async client: the app runs in a worker thread."""
    return _ThreadedWSGITransport(app)


def connection_failure(exc: httpx.TransportError, endpoint: str) -> APIConnectionError:
    """Map an httpx transport exception to our error; ``reason`` says how far the request got."""
    reasons: list[tuple[type[httpx.TransportError], str, type[APIConnectionError]]] = [
        (httpx.ConnectTimeout, "connect_timeout", APITimeoutError),
        (httpx.PoolTimeout, "pool_timeout", APITimeoutError),
        (httpx.ReadTimeout, "read_timeout", APITimeoutError),
        (httpx.WriteTimeout, "write_timeout", APITimeoutError),
        (httpx.TimeoutException, "timeout", APITimeoutError),
        (httpx.ConnectError, "connect_error", APIConnectionError),
        (httpx.RemoteProtocolError, "connection_dropped", APIConnectionError),
        (httpx.ReadError, "connection_dropped", APIConnectionError),
        (httpx.WriteError, "write_error", APIConnectionError),
    ]
    reason, error_class = next(
        ((reason, error_class) for kind, reason, error_class in reasons if isinstance(exc, kind)),
        ("transport_error", APIConnectionError),
    )
    detail = shown(str(exc), _MAX_DETAIL) or exc.__class__.__name__
    return error_class(f"{endpoint}: no answer from AMC ({reason}: {detail})", reason=reason)


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, stream: Any, limit: int, request: httpx.Request) -> None:
        self._stream, self._limit, self._request = stream, limit, request

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._stream:
            received += len(chunk)
            if received > self._limit:
                raise _too_large(_endpoint(self._request), self._limit)
            yield chunk

    def close(self) -> None:
        self._stream.close()


class _AsyncBoundedStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, limit: int, request: httpx.Request) -> None:
        self._stream, self._limit, self._request = stream, limit, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in self._stream:
            received += len(chunk)
            if received > self._limit:
                raise _too_large(_endpoint(self._request), self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


def _too_large(endpoint: str, limit: int) -> ResponseLimitExceeded:
    return ResponseLimitExceeded(
        f"{endpoint}: the answer is larger than {limit:,} bytes (limits.max_answer_mib); "
        "nothing of it is used"
    )


def _endpoint(request: httpx.Request) -> str:
    """The request as a message names it, made safe to show: worked out only for a message (the redaction
    is not free, and every answer goes through here)."""
    return shown(f"{request.method} {request.url.path}", 200)


def _bound(response: httpx.Response, request: httpx.Request, limit: int) -> None:
    """Check an API answer's headers before its body is read.

    API requests ask for ``Accept-Encoding: identity``: an answer compressed anyway is refused, so that the
    byte bound is a bound on the answer itself (a few kilobytes of gzip can decompress to gigabytes).
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise ResponseLimitExceeded(
            f"{_endpoint(request)}: the answer is compressed ({shown(encoding, 40)}) although the request "
            "asked for none; nothing of it is used"
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(_endpoint(request), limit)


class BoundedTransport(httpx.BaseTransport):
    """Wraps the API's transport: every answer (401s and Login with Amazon's included, which httpx reads
    inside the auth flow) is refused past ``limit`` bytes, as it streams in."""

    def __init__(self, inner: httpx.BaseTransport, limit: int) -> None:
        self._inner, self._limit = inner, limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        try:
            _bound(response, request, self._limit)
        except BaseException:
            response.close()
            raise
        response.stream = _BoundedStream(response.stream, self._limit, request)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncBoundedTransport(httpx.AsyncBaseTransport):
    """``BoundedTransport`` for the async client."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int) -> None:
        self._inner, self._limit = inner, limit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        try:
            _bound(response, request, self._limit)
        except BaseException:
            await response.aclose()
            raise
        response.stream = _AsyncBoundedStream(response.stream, self._limit, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _request_id(response: httpx.Response, body: Any) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        if response.headers.get(name):
            return response.headers[name]
    if isinstance(body, Mapping) and isinstance(body.get("requestId"), str):
        return str(body["requestId"])
    return None


def _detail(body: Any, text: str) -> str | None:
    # Redacted before it is cut: a secret the server echoes, cut in two, would no longer be recognised.
    if isinstance(body, Mapping):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if value:
                return shown(str(value), _MAX_DETAIL)
        if body.get("error_description") or body.get("error"):  # Login with Amazon
            return shown(str(body.get("error_description") or body.get("error")), _MAX_DETAIL)
    text = text.strip()
    return shown(text, _MAX_DETAIL) if text else None


def status_error(response: httpx.Response, endpoint: str, *, now: datetime) -> APIStatusError:
    """The error for a non-2xx response: its class by status, with AMC's details and the request id.

    ``now`` is the wall-clock time a ``Retry-After`` HTTP-date is measured against.
    """
    text = response.text
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = None
    status = response.status_code
    details = _detail(body, text)
    code = shown(str(body.get("code")), 80) if isinstance(body, Mapping) and body.get("code") else None
    request_id = _request_id(response, body)
    request_id = shown(request_id, 120) if request_id else None
    reason = shown(response.reason_phrase or "error", 80)
    message = redact_text(f"{endpoint} failed: HTTP {status} {reason}" + (f": {details}" if details else ""))
    error_class = _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "request_id": request_id,
        "code": code,
        "details": details,
    }
    if error_class is RateLimitError:
        kwargs["retry_after"] = parse_retry_after(response.headers, now=now.timestamp())
    else:
        # 503s may carry a Retry-After too; the retry policy honours it.
        kwargs["retry_after_header"] = parse_retry_after(response.headers, now=now.timestamp())
    return error_class(message, **kwargs)


def _answer(response: httpx.Response, endpoint: str, now: Callable[[], datetime]) -> Any:
    """The parsed JSON body of a response (None when empty), or the error it stands for."""
    if response.status_code >= 400 or response.status_code < 200:
        raise status_error(response, endpoint, now=now())
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise MalformedResponseError(
            f"{endpoint}: AMC answered HTTP {response.status_code} with a body that is not JSON",
            request_id=_request_id(response, None),
        ) from None


def _client_options(base_url: str, auth: httpx.Auth | None, user_agent: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "auth": auth,
        "timeout": TIMEOUT,
        "follow_redirects": False,
        # Answers uncompressed: the byte bound on an answer is then a bound on what is held in memory.
        "headers": {"User-Agent": user_agent, "Accept-Encoding": "identity"},
    }


class Transport:
    """One pooled httpx client for the AMC API: sends a request, returns its JSON body or raises.

    ``now`` is the wall clock (an aware ``datetime``) that a ``Retry-After`` HTTP-date is measured against.
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None = None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "amc-cltv",
        limits: ReceiveLimits = ReceiveLimits(),
        now: Callable[[], datetime] = SYSTEM_NOW,
    ) -> None:
        self._client = httpx.Client(
            transport=BoundedTransport(transport or network_transport(), limits.max_answer_bytes),
            **_client_options(base_url, auth, user_agent),
        )
        self.limits = limits
        self._now = now
        self.last_date: str | None = None  # the Date header of the latest answer (the server's clock)

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        """Send one request; the parsed JSON body (None when empty).

        Raises an ``APIStatusError`` subclass for an error status, ``APIConnectionError`` /
        ``APITimeoutError`` (with ``context["reason"]``) when no answer came, and
        ``MalformedResponseError`` for a 2xx whose body is not JSON.
        """
        endpoint = f"{method} {path}"
        content = None if json_body is None else json.dumps(json_body).encode()
        try:
            response = self._client.request(
                method, path, headers=dict(headers), params=params, content=content
            )
        except httpx.TransportError as exc:
            raise connection_failure(exc, endpoint) from None
        self.last_date = response.headers.get("Date") or self.last_date
        return _answer(response, endpoint, self._now)

    def close(self) -> None:
        self._client.close()


class AsyncTransport:
    """``Transport`` on ``httpx.AsyncClient``: the same requests, answers and errors, awaited."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = "amc-cltv",
        limits: ReceiveLimits = ReceiveLimits(),
        now: Callable[[], datetime] = SYSTEM_NOW,
    ) -> None:
        self._client = httpx.AsyncClient(
            transport=AsyncBoundedTransport(transport or async_network_transport(), limits.max_answer_bytes),
            **_client_options(base_url, auth, user_agent),
        )
        self.limits = limits
        self._now = now

    async def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        """See ``Transport.send``."""
        endpoint = f"{method} {path}"
        content = None if json_body is None else json.dumps(json_body).encode()
        try:
            response = await self._client.request(
                method, path, headers=dict(headers), params=params, content=content
            )
        except httpx.TransportError as exc:
            raise connection_failure(exc, endpoint) from None
        return _answer(response, endpoint, self._now)

    async def aclose(self) -> None:
        await self._client.aclose()


class DownloadStream:
    """An open pre-signed download: its declared length, and its bytes in chunks, within the bounds."""

    def __init__(self, response: httpx.Response, meter: DownloadMeter) -> None:
        self._response = response
        self._meter = meter
        self.content_length = meter.content_length

    def iter_bytes(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Yield the body in chunks; raises DownloadError if the connection fails or the body is short, and
        DownloadRefused past ``max_download_bytes`` or ``max_decompression_ratio`` (a decompression bomb)."""
        meter, response = self._meter, self._response
        meter.start()
        try:
            for chunk in response.iter_bytes(chunk_size):
                meter.count(len(chunk), response.num_bytes_downloaded)
                yield chunk
        except httpx.HTTPError as exc:
            raise meter.broken(exc) from None
        meter.finish(response.num_bytes_downloaded)


class AsyncDownloadStream:
    """``DownloadStream`` for the async client: ``content_length``, and ``aiter_bytes`` to ``async for``."""

    def __init__(self, response: httpx.Response, meter: DownloadMeter) -> None:
        self._response = response
        self._meter = meter
        self.content_length = meter.content_length

    async def aiter_bytes(self, chunk_size: int = 1 << 20) -> AsyncIterator[bytes]:
        """See ``DownloadStream.iter_bytes``: the same bounds and errors."""
        meter, response = self._meter, self._response
        meter.start()
        try:
            async for chunk in response.aiter_bytes(chunk_size):
                meter.count(len(chunk), response.num_bytes_downloaded)
                yield chunk
        except httpx.HTTPError as exc:
            raise meter.broken(exc) from None
        meter.finish(response.num_bytes_downloaded)


def _head(response: httpx.Response) -> bytes:
    # The start of an error body (S3 names an expired URL there); the rest is never read.
    head = b""
    for chunk in response.iter_bytes():
        head += chunk
        if len(head) >= ERROR_HEAD_BYTES:
            break
    return head[:ERROR_HEAD_BYTES]


async def _ahead(response: httpx.Response) -> bytes:
    head = b""
    async for chunk in response.aiter_bytes():
        head += chunk
        if len(head) >= ERROR_HEAD_BYTES:
            break
    return head[:ERROR_HEAD_BYTES]


class Downloader:
    """Fetches pre-signed result URLs with a plain client of its own, under ``DownloadRules``.

    A pre-signed URL is its own credential: sending our bearer token or Amazon headers along would leak
    them to S3 and can make the signature check fail, so this client has no auth and no default headers.
    Only https URLs are fetched (customer data and signatures never travel in clear, and a server cannot
    make the tool call plain-http hosts inside the network); plain http is accepted only on a loopback host,
    and only when ``allow_loopback_http`` (the profile's own API is on loopback: a local emulator). A
    redirect is never followed.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        limits: ReceiveLimits = ReceiveLimits(),
        allow_loopback_http: bool = False,
    ) -> None:
        self._client = httpx.Client(
            transport=transport or network_transport(), timeout=TIMEOUT, follow_redirects=False
        )
        self._rules = DownloadRules(limits, allow_loopback_http=allow_loopback_http)

    @contextmanager
    def open(self, url: str) -> Iterator[DownloadStream]:
        """Open ``url`` for streaming; raises DownloadUrlExpired, DownloadRefused (a URL that is not https,
        a redirect) or DownloadError (URLs redacted)."""
        rules = self._rules
        label = rules.admit(url)
        try:
            with self._client.stream("GET", url) as response:
                status, redirect = response.status_code, response.is_redirect
                if status != 200:
                    raise rules.refusal(
                        label, status, redirect=redirect, head=b"" if redirect else _head(response)
                    )
                yield DownloadStream(response, rules.meter(label, response.headers.get("content-length")))
        except httpx.HTTPError as exc:
            raise rules.unreachable(label, exc) from None

    def close(self) -> None:
        self._client.close()


class AsyncDownloader:
    """``Downloader`` on ``httpx.AsyncClient``: the same rules (no credentials, https only, no redirect,
    the same bounds), awaited."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        limits: ReceiveLimits = ReceiveLimits(),
        allow_loopback_http: bool = False,
    ) -> None:
        self._client = httpx.AsyncClient(
            transport=transport or async_network_transport(), timeout=TIMEOUT, follow_redirects=False
        )
        self._rules = DownloadRules(limits, allow_loopback_http=allow_loopback_http)

    @asynccontextmanager
    async def open(self, url: str) -> AsyncIterator[AsyncDownloadStream]:
        """See ``Downloader.open``: ``async with downloader.open(url) as stream: ...``."""
        rules = self._rules
        label = rules.admit(url)
        try:
            async with self._client.stream("GET", url) as response:
                status, redirect = response.status_code, response.is_redirect
                if status != 200:
                    head = b"" if redirect else await _ahead(response)
                    raise rules.refusal(label, status, redirect=redirect, head=head)
                yield AsyncDownloadStream(
                    response, rules.meter(label, response.headers.get("content-length"))
                )
        except httpx.HTTPError as exc:
            raise rules.unreachable(label, exc) from None

    async def aclose(self) -> None:
        await self._client.aclose()

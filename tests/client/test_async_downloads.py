"""``AsyncAmcClient.open_download`` on a respx-mocked wire: the blocking downloader's guarantees, awaited.

A file streams through a client with no credentials; only https (or loopback http for a loopback API) is
fetched; a redirect is never followed; the size and decompression bounds and the Content-Length check hold;
an expired URL asks for fresh ones; the signature shows in no error and no log line.
"""

from __future__ import annotations

import gzip
import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from amc_cltv import AsyncAmcClient
from amc_cltv.client import ReceiveLimits
from amc_cltv.errors import DownloadError, DownloadRefused, DownloadUrlExpired
from tests.client.conftest import API, REPORTING, FakeClock, make_async_client, run

SIGNATURE = "f00dfeedc0ffee1234567890abcdef"
URL = (
    "https://amc-results.s3.amazonaws.com/workflow=cltv/part-1.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Expires=600&X-Amz-Signature={SIGNATURE}"
)
CSV = b"customer_segment,users\nhigh,2600\nlow,9000\n"
SMALL = ReceiveLimits(max_download_bytes=64 * 1024, max_decompression_ratio=20)


class _Chunks(httpx.AsyncByteStream):
    """A body without Content-Length, streamed chunk by chunk; ``sent`` counts what the server gave."""

    def __init__(self, chunks: Iterator[bytes], then: BaseException | None = None) -> None:
        self._chunks = chunks
        self._then = then
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            self.sent += len(chunk)
            yield chunk
        if self._then is not None:
            raise self._then


async def _read(client: AsyncAmcClient, url: str, chunk_size: int = 8) -> tuple[int | None, list[bytes]]:
    async with client, client.open_download(url) as stream:
        return stream.content_length, [chunk async for chunk in stream.aiter_bytes(chunk_size)]


async def _drain(client: AsyncAmcClient, url: str, chunk_size: int) -> int:
    """Stream ``url`` to nowhere (a file that never ends must not fill the memory); the bytes seen."""
    seen = 0
    async with client, client.open_download(url) as stream:
        async for chunk in stream.aiter_bytes(chunk_size):
            seen += len(chunk)
    return seen


def test_a_file_streams_in_chunks_without_any_credential_header(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    """After an API call got a token, the S3 request still carries no Authorization and no Amazon header,
    and the signature goes out untouched."""
    wire.get(f"{REPORTING}/workflowExecutions/e-1/downloadUrls").respond(json={"downloadUrls": [URL]})
    s3 = wire.get(URL).respond(200, content=CSV)

    async def scenario() -> tuple[int | None, list[bytes]]:
        client = make_async_client(clock)
        urls = (await client.executions.download_urls("e-1")).download_urls
        return await _read(client, urls[0])

    length, chunks = run(scenario())
    assert length == len(CSV)
    assert b"".join(chunks) == CSV and len(chunks) > 1
    sent = s3.calls.last.request.headers
    assert "authorization" not in sent
    assert not [name for name in sent if name.lower().startswith(("amazon-", "x-amz"))]
    assert s3.calls.last.request.url.params["X-Amz-Signature"] == SIGNATURE


@pytest.mark.parametrize(
    "url",
    [
        "http://amc-results.s3.amazonaws.com/x/part-1.csv?X-Amz-Signature=abc",
        "http://127.0.0.1:9/x/part-1.csv",  # loopback, but the API is not: refused too
        "ftp://amc-results.example/x/part-1.csv",
    ],
)
def test_a_url_that_is_not_https_is_never_fetched(wire: respx.MockRouter, clock: FakeClock, url: str) -> None:
    route = wire.route(url__startswith=url.split("?")[0]).respond(200, content=b"a\n1\n")
    with pytest.raises(DownloadRefused, match="https only"):
        run(_read(make_async_client(clock), url))
    assert route.call_count == 0


def test_plain_http_is_taken_on_loopback_when_the_api_is_on_loopback(clock: FakeClock) -> None:
    with respx.mock(assert_all_mocked=True) as router:
        router.get("http://127.0.0.1:8000/s3/part-1.csv").respond(200, content=b"a\n1\n")
        local = {"api_url": "http://127.0.0.1:8000", "token_url": "http://127.0.0.1:8000/token"}
        assert b"".join(
            run(_read(make_async_client(clock, **local), "http://127.0.0.1:8000/s3/part-1.csv"))[1]
        ) == (b"a\n1\n")
        with pytest.raises(DownloadRefused):  # another host in clear: still refused
            run(_read(make_async_client(clock, **local), "http://10.0.0.8/s3/part-1.csv"))


def test_a_file_past_the_size_bound_is_refused(wire: respx.MockRouter, clock: FakeClock) -> None:
    """No Content-Length, four times the bound in plain bytes: refused past max_download_bytes."""
    body = _Chunks(itertools.repeat(b"1,2\n" * 1024, 64))
    wire.get(URL).mock(return_value=httpx.Response(200, stream=body))
    with pytest.raises(DownloadRefused, match="max_download_gib"):
        run(_drain(make_async_client(clock, limits=SMALL), URL, 4096))
    assert body.sent <= SMALL.max_download_bytes + 2 * 4096


def test_a_declared_size_past_the_bound_is_refused_before_reading(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    body = _Chunks(iter([b"a\n"]))
    wire.get(URL).mock(return_value=httpx.Response(200, headers={"Content-Length": "99999999"}, stream=body))
    with pytest.raises(DownloadRefused, match="declares 99,999,999 bytes"):
        run(_read(make_async_client(clock, limits=SMALL), URL))
    assert body.sent == 0


def test_a_gzip_bomb_is_refused_past_the_ratio(wire: respx.MockRouter, clock: FakeClock) -> None:
    bomb = gzip.compress(b"a,b\n" + b"0" * (2 << 20))
    wire.get(URL).mock(
        return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=_Chunks(iter([bomb])))
    )
    limits = ReceiveLimits(max_decompression_ratio=20)
    with pytest.raises(DownloadRefused, match="max_decompression_ratio"):
        run(_drain(make_async_client(clock, limits=limits), URL, 64 * 1024))


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_refused_and_never_followed(
    wire: respx.MockRouter, clock: FakeClock, status: int
) -> None:
    first = wire.get(URL).respond(status, headers={"Location": "https://169.254.169.254/latest/meta-data/"})
    internal = wire.route(host="169.254.169.254").respond(200, content=b"secret")
    with pytest.raises(DownloadRefused, match="redirect"):
        run(_read(make_async_client(clock), URL))
    assert internal.call_count == 0
    assert "authorization" not in first.calls.last.request.headers
    assert API not in str(first.calls.last.request.headers)


def test_an_expired_url_asks_for_fresh_urls_and_never_shows_the_signature(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    wire.get(URL).respond(
        403, text="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    )
    with pytest.raises(DownloadUrlExpired) as raised:
        run(_read(make_async_client(clock), URL))
    assert SIGNATURE not in str(raised.value)
    assert "part-1.csv" in str(raised.value)


@pytest.mark.parametrize("status", [403, 404, 500])
def test_other_failures_are_download_errors(wire: respx.MockRouter, clock: FakeClock, status: int) -> None:
    wire.get(URL).respond(
        status, text="<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    )
    with pytest.raises(DownloadError) as raised:
        run(_read(make_async_client(clock), URL))
    assert not isinstance(raised.value, DownloadUrlExpired | DownloadRefused)
    assert SIGNATURE not in str(raised.value)


def test_a_short_body_or_a_connection_lost_mid_file_is_a_download_error(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Fewer bytes than Content-Length promised, or a dropped connection: never taken as a whole file."""
    wire.get(URL).mock(
        side_effect=[
            httpx.Response(200, content=CSV, headers={"Content-Length": str(len(CSV) + 100)}),
            httpx.Response(200, stream=_Chunks(iter([CSV[:10]]), then=httpx.ReadError("connection reset"))),
        ]
    )
    with pytest.raises(DownloadError, match="incomplete"):
        run(_read(make_async_client(clock), URL))
    with pytest.raises(DownloadError, match="mid-file") as raised:
        run(_read(make_async_client(clock), URL))
    assert SIGNATURE not in str(raised.value)


def test_the_download_is_logged_with_its_signature_masked(
    wire: respx.MockRouter, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    wire.get(URL).respond(200, content=CSV)
    with caplog.at_level(logging.DEBUG):
        run(_read(make_async_client(clock), URL))
    assert "part-1.csv" in caplog.text  # httpx logged the request
    assert SIGNATURE not in caplog.text
    assert "X-Amz-Signature=***" in caplog.text


def test_views_share_the_owners_downloader(wire: respx.MockRouter, clock: FakeClock) -> None:
    """Closing a ``for_instance`` view leaves the shared downloader open; closing the owner closes it."""
    wire.get(URL).respond(200, content=CSV)

    async def scenario() -> Any:
        client = make_async_client(clock)
        view = client.for_instance(instance_id="amcother", advertiser_id="E2", marketplace_id="M2")
        await view.aclose()
        async with view.open_download(URL) as stream:
            body = b"".join([chunk async for chunk in stream.aiter_bytes()])
        await client.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            async with view.open_download(URL):
                pass
        return body

    assert run(scenario()) == CSV

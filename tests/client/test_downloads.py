"""Pre-signed result files: streamed by a client with no credentials; expiry and short bodies detected."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.errors import DownloadError, DownloadUrlExpired
from tests.client.conftest import REPORTING

SIGNATURE = "f00dfeedc0ffee1234567890abcdef"
URL = (
    "https://amc-results.s3.amazonaws.com/workflow=cltv/part-1.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Credential=AKIAEXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Expires=600"
    f"&X-Amz-Signature={SIGNATURE}"
)
CSV = b"customer_segment,users\nhigh,2600\nlow,9000\n"


def test_download_streams_in_chunks_without_any_credential_header(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """The S3 request has no Authorization and no Amazon headers, even after an API call got a token."""
    wire.get(f"{REPORTING}/workflowExecutions/e-1/downloadUrls").respond(json={"downloadUrls": [URL]})
    s3 = wire.get(URL).respond(200, content=CSV)
    urls = client.executions.download_urls("e-1").download_urls
    with client.open_download(urls[0]) as stream:
        assert stream.content_length == len(CSV)
        chunks = list(stream.iter_bytes(chunk_size=8))
    assert b"".join(chunks) == CSV
    assert len(chunks) > 1
    sent = s3.calls.last.request.headers
    assert "authorization" not in sent
    assert not [name for name in sent if name.lower().startswith(("amazon-", "x-amz"))]
    assert s3.calls.last.request.url.params["X-Amz-Signature"] == SIGNATURE


@pytest.mark.parametrize(
    "body",
    [
        "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        "<Error><Code>AccessDenied</Code><Message>Token expired</Message></Error>",
    ],
)
def test_expired_url_raises_download_url_expired(
    client: AmcClient, wire: respx.MockRouter, body: str
) -> None:
    """S3's 403 "Request has expired" means: ask AMC for new URLs; the signature never shows in the error."""
    wire.get(URL).respond(403, text=body)
    with pytest.raises(DownloadUrlExpired) as raised, client.open_download(URL):
        pass
    assert SIGNATURE not in str(raised.value) and "AKIAEXAMPLE" not in str(raised.value)
    assert "part-1.csv" in str(raised.value)


@pytest.mark.parametrize("status", [403, 404, 500])
def test_other_failures_are_download_errors(client: AmcClient, wire: respx.MockRouter, status: int) -> None:
    """A plain AccessDenied or a server error is a DownloadError, not an expiry."""
    wire.get(URL).respond(
        status, text="<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    )
    with pytest.raises(DownloadError) as raised, client.open_download(URL):
        pass
    assert not isinstance(raised.value, DownloadUrlExpired)
    assert SIGNATURE not in str(raised.value)


def test_short_body_against_content_length_is_an_error(client: AmcClient, wire: respx.MockRouter) -> None:
    """Fewer bytes than Content-Length promised: DownloadError, so a truncated CSV is never taken as whole."""
    wire.get(URL).respond(200, content=CSV, headers={"Content-Length": str(len(CSV) + 100)})
    with pytest.raises(DownloadError, match="incomplete"), client.open_download(URL) as stream:
        for _ in stream.iter_bytes(16):
            pass


def test_connection_lost_mid_file_is_a_download_error(client: AmcClient, wire: respx.MockRouter) -> None:
    """A dropped connection while streaming becomes DownloadError, with the URL redacted."""

    def body() -> Iterator[bytes]:
        yield b"customer_segment,users\n"
        raise httpx.ReadError("connection reset")

    wire.get(URL).mock(
        return_value=httpx.Response(200, stream=httpx.ByteStream(b"") if False else _Stream(body()))
    )
    with pytest.raises(DownloadError) as raised, client.open_download(URL) as stream:
        for _ in stream.iter_bytes(16):
            pass
    assert SIGNATURE not in str(raised.value)


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

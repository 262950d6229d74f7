"""A hostile or broken AMC on the wire (respx): answers, listings, Login with Amazon and downloads are
bounded, redacted before they are cut, and a download URL is taken only over https, without credentials or
redirects."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Callable, Iterator

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient, ReceiveLimits, transport
from amc_cltv.errors import AuthenticationError, DownloadRefused, ResponseLimitExceeded
from tests.client.conftest import API, CLIENT_SECRET, REPORTING, TOKEN_URL

EXECUTIONS = f"{REPORTING}/workflowExecutions"
SMALL = ReceiveLimits(
    max_answer_bytes=4096,
    max_pages=5,
    max_items=50,
    max_download_bytes=64 * 1024,
    max_decompression_ratio=20,
)


class _Chunks(httpx.SyncByteStream):
    """A body without Content-Length, streamed chunk by chunk; ``sent`` counts what the server gave."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.sent += len(chunk)
            yield chunk


@pytest.fixture
def small(make_client: Callable[..., AmcClient]) -> AmcClient:
    return make_client(limits=SMALL)


# -- listings --------------------------------------------------------------------------------------------


def test_a_listing_handing_out_fresh_tokens_forever_stops_at_the_page_bound(
    small: AmcClient, wire: respx.MockRouter
) -> None:
    """Every page names a new nextToken: the listing is refused after max_pages requests, not 7,900."""
    tokens = itertools.count()
    route = wire.get(EXECUTIONS).mock(
        side_effect=lambda request: httpx.Response(
            200, json={"executions": [], "nextToken": f"t{next(tokens)}"}
        )
    )
    with pytest.raises(ResponseLimitExceeded, match=r"after 5 pages \(limits.max_list_pages\)"):
        small.executions.list(min_creation_time="2026-11-01T00:00:00")
    assert route.call_count == 5


def test_a_listing_past_the_item_bound_is_refused(small: AmcClient, wire: respx.MockRouter) -> None:
    """Forty items a page: the second page passes 50 items in all."""
    one = {"workflowExecutionId": "e-1", "status": "RUNNING"}
    wire.get(EXECUTIONS).mock(
        side_effect=[
            httpx.Response(200, json={"executions": [one] * 40, "nextToken": "p2"}),
            httpx.Response(200, json={"executions": [one] * 40, "nextToken": None}),
        ]
    )
    with pytest.raises(ResponseLimitExceeded, match=r"50 items \(limits.max_list_items\)"):
        small.executions.list(min_creation_time="2026-11-01T00:00:00")


def test_a_listing_within_the_bounds_is_read_whole(small: AmcClient, wire: respx.MockRouter) -> None:
    one = {"workflowExecutionId": "e-1", "status": "RUNNING"}
    wire.get(EXECUTIONS).mock(
        side_effect=[
            httpx.Response(200, json={"executions": [one] * 10, "nextToken": f"p{i}"}) for i in range(4)
        ]
        + [httpx.Response(200, json={"executions": [one] * 10, "nextToken": None})]
    )
    assert len(small.executions.list(min_creation_time="2026-11-01T00:00:00")) == 50


# -- answer bytes ----------------------------------------------------------------------------------------


def test_an_endless_json_answer_is_refused_as_it_streams_in(small: AmcClient, wire: respx.MockRouter) -> None:
    """No Content-Length, a body that never ends: refused past max_answer_bytes, having read about that."""
    body = _Chunks(itertools.chain([b'{"workflowExecutionId": "e-1", "x": "'], itertools.repeat(b"a" * 1024)))
    wire.get(f"{EXECUTIONS}/e-1").mock(return_value=httpx.Response(200, stream=body))
    with pytest.raises(
        ResponseLimitExceeded, match=r"larger than 4,096 bytes \(limits.max_answer_mib\)"
    ) as refused:
        small.executions.get("e-1")
    assert body.sent < 4096 + 2048
    assert "GET /amc/reporting/" in str(refused.value) and "/workflowExecutions/e-1" in str(refused.value)


def test_an_answer_within_the_bounds_costs_no_redaction(
    small: AmcClient, wire: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The endpoint a refusal names is redacted only when there is a refusal to word: every answer of a
    fleet's thousands goes through the bound."""
    redacted: list[str] = []
    monkeypatch.setattr(transport, "shown", lambda text, limit=None: redacted.append(text) or text)
    wire.get(f"{EXECUTIONS}/e-1").mock(
        return_value=httpx.Response(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})
    )
    assert small.executions.get("e-1").workflow_execution_id == "e-1"
    assert redacted == []


def test_an_answer_declaring_too_many_bytes_is_refused_before_reading(
    small: AmcClient, wire: respx.MockRouter
) -> None:
    body = _Chunks(iter([b"{}"]))
    wire.get(f"{EXECUTIONS}/e-1").mock(
        return_value=httpx.Response(200, headers={"Content-Length": "300000000"}, stream=body)
    )
    with pytest.raises(ResponseLimitExceeded):
        small.executions.get("e-1")
    assert body.sent == 0


def test_a_compressed_answer_is_refused_as_the_request_asked_for_none(
    client: AmcClient, wire: respx.MockRouter
) -> None:
    """A few KiB of gzip can decompress to gigabytes: API answers are asked uncompressed, and must be."""
    packed = gzip.compress(b'{"workflowExecutionId": "e-1", "status": "RUNNING"}')
    route = wire.get(f"{EXECUTIONS}/e-1").mock(
        return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=_Chunks(iter([packed])))
    )
    with pytest.raises(ResponseLimitExceeded, match="compressed"):
        client.executions.get("e-1")
    assert route.calls.last.request.headers["Accept-Encoding"] == "identity"


# -- Login with Amazon -----------------------------------------------------------------------------------


def test_an_echoing_login_with_amazon_never_shows_the_secret_even_cut(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter
) -> None:
    """A plain-text 400 that echoes the request, with the secret straddling the 500-character cut."""
    secret = "amzn1.oa2-cs.v1." + "s3cr3t" * 8  # 64 characters
    echo = "x" * 470 + f"client_secret={secret}&grant_type=refresh_token"
    wire.post(TOKEN_URL).mock(return_value=httpx.Response(400, text=echo))
    client = make_client(client_secret=secret)
    wire.get(f"{EXECUTIONS}/e-1").respond(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})
    with pytest.raises(AuthenticationError) as raised:
        client.executions.get("e-1")
    shown = f"{raised.value} {raised.value.details}"
    for start in range(0, len(secret) - 8):
        assert secret[start : start + 8] not in shown, shown
    assert "x" * 100 in shown  # the body is still quoted, masked


def test_a_token_answer_past_its_bound_is_refused(
    make_client: Callable[..., AmcClient], wire: respx.MockRouter
) -> None:
    wire.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, stream=_Chunks(itertools.repeat(b" " * 1024, 100)))
    )
    client = make_client(limits=SMALL)
    with pytest.raises(ResponseLimitExceeded, match="bytes"):
        client.executions.get("e-1")


def test_a_long_error_body_is_redacted_before_it_is_cut(client: AmcClient, wire: respx.MockRouter) -> None:
    """The known client secret at the very edge of the 500-character cut is masked whole."""
    text = "y" * 490 + CLIENT_SECRET
    wire.get(f"{EXECUTIONS}/e-1").respond(400, text=text)
    with pytest.raises(Exception) as raised:
        client.executions.get("e-1")
    assert CLIENT_SECRET[:10] not in str(raised.value)


# -- downloads -------------------------------------------------------------------------------------------

S3 = "https://amc-results.s3.amazonaws.com/x/part-1.csv?X-Amz-Signature=abc"


def test_a_gzip_bomb_is_refused_past_the_ratio_without_being_written(
    small: AmcClient, wire: respx.MockRouter
) -> None:
    """Two MiB of one repeated byte, gzipped to a few KiB: refused once past 1 MiB at a ratio above 20."""
    bomb = gzip.compress(b"a,b\n" + b"0" * (2 << 20))
    wire.get(S3).mock(
        return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=_Chunks(iter([bomb])))
    )
    received = 0
    with pytest.raises(DownloadRefused, match="max_decompression_ratio"), small.open_download(S3) as stream:
        for chunk in stream.iter_bytes(64 * 1024):
            received += len(chunk)
    assert received <= (1 << 20) + 64 * 1024


def test_a_file_past_the_size_bound_is_refused(small: AmcClient, wire: respx.MockRouter) -> None:
    """No Content-Length, plain bytes: refused past max_download_bytes."""
    wire.get(S3).mock(return_value=httpx.Response(200, stream=_Chunks(itertools.repeat(b"1,2\n" * 1024))))
    with pytest.raises(DownloadRefused, match="max_download_gib"), small.open_download(S3) as stream:
        for _ in stream.iter_bytes(4096):
            pass


def test_a_declared_size_past_the_bound_is_refused_before_reading(
    small: AmcClient, wire: respx.MockRouter
) -> None:
    body = _Chunks(iter([b"a\n"]))
    wire.get(S3).mock(return_value=httpx.Response(200, headers={"Content-Length": "99999999"}, stream=body))
    with pytest.raises(DownloadRefused), small.open_download(S3) as stream:
        list(stream.iter_bytes())
    assert body.sent == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://amc-results.s3.amazonaws.com/x/part-1.csv?X-Amz-Signature=abc",
        "http://127.0.0.1:9/x/part-1.csv",  # loopback, but the API is not: refused too
        "ftp://amc-results.example/x/part-1.csv",
        "file:///etc/passwd",
    ],
)
def test_a_download_url_that_is_not_https_is_never_fetched(
    client: AmcClient, url: str, wire: respx.MockRouter
) -> None:
    route = wire.route(url__startswith=url.split("?")[0]).respond(200, content=b"a\n1\n")
    with pytest.raises(DownloadRefused, match="https only"), client.open_download(url):
        pass
    assert route.call_count == 0


def test_plain_http_is_taken_on_loopback_when_the_api_is_on_loopback(
    make_client: Callable[..., AmcClient],
) -> None:
    """A local emulator (tests): the profile's API and the file both on loopback."""
    with respx.mock(assert_all_mocked=True) as router:
        router.get("http://127.0.0.1:8000/s3/part-1.csv").respond(200, content=b"a\n1\n")
        client = make_client(api_url="http://127.0.0.1:8000", token_url="http://127.0.0.1:8000/token")
        with client.open_download("http://127.0.0.1:8000/s3/part-1.csv") as stream:
            assert b"".join(stream.iter_bytes()) == b"a\n1\n"
        with pytest.raises(DownloadRefused):  # another host in clear: still refused
            client.open_download("http://10.0.0.8/s3/part-1.csv").__enter__()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_refused_and_never_followed(
    client: AmcClient, wire: respx.MockRouter, status: int
) -> None:
    """A redirect to an internal host is not followed, and no credential of ours goes to either."""
    wire.get(f"{EXECUTIONS}/e-1").respond(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})
    client.executions.get("e-1")  # a token is held: it must not travel with the download
    first = wire.get(S3).respond(status, headers={"Location": "https://169.254.169.254/latest/meta-data/"})
    internal = wire.route(host="169.254.169.254").respond(200, content=b"secret")
    with pytest.raises(DownloadRefused, match="redirect"), client.open_download(S3):
        pass
    assert internal.call_count == 0
    assert "authorization" not in first.calls.last.request.headers
    assert API not in str(first.calls.last.request.headers)

"""Error mapping: one class per status, AMC's message and the request id in every error."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.client.base import Call
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import (
    APIStatusError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    UnprocessableEntityError,
)
from tests.client.conftest import REPORTING, FakeClock

PATH = f"{REPORTING}/workflowExecutions/e-1"


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
        (501, InternalServerError),
    ],
)
def test_each_status_has_its_error_class(
    client: AmcClient, wire: respx.MockRouter, status: int, error_class: type[APIStatusError]
) -> None:
    """The status picks the class; the error carries the status code."""
    wire.get(PATH).respond(status, json={"code": str(status), "details": "nope"})
    with pytest.raises(error_class) as raised:
        client.executions.get("e-1")
    assert type(raised.value) is error_class
    assert raised.value.status_code == status
    assert raised.value.code == str(status)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": "400", "details": "Invalid time format"}, "Invalid time format"),
        ({"message": "Unauthorized entity", "requestId": "r"}, "Unauthorized entity"),
        ({"statusReason": "Invalid tables in the SQL query"}, "Invalid tables in the SQL query"),
        ({"messageSubject": "Bad window"}, "Bad window"),
        ({"details": "first", "message": "second"}, "first"),
    ],
)
def test_error_message_holds_amcs_own_words(
    client: AmcClient, wire: respx.MockRouter, body: dict[str, str], expected: str
) -> None:
    """The first of details / message / statusReason / messageSubject is in the message and in .details."""
    wire.get(PATH).respond(400, json=body)
    with pytest.raises(BadRequestError) as raised:
        client.executions.get("e-1")
    assert expected in str(raised.value)
    assert raised.value.details == expected
    assert f"GET {PATH}" in str(raised.value)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"x-amzn-RequestId": "rid-7"}, {"details": "x"}),
        ({"x-amz-request-id": "rid-7"}, {"details": "x"}),
        ({}, {"details": "x", "requestId": "rid-7"}),
    ],
    ids=["x-amzn-RequestId", "x-amz-request-id", "body"],
)
def test_request_id_is_found_in_headers_or_body_and_printed(
    client: AmcClient, wire: respx.MockRouter, headers: dict[str, str], body: dict[str, str]
) -> None:
    """Whichever way AMC returns it, the request id is on the error and in its str()."""
    wire.get(PATH).respond(404, json=body, headers=headers)
    with pytest.raises(NotFoundError) as raised:
        client.executions.get("e-1")
    assert raised.value.request_id == "rid-7"
    assert str(raised.value).endswith("(request id rid-7)")


def test_non_json_error_body_is_quoted(client: AmcClient, wire: respx.MockRouter) -> None:
    """A plain-text error body still reaches the message."""
    wire.get(PATH).respond(400, text="Execution with ID e-1 is unavailable for download.")
    with pytest.raises(BadRequestError, match="unavailable for download"):
        client.executions.get("e-1")


def test_empty_success_body_is_none(client: AmcClient, wire: respx.MockRouter) -> None:
    """AMC's `{}` or an empty 200/204 on writes is fine."""
    wire.delete(f"{REPORTING}/workflows/w").respond(204)
    assert client.workflows.delete("w") is None


class _Always503(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"code":"503","details":"busy"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b'{"access_token":"Atza|local","expires_in":3600}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Always503)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_no_connection_is_left_in_use_after_retries_are_exhausted(
    local_server: str, clock: FakeClock
) -> None:
    """Real sockets: after six 503s the pool has no request in flight and every connection is idle."""
    client = AmcClient(
        api_url=local_server,
        token_url=f"{local_server}/token",
        client_id="c",
        client_secret="client-secret-x",
        refresh_token="Atzr|local-refresh",
        instance_id="amc1",
        advertiser_id="E",
        marketplace_id="M",
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    )
    try:
        with pytest.raises(InternalServerError):
            client.executions.get("e-1")
        assert len(clock.sleeps) == 5
        pool = client._transport._client._transport._inner._pool  # type: ignore[attr-defined]
        assert pool._requests == []
        assert pool.connections and all(connection.is_idle() for connection in pool.connections)
    finally:
        client.close()
    assert pool.connections == []


def test_the_network_transport_is_configured_as_the_policy_says() -> None:
    """docs/reliability.md §2: connect retries 2, timeouts 5/30/30/10 s, 20 connections with 10 kept alive."""
    from amc_cltv.client import transport

    assert httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0) == transport.TIMEOUT
    assert httpx.Limits(max_connections=20, max_keepalive_connections=10) == transport.LIMITS
    network = transport.network_transport()
    assert network._pool._retries == 2  # type: ignore[attr-defined]
    assert network._pool._max_connections == 20  # type: ignore[attr-defined]


def test_wsgi_transport_serves_an_app_in_process_for_api_and_downloads(clock: FakeClock) -> None:
    """The embedded sandbox's seam: token, API and download go to the WSGI app; its bugs are not retried."""
    from amc_cltv.client import wsgi_transport

    seen: list[tuple[str, str]] = []

    def app(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        path = str(environ["PATH_INFO"])
        seen.append((str(environ["REQUEST_METHOD"]), path))
        if path == "/crash":
            raise RuntimeError("sandbox bug")
        body = b'{"access_token":"Atza|wsgi-token","expires_in":3600}'
        if path.endswith("/e-1"):
            body = b'{"workflowExecutionId":"e-1","status":"RUNNING"}'
        if path.endswith(".csv"):
            body = b"a,b\n1,2\n"
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    with AmcClient(
        api_url="https://advertising-api.sandbox.invalid",
        token_url="https://api.sandbox.invalid/auth/o2/token",
        client_id="c",
        client_secret="sandbox-secret",
        refresh_token="sandbox-refresh",
        instance_id="amc1",
        advertiser_id="E",
        marketplace_id="M",
        transport=wsgi_transport(app),
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    ) as client:
        assert client.executions.get("e-1").status == "RUNNING"
        with client.open_download("https://bucket.sandbox.invalid/part-1.csv?X-Amz-Signature=s") as stream:
            assert b"".join(stream.iter_bytes(4)) == b"a,b\n1,2\n"
        with pytest.raises(RuntimeError, match="sandbox bug"):
            client._base.send(Call("GET", "/crash", {}))
    assert seen[:3] == [
        ("POST", "/auth/o2/token"),
        ("GET", "/amc/reporting/amc1/workflowExecutions/e-1"),
        ("GET", "/part-1.csv"),
    ]
    assert seen.count(("GET", "/crash")) == 1


@pytest.mark.parametrize(
    ("path", "call", "answer"),
    [
        (PATH, lambda c: c.executions.get("e-1"), {"status": "RUNNING"}),
        (
            f"{REPORTING}/workflowExecutions",
            lambda c: c.executions.list(workflow_id="w"),
            {"executions": [{}]},
        ),
        (
            f"{REPORTING}/workflowExecutions",
            lambda c: c.executions.list(workflow_id="w"),
            ["not", "an", "object"],
        ),
    ],
    ids=["missing-id", "list-item-missing-id", "array"],
)
def test_an_answer_of_the_wrong_shape_is_malformed_naming_endpoint_and_field(
    client: AmcClient, wire: respx.MockRouter, path: str, call: Callable[[AmcClient], object], answer: object
) -> None:
    """JSON that is not the documented object is MalformedResponseError (exit 5), not a pydantic traceback."""
    from amc_cltv.errors import MalformedResponseError

    wire.get(path).respond(200, json=answer)
    with pytest.raises(MalformedResponseError) as raised:
        call(client)
    assert f"GET {path}" in str(raised.value)
    assert "expected shape" in str(raised.value)

"""Secrets never reach a standard ``logging`` record, whoever configures logging: no CLI, no structlog setup,
just ``logging.basicConfig(level=logging.DEBUG)`` and the client over a real socket."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from amc_cltv import AmcClient
from amc_cltv.client.retry import RetryQuota

CLIENT_SECRET = "amzn1.oa2-cs.v1.4f1e2d3c4b5a69788796a5b4c3d2e1f0"
REFRESH_TOKEN = "Atzr|IwEBIRefreshTokenValue0123456789"
ACCESS_TOKENS = ("Atza|IwEBIAccessTokenOne0123456789", "Atza|IwEBIAccessTokenTwo0123456789")
SIGNATURE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
CREDENTIAL = "ASIAEXAMPLEKEYID1234/20240101/us-east-1/s3/aws4_request"
SECURITY_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, *ACCESS_TOKENS, SIGNATURE, SECURITY_TOKEN, "ASIAEXAMPLEKEYID1234")
PRESIGNED_QUERY = (
    f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={quote(CREDENTIAL, safe='')}"
    f"&X-Amz-Security-Token={SECURITY_TOKEN}&X-Amz-Expires=600&X-Amz-Signature={SIGNATURE}"
)


class _Amc(BaseHTTPRequestHandler):
    """Login with Amazon, one execution that answers 503 then 401 (a revoked token) then 200, and S3."""

    script: list[int]
    tokens: list[str]

    def log_message(self, *args: object) -> None:  # keep the server quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        token = self.tokens.pop(0)
        self._send(200, json.dumps({"access_token": token, "expires_in": 3600}).encode())

    def do_GET(self) -> None:
        if self.path.startswith("/s3/"):
            self._send(200, b"segment,num_users\nHigh Value Customer,10\n", "text/csv")
            return
        status = self.script.pop(0) if self.script else 200
        if status == 200:
            self._send(200, json.dumps({"workflowExecutionId": "e-1", "status": "RUNNING"}).encode())
        else:
            # An error body that echoes the bearer token it was sent, as a careless proxy might.
            echoed = self.headers.get("Authorization", "")
            self._send(status, json.dumps({"code": str(status), "details": f"rejected {echoed}"}).encode())


@pytest.fixture
def amc_server() -> Iterator[str]:
    handler = type("Handler", (_Amc,), {"script": [503, 401], "tokens": list(ACCESS_TOKENS)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def plain_logging() -> Iterator[io.StringIO]:
    """``logging.basicConfig(level=DEBUG)`` as a notebook or a scheduler would, restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    logging.basicConfig(level=logging.DEBUG, stream=buffer, force=True)
    try:
        yield buffer
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text or quote(secret, safe="") in text]


def test_basic_config_at_debug_sees_every_request_but_no_secret(
    amc_server: str, plain_logging: io.StringIO
) -> None:
    """Token grant, a retried 503, a 401 answered by a refresh, a pre-signed download: httpx, httpcore and
    amc_cltv all log, and not one token, secret or signature value reaches the output."""
    with AmcClient(
        api_url=amc_server,
        token_url=f"{amc_server}/auth/o2/token",
        client_id="amzn1.application-oa2-client.test",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        instance_id="amc1",
        advertiser_id="ENTITY1",
        marketplace_id="ATVPDKIKX0DER",
        sleep=lambda _: None,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    ) as client:
        assert client.executions.get("e-1").status == "RUNNING"
        with client.open_download(f"{amc_server}/s3/part-1.csv?{PRESIGNED_QUERY}") as stream:
            assert b"High Value Customer" in b"".join(stream.iter_bytes())
        assert client.auth.refresh_count == 2  # the 401 really made it refresh
    output = plain_logging.getvalue()
    assert _leaks(output) == []
    loggers = {line.split(":", 2)[1] for line in output.splitlines() if line.count(":") >= 2}
    assert {"httpx", "httpcore.connection", "httpcore.http11", "amc_cltv.client"} <= loggers
    assert "X-Amz-Signature=***" in output  # the download was logged, with its signature masked
    assert "retrying" in output  # the library's own event, on the standard logger


def test_a_record_with_arguments_and_a_traceback_is_masked_in_both(plain_logging: io.StringIO) -> None:
    """The filter merges ``%s`` arguments before masking and masks the traceback text too."""
    import amc_cltv  # noqa: F401  (importing the package installs the filter)

    url = f"https://bucket.s3.amazonaws.com/part-1.csv?{PRESIGNED_QUERY}"
    logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", url)
    try:
        raise RuntimeError(f"token {ACCESS_TOKENS[0]} refused for {url}")
    except RuntimeError:
        logging.getLogger("httpcore.http11").exception("failed with refresh_token=%s", REFRESH_TOKEN)
    output = plain_logging.getvalue()
    assert _leaks(output) == []
    assert "HTTP Request: GET https://bucket.s3.amazonaws.com/part-1.csv" in output
    assert "RuntimeError" in output  # the traceback is kept, masked

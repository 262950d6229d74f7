"""No credential reaches a log line or an error message, even on a run where everything goes wrong."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import respx

from amc_cltv.cli import main
from amc_cltv.client import AmcClient
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import AmcCltvError, AuthenticationError, BadRequestError, DownloadUrlExpired
from amc_cltv.log import configure_logging, get_logger

API = "https://advertising-api.test"
TOKEN_URL = "https://api.test/auth/o2/token"
CLIENT_SECRET = "amzn1.oa2-cs.v1.4f1e2d3c4b5a69788796a5b4c3d2e1f0"
REFRESH_TOKEN = "Atzr|IwEBIRefreshTokenValue0123456789"
ACCESS_TOKENS = ("Atza|IwEBIAccessTokenOne0123456789", "Atza|IwEBIAccessTokenTwo0123456789")
SIGNATURE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
CREDENTIAL = "ASIAEXAMPLEKEYID1234/20240101/us-east-1/s3/aws4_request"
SECURITY_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"
PRESIGNED = (
    "https://amc-results.s3.amazonaws.com/workflow=cltv/part-1.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Credential={quote(CREDENTIAL, safe='')}&X-Amz-Security-Token={SECURITY_TOKEN}"
    f"&X-Amz-Expires=600&X-Amz-Signature={SIGNATURE}"
)
SECRETS = (CLIENT_SECRET, REFRESH_TOKEN, *ACCESS_TOKENS, SIGNATURE, SECURITY_TOKEN, "ASIAEXAMPLEKEYID1234")
STATUS_PATH = "/amc/reporting/amc1/workflowExecutions/e-1"


def _leaks(text: str) -> list[str]:
    """Every secret (raw or URL-encoded) found in ``text``."""
    return [secret for secret in SECRETS if secret in text or quote(secret, safe="") in text]


def _token(token: str) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": token, "expires_in": 3600, "refresh_token": REFRESH_TOKEN}
    )


@pytest.fixture
def log_buffer() -> io.StringIO:
    buffer = io.StringIO()
    configure_logging("json", verbose=1, stream=buffer)
    return buffer


@pytest.fixture
def wire() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_mocked=True) as router:
        yield router


def _client() -> AmcClient:
    return AmcClient(
        api_url=API,
        token_url=TOKEN_URL,
        client_id="amzn1.application-oa2-client.test",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        instance_id="amc1",
        advertiser_id="ENTITY1",
        marketplace_id="ATVPDKIKX0DER",
        sleep=lambda _: None,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    )


def test_a_faulty_run_leaks_no_secret_into_json_logs_or_errors(
    log_buffer: io.StringIO, wire: respx.MockRouter
) -> None:
    """401 and a refresh, 429s, 5xx, errors echoing a token and a pre-signed URL: no secret is printed."""
    wire.post(TOKEN_URL).mock(side_effect=[_token(ACCESS_TOKENS[0]), _token(ACCESS_TOKENS[1])])
    ok = httpx.Response(200, json={"workflowExecutionId": "e-1", "status": "SUCCEEDED"})
    wire.get(STATUS_PATH).mock(
        side_effect=[
            ok,
            httpx.Response(401, json={"code": "401", "details": f"token {ACCESS_TOKENS[0]} expired"}),
            httpx.Response(429, headers={"Retry-After": "1", "x-amzn-RequestId": "rq-1"}),
            httpx.Response(503, json={"details": f"upstream {PRESIGNED} failed"}),
            httpx.Response(502, text=f"Bearer {ACCESS_TOKENS[1]} refused"),
            ok,
            httpx.Response(400, json={"details": f"bad url {PRESIGNED} with Bearer {ACCESS_TOKENS[1]}"}),
        ]
    )
    wire.get(PRESIGNED).respond(
        403, text="<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
    )
    errors: list[AmcCltvError] = []
    with _client() as client:
        client.executions.get("e-1")
        client.executions.get("e-1")  # 401 -> refresh -> 429 -> 503 -> 502 -> 200
        with pytest.raises(BadRequestError) as bad_request:
            client.executions.get("e-1")
        errors.append(bad_request.value)
        with pytest.raises(DownloadUrlExpired) as expired, client.open_download(PRESIGNED):
            pass
        errors.append(expired.value)
        get_logger("amc_cltv.test").warning("download_failed", url=PRESIGNED, error=str(expired.value))

    lines = log_buffer.getvalue().splitlines()
    events = [json.loads(line)["event"] for line in lines]
    assert events.count("retrying") == 3  # the run really was faulty
    assert "bad url" in str(errors[0]) and "part-1.csv" in str(errors[1])
    for line in lines:
        assert _leaks(line) == [], line
    for error in errors:
        assert _leaks(str(error)) == [], str(error)


def test_a_refused_refresh_token_echoed_by_the_token_endpoint_is_masked(
    log_buffer: io.StringIO, wire: respx.MockRouter
) -> None:
    """Even if Login with Amazon quotes the request form back, the error shows none of it."""
    echoed = f"grant_type=refresh_token&refresh_token={quote(REFRESH_TOKEN)}&client_secret={CLIENT_SECRET}"
    wire.post(TOKEN_URL).respond(
        400, json={"error": "invalid_grant", "error_description": f"bad form: {echoed}"}
    )
    with _client() as client, pytest.raises(AuthenticationError) as raised:
        client.executions.get("e-1")
    assert "invalid" in str(raised.value) or "bad form" in str(raised.value)
    assert _leaks(str(raised.value)) == []
    assert _leaks(log_buffer.getvalue()) == []


def test_the_cli_prints_no_secret_on_failure(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    wire: respx.MockRouter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Through the real CLI with JSON logs: stderr and the --json object hold AMC's words but no secret."""
    profile = tmp_path / "instance.toml"
    profile.write_text(
        f'[amc]\napi_url = "{API}"\ntoken_url = "{TOKEN_URL}"\ninstance_id = "amc1"\n'
        'advertiser_id = "ENTITY1"\nmarketplace_id = "ATVPDKIKX0DER"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("AMC_CLTV_CLIENT_ID", "amzn1.application-oa2-client.test")
    monkeypatch.setenv("AMC_CLTV_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("AMC_CLTV_REFRESH_TOKEN", REFRESH_TOKEN)
    wire.post(TOKEN_URL).mock(return_value=_token(ACCESS_TOKENS[0]))
    wire.get("/amc/accounts").respond(
        403, json={"message": f"denied for {ACCESS_TOKENS[0]} at {PRESIGNED}", "requestId": "rq-2"}
    )
    code = main(["--config", str(profile), "--log-format", "json", "instances", "list", "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert "denied for" in captured.err and "rq-2" in captured.err
    assert _leaks(captured.out) == [] and _leaks(captured.err) == []

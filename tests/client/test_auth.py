"""Login with Amazon: the refresh grant on the wire, the token cache, and redaction of what it learns."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import respx

from amc_cltv.client import AmcClient
from amc_cltv.redact import redact_text
from tests.client.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    REPORTING,
    FakeClock,
    token_response,
)

PATH = f"{REPORTING}/workflowExecutions/e-1"
OK = httpx.Response(200, json={"workflowExecutionId": "e-1", "status": "RUNNING"})


def test_token_request_is_a_form_encoded_refresh_grant(client: AmcClient, wire: respx.MockRouter) -> None:
    """POST to the token URL, form-encoded: grant_type, refresh_token, client_id, client_secret; no bearer."""
    wire.get(PATH).mock(return_value=OK)
    client.executions.get("e-1")
    request = wire.routes["token"].calls.last.request
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    assert not [name for name in request.headers if name.lower().startswith("amazon-")]
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH_TOKEN],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }


def test_token_is_cached_until_five_minutes_before_it_expires(
    client: AmcClient, wire: respx.MockRouter, clock: FakeClock
) -> None:
    """Calls within 3600 - 300 s of the grant reuse the token; at 3300 s a new one is fetched first."""
    wire.routes["token"].mock(side_effect=[token_response("Atza|first"), token_response("Atza|second")])
    route = wire.get(PATH).mock(return_value=OK)
    client.executions.get("e-1")
    clock.now += 3299
    client.executions.get("e-1")
    assert wire.routes["token"].call_count == 1
    clock.now += 1
    client.executions.get("e-1")
    assert wire.routes["token"].call_count == 2
    assert [c.request.headers["authorization"] for c in route.calls] == [
        "Bearer Atza|first",
        "Bearer Atza|first",
        "Bearer Atza|second",
    ]


def test_configured_secrets_are_registered_for_redaction(client: AmcClient) -> None:
    """Building a client registers the client secret and the refresh token (raw and URL-encoded)."""
    text = f"{CLIENT_SECRET} {REFRESH_TOKEN} {REFRESH_TOKEN.replace('|', '%7C')}"
    assert redact_text(text) == "*** *** ***"


def test_opaque_access_tokens_are_masked_once_obtained(client: AmcClient, wire: respx.MockRouter) -> None:
    """A token without the Atza| shape is masked too, because the client registers what it receives."""
    opaque = "opaque-token-7f3c2a9b"
    wire.routes["token"].mock(return_value=token_response(opaque))
    wire.get(PATH).mock(return_value=OK)
    assert redact_text(opaque) == opaque
    client.executions.get("e-1")
    assert redact_text(f"got {opaque}") == "got ***"

"""Pre-signed result URLs behave like S3's, and every fault script does what it says."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from amc_cltv.sandbox.app import ConnectionDropped, SandboxApp

from .conftest import REPORTING, SQL, Api, Recorder


def _finished(app: SandboxApp, api: Api) -> tuple[str, str]:
    execution_id = str(api.submit()["workflowExecutionId"])
    app.clock.advance(1)
    url = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"][0]
    return execution_id, url


def test_download_urls_look_like_s3_presigned_gets_on_the_request_host(app: SandboxApp, api: Api) -> None:
    """Absolute URL on the same host, X-Amz-* query, 10 minutes; the file arrives with its Content-Length."""
    _, url = _finished(app, api)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "sandbox.test")
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["600"]
    assert set(query) >= {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature"}
    response = api.http.get(url)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.text.splitlines()[0] == "event_subtype,users"


def test_urls_expire_after_ten_minutes_of_sandbox_time(app: SandboxApp, api: Api) -> None:
    """At 599 s the URL works; at 600 s S3 answers 403 AccessDenied 'Request has expired'."""
    _, url = _finished(app, api)
    app.clock.advance(599)
    assert api.http.get(url).status_code == 200
    app.clock.advance(1)
    expired = api.http.get(url)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text


def test_a_request_carrying_authorization_or_a_bad_signature_is_refused(app: SandboxApp, api: Api) -> None:
    """An Authorization header is S3's 400 InvalidArgument; a tampered signature is 403."""
    _, url = _finished(app, api)
    with_auth = api.http.get(url, headers={"Authorization": "Bearer Atza|x"})
    assert with_auth.status_code == 400
    assert "<Code>InvalidArgument</Code>" in with_auth.text
    tampered = url.replace("X-Amz-Expires=600", "X-Amz-Expires=6000")
    assert api.http.get(tampered).status_code == 403


def test_status_fault_answers_429_with_retry_after_then_recovers(app: SandboxApp, api: Api) -> None:
    """Two throttled answers with Retry-After, in AMC's body shape; the third call goes through."""
    app.faults.script(
        [{"kind": "status", "status": 429, "retry_after": 3, "times": 2, "match": "GET .*/workflows$"}]
    )
    for _ in range(2):
        throttled = api.r("GET", "workflows")
        assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "3")
        assert throttled.json()["code"] == "429"
    assert api.r("GET", "workflows").status_code == 200


def test_server_error_fault_only_hits_matching_requests(app: SandboxApp, api: Api) -> None:
    """A 503 scripted for executions leaves workflows alone; times=0 means every matching request."""
    app.faults.script([{"kind": "status", "status": 503, "times": 0, "match": "workflowExecutions"}])
    assert api.r("GET", "workflows").status_code == 200
    assert api.r("GET", "workflowExecutions", params={"workflowId": "x"}).status_code == 503
    assert api.r("GET", "workflowExecutions", params={"workflowId": "x"}).status_code == 503
    app.faults.clear()
    assert api.r("GET", "workflowExecutions", params={"workflowId": "x"}).status_code == 200


def test_latency_fault_goes_through_the_sleep_seam(app: SandboxApp, api: Api, sleeps: Recorder) -> None:
    """The injected delay is requested from the app's sleep, then the request is served."""
    app.faults.script([{"kind": "latency", "seconds": 12.5}])
    assert api.r("GET", "workflows").status_code == 200
    assert sleeps.delays == [12.5]


def test_drop_fault_does_the_work_then_drops_the_connection(app: SandboxApp, api: Api) -> None:
    """The workflow is created, but the caller never gets an answer (in process: ConnectionDropped)."""
    app.faults.script([{"kind": "drop", "match": "POST .*/workflows$"}])
    with pytest.raises(ConnectionDropped):
        api.r("POST", "workflows", json={"workflowId": "w", "sqlQuery": SQL})
    assert api.r("GET", "workflows/w").status_code == 200


def test_expired_url_fault_hands_out_urls_that_are_already_expired(app: SandboxApp, api: Api) -> None:
    """The next downloadUrls answer is expired at once; asking again gives good URLs."""
    execution_id, _ = _finished(app, api)
    app.faults.script([{"kind": "expired_url"}])
    stale = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"][0]
    assert api.http.get(stale).status_code == 403
    fresh = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"][0]
    assert api.http.get(fresh).status_code == 200


def test_truncate_fault_sends_fewer_bytes_than_the_content_length(app: SandboxApp, api: Api) -> None:
    """Half the file under the full Content-Length: a client that checks lengths notices."""
    _, url = _finished(app, api)
    app.faults.script([{"kind": "truncate", "match": "^GET /s3/"}])
    short = api.http.get(url)
    assert len(short.content) < int(short.headers["Content-Length"])
    whole = api.http.get(url)
    assert len(whole.content) == int(whole.headers["Content-Length"])


@pytest.mark.parametrize("outcome", ["FAILED", "REJECTED"])
def test_execution_outcome_fault_ends_the_next_execution_as_scripted(
    app: SandboxApp, api: Api, outcome: str
) -> None:
    """A sound query ends FAILED or REJECTED with the scripted statusReason."""
    app.faults.script(
        [{"kind": "execution_outcome", "status": outcome, "status_reason": "Injected: overlap"}]
    )
    execution_id = api.submit()["workflowExecutionId"]
    app.clock.advance(1)
    assert (api.status(execution_id)["status"], api.status(execution_id)["statusReason"]) == (
        outcome,
        "Injected: overlap",
    )
    normal = api.submit()["workflowExecutionId"]
    app.clock.advance(1)
    assert api.status(normal)["status"] == "SUCCEEDED"


def test_unknown_status_fault_reports_a_status_the_client_does_not_know(app: SandboxApp, api: Api) -> None:
    """Two polls see PUBLISHING-like unknown values; then the real status shows."""
    app.faults.script([{"kind": "unknown_status", "status": "QUEUED_FOR_PUBLISH", "times": 2}])
    execution_id = api.submit()["workflowExecutionId"]
    app.clock.advance(1)
    assert [api.status(execution_id)["status"] for _ in range(3)] == [
        "QUEUED_FOR_PUBLISH",
        "QUEUED_FOR_PUBLISH",
        "SUCCEEDED",
    ]


def test_rate_faults_hit_a_fraction_of_matching_requests(app: SandboxApp, api: Api) -> None:
    """A rate of 0.5 on every request hits some and spares some (seeded, so the test is stable)."""
    app.faults.script([{"kind": "status", "status": 500, "times": 0, "rate": 0.5}])
    codes = [api.r("GET", "workflows").status_code for _ in range(40)]
    assert 5 < codes.count(500) < 35
    assert codes.count(200) == 40 - codes.count(500)


def test_http_controls_drive_clock_faults_settings_and_reset(app: SandboxApp, api: Api) -> None:
    """/_sandbox/ endpoints do what the Python controls do, given the state folder's control token."""
    clock = api.http.post("/_sandbox/clock", json={"advance_s": 90}).json()
    assert clock["offset_s"] == 90
    assert api.http.get("/_sandbox/clock").json()["now"] == clock["now"]
    bad = api.http.post("/_sandbox/faults", json={"faults": [{"kind": "nonsense"}]})
    assert bad.status_code == 400
    script = api.http.post("/_sandbox/faults", json={"faults": [{"kind": "status", "status": 502}]}).json()
    assert [f["status"] for f in script["faults"]] == [502]
    assert api.r("GET", "workflows").status_code == 502
    assert api.http.post("/_sandbox/settings", json={"run_s": 7200}).json()["run_s"] == 7200
    assert api.http.post("/_sandbox/settings", json={"bogus": 1}).status_code == 400
    api.r("POST", "workflows", json={"workflowId": "w", "sqlQuery": SQL})
    assert api.http.post("/_sandbox/reset").json() == {"reset": True}
    assert api.http.get("/_sandbox/health").json()["status"] == "ok"
    assert (
        api.http.get(f"{REPORTING}/workflows", headers=api.reporting_headers).status_code == 401
    )  # tokens too


def test_http_controls_are_refused_without_the_token_in_process_too(app: SandboxApp) -> None:
    """The same app in process: no token, no control (health answers anyone)."""
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://sandbox.test") as bare:
        for path in ("/_sandbox/reset", "/_sandbox/tick", "/_sandbox/clock"):
            refused = bare.post(path, json={"advance_s": 5})
            assert refused.status_code == 403 and "X-Sandbox-Token" in refused.json()["details"]
        assert bare.get("/_sandbox/health").status_code == 200
    assert app.clock.offset_s == 0

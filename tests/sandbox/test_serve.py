"""`amc-cltv sandbox serve`: the same app in a real server process, over loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from amc_cltv.client import AmcClient
from amc_cltv.client.models import CreateWorkflowExecution, Workflow
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import AmbiguousSubmitError
from amc_cltv.sandbox import GenerationStats

REPORTING = "/amc/reporting/amcsandbox01"
CLI = str(Path(sys.executable).with_name("amc-cltv"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, small_data: GenerationStats) -> Iterator[str]:
    """A real `sandbox serve --port 0` process (one per module); its URL once /_sandbox/health answers."""
    tmp_path = tmp_path_factory.mktemp("serve")
    state_dir = tmp_path / "served"
    shutil.copytree(small_data.out_dir, state_dir / "data")
    process = subprocess.Popen(
        [CLI, "sandbox", "serve", "--host", "127.0.0.1", "--port", "0", "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the socket is bound (or the process died)
        assert line.startswith("sandbox listening on "), line + (
            process.stderr.read() if process.stderr else ""
        )
        url = line.split()[-1]
        for _ in range(200):
            try:
                if httpx.get(f"{url}/_sandbox/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)  # readiness of another process: nothing to inject here
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server(served: str) -> str:
    """The served sandbox, reset: no workflows, executions, tokens, faults or clock offset left over."""
    assert httpx.post(f"{served}/_sandbox/reset", timeout=10).status_code == 200
    return served


def _headers(client: httpx.Client) -> dict[str, str]:
    token = client.post(
        "/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"},
    ).json()["access_token"]
    return {
        "Authorization": f"Bearer {token}",
        "Amazon-Advertising-API-ClientId": "c",
        "Amazon-Advertising-API-AdvertiserId": "ENTITYSANDBOX0001",
        "Amazon-Advertising-API-MarketplaceId": "ATVPDKIKX0DER",
    }


def test_full_run_over_loopback_with_a_real_server(server: str) -> None:
    """Token, execution, the server's own ticker finishing it, and a streamed download on the same host."""
    with httpx.Client(base_url=server, timeout=10) as client:
        headers = _headers(client)
        body = {
            "workflow": {
                "sqlQuery": "SELECT event_subtype, COUNT(1) AS n FROM conversions_all GROUP BY event_subtype"
            },
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2026-01-01T00:00:00",
            "timeWindowEnd": "2026-11-01T00:00:00",
            "requireSyntheticData": True,
        }
        execution_id = client.post(f"{REPORTING}/workflowExecutions", json=body, headers=headers).json()[
            "workflowExecutionId"
        ]
        client.post("/_sandbox/clock", json={"advance_s": 5})
        client.post("/_sandbox/tick")
        status = client.get(f"{REPORTING}/workflowExecutions/{execution_id}", headers=headers).json()
        assert status["status"] == "SUCCEEDED"
        urls = client.get(
            f"{REPORTING}/workflowExecutions/{execution_id}/downloadUrls", headers=headers
        ).json()
        url = urls["downloadUrls"][0]
        assert url.startswith(server + "/s3/")
        with httpx.stream("GET", url, timeout=10) as response:
            payload = response.read()
            assert int(response.headers["Content-Length"]) == len(payload)
        assert payload.decode().splitlines()[0] == "event_subtype,n"


def test_drop_and_truncate_faults_break_real_connections(server: str) -> None:
    """Over a socket, a drop is a closed connection after the work, and a truncated file ends early."""
    with httpx.Client(base_url=server, timeout=10) as client:
        headers = _headers(client)
        client.post("/_sandbox/faults", json={"faults": [{"kind": "drop", "match": "POST .*/workflows$"}]})
        with pytest.raises(httpx.TransportError):
            client.post(
                f"{REPORTING}/workflows",
                json={"workflowId": "w", "sqlQuery": "SELECT 1 AS one"},
                headers=headers,
            )
    with httpx.Client(base_url=server, timeout=10) as client:
        headers = _headers(client)
        assert client.get(f"{REPORTING}/workflows/w", headers=headers).status_code == 200
        body = {
            "workflowId": "w",
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2026-01-01T00:00:00",
            "timeWindowEnd": "2026-11-01T00:00:00",
            "requireSyntheticData": True,
        }
        execution_id = client.post(f"{REPORTING}/workflowExecutions", json=body, headers=headers).json()[
            "workflowExecutionId"
        ]
        client.post("/_sandbox/clock", json={"advance_s": 5})
        client.post("/_sandbox/tick")
        url = client.get(
            f"{REPORTING}/workflowExecutions/{execution_id}/downloadUrls", headers=headers
        ).json()["downloadUrls"][0]
        client.post("/_sandbox/faults", json={"faults": [{"kind": "truncate", "match": "^GET /s3/"}]})
        with pytest.raises(httpx.TransportError):
            httpx.get(url, timeout=10)


def _client(server: str, delays: list[float]) -> AmcClient:
    ticks = iter(range(10**6))
    return AmcClient(
        api_url=server,
        token_url=f"{server}/auth/o2/token",
        client_id="amzn1.application-oa2-client.test",
        client_secret="secret",
        refresh_token="Atzr|refresh",
        instance_id="amcsandbox01",
        advertiser_id="ENTITYSANDBOX0001",
        marketplace_id="ATVPDKIKX0DER",
        sleep=delays.append,
        monotonic=lambda: float(next(ticks)),
        jitter=lambda: 0.5,
        retry_quota=RetryQuota(),
    )


def test_client_over_loopback_survives_drops_and_latency_and_flags_an_ambiguous_submit(server: str) -> None:
    """A dropped GET is retried; a dropped submit is ambiguous (yet it was created); latency is ridden."""
    delays: list[float] = []
    faults = [
        {"kind": "drop", "match": "GET .*/workflows$"},
        {"kind": "latency", "seconds": 0.3, "match": "GET .*/schedules$"},
        {"kind": "drop", "match": "POST .*/workflowExecutions$"},
    ]
    httpx.post(f"{server}/_sandbox/faults", json={"faults": faults}, timeout=10)
    with _client(server, delays) as client:
        client.workflows.create(
            Workflow(workflow_id="seg", sql_query="SELECT COUNT(1) AS n FROM conversions_all")
        )
        assert [w.workflow_id for w in client.workflows.list()] == ["seg"]
        assert len(delays) == 1  # one retry after the drop
        assert client.schedules.list() == []
        request = CreateWorkflowExecution.model_validate(
            {
                "workflowId": "seg",
                "timeWindowType": "EXPLICIT",
                "timeWindowStart": "2026-01-01T00:00:00",
                "timeWindowEnd": "2026-11-01T00:00:00",
                "requireSyntheticData": True,
            }
        )
        with pytest.raises(AmbiguousSubmitError):
            client.executions.create(request)
        assert len(client.executions.list(workflow_id="seg")) == 1  # the work was done

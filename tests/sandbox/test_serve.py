"""`amc-cltv sandbox serve`: the same app in a real server process, over loopback."""

from __future__ import annotations

import shutil
import socket
import stat
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
from amc_cltv.sandbox.control import control_headers
from tests.contract.hooks import watch_served

from .conftest import ad_hoc_execution

REPORTING = "/amc/reporting/amcsandbox01"
CLI = str(Path(sys.executable).with_name("amc-cltv"))


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, small_data: GenerationStats
) -> Iterator[tuple[str, Path]]:
    """A real `sandbox serve --port 0` process (one per module): its URL once /_sandbox/health answers, and
    its state folder."""
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
        watch_served(url)
        yield url, state_dir
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def control(served: tuple[str, Path]) -> dict[str, str]:
    """The header the served sandbox's /_sandbox/ controls need (its token, from the state folder)."""
    return control_headers(served[1])


@pytest.fixture
def server(served: tuple[str, Path], control: dict[str, str]) -> str:
    """The served sandbox, reset: no workflows, executions, tokens, faults or clock offset left over."""
    url = served[0]
    assert httpx.post(f"{url}/_sandbox/reset", timeout=10, headers=control).status_code == 200
    return url


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


def test_full_run_over_loopback_with_a_real_server(server: str, control: dict[str, str]) -> None:
    """Token, execution, the server's own ticker finishing it, and a streamed download on the same host."""
    with httpx.Client(base_url=server, timeout=10, headers=control) as client:
        headers = _headers(client)
        body = ad_hoc_execution(
            "SELECT event_subtype, COUNT(1) AS n FROM conversions_all GROUP BY event_subtype"
        )
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


def test_drop_and_truncate_faults_break_real_connections(server: str, control: dict[str, str]) -> None:
    """Over a socket, a drop is a closed connection after the work, and a truncated file ends early."""
    with httpx.Client(base_url=server, timeout=10, headers=control) as client:
        headers = _headers(client)
        client.post("/_sandbox/faults", json={"faults": [{"kind": "drop", "match": "POST .*/workflows$"}]})
        with pytest.raises(httpx.TransportError):
            client.post(
                f"{REPORTING}/workflows",
                json={"workflowId": "w", "sqlQuery": "SELECT 1 AS one"},
                headers=headers,
            )
    with httpx.Client(base_url=server, timeout=10, headers=control) as client:
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


def test_client_over_loopback_survives_drops_and_latency_and_flags_an_ambiguous_submit(
    server: str, control: dict[str, str]
) -> None:
    """A dropped GET is retried; a dropped submit is ambiguous (yet it was created); latency is ridden."""
    delays: list[float] = []
    faults = [
        {"kind": "drop", "match": "GET .*/workflows$"},
        {"kind": "latency", "seconds": 0.3, "match": "GET .*/schedules$"},
        {"kind": "drop", "match": "POST .*/workflowExecutions$"},
    ]
    httpx.post(f"{server}/_sandbox/faults", json={"faults": faults}, timeout=10, headers=control)
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


def test_controls_need_the_token_kept_private_in_the_state_folder(
    served: tuple[str, Path], control: dict[str, str]
) -> None:
    """Any local process (or a web page's form) could reset the sandbox or script faults: not without the
    token, which only the state folder's owner can read."""
    url, state_dir = served
    token_file = state_dir / "control-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    for method, path in (
        ("POST", "/_sandbox/reset"),
        ("POST", "/_sandbox/faults"),
        ("GET", "/_sandbox/settings"),
    ):
        refused = httpx.request(method, f"{url}{path}", json={"faults": []}, timeout=10)
        assert refused.status_code == 403, (path, refused.text)
        wrong = httpx.request(
            method, f"{url}{path}", json={}, headers={"X-Sandbox-Token": "guess"}, timeout=10
        )
        assert wrong.status_code == 403
    assert httpx.get(f"{url}/_sandbox/settings", headers=control, timeout=10).status_code == 200
    assert httpx.get(f"{url}/_sandbox/health", timeout=10).status_code == 200  # readiness needs no token


def test_a_host_not_served_here_is_refused(served: tuple[str, Path], control: dict[str, str]) -> None:
    """DNS rebinding: a page's own name pointed at 127.0.0.1 reaches the port, but its Host is refused."""
    url = served[0]
    port = url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example"):
        answer = httpx.post(f"{url}/_sandbox/reset", headers={**control, "Host": host}, timeout=10)
        assert answer.status_code == 400, host
        assert httpx.get(f"{url}/amc/accounts", headers={"Host": host}, timeout=10).status_code == 400
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert httpx.get(f"{url}/_sandbox/health", headers={"Host": host}, timeout=10).status_code == 200


def test_a_request_body_past_the_limit_is_refused_with_413(served: tuple[str, Path]) -> None:
    """A 400 MB body was buffered whole; now its Content-Length is refused before the body is read (the
    client announces 400 MB and sends none of it: the answer comes at once)."""
    host, port = served[0].removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            f"POST /auth/o2/token HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {400 << 20}\r\n\r\n".encode()
        )
        received = b""
        while b"larger than" not in received:  # the answer may come in pieces
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
        answer = received.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "larger than" in answer


def test_sql_reading_a_file_or_the_environment_is_refused_over_http(
    server: str, control: dict[str, str]
) -> None:
    """`SELECT … FROM read_text('/proc/self/environ')` SUCCEEDed and its download showed the environment."""
    with httpx.Client(base_url=server, timeout=10, headers=control) as client:
        headers = _headers(client)
        ids = []
        for sql in (
            "SELECT content AS c FROM read_text('/proc/self/environ')",
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT getenv('HOME') AS c",
        ):
            body = ad_hoc_execution(sql)
            ids.append(client.post(f"{REPORTING}/workflowExecutions", json=body, headers=headers).json())
        client.post("/_sandbox/clock", json={"advance_s": 5})
        client.post("/_sandbox/tick")
        for created in ids:
            status = client.get(
                f"{REPORTING}/workflowExecutions/{created['workflowExecutionId']}", headers=headers
            ).json()
            assert status["status"] in ("FAILED", "REJECTED"), status


def test_a_host_off_loopback_is_served_with_a_loud_warning(tmp_path: Path) -> None:
    """`--host 0.0.0.0` was accepted silently."""
    process = subprocess.Popen(
        [CLI, "sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--state-dir", str(tmp_path / "s")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith("sandbox listening on ")
        warning = process.stderr.readline()
        assert warning.startswith("WARNING: serving the sandbox on 0.0.0.0, not on loopback")
        assert "control-token" in warning
    finally:
        process.terminate()
        process.wait(timeout=10)

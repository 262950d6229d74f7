"""Sandbox fixtures: a small generated data set (made once), and apps on a frozen sandbox clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from amc_cltv.sandbox import GenerationStats, generate
from amc_cltv.sandbox.app import SandboxApp
from amc_cltv.sandbox.control import control_headers

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DATA_END = date(2026, 11, 25)
REPORTING = "/amc/reporting/amcsandbox01"
SQL = "SELECT event_subtype, COUNT(DISTINCT user_id) AS users FROM conversions_all GROUP BY event_subtype"


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> GenerationStats:
    """3,000 users, seed 7: enough for every behaviour, fast enough to make once per session."""
    return generate(3000, 7, tmp_path_factory.mktemp("sandbox-data"), end_date=DATA_END)


class Recorder:
    """The sleep seam: records every requested delay, never sleeps."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Recorder:
    return Recorder()


@pytest.fixture
def app(tmp_path: Path, small_data: GenerationStats, sleeps: Recorder) -> SandboxApp:
    """A sandbox whose clock stands still at NOW unless a test advances it, over the small data set."""
    state_dir = tmp_path / "sandbox"
    shutil.copytree(small_data.out_dir, state_dir / "data")
    return SandboxApp(state_dir, base_now=lambda: NOW, sleep=sleeps)


def ad_hoc_execution(sql: str, **extra: object) -> dict[str, object]:
    """The body of an ad-hoc execution of ``sql`` over 2026-01-01 to 2026-11-01 on synthetic data."""
    return {
        "workflow": {"sqlQuery": sql},
        "timeWindowType": "EXPLICIT",
        "timeWindowStart": "2026-01-01T00:00:00",
        "timeWindowEnd": "2026-11-01T00:00:00",
        "requireSyntheticData": True,
        **extra,
    }


class Api:
    """Raw httpx against the in-process app, with a token and the reporting headers."""

    def __init__(self, app: SandboxApp) -> None:
        self.http = httpx.Client(
            transport=httpx.WSGITransport(app=app),
            base_url="http://sandbox.test",
            headers=control_headers(app.state_dir),  # the /_sandbox/ controls need the state folder's token
        )
        token = self.http.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": "r",
                "client_id": "c",
                "client_secret": "s",
            },
        ).json()["access_token"]
        self.token = token
        self.reporting_headers = {
            "Authorization": f"Bearer {token}",
            "Amazon-Advertising-API-ClientId": "client",
            "Amazon-Advertising-API-AdvertiserId": "ENTITYSANDBOX0001",
            "Amazon-Advertising-API-MarketplaceId": "ATVPDKIKX0DER",
        }
        self.audience_headers = {
            "Authorization": f"Bearer {token}",
            "Amazon-Advertising-API-ClientId": "client",
            "Amazon-Advertising-API-EntityId": "ENTITYSANDBOX0001",
            "Amazon-Marketing-Cloud-Audience-InstanceId": "amcsandbox01",
        }

    def _login(self) -> str:
        return str(
            self.http.post(
                "/auth/o2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": "r",
                    "client_id": "c",
                    "client_secret": "s",
                },
            ).json()["access_token"]
        )

    def r(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call; like a client, it logs in again once when the token has expired (sandbox time)."""
        url = path if path.startswith("/") else f"{REPORTING}/{path}"
        headers = self.audience_headers if path.startswith("/amc/audiences") else self.reporting_headers
        response = self.http.request(method, url, headers=headers, **kwargs)
        if response.status_code == 401 and "expired" in response.text:
            token = self._login()
            for family in (self.reporting_headers, self.audience_headers):
                family["Authorization"] = f"Bearer {token}"
            response = self.http.request(method, url, headers=headers, **kwargs)
        return response

    def submit(self, sql: str = SQL, **extra: object) -> dict[str, object]:
        response = self.r("POST", "workflowExecutions", json=ad_hoc_execution(sql, **extra))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def status(self, execution_id: object) -> dict[str, object]:
        return dict(self.r("GET", f"workflowExecutions/{execution_id}").json())


@pytest.fixture
def api(app: SandboxApp) -> Iterator[Api]:
    client = Api(app)
    yield client
    client.http.close()

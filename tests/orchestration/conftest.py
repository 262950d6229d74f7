"""Fixtures for the orchestration layer: a real client on a respx-mocked wire, a fake clock, a ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.client.retry import RetryQuota
from amc_cltv.clock import FakeClock, use_clock
from amc_cltv.config import Config, load_config
from amc_cltv.ledger import Ledger

API = "https://advertising-api.test"
TOKEN_URL = "https://api.test/auth/o2/token"
INSTANCE = "amc1234abcd"
REPORTING = f"/amc/reporting/{INSTANCE}"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

PROFILE = f"""
[amc]
api_url = "{API}"
token_url = "{TOKEN_URL}"
instance_id = "{INSTANCE}"
advertiser_id = "ENTITY1AA1AA11AAA1"
marketplace_id = "ATVPDKIKX0DER"

[polling]
max_wait_s = 3600
"""


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    """The process clock, frozen at NOW; every sleep advances it instantly and is recorded."""
    with use_clock(FakeClock(NOW)) as installed:
        assert isinstance(installed, FakeClock)
        yield installed


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "instance.toml"
    path.write_text(PROFILE)
    environ = {
        "AMC_CLTV_CLIENT_ID": "amzn1.application-oa2-client.test",
        "AMC_CLTV_CLIENT_SECRET": "client-secret-value",
        "AMC_CLTV_REFRESH_TOKEN": "Atzr|refresh-token-value",
    }
    return load_config(path, environ=environ)


@pytest.fixture
def ledger(config: Config) -> Iterator[Ledger]:
    with Ledger.open(config.state_dir) as opened:
        yield opened


@pytest.fixture
def wire() -> Iterator[respx.MockRouter]:
    """The mocked network: the token endpoint answers; every other route is declared by the test."""
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=True) as router:
        router.post(TOKEN_URL, name="token").mock(
            return_value=httpx.Response(
                200, json={"access_token": "Atza|access", "token_type": "bearer", "expires_in": 3600}
            )
        )
        # A run asks which marketplaces the instance's advertisers span (one currency per result).
        router.get(path__regex=r"^/amc/instances/[^/]+/advertisers$", name="advertisers").respond(
            200, json={"advertisers": []}
        )
        yield router


@pytest.fixture
def client(config: Config, fake_clock: FakeClock) -> Iterator[AmcClient]:
    """The real client; its retry sleeps go to the fake clock, its jitter is the top of each backoff."""
    with AmcClient(
        api_url=API,
        token_url=TOKEN_URL,
        client_id="amzn1.application-oa2-client.test",
        client_secret="client-secret-value",
        refresh_token="Atzr|refresh-token-value",
        instance_id=INSTANCE,
        advertiser_id="ENTITY1AA1AA11AAA1",
        marketplace_id="ATVPDKIKX0DER",
        sleep=fake_clock.sleep,
        monotonic=fake_clock.monotonic,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    ) as built:
        yield built


def execution(
    execution_id: str,
    status: str,
    *,
    start: str = "2025-11-23T00:00:00",
    end: str = "2026-11-23T00:00:00",
    workflow_id: str = "amc_cltv.segmentation",
    parameters: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An AMC WorkflowExecution body (flat, as AMC sends it)."""
    body: dict[str, Any] = {
        "workflowExecutionId": execution_id,
        "workflowId": workflow_id,
        "status": status,
        "timeWindowStart": f"{start}Z",
        "timeWindowEnd": f"{end}Z",
        "timeWindowStartOriginal": start,
        "timeWindowEndOriginal": end,
        "timeWindowTimeZoneOriginal": "UTC",
        "parameterValues": parameters
        if parameters is not None
        else {"threshold_method": "mean", "threshold_quantile": "0.5"},
    }
    body.update(extra)
    return body

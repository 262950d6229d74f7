"""Fixtures for the API client: a client on respx-mocked wire, a fake clock, recorded sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient, AsyncAmcClient
from amc_cltv.client.retry import RetryQuota

API = "https://advertising-api.test"
TOKEN_URL = "https://api.test/auth/o2/token"
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "amzn1.oa2-cs.v1.client-secret-value"
REFRESH_TOKEN = "Atzr|refresh-token-value"
ACCESS_TOKEN = "Atza|access-token-one"
INSTANCE = "amc1234abcd"
ADVERTISER = "ENTITY1AA1AA11AAA1"
MARKETPLACE = "ATVPDKIKX0DER"
REPORTING = f"/amc/reporting/{INSTANCE}"

T = TypeVar("T")


@dataclass
class FakeClock:
    """A monotonic clock that only moves when the client sleeps (or a test says so)."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def token_response(token: str = ACCESS_TOKEN, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(
        200,
        json={"access_token": token, "token_type": "bearer", "expires_in": expires_in, "refresh_token": "x"},
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wire() -> Iterator[respx.MockRouter]:
    """The mocked network: the token endpoint answers; every other route is declared by the test."""
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=True) as router:
        router.post(TOKEN_URL, name="token").mock(return_value=token_response())
        yield router


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., AmcClient]]:
    """Build clients with the fake clock, identity jitter (the top of each backoff) and a fresh quota."""
    clients: list[AmcClient] = []

    def build(**overrides: object) -> AmcClient:
        options: dict[str, object] = {
            "api_url": API,
            "token_url": TOKEN_URL,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "instance_id": INSTANCE,
            "advertiser_id": ADVERTISER,
            "marketplace_id": MARKETPLACE,
            "sleep": clock.sleep,
            "monotonic": clock.monotonic,
            "jitter": lambda: 1.0,
            "retry_quota": RetryQuota(),
        }
        options.update(overrides)
        client = AmcClient(**options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real profile naming the mocked API, with its secrets in the environment (``connect``'s input)."""
    path = tmp_path / "profile.toml"
    path.write_text(
        f'[amc]\napi_url = "{API}"\ntoken_url = "{TOKEN_URL}"\ninstance_id = "{INSTANCE}"\n'
        f'advertiser_id = "{ADVERTISER}"\nmarketplace_id = "{MARKETPLACE}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("AMC_CLTV_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AMC_CLTV_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("AMC_CLTV_REFRESH_TOKEN", REFRESH_TOKEN)
    return path


@pytest.fixture
def client(make_client: Callable[..., AmcClient]) -> AmcClient:
    return make_client()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def make_async_client(clock: FakeClock, **overrides: Any) -> AsyncAmcClient:
    """An ``AsyncAmcClient`` on the fake clock (its async sleep recorded), identity jitter, a fresh quota."""

    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    options: dict[str, Any] = {
        "api_url": API,
        "token_url": TOKEN_URL,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "instance_id": INSTANCE,
        "advertiser_id": ADVERTISER,
        "marketplace_id": MARKETPLACE,
        "sleep": sleep,
        "monotonic": clock.monotonic,
        "jitter": lambda: 1.0,
        "retry_quota": RetryQuota(monotonic=clock.monotonic),
    }
    options.update(overrides)
    return AsyncAmcClient(**options)

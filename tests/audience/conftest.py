"""Fixtures for the audience lifecycle: AMC's audience endpoints on a respx-mocked wire, a fake tool clock,
an instance profile in a temporary folder, and a segmentation result already in the ledger."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from amc_cltv import clock
from amc_cltv.client import AmcClient
from amc_cltv.client.retry import RetryQuota
from amc_cltv.clock import FakeClock, use_clock
from amc_cltv.config import Config, load_config
from amc_cltv.ledger import FileRecord, Ledger
from amc_cltv.timewindow import resolve_window
from amc_cltv.workflows import catalog

API = "https://advertising-api.test"
TOKEN_URL = "https://api.test/auth/o2/token"
INSTANCE = "amc1234abcd"
ENTITY = "ENTITY1AA1AA11AAA1"
CLIENT_SECRET = "amzn1.oa2-cs.v1.audience-test-secret"
REFRESH_TOKEN = "Atzr|audience-test-refresh"
AUDIENCES = "/amc/audiences/query"
LOOKALIKE = "/amc/audiences/lookalike"
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

PROFILE = """
[amc]
api_url = "{api}"
token_url = "{token}"
instance_id = "{instance}"
advertiser_id = "{entity}"
marketplace_id = "ATVPDKIKX0DER"

[audience]
dsp_advertiser_id = "5550001234"
min_size = 2500
refresh_rate_days = 7
activation_lag_hours = 48

[workflows]
shopping_insights = {shopping_insights}

[polling]
initial_interval_s = 30
multiplier = 1.5
max_interval_s = 300
max_wait_s = 3600
"""


@dataclass
class FakeAudiences:
    """AMC's rule-based audience endpoints, held in memory behind the mocked wire.

    Each created audience follows ``script`` (one status per GET; the last one sticks). ``posts`` holds
    every POST body, ``deleted`` every DELETE.
    """

    script: list[str] = field(default_factory=lambda: ["RUNNING", "SUCCEEDED"])
    reason: str | None = None
    count: int = 3100
    audiences: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    post_headers: list[httpx.Headers] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    clock: FakeClock | None = None
    # What the next POSTs do instead of answering: "timeout" (created, then the answer is lost),
    # "lost" (never created, the answer is a 503).
    post_faults: list[str] = field(default_factory=list)
    # Every DELETE is refused with AMC's 400 (an audience a campaign uses), without a deletable flag
    # on the GET (an AMC before v1.2), or with ``deletable: false`` (``in_use``).
    refuse_delete: bool = False
    in_use: bool = False

    def add(self, name: str, *, status: str = "SUCCEEDED", create_time: datetime | None = None) -> str:
        """An audience AMC holds already (created elsewhere, or by a POST whose answer was lost)."""
        audience_id = str(uuid.uuid4())
        moment = create_time or (self.clock.now() if self.clock else START)
        self.audiences[audience_id] = {
            "audienceExecutionId": audience_id,
            "audienceName": name,
            "status": status,
            "createTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "audienceCount": self.count if status == "SUCCEEDED" else None,
        }
        # An unfinished audience follows the script from its start; a finished one stays as it is.
        self.progress[audience_id] = 0 if status in ("PENDING", "RUNNING") else len(self.script)
        return audience_id

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.posts.append(body)
        self.post_headers.append(request.headers)
        fault = self.post_faults.pop(0) if self.post_faults else None
        if fault == "lost":
            return httpx.Response(503, json={"code": "503", "details": "Service Unavailable"})
        audience_id = self.add(body["audienceName"], status="PENDING")
        if fault == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        return httpx.Response(200, json={"audienceExecutionId": audience_id, "status": "PENDING"})

    def _get(self, request: httpx.Request, audience_id: str) -> httpx.Response:
        audience = self.audiences.get(audience_id)
        if audience is None:
            return httpx.Response(404, json={"code": "404", "details": "Audience not found"})
        step = self.progress.get(audience_id, len(self.script))
        if step < len(self.script):
            status = self.script[step]
            self.progress[audience_id] = step + 1
            audience["status"] = status
            if status == "SUCCEEDED":
                audience["audienceCount"] = self.count
            if status == "FAILED":
                audience["statusReason"] = self.reason
        if self.in_use:
            return httpx.Response(200, json={**audience, "deletable": False})
        return httpx.Response(200, json=audience)

    def _list(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"executionMetadata": list(self.audiences.values()), "nextToken": None}
        )

    def _delete(self, request: httpx.Request, audience_id: str) -> httpx.Response:
        if self.refuse_delete or self.in_use:
            details = (
                "Invalid input arguments passed, or deletion is not allowed for this audience at this time."
            )
            return httpx.Response(400, json={"code": "400", "details": details})
        self.deleted.append(audience_id)
        self.audiences.pop(audience_id, None)
        return httpx.Response(204)

    def _put(self, request: httpx.Request, audience_id: str) -> httpx.Response:
        self.progress[audience_id] = 0
        self.audiences[audience_id]["status"] = "PENDING"
        return httpx.Response(200, json={"audienceExecutionId": audience_id, "status": "PENDING"})

    def mount(self, router: respx.MockRouter) -> None:
        router.post(AUDIENCES, name="create").mock(side_effect=self._create)
        router.post(LOOKALIKE, name="create_lookalike").mock(side_effect=self._create)
        router.get(AUDIENCES, name="list").mock(side_effect=self._list)
        router.get(url__regex=rf"{AUDIENCES}/(?P<audience_id>[^/?]+)$", name="get").mock(
            side_effect=self._get
        )
        router.delete(url__regex=rf"{AUDIENCES}/(?P<audience_id>[^/?]+)$", name="delete").mock(
            side_effect=self._delete
        )
        router.put(url__regex=rf"{AUDIENCES}/(?P<audience_id>[^/?]+)$", name="update").mock(
            side_effect=self._put
        )


@pytest.fixture
def tool_clock() -> Iterator[FakeClock]:
    with use_clock(FakeClock(START)) as installed:
        assert isinstance(installed, FakeClock)
        yield installed


@pytest.fixture
def amc(tool_clock: FakeClock) -> Iterator[tuple[respx.MockRouter, FakeAudiences]]:
    fake = FakeAudiences(clock=tool_clock)
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=True) as router:
        router.post(TOKEN_URL, name="token").mock(
            return_value=httpx.Response(
                200,
                json={
                    "access_token": "Atza|audience-test-access",
                    "token_type": "bearer",
                    "expires_in": 3600,
                },
            )
        )
        fake.mount(router)
        router.get(path__regex=r"^/amc/instances/[^/]+/advertisers$", name="advertisers").respond(
            200, json={"advertisers": []}
        )
        yield router, fake


@pytest.fixture
def make_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Config]:
    monkeypatch.setenv("AMC_CLTV_CLIENT_ID", "amzn1.application-oa2-client.audience")
    monkeypatch.setenv("AMC_CLTV_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("AMC_CLTV_REFRESH_TOKEN", REFRESH_TOKEN)

    def build(*, shopping_insights: bool = True, extra: str = "") -> Config:
        path = tmp_path / "profile.toml"
        text = PROFILE.format(
            api=API,
            token=TOKEN_URL,
            instance=INSTANCE,
            entity=ENTITY,
            shopping_insights=str(shopping_insights).lower(),
        )
        path.write_text(text + extra, encoding="utf-8")
        return load_config(path)

    return build


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture
def client(tool_clock: FakeClock) -> Iterator[AmcClient]:
    amc_client = AmcClient(
        api_url=API,
        token_url=TOKEN_URL,
        client_id="amzn1.application-oa2-client.audience",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        instance_id=INSTANCE,
        advertiser_id=ENTITY,
        marketplace_id="ATVPDKIKX0DER",
        sleep=lambda seconds: None,
        jitter=lambda: 1.0,
        retry_quota=RetryQuota(),
    )
    yield amc_client
    amc_client.close()


@pytest.fixture
def ledger(config: Config) -> Iterator[Ledger]:
    with Ledger.open(config.state_dir) as opened:
        yield opened


def record_segmentation(
    config: Config, ledger: Ledger, high_value_users: int, *, window_end: date | None = None
) -> str:
    """A downloaded SUCCEEDED ``segmentation`` result for today's default window (or the one ending
    ``window_end``), as the run pipeline leaves it: the CSV on disk and the run and its file in the ledger."""
    now = clock.current().now()
    window = resolve_window(now, config.amc.time_zone, window_end=window_end)
    rendered = catalog.render("segmentation", shopping_insights=config.profile.workflows.shopping_insights)
    execution_id = f"exec-{uuid.uuid4().hex[:8]}"
    folder = config.output_dir / config.instance_id / "segmentation" / execution_id
    folder.mkdir(parents=True)
    csv = folder / "part-1.csv"
    csv.write_text(
        "customer_audience_segment,num_users,total_sales,total_spend,cltv\n"
        f"High Value Customer,{high_value_users},120.5,3.2,117.3\n"
        "Low Value Customer,9000,20.1,8.2,11.9\n",
        encoding="utf-8",
    )
    run = ledger.begin_run(
        run_key=f"key-{execution_id}",
        instance_id=config.instance_id,
        workflow="segmentation",
        workflow_id=rendered.workflow_id,
        sql_sha256=rendered.sql_sha256,
        time_window_start=window.start.isoformat(),
        time_window_end=window.end.isoformat(),
        time_zone=window.time_zone,
        parameters=rendered.parameter_values,
        now=now,
    )
    ledger.record_submitted(run.id, now, execution_id=execution_id, status="SUCCEEDED")
    ledger.record_downloaded(run.id, now)
    data = csv.read_bytes()
    ledger.record_files(
        execution_id,
        [FileRecord(execution_id, csv.name, str(csv), len(data), 2, hashlib.sha256(data).hexdigest())],
    )
    return execution_id


# The end-to-end ground (real CLI, embedded sandbox, linked clocks) for test_e2e.py and test_crash.py.
from tests.audience.sandbox_fixtures import sandbox_data, served, workspace  # noqa: E402, F401

"""The project's own client against the sandbox: every endpoint it uses, and the faults it must survive."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from amc_cltv.client import AmcClient, wsgi_transport
from amc_cltv.client.models import AudienceRequest, CreateWorkflowExecution, Schedule, Workflow
from amc_cltv.client.retry import RetryQuota
from amc_cltv.errors import (
    AmbiguousSubmitError,
    BadRequestError,
    DownloadError,
    DownloadUrlExpired,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from amc_cltv.sandbox.app import SandboxApp

from .conftest import SQL, Recorder


@pytest.fixture
def client(app: SandboxApp, sleeps: Recorder) -> Iterator[AmcClient]:
    ticks = iter(range(10**6))
    amc = AmcClient(
        api_url="https://advertising-api.sandbox.invalid",
        token_url="https://api.sandbox.invalid/auth/o2/token",
        client_id="amzn1.application-oa2-client.test",
        client_secret="secret",
        refresh_token="Atzr|refresh",
        instance_id="amcsandbox01",
        advertiser_id="ENTITYSANDBOX0001",
        marketplace_id="ATVPDKIKX0DER",
        transport=wsgi_transport(app),
        sleep=sleeps,
        monotonic=lambda: float(next(ticks)),
        jitter=lambda: 0.5,
        retry_quota=RetryQuota(),
    )
    yield amc
    amc.close()


def _request(**extra: object) -> CreateWorkflowExecution:
    return CreateWorkflowExecution.model_validate(
        {
            "workflowId": "seg",
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2026-01-01T00:00:00",
            "timeWindowEnd": "2026-11-01T00:00:00",
            "requireSyntheticData": True,
            **extra,
        }
    )


def _read(client: AmcClient, url: str) -> str:
    with client.open_download(url) as stream:
        return b"".join(stream.iter_bytes()).decode()


def test_workflow_execution_and_download_through_the_client(app: SandboxApp, client: AmcClient) -> None:
    """Upsert, submit, poll, list, download: the flat bodies parse into the client's models."""
    assert client.workflows.upsert(Workflow(workflow_id="seg", sql_query=SQL)) == "created"
    assert client.workflows.upsert(Workflow(workflow_id="seg", sql_query=SQL)) == "updated"
    assert [w.workflow_id for w in client.workflows.list()] == ["seg"]
    assert client.workflows.get("seg").sql_query == SQL
    execution = client.executions.create(_request())
    assert execution.status == "PENDING"
    app.clock.advance(1)
    done = client.executions.get(execution.workflow_execution_id)
    assert (done.status, done.terminal) == ("SUCCEEDED", True)
    listed = client.executions.list(workflow_id="seg")
    assert [e.workflow_execution_id for e in listed] == [execution.workflow_execution_id]
    urls = client.executions.download_urls(execution.workflow_execution_id)
    rows = list(csv.reader(io.StringIO(_read(client, urls.download_urls[0]))))
    assert rows[0] == ["event_subtype", "users"]
    assert {r[0] for r in rows[1:]} == {"order", "detailPageView"}


def test_cancel_schedules_instances_accounts_through_the_client(app: SandboxApp, client: AmcClient) -> None:
    """Cancel (and the 400 on a terminal execution), schedule CRUD, instances, advertisers, accounts."""
    app.configure(queue_s=3600)
    client.workflows.create(Workflow(workflow_id="seg", sql_query=SQL))
    execution = client.executions.create(_request())
    client.executions.cancel(execution.workflow_execution_id)
    assert client.executions.get(execution.workflow_execution_id).status == "CANCELLED"
    with pytest.raises(BadRequestError):
        client.executions.cancel(execution.workflow_execution_id)
    schedule = Schedule(
        schedule_id="nightly", workflow_id="seg", aggregation_period="Daily", aggregation_hour_utc=5
    )
    client.schedules.create(schedule)
    client.schedules.update(schedule.model_copy(update={"aggregation_hour_utc": 7}))
    assert client.schedules.get("nightly").aggregation_hour_utc == 7
    assert [s.schedule_id for s in client.schedules.list()] == ["nightly"]
    client.schedules.delete("nightly")
    with pytest.raises(NotFoundError):
        client.schedules.get("nightly")
    client.workflows.delete("seg")
    assert client.instances.get().instance_id == "amcsandbox01"
    assert [i.instance_id for i in client.instances.list()] == ["amcsandbox01"]
    assert client.instances.advertisers()[0].id == "1234567890"
    assert [a.account_id for a in client.accounts.list()] == ["ENTITYSANDBOX0001"]


def test_audience_lifecycle_through_the_client(app: SandboxApp, client: AmcClient) -> None:
    """Create, get, list, the 2,000 minimum failure, update of the FAILED audience, delete."""
    request = AudienceRequest(
        audience_name="High value",
        advertiser_id="1234567890",
        time_window_start="2026-01-01T00:00:00Z",
        time_window_end="2026-11-01T00:00:00Z",
        query="SELECT user_id FROM conversions_all_for_audiences WHERE event_subtype = 'order'",
        refresh_rate_days=7,
        time_window_relative=True,
    )
    created = client.audiences.create(request)
    app.clock.advance(1)
    failed = client.audiences.get(created.audience_execution_id)
    assert failed.status == "FAILED"
    assert "minimum audience size" in str(failed.status_reason)
    app.configure(min_audience_size=100)
    client.audiences.update(
        created.audience_execution_id, request.model_copy(update={"audience_type": "RULE_BASED"})
    )
    app.clock.advance(1)
    succeeded = client.audiences.get(created.audience_execution_id)
    assert succeeded.status == "SUCCEEDED"
    assert [a.audience_execution_id for a in client.audiences.list()] == [created.audience_execution_id]
    client.audiences.delete(created.audience_execution_id)
    assert client.audiences.list() == []


def test_client_rides_out_throttling_and_server_errors(
    app: SandboxApp, client: AmcClient, sleeps: Recorder
) -> None:
    """Two 429s with Retry-After 4 then a 503: the client waits as told and the call succeeds."""
    app.faults.script(
        [
            {"kind": "status", "status": 429, "retry_after": 4, "times": 2, "match": "GET .*/workflows$"},
            {"kind": "status", "status": 503, "times": 1, "match": "GET .*/workflows$"},
        ]
    )
    assert client.workflows.list() == []
    assert sleeps.delays[:2] == [4.0, 4.0]
    assert len(sleeps.delays) == 3


def test_client_gives_up_on_persistent_errors_with_the_right_error(
    app: SandboxApp, client: AmcClient
) -> None:
    """An always-429 or always-500 endpoint ends in the client's RateLimitError / InternalServerError."""
    app.faults.script(
        [{"kind": "status", "status": 429, "retry_after": 1, "times": 0, "match": "workflows$"}]
    )
    with pytest.raises(RateLimitError):
        client.workflows.list()
    app.faults.script([{"kind": "status", "status": 500, "times": 0, "match": "schedules$"}])
    with pytest.raises(InternalServerError):
        client.schedules.list()


def test_client_sees_expired_and_truncated_downloads(app: SandboxApp, client: AmcClient) -> None:
    """An expired URL is DownloadUrlExpired (ask again); a short body is DownloadError."""
    client.workflows.create(Workflow(workflow_id="seg", sql_query=SQL))
    execution = client.executions.create(_request())
    app.clock.advance(1)
    app.faults.script([{"kind": "expired_url"}])
    stale = client.executions.download_urls(execution.workflow_execution_id).download_urls[0]
    with pytest.raises(DownloadUrlExpired):
        _read(client, stale)
    fresh = client.executions.download_urls(execution.workflow_execution_id).download_urls[0]
    app.faults.script([{"kind": "truncate", "match": "^GET /s3/"}])
    with pytest.raises(DownloadError):
        _read(client, fresh)
    assert _read(client, fresh).startswith("event_subtype,users")


@pytest.mark.parametrize(("outcome", "status"), [("FAILED", "FAILED"), ("REJECTED", "REJECTED")])
def test_client_sees_scripted_outcomes_and_unknown_statuses(
    app: SandboxApp, client: AmcClient, outcome: str, status: str
) -> None:
    """A scripted FAILED/REJECTED arrives with its reason; an unknown status is not terminal."""
    client.workflows.create(Workflow(workflow_id="seg", sql_query=SQL))
    app.faults.script(
        [
            {"kind": "execution_outcome", "status": outcome, "status_reason": "Injected."},
            {"kind": "unknown_status", "status": "PUBLISHING_SOMEHOW"},
        ]
    )
    execution = client.executions.create(_request())
    app.clock.advance(1)
    odd = client.executions.get(execution.workflow_execution_id)
    assert (odd.status, odd.terminal) == ("PUBLISHING_SOMEHOW", False)
    final = client.executions.get(execution.workflow_execution_id)
    assert (final.status, final.status_reason) == (status, "Injected.")


def test_client_in_process_retries_a_dropped_read_and_flags_a_dropped_submit(
    app: SandboxApp, client: AmcClient
) -> None:
    """The drop fault in process: a GET is retried; a submit is ambiguous although AMC created it."""
    client.workflows.create(Workflow(workflow_id="seg", sql_query=SQL))
    app.faults.script(
        [
            {"kind": "drop", "match": "GET .*/workflows$"},
            {"kind": "drop", "match": "POST .*/workflowExecutions$"},
        ]
    )
    assert [w.workflow_id for w in client.workflows.list()] == ["seg"]
    with pytest.raises(AmbiguousSubmitError):
        client.executions.create(_request())
    assert len(client.executions.list(workflow_id="seg")) == 1

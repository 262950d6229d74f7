"""Workflow sync: create when missing, update only on a real difference, report drift, never overwrite it."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.client.models import Workflow
from amc_cltv.clock import FakeClock
from amc_cltv.errors import NeedsHuman
from amc_cltv.ledger import Ledger
from amc_cltv.orchestration import sync
from amc_cltv.workflows import catalog
from tests.orchestration.conftest import INSTANCE, REPORTING

WORKFLOW = f"{REPORTING}/workflows/amc_cltv.segmentation"


@pytest.fixture
def rendered() -> catalog.RenderedWorkflow:
    return catalog.render("segmentation")


def remote(rendered: catalog.RenderedWorkflow, sql: str | None = None) -> httpx.Response:
    body = Workflow.model_validate(rendered.as_workflow_body()).dump()
    if sql is not None:
        body["sqlQuery"] = sql
    return httpx.Response(200, json=body)


def record(ledger: Ledger, rendered: catalog.RenderedWorkflow, sha: str, clock: FakeClock) -> None:
    workflow_id = rendered.workflow_id
    ledger.record_apply(
        instance_id=INSTANCE,
        workflow_id=workflow_id,
        workflow="segmentation",
        definition_sha256=sha,
        now=clock.now(),
    )


ALREADY_EXISTS = httpx.Response(409, json={"code": "409", "details": "workflow already exists"})


def test_a_missing_workflow_is_created_with_one_request_and_the_apply_recorded(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, rendered: catalog.RenderedWorkflow
) -> None:
    """No apply in the ledger: the create is asked for at once (AMC refuses it for a workflow it has), so a
    new instance costs one request, not a GET answered 404 and then the create."""
    read = wire.get(WORKFLOW).mock(return_value=httpx.Response(404, json={"code": "404", "details": "nf"}))
    create = wire.post(f"{REPORTING}/workflows").mock(return_value=httpx.Response(200, json={}))
    applied = sync.apply(client.workflows, ledger, INSTANCE, rendered)
    assert applied.action == "create" and create.call_count == 1
    amc_requests = [call.request for call in wire.calls if call.request.url.path.startswith("/amc/")]
    assert read.call_count == 0 and len(amc_requests) == 1
    assert json.loads(create.calls[0].request.content)["sqlQuery"] == rendered.sql
    last = ledger.last_apply(INSTANCE, rendered.workflow_id)
    assert last is not None and last.definition_sha256 == applied.local_sha256


def test_an_identical_workflow_is_left_alone(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, rendered: catalog.RenderedWorkflow
) -> None:
    """AMC already has it (another host applied it): the refused create falls back to comparing its copy."""
    wire.post(f"{REPORTING}/workflows").mock(return_value=ALREADY_EXISTS)
    wire.get(WORKFLOW).mock(return_value=remote(rendered))
    put = wire.put(WORKFLOW).mock(return_value=httpx.Response(200, json={}))
    assert sync.apply(client.workflows, ledger, INSTANCE, rendered).action == "none"
    assert put.call_count == 0


def test_a_workflow_someone_else_saved_under_our_id_is_not_overwritten_by_the_first_create(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, rendered: catalog.RenderedWorkflow
) -> None:
    """With no apply in the ledger, AMC's different copy is compared and updated as before the create was
    tried first; the create itself never replaces anything."""
    wire.post(f"{REPORTING}/workflows").mock(return_value=ALREADY_EXISTS)
    wire.get(WORKFLOW).mock(return_value=remote(rendered, "SELECT 1"))
    put = wire.put(WORKFLOW).mock(return_value=httpx.Response(200, json={}))
    assert sync.apply(client.workflows, ledger, INSTANCE, rendered).action == "update"
    assert put.call_count == 1


def test_a_workflow_last_applied_by_this_tool_is_updated_when_the_sql_changed(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    rendered: catalog.RenderedWorkflow,
    fake_clock: FakeClock,
) -> None:
    """AMC holds what the tool applied before; the rendered SQL changed since: PUT, with the diff planned."""
    old_sql = rendered.sql.replace("High Value Customer", "Top Customer")
    wire.get(WORKFLOW).mock(return_value=remote(rendered, old_sql))
    old = Workflow.model_validate({**rendered.as_workflow_body(), "sqlQuery": old_sql}).dump()
    record(ledger, rendered, sync.definition_hash(old, sorted(old)), fake_clock)
    put = wire.put(WORKFLOW).mock(return_value=httpx.Response(200, json={}))
    planned = sync.plan(client.workflows, ledger, INSTANCE, rendered)
    assert planned.action == "update" and "-" in planned.diff and "+" in planned.diff
    assert "Top Customer" in planned.diff
    assert sync.apply(client.workflows, ledger, INSTANCE, rendered).action == "update"
    assert put.call_count == 1


def test_a_workflow_changed_on_amc_since_the_last_apply_is_drift_and_not_overwritten(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    rendered: catalog.RenderedWorkflow,
    fake_clock: FakeClock,
) -> None:
    body = Workflow.model_validate(rendered.as_workflow_body()).dump()
    record(ledger, rendered, sync.definition_hash(body, sorted(body)), fake_clock)
    wire.get(WORKFLOW).mock(return_value=remote(rendered, rendered.sql + "\n-- hand edit"))
    put = wire.put(WORKFLOW).mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(NeedsHuman) as raised:
        sync.apply(client.workflows, ledger, INSTANCE, rendered)
    assert "--force" in str(raised.value)
    assert put.call_count == 0
    assert sync.apply(client.workflows, ledger, INSTANCE, rendered, force=True).action == "drift"
    assert put.call_count == 1

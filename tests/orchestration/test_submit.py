"""Write-ahead submit and reconcile (docs/reliability.md §5): an ambiguous POST is never re-sent unasked."""

from __future__ import annotations

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.clock import FakeClock
from amc_cltv.config import Config
from amc_cltv.errors import NeedsHuman
from amc_cltv.ledger import Ledger, RunRecord
from amc_cltv.orchestration.run import RunOptions, RunPlan, plan_run
from amc_cltv.orchestration.submit import matches, submit
from tests.orchestration.conftest import REPORTING, execution

EXECUTIONS = f"{REPORTING}/workflowExecutions"


@pytest.fixture
def plan(config: Config, fake_clock: FakeClock) -> RunPlan:
    return plan_run(config, "segmentation", RunOptions())


@pytest.fixture
def intent(ledger: Ledger, plan: RunPlan, config: Config, fake_clock: FakeClock) -> RunRecord:
    """The write-ahead row, as the runner writes it before the POST."""
    return ledger.begin_run(
        run_key=plan.run_key,
        instance_id=config.instance_id,
        workflow="segmentation",
        workflow_id=plan.spec.workflow_id,
        sql_sha256=plan.rendered.sql_sha256,
        time_window_start=plan.window.start.isoformat(),
        time_window_end=plan.window.end.isoformat(),
        time_zone="UTC",
        parameters=plan.spec.parameter_values,
        now=fake_clock.now(),
    )


def test_the_request_is_a_saved_workflow_over_an_explicit_window(plan: RunPlan) -> None:
    """workflowId, EXPLICIT window in AMC's format, time zone, parameters and AMC's default timeout."""
    assert plan.execution_request() == {
        "workflowId": "amc_cltv.segmentation",
        "timeWindowType": "EXPLICIT",
        "timeWindowStart": "2025-11-23T00:00:00",
        "timeWindowEnd": "2026-11-23T00:00:00",
        "timeWindowTimeZone": "UTC",
        "parameterValues": {"threshold_method": "mean", "threshold_quantile": "0.5"},
        "workflowExecutionTimeoutSeconds": 21600,
    }


def test_a_submit_records_the_execution_id_right_after_the_post(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, intent: RunRecord, plan: RunPlan
) -> None:
    """The row goes from ``submitting`` to ``submitted`` with AMC's workflowExecutionId."""
    post = wire.post(EXECUTIONS).mock(return_value=httpx.Response(200, json=execution("e1", "PENDING")))
    assert intent.state == "submitting" and intent.execution_id is None
    run = submit(client.executions, ledger, intent, plan.spec)
    assert post.call_count == 1
    assert (run.state, run.execution_id, run.status) == ("submitted", "e1", "PENDING")
    assert ledger.run(intent.id).execution_id == "e1"


def test_a_read_timeout_on_the_post_is_reconciled_not_resent(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, intent: RunRecord, plan: RunPlan
) -> None:
    """ReadTimeout: no second POST; the list since the intent finds the execution and it is adopted."""
    post = wire.post(EXECUTIONS).mock(side_effect=httpx.ReadTimeout("timed out"))
    listing = wire.get(EXECUTIONS).mock(
        return_value=httpx.Response(200, json={"executions": [execution("e7", "RUNNING")]})
    )
    run = submit(client.executions, ledger, intent, plan.spec)
    assert post.call_count == 1
    assert listing.call_count == 1
    params = listing.calls[0].request.url.params
    assert params["workflowId"] == "amc_cltv.segmentation"
    assert params["minCreationTime"] == "2026-11-25T11:55:00"  # the intent less five minutes
    assert params["includeCancelled"] == "true"
    assert (run.execution_id, run.state) == ("e7", "submitted")


def test_nothing_found_after_two_looks_thirty_seconds_apart_means_submit_again(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    intent: RunRecord,
    plan: RunPlan,
    fake_clock: FakeClock,
) -> None:
    """A dropped connection that never reached AMC: two empty lists 30 s apart, then one more POST."""
    post = wire.post(EXECUTIONS).mock(
        side_effect=[
            httpx.RemoteProtocolError("dropped"),
            httpx.Response(200, json=execution("e2", "PENDING")),
        ]
    )
    listing = wire.get(EXECUTIONS).mock(return_value=httpx.Response(200, json={"executions": []}))
    run = submit(client.executions, ledger, intent, plan.spec)
    assert listing.call_count == 2
    assert 30.0 in fake_clock.sleeps
    assert post.call_count == 2
    assert run.execution_id == "e2"


def test_several_matching_executions_need_a_person(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, intent: RunRecord, plan: RunPlan
) -> None:
    """Two executions match the window and parameters: exit 3, both ids named, nothing adopted."""
    wire.post(EXECUTIONS).mock(side_effect=httpx.ReadTimeout("timed out"))
    wire.get(EXECUTIONS).mock(
        return_value=httpx.Response(
            200, json={"executions": [execution("e1", "RUNNING"), execution("e2", "PENDING")]}
        )
    )
    with pytest.raises(NeedsHuman) as raised:
        submit(client.executions, ledger, intent, plan.spec)
    assert "e1" in str(raised.value) and "e2" in str(raised.value)
    assert ledger.run(intent.id).execution_id is None


def test_only_the_same_window_parameters_and_workflow_match(plan: RunPlan) -> None:
    """Another window, other parameter values or another workflow are not ours."""
    spec = plan.spec
    assert matches(WorkflowExecution.model_validate(execution("a", "RUNNING")), spec)
    other_window = execution("b", "RUNNING", start="2025-11-22T00:00:00")
    assert not matches(WorkflowExecution.model_validate(other_window), spec)
    other_params = execution(
        "c", "RUNNING", parameters={"threshold_method": "median", "threshold_quantile": "0.5"}
    )
    assert not matches(WorkflowExecution.model_validate(other_params), spec)
    other_workflow = execution("d", "RUNNING", workflow_id="amc_cltv.cltv")
    assert not matches(WorkflowExecution.model_validate(other_workflow), spec)
    utc_only = execution("e", "RUNNING")
    for key in ("timeWindowStartOriginal", "timeWindowEndOriginal", "timeWindowTimeZoneOriginal"):
        utc_only.pop(key)
    assert matches(WorkflowExecution.model_validate(utc_only), spec)


def test_an_execution_already_owned_by_an_earlier_attempt_is_not_adopted(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    intent: RunRecord,
    plan: RunPlan,
    fake_clock: FakeClock,
) -> None:
    """After --force-rerun the first attempt's execution still matches; it is skipped, the new one adopted."""
    ledger.record_submitted(intent.id, fake_clock.now(), execution_id="old", status="SUCCEEDED")
    ledger.record_downloaded(intent.id, fake_clock.now())
    second = ledger.begin_run(
        run_key=intent.run_key,
        instance_id=intent.instance_id,
        workflow=intent.workflow,
        workflow_id=intent.workflow_id,
        sql_sha256=intent.sql_sha256,
        time_window_start=intent.time_window_start,
        time_window_end=intent.time_window_end,
        time_zone="UTC",
        parameters=intent.parameters,
        now=fake_clock.now(),
    )
    wire.post(EXECUTIONS).mock(side_effect=httpx.ReadTimeout("timed out"))
    wire.get(EXECUTIONS).mock(
        return_value=httpx.Response(
            200, json={"executions": [execution("old", "SUCCEEDED"), execution("new", "PENDING")]}
        )
    )
    run = submit(client.executions, ledger, second, plan.spec)
    assert run.execution_id == "new" and run.attempt == 2


def test_an_intent_resumed_much_later_is_renewed_before_the_post(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    intent: RunRecord,
    plan: RunPlan,
    fake_clock: FakeClock,
) -> None:
    """A crash before the POST, resumed an hour later: submitted_at is renewed so polling starts at 30 s."""
    wire.post(EXECUTIONS).mock(return_value=httpx.Response(200, json=execution("e3", "PENDING")))
    fake_clock.advance(3600)
    run = submit(client.executions, ledger, intent, plan.spec)
    assert run.submitted_at == fake_clock.now() and run.submitted_at > intent.submitted_at

"""AMC is the source of truth: before a POST, the same run on AMC is adopted (respx on the wire)."""

from __future__ import annotations

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.clock import FakeClock
from amc_cltv.config import Config
from amc_cltv.ledger import Ledger, RunState
from amc_cltv.orchestration.adopt import adopt_from_amc
from amc_cltv.orchestration.run import RunOptions, RunPlan, plan_run
from tests.orchestration.conftest import REPORTING, execution

EXECUTIONS = f"{REPORTING}/workflowExecutions"


@pytest.fixture
def plan(config: Config, fake_clock: FakeClock) -> RunPlan:
    return plan_run(config, "segmentation", RunOptions())


def adopt(client: AmcClient, ledger: Ledger, config: Config, plan: RunPlan):  # type: ignore[no-untyped-def]
    return adopt_from_amc(
        client.executions,
        ledger,
        run_key=plan.run_key,
        instance_id=config.instance_id,
        spec=plan.spec,
        sql_sha256=plan.rendered.sql_sha256,
    )


def listing(wire: respx.MockRouter, *pages: list[dict]) -> respx.Route:  # type: ignore[type-arg]
    responses = [
        httpx.Response(
            200, json={"executions": page, "nextToken": f"p{i + 1}" if i + 1 < len(pages) else None}
        )
        for i, page in enumerate(pages)
    ]
    return wire.get(EXECUTIONS, name="list").mock(side_effect=responses)


def test_a_succeeded_run_on_a_later_page_is_adopted_over_one_still_running(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, config: Config, plan: RunPlan
) -> None:
    """Every page is read; the newest SUCCEEDED one of the same window, parameters and SQL wins."""
    sql = plan.rendered.as_workflow_body()["sqlQuery"]
    route = listing(
        wire,
        [execution("e-running", "RUNNING", createTime="2026-11-25T10:00:00Z", sqlQuery=sql)],
        [
            execution("e-ok", "SUCCEEDED", createTime="2026-11-24T03:00:00Z", sqlQuery=sql),
            execution("e-failed", "FAILED", createTime="2026-11-25T11:00:00Z", sqlQuery=sql),
        ],
    )
    adopted = adopt(client, ledger, config, plan)
    assert adopted is not None and adopted.execution_id == "e-ok"
    assert adopted.state is RunState.SUBMITTED and adopted.status == "SUCCEEDED"
    assert adopted.adopted_at is not None and adopted.submitted_at.isoformat() == "2026-11-24T03:00:00+00:00"
    assert ledger.latest_run(plan.run_key) == adopted
    assert route.call_count == 2
    first = route.calls[0].request.url.params
    # A nightly window: the instance's executions since the window ended, every workflow's, with their SQL.
    assert first["minCreationTime"] == "2026-11-23T00:00:00" and "workflowId" not in first
    assert first["includeWorkflow"] == "true" and first["includeCancelled"] == "false"
    assert route.calls[1].request.url.params["nextToken"] == "p1"


def test_an_instance_wide_list_adopts_only_an_execution_of_this_workflow(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, config: Config, plan: RunPlan
) -> None:
    """Same window, parameters and status, but another workflow (or one AMC did not name): not this run."""
    listing(
        wire,
        [
            execution("e-other", "SUCCEEDED", workflow_id="amc_cltv.cltv"),
            {key: value for key, value in execution("e-unnamed", "SUCCEEDED").items() if key != "workflowId"},
        ],
    )
    assert adopt(client, ledger, config, plan) is None


def test_a_backfilled_window_is_looked_up_in_the_workflows_own_list(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, config: Config, fake_clock: FakeClock
) -> None:
    """A window that ended weeks ago: the workflow's executions since then, not a month of the instance's."""
    from datetime import date

    backfill = plan_run(config, "segmentation", RunOptions(window_end=date(2026, 11, 1), window_days=30))
    route = listing(
        wire, [execution("e-old", "SUCCEEDED", start="2026-10-02T00:00:00", end="2026-11-01T00:00:00")]
    )
    adopted = adopt(client, ledger, config, backfill)
    assert adopted is not None and adopted.execution_id == "e-old"
    params = route.calls[0].request.url.params
    assert params["workflowId"] == "amc_cltv.segmentation"
    assert params["minCreationTime"] == "2026-11-01T00:00:00"


def test_in_progress_is_adopted_when_nothing_succeeded(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, config: Config, plan: RunPlan
) -> None:
    listing(wire, [execution("e-pending", "PENDING"), execution("e-cancelled", "CANCELLED")])
    adopted = adopt(client, ledger, config, plan)
    assert adopted is not None and (adopted.execution_id, adopted.status) == ("e-pending", "PENDING")


@pytest.mark.parametrize(
    "other",
    [
        execution("x", "SUCCEEDED", end="2026-11-22T00:00:00"),  # another window
        execution("x", "SUCCEEDED", parameters={"threshold_method": "quantile", "threshold_quantile": "0.5"}),
        execution("x", "SUCCEEDED", sqlQuery="SELECT 1 AS older_definition"),  # another SQL
        execution("x", "FAILED"),  # a failure is never adopted: a new run is submitted
        execution("x", "REJECTED"),
    ],
    ids=["window", "parameters", "sql", "failed", "rejected"],
)
def test_an_execution_that_is_not_this_run_is_not_adopted(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, config: Config, plan: RunPlan, other: dict
) -> None:  # type: ignore[type-arg]
    listing(wire, [other])
    assert adopt(client, ledger, config, plan) is None
    assert ledger.runs() == []


def test_an_execution_another_run_of_the_ledger_owns_is_not_adopted_twice(
    wire: respx.MockRouter, client: AmcClient, ledger: Ledger, config: Config, plan: RunPlan
) -> None:
    wire.get(EXECUTIONS).mock(
        return_value=httpx.Response(200, json={"executions": [execution("e-ok", "SUCCEEDED")]})
    )
    assert adopt(client, ledger, config, plan) is not None
    assert adopt(client, ledger, config, plan) is None

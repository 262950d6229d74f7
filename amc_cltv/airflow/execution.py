"""What ``AmcRunWorkflowOperator`` does on either side of its deferral, without Airflow.

``start_run`` renders and syncs the workflow, adopts the execution AMC already has for the same workflow,
time window and parameters (a retried task, or a worker without the previous one's ledger, never submits a
duplicate), else submits one, and looks once. After the trigger saw the execution end, the same call looks
again, then downloads and verifies the files. The ledger in the profile's ``state_dir`` is only a cache
here: AMC is what is trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from amc_cltv import clock
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import Config
from amc_cltv.connect import open_client
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration.outcome import RunOptions, RunOutcome
from amc_cltv.orchestration.run import RunPlan, plan_run, run_workflow
from amc_cltv.orchestration.submit import candidates

if TYPE_CHECKING:
    from amc_cltv.client import AmcClient

log = get_logger("amc_cltv.airflow")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Started:
    """Where the execution stands after ``start_run``: done (exit 0 or 1), or running on AMC (exit 4)."""

    outcome: RunOutcome
    submitted_at: datetime | None  # when the execution was submitted, the polling schedule's origin

    @property
    def running(self) -> bool:
        return self.outcome.exit_code == 4 and self.outcome.execution_id is not None


def run_options(
    window_end: date | str | None, parameters: Mapping[str, Any] | None, *, wait: bool
) -> RunOptions:
    """The options of one run (``window_end`` as a date or ``YYYY-MM-DD``); ``wait=False`` looks once."""
    end = date.fromisoformat(window_end) if isinstance(window_end, str) else window_end
    values = {key: str(value) for key, value in (parameters or {}).items()}
    return RunOptions(window_end=end, parameters=values, no_wait=not wait)


def start_run(config: Config, workflow: str, options: RunOptions) -> Started:
    """Sync, adopt or submit, and look once (or wait, without ``no_wait``); download when it succeeded.

    Called again after the deferral, it finds the execution (in the ledger, else on AMC), looks once, and
    downloads and verifies the files. Raises the library's errors (ConfigError, UsageError, APIError, …).
    """
    with open_client(config) as client, Ledger.open(config.state_dir) as ledger:
        planned = plan_run(config, workflow, options)
        adopt_from_amc(client, ledger, config, planned)
        outcome = run_workflow(config, client, ledger, workflow, options)
        submitted_at = None
        if outcome.execution_id is not None:
            record = ledger.run_by_execution(outcome.execution_id)
            submitted_at = record.submitted_at if record is not None else None
        return Started(outcome, submitted_at)


def adopt_from_amc(client: AmcClient, ledger: Ledger, config: Config, planned: RunPlan) -> None:
    """When the ledger knows no run of this plan, record the one AMC has (SUCCEEDED or in progress).

    The newest matching execution of the workflow (same time window and parameters) is written into the
    ledger as submitted, so ``run_workflow`` reattaches to it instead of submitting.
    """
    if ledger.latest_run(planned.run_key) is not None:
        return
    listed = client.executions.list(workflow_id=planned.spec.workflow_id, time_zone="UTC")
    usable = [
        execution
        for execution in candidates(listed, planned.spec, known_ids=set())
        if execution.status == ExecutionStatus.SUCCEEDED or execution.status.in_progress
    ]
    if not usable:
        return
    found = max(usable, key=lambda execution: execution.create_time or EPOCH)
    now = clock.current().now()
    run = ledger.begin_run(
        run_key=planned.run_key,
        instance_id=config.instance_id,
        workflow=planned.workflow,
        workflow_id=planned.spec.workflow_id,
        sql_sha256=planned.rendered.sql_sha256,
        time_window_start=planned.window.start.isoformat(),
        time_window_end=planned.window.end.isoformat(),
        time_zone=planned.window.time_zone,
        parameters=planned.spec.parameter_values,
        now=found.create_time or now,
    )
    ledger.update_run(
        run.id, now, execution_id=found.workflow_execution_id, state="submitted", status=found.status
    )
    log.info(
        "execution_adopted",
        workflow=planned.workflow,
        execution_id=found.workflow_execution_id,
        status=found.status,
    )

"""What ``AmcRunWorkflowOperator`` does on either side of its deferral, without Airflow.

``start_run`` renders and syncs the workflow, adopts the execution AMC already has for the same workflow,
time window and parameters (a retried task, or a worker without the previous one's ledger, never submits a
duplicate), else submits one, and looks once. ``finish_run``, after the trigger saw the execution end,
looks again, then downloads and verifies the files. Both go through the public API
(``submit_workflow``, ``wait_for_workflow``); the ledger in the profile's ``state_dir`` is only a cache
here: AMC is what is trusted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from amc_cltv import api, clock
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import Config
from amc_cltv.connect import open_client
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration.outcome import RunOptions, RunOutcome
from amc_cltv.orchestration.run import plan_run
from amc_cltv.orchestration.submit import candidates

if TYPE_CHECKING:
    from amc_cltv.client import AmcClient

log = get_logger("amc_cltv.airflow")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RunRequest:
    """Which run: the workflow, the end of its window (None: the latest AMC has data for), its parameters."""

    workflow: str
    window_end: date | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, workflow: str, window_end: date | str | None, parameters: Mapping[str, Any] | None
    ) -> RunRequest:
        """From the operator's arguments (``window_end`` as a date or ``YYYY-MM-DD``, any parameter value)."""
        end = date.fromisoformat(window_end) if isinstance(window_end, str) else window_end
        return cls(workflow, end, {key: str(value) for key, value in (parameters or {}).items()})


@contextmanager
def _session(config: Config, request: RunRequest) -> Iterator[tuple[AmcClient, Ledger]]:
    """A client and the (cache) ledger, with AMC's execution of this run adopted into it first."""
    with open_client(config) as client, Ledger.open(config.state_dir) as ledger:
        adopt_from_amc(client, ledger, config, request)
        yield client, ledger


def start_run(config: Config, request: RunRequest) -> RunOutcome:
    """Submit or adopt without waiting for AMC (nor for a free slot: a full instance raises StillRunning).

    The outcome is the finished run when AMC had already finished it (files downloaded), else exit code 4
    with the ``execution_id`` to follow. Raises the library's errors.
    """
    with _session(config, request) as (client, ledger):
        return api.submit_workflow(
            config,
            request.workflow,
            window_end=request.window_end,
            parameters=request.parameters,
            max_wait_s=0,
            client=client,
            ledger=ledger,
        )


def finish_run(config: Config, request: RunRequest, *, max_wait_s: float | None = 0) -> RunOutcome:
    """Look at the run again (waiting up to ``max_wait_s``; None: ``[polling] max_wait_s``) and download
    and verify its files once AMC has finished it."""
    with _session(config, request) as (client, ledger):
        return api.wait_for_workflow(
            config,
            request.workflow,
            window_end=request.window_end,
            parameters=request.parameters,
            max_wait_s=max_wait_s,
            client=client,
            ledger=ledger,
        )


def adopt_from_amc(client: AmcClient, ledger: Ledger, config: Config, request: RunRequest) -> None:
    """When the ledger knows no run of this request, record the one AMC has (SUCCEEDED or in progress).

    The newest matching execution of the workflow (same time window and parameter values) is written into
    the ledger as submitted, so the run reattaches to it instead of submitting.
    """
    planned = plan_run(
        config, request.workflow, RunOptions(window_end=request.window_end, parameters=request.parameters)
    )
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

"""Submitting an execution with a write-ahead record, and reconciling when the outcome is unknown.

AMC has no idempotency key for executions, so a POST that may or may not have taken effect (a read
timeout, a dropped connection, a 5xx) is never sent again blindly: that is the one way to start a duplicate
multi-hour run. The intent is in the ledger before the POST (state ``submitting``); the
``workflowExecutionId`` is recorded the moment AMC returns it. When the answer was lost, or the process died
between the two writes, the workflow's executions created since the intent (less 5 minutes) are listed and
matched on time window and parameters: one match is adopted, none (twice, 30 s apart) means resubmit,
several means a person must decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Protocol

from amc_cltv import clock
from amc_cltv.client.models import CreateWorkflowExecution, ExecutionAdvertiser, WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.errors import AmbiguousSubmitError, BadRequestError, ExecutionFailed, NeedsHuman, UsageError
from amc_cltv.ledger import Ledger, RunRecord
from amc_cltv.log import get_logger
from amc_cltv.orchestration.admission import amc_time
from amc_cltv.timewindow import TimeWindow
from amc_cltv.workflows import RenderedWorkflow
from amc_cltv.workflows.rejections import overlap_cause

RECONCILE_LOOKBACK = timedelta(minutes=5)
RECONCILE_LIST_ATTEMPTS = 2
RECONCILE_SPACING_S = 30.0
MAX_SUBMISSIONS = 3

log = get_logger("amc_cltv.submit")


class ExecutionsApi(Protocol):
    def create(self, request: CreateWorkflowExecution) -> WorkflowExecution: ...

    def list(
        self,
        *,
        workflow_id: str | None = None,
        min_creation_time: str | None = None,
        include_cancelled: bool | None = None,
        include_workflow: bool | None = None,
        time_zone: str | None = None,
    ) -> list[WorkflowExecution]: ...


@dataclass(frozen=True)
class ExecutionSpec:
    """Everything that identifies one execution request of a saved workflow."""

    workflow: str
    workflow_id: str
    window: TimeWindow
    parameter_values: Mapping[str, str]
    timeout_s: int | None
    synthetic_data: bool
    disable_aggregation_controls: bool = False
    # On an instance spanning several marketplaces: its advertisers in the profile's (one currency).
    advertisers: tuple[ExecutionAdvertiser, ...] = ()

    def request(self, *, dry_run: bool = False) -> CreateWorkflowExecution:
        """The CreateWorkflowExecution body AMC receives."""
        return CreateWorkflowExecution(
            workflow_id=self.workflow_id,
            time_window_type="EXPLICIT",
            time_window_start=self.window.amc_start,
            time_window_end=self.window.amc_end,
            time_window_time_zone=self.window.time_zone,
            parameter_values=dict(self.parameter_values) or None,
            workflow_execution_timeout_seconds=self.timeout_s,
            require_synthetic_data=True if self.synthetic_data else None,
            disable_aggregation_controls=True if self.disable_aggregation_controls else None,
            dry_run=True if dry_run else None,
            advertisers=list(self.advertisers) or None,
        )


def aggregation_controls_off(rendered: RenderedWorkflow, *, synthetic_data: bool) -> bool:
    """Whether executions of ``rendered`` are sent with ``disableAggregationControls: true``.

    Only a ``synthetic_only`` workflow (one row per user) is. Raises UsageError, before anything
    is sent, for such a workflow on an instance profile without synthetic data: AMC allows per-user
    output only on synthetic data.
    """
    if not rendered.synthetic_only:
        return False
    if not synthetic_data:
        raise UsageError(
            f"{rendered.name} outputs one row per user (user_id), and AMC allows per-user output only on "
            "synthetic data with aggregation controls off: this instance profile has synthetic_data = false "
            "(run it on a sandbox instance)"
        )
    return True


def matches(execution: WorkflowExecution, spec: ExecutionSpec) -> bool:
    """Whether ``execution`` is the one ``spec`` would have created (same workflow, window, parameters)."""
    if execution.workflow_id and execution.workflow_id != spec.workflow_id:
        return False
    start = execution.time_window_start_original or execution.time_window_start
    end = execution.time_window_end_original or execution.time_window_end
    if start != spec.window.start or end != spec.window.end:
        return False
    if execution.parameter_values is not None:
        sent = {key: str(value) for key, value in execution.parameter_values.items()}
        if sent != {key: str(value) for key, value in spec.parameter_values.items()}:
            return False
    return True


def candidates(
    executions: Iterable[WorkflowExecution], spec: ExecutionSpec, known_ids: set[str]
) -> list[WorkflowExecution]:
    """The executions that could be ours: matching ``spec`` and not already owned by another run."""
    return [e for e in executions if e.workflow_execution_id not in known_ids and matches(e, spec)]


def _known_execution_ids(ledger: Ledger, run: RunRecord) -> set[str]:
    return {
        r.execution_id
        for r in ledger.runs(instance_id=run.instance_id, workflow=run.workflow)
        if r.execution_id and r.id != run.id
    }


def reconcile(
    executions: ExecutionsApi, ledger: Ledger, run: RunRecord, spec: ExecutionSpec
) -> RunRecord | None:
    """Find the execution an interrupted submit may have created; adopt it and return the updated run.

    Returns None when none exists after two looks 30 s apart (safe to submit). Raises NeedsHuman
    when several executions match.
    """
    now = clock.current()
    since = amc_time(run.submitted_at.astimezone(UTC) - RECONCILE_LOOKBACK)
    known = _known_execution_ids(ledger, run)
    for attempt in range(1, RECONCILE_LIST_ATTEMPTS + 1):
        listed = executions.list(
            workflow_id=spec.workflow_id, min_creation_time=since, include_cancelled=True, time_zone="UTC"
        )
        found = candidates(listed, spec, known)
        log.info("reconcile_list", workflow=spec.workflow, attempt=attempt, since=since, matching=len(found))
        if len(found) > 1:
            ids = ", ".join(sorted(e.workflow_execution_id for e in found))
            raise NeedsHuman(
                f"{len(found)} executions of {spec.workflow} match this run ({ids}); the tool will not "
                "guess which is its own: cancel the extra ones (amc-cltv executions cancel ID) and run again"
            )
        if found:
            return _record_submitted(ledger, run, found[0], spec, "execution_adopted")
        if attempt < RECONCILE_LIST_ATTEMPTS:
            now.sleep(RECONCILE_SPACING_S)
    return None


def _record_submitted(
    ledger: Ledger, run: RunRecord, execution: WorkflowExecution, spec: ExecutionSpec, event: str
) -> RunRecord:
    """Record the id AMC gave the run (state ``submitted``), right after it is known."""
    log.info(
        event, workflow=spec.workflow, execution_id=execution.workflow_execution_id, status=execution.status
    )
    return ledger.record_submitted(
        run.id,
        clock.current().now(),
        execution_id=execution.workflow_execution_id,
        status=execution.status,
        adopted=event == "execution_adopted",
    )


def submit(executions: ExecutionsApi, ledger: Ledger, run: RunRecord, spec: ExecutionSpec) -> RunRecord:
    """POST the execution for ``run`` (already written ahead as ``submitting``); return the updated run.

    An ambiguous failure is reconciled before anything is sent again. Raises NeedsHuman when
    reconciling cannot decide, ExecutionFailed when AMC answers the POST with its overlap rejection,
    and lets every other API error through.
    """
    now = clock.current()
    for submission in range(1, MAX_SUBMISSIONS + 1):
        if submission > 1 or now.now() - run.submitted_at > RECONCILE_LOOKBACK:
            # A renewed intent: the submit time the reconcile window and the polling cadence count from.
            run = ledger.renew_intent(run.id, now.now())
        try:
            # Written ahead: the ledger row (state ``submitting``) exists before this request leaves.
            execution = executions.create(spec.request())
        except AmbiguousSubmitError as error:
            log.warning("submit_ambiguous", workflow=spec.workflow, submission=submission, error=str(error))
            adopted = reconcile(executions, ledger, run, spec)
            if adopted is not None:
                return adopted
            continue
        except BadRequestError as error:
            cause = overlap_cause(error.details)
            if cause is None:
                raise
            # AMC refused to run it at all (its overlap guard): an AMC rejection, not a usage error.
            raise ExecutionFailed(
                f"AMC rejected the execution of {spec.workflow}: {error.details} (likely cause: {cause})",
                status=ExecutionStatus.REJECTED,
                status_reason=error.details,
            ) from None
        return _record_submitted(ledger, run, execution, spec, "execution_submitted")
    raise NeedsHuman(
        f"the execution of {spec.workflow} could not be submitted unambiguously after {MAX_SUBMISSIONS} "
        "attempts; check `amc-cltv executions list` before running again"
    )

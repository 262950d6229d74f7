"""The nightly job for one workflow: render, apply, submit once, poll, download, record.

Every step is resumable from the ledger. The run key (instance, workflow id, SQL hash, window, parameters)
names the work; its newest attempt says where to pick up:

    (no record)                          -> adopt the same run from AMC's list if it is there, else submit
    submitting  (intent written, no id)  -> reconcile against AMC's list, then submit only if nothing is there
    submitted   (id known, not finished) -> reattach and poll
    finished    SUCCEEDED                -> download (again, if the files are not all there)
    finished    FAILED/REJECTED/CANCELLED-> report it (UNSUCCESSFUL); ``force_rerun`` submits a new attempt
    downloaded                           -> reuse: nothing is sent

Nothing is submitted twice for the same key unless ``force_rerun`` asks for a new attempt, and a lost ledger
does not change that: the ledger is a cache, AMC the truth (``adopt.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from amc_cltv import clock
from amc_cltv.client.status import ExecutionStatus, is_terminal
from amc_cltv.config import Config
from amc_cltv.errors import Remedy, StillRunning, UsageError, local_fault
from amc_cltv.ledger import FileRecord, Ledger, RunRecord, RunState, compute_run_key
from amc_cltv.locks import workflow_lock
from amc_cltv.log import get_logger
from amc_cltv.orchestration import download as dl
from amc_cltv.orchestration import sync
from amc_cltv.orchestration.admission import wait_for_slot
from amc_cltv.orchestration.adopt import Listed, adopt_from_amc, list_since_window
from amc_cltv.orchestration.ending import Ending
from amc_cltv.orchestration.filtered import (
    UNREAD,
    AggregationFiltered,
    Unread,
    aggregation_filtered,
    recorded_filtered,
)
from amc_cltv.orchestration.handle import ExecutionHandle
from amc_cltv.orchestration.history import execution_durations
from amc_cltv.orchestration.marketplaces import marketplace_scope
from amc_cltv.orchestration.outcome import Observer, RunOptions, RunOutcome
from amc_cltv.orchestration.polling import PollUpdate, amc_duration_s, poll_until_done
from amc_cltv.orchestration.submit import ExecutionSpec, aggregation_controls_off, reconcile, submit
from amc_cltv.safe_paths import path_inside
from amc_cltv.timewindow import TimeWindow, resolve_window
from amc_cltv.workflows import RenderedWorkflow, catalog
from amc_cltv.workflows.rejections import OVERLAP_CAUSE, likely_cause

if TYPE_CHECKING:
    from amc_cltv.client import AmcClient
    from amc_cltv.client.models import WorkflowExecution

__all__ = [
    "ExecutionHandle",
    "Observer",
    "RunOptions",
    "RunOutcome",
    "RunPlan",
    "follow_execution",
    "latest_succeeded",
    "plan_run",
    "record_finished",
    "run_workflow",
]

log = get_logger("amc_cltv.run")


@dataclass(frozen=True)
class RunPlan:
    """Everything decided before any request: the rendered workflow, the window, the request."""

    workflow: str
    rendered: RenderedWorkflow
    spec: ExecutionSpec
    run_key: str

    @property
    def window(self) -> TimeWindow:
        return self.spec.window

    def execution_request(self) -> dict[str, Any]:
        return self.spec.request().dump()

    def begin(self, ledger: Ledger, instance_id: str, now: datetime) -> RunRecord:
        """The intent to submit this run, written to ``ledger`` (state ``submitting``) before any POST."""
        return ledger.begin_run(
            run_key=self.run_key,
            instance_id=instance_id,
            workflow=self.workflow,
            workflow_id=self.spec.workflow_id,
            sql_sha256=self.rendered.sql_sha256,
            time_window_start=self.window.start.isoformat(),
            time_window_end=self.window.end.isoformat(),
            time_zone=self.window.time_zone,
            parameters=self.spec.parameter_values,
            now=now,
        )


def plan_run(config: Config, workflow: str, options: RunOptions) -> RunPlan:
    """Lint and render the workflow and resolve the window. No request is sent.

    Raises UsageError / WorkflowLintError, also for an audience query, which AMC runs only as a
    rule-based audience (``audience activate``), never as a reporting execution, and for a per-user
    (``synthetic_only``) workflow on a profile without synthetic data.
    """
    rendered = _render(config, workflow, options.parameters)
    window = resolve_window(
        clock.current().now(),
        config.amc.time_zone,
        window_days=options.window_days,
        window_end=options.window_end,
    )
    return _planned(config, workflow, rendered, window)


def _render(config: Config, workflow: str, parameters: Mapping[str, str]) -> RenderedWorkflow:
    rendered = catalog.render(
        workflow,
        shopping_insights=config.profile.workflows.shopping_insights,
        parameters=dict(parameters) or None,
    )
    if rendered.audience:
        raise UsageError(
            f"{workflow} is an audience query: AMC runs it only as a rule-based audience; "
            "use `amc-cltv audience activate --segment high-value`"
        )
    return rendered


def _planned(config: Config, workflow: str, rendered: RenderedWorkflow, window: TimeWindow) -> RunPlan:
    parameter_values = {key: str(value) for key, value in dict(rendered.parameter_values).items()}
    spec = ExecutionSpec(
        workflow=workflow,
        workflow_id=rendered.workflow_id,
        window=window,
        parameter_values=parameter_values,
        timeout_s=config.profile.workflows.execution_timeout(rendered.execution_timeout_s),
        synthetic_data=config.amc.synthetic_data,
        disable_aggregation_controls=aggregation_controls_off(
            rendered, synthetic_data=config.amc.synthetic_data
        ),
    )
    run_key = compute_run_key(
        instance_id=config.instance_id,
        workflow_id=rendered.workflow_id,
        sql_sha256=rendered.sql_sha256,
        time_window_start=window.start.isoformat(),
        time_window_end=window.end.isoformat(),
        time_zone=window.time_zone,
        parameters=parameter_values,
    )
    return RunPlan(workflow, rendered, spec, run_key)


def result_folder(config: Config, workflow: str, execution_id: str) -> Path:
    """``<output_dir>/<instance_id>/<workflow>/<execution_id>`` (docs/contract.md §3.2), each part checked
    to be a safe folder name and the whole inside ``output_dir`` (MalformedResponseError if not)."""
    return path_inside(
        config.output_dir,
        (config.instance_id, "the instance id"),
        (workflow, "the workflow name"),
        (execution_id, "the execution id"),
    )


def run_workflow(
    config: Config, client: AmcClient, ledger: Ledger, workflow: str, options: RunOptions
) -> RunOutcome:
    """Run ``workflow`` for the window of ``options``, or resume or reuse the run already recorded.

    Returns the outcome (its ``ending``: SUCCEEDED, UNSUCCESSFUL for FAILED/REJECTED/CANCELLED, or
    STILL_RUNNING). Raises UsageError/WorkflowLintError, NeedsHuman, APIError, LockHeld.
    """
    planned = plan_run(config, workflow, options)
    structlog.contextvars.bind_contextvars(workflow=workflow)
    try:
        with workflow_lock(config.state_dir, config.instance_id, workflow):
            return _Runner(config, client, ledger, planned, options).run()
    finally:
        structlog.contextvars.unbind_contextvars("workflow", "execution_id")


def follow_execution(
    config: Config, client: AmcClient, ledger: Ledger, handle: ExecutionHandle, options: RunOptions
) -> RunOutcome:
    """Follow the execution ``handle`` names: poll it up to the options' wait, then download its result.

    Never submits and never works a window out from "now": the handle pins the execution, so a follower
    that resumes past a day boundary still finishes what was submitted. A ledger that does not know the
    execution (another host, a lost file) records it from the handle. Raises UsageError for a handle of
    another instance, and the errors of ``run_workflow``.
    """
    if handle.instance_id != config.instance_id:
        raise UsageError(
            f"execution {handle.execution_id} runs on instance {handle.instance_id}, "
            f"not on this profile's {config.instance_id}"
        )
    # The handle holds every value sent; the derived ones are worked out again from the ones set.
    settable = {
        spec.name for spec in catalog.definition(handle.workflow).parameters if spec.derived_from is None
    }
    rendered = _render(
        config,
        handle.workflow,
        {name: value for name, value in handle.parameters.items() if name in settable},
    )
    planned = _planned(config, handle.workflow, rendered, handle.time_window)
    structlog.contextvars.bind_contextvars(workflow=handle.workflow)
    try:
        with workflow_lock(config.state_dir, config.instance_id, handle.workflow):
            return _Runner(config, client, ledger, planned, options).follow(handle)
    finally:
        structlog.contextvars.unbind_contextvars("workflow", "execution_id")


def record_finished(ledger: Ledger, run: RunRecord, execution: WorkflowExecution) -> RunRecord:
    """Record that AMC finished ``run`` as ``execution`` says (a waiter saw it end): the next look at the
    run goes straight to the download, with no status call."""
    now = clock.current().now()
    # When AMC ended it, on AMC's clock from the submit: the history the next poll learns from.
    duration = amc_duration_s(execution)
    ended = run.submitted_at + timedelta(seconds=duration) if duration is not None else now
    return ledger.record_finished(
        run.id,
        now,
        status=execution.status,
        status_reason=execution.status_reason,
        finished_at=min(ended, now),
    )


def latest_succeeded(
    ledger: Ledger,
    config: Config,
    workflow: str,
    window: TimeWindow,
    *,
    rendered: RenderedWorkflow | None = None,
) -> RunOutcome | None:
    """The newest downloaded SUCCEEDED run of ``workflow`` over exactly ``window`` whose files are intact.

    With ``rendered``, only a run of that exact SQL and those parameter values counts (a run with another
    threshold method is not the same segment).
    """
    for record in ledger.runs(
        instance_id=config.instance_id, workflow=workflow, status=ExecutionStatus.SUCCEEDED
    ):
        if record.state != RunState.DOWNLOADED or record.execution_id is None:
            continue
        if rendered is not None and (
            record.sql_sha256 != rendered.sql_sha256 or record.parameters != dict(rendered.parameter_values)
        ):
            continue
        if (record.time_window_start, record.time_window_end) != (
            window.start.isoformat(),
            window.end.isoformat(),
        ):
            continue
        files = _intact_files(ledger, record.execution_id)
        if files is None:
            continue
        return RunOutcome(
            workflow=workflow,
            execution_id=record.execution_id,
            status=ExecutionStatus.SUCCEEDED,
            status_reason=None,
            time_window=window,
            files=[Path(f.path) for f in files],
            rows=sum(f.rows for f in files),
            ending=Ending.SUCCEEDED,
            reused=True,
            workflow_id=record.workflow_id,
            handle=ExecutionHandle.of(record),
        )
    return None


def _intact_files(ledger: Ledger, execution_id: str) -> list[FileRecord] | None:
    files = ledger.files(execution_id)
    if not files:
        return None
    for record in files:
        path = Path(record.path)
        if not path.is_file() or path.stat().st_size != record.bytes:
            return None
    return files


_DONE = frozenset({RunState.FINISHED, RunState.DOWNLOADED, RunState.ABANDONED})


class _Runner:
    """One invocation's walk through the run's states, under the workflow lock."""

    def __init__(
        self, config: Config, client: AmcClient, ledger: Ledger, plan: RunPlan, options: RunOptions
    ) -> None:
        self.config = config
        self.client = client
        self.ledger = ledger
        self.plan = plan
        self.options = options
        self.workflow = plan.workflow
        self.reused = False
        self.submitted_now = False  # AMC's answer to this invocation's submit is the poll's first look
        self.status_calls = 0
        self.detection_delay_bound_s: float | None = None
        self.record: RunRecord | None = None  # the run this invocation follows, once it has an id
        self.listed: Listed | None = None  # the instance's executions, while the admission gate may use them

    def _notify(self, event: str, **details: Any) -> None:
        if self.options.observer is not None:
            self.options.observer(event, details)

    def run(self) -> RunOutcome:
        plan = self.plan
        self._notify(
            "planned",
            workflow=self.workflow,
            workflow_id=plan.spec.workflow_id,
            time_window_start=plan.window.start.isoformat(),
            time_window_end=plan.window.end.isoformat(),
        )
        run = self.ledger.latest_run(plan.run_key)
        log.info(
            "run_started",
            run_key=plan.run_key,
            time_window_start=plan.window.start.isoformat(),
            time_window_end=plan.window.end.isoformat(),
            recorded_state=run.state if run else None,
            recorded_execution_id=run.execution_id if run else None,
        )
        if run is not None and run.state == RunState.SUBMITTING:
            run = self._settle_submitting(run)
        if run is not None and self.options.force_rerun and run.state in _DONE:
            log.info("force_rerun", previous_execution_id=run.execution_id)
            run = None
        if run is None or run.state == RunState.ABANDONED:
            run = self._adopt_from_amc() or self._submit_new()
        else:
            self.reused = True
        return self._finish(run)

    def follow(self, handle: ExecutionHandle) -> RunOutcome:
        """The run of a handle: the ledger's record of its execution, else one written from the handle."""
        self._notify(
            "planned",
            workflow=self.workflow,
            workflow_id=handle.workflow_id,
            time_window_start=handle.time_window.start.isoformat(),
            time_window_end=handle.time_window.end.isoformat(),
        )
        self.reused = True
        run = self.ledger.run_by_execution(handle.execution_id)
        if run is None:
            execution = self.client.executions.get(handle.execution_id)
            log.info(
                "execution_followed_from_handle", execution_id=handle.execution_id, status=execution.status
            )
            run = self.ledger.adopt_run(
                run_key=handle.run_key,
                instance_id=handle.instance_id,
                workflow=handle.workflow,
                workflow_id=handle.workflow_id,
                sql_sha256=handle.sql_sha256,
                time_window_start=handle.time_window.start.isoformat(),
                time_window_end=handle.time_window.end.isoformat(),
                time_zone=handle.time_window.time_zone,
                parameters=dict(handle.parameters),
                execution_id=handle.execution_id,
                status=execution.status,
                submitted_at=handle.submitted_at,
                now=clock.current().now(),
            )
        return self._finish(run)

    def _finish(self, run: RunRecord) -> RunOutcome:
        """Poll a run that has an execution id until it ends (or the wait runs out), then download."""
        assert run.execution_id is not None
        self.record = run
        structlog.contextvars.bind_contextvars(execution_id=run.execution_id)
        self._notify("submitted", execution_id=run.execution_id, status=run.status, reused=self.reused)
        if run.state == RunState.SUBMITTED or not is_terminal(run.status):
            if self.submitted_now and self.options.detach and not is_terminal(run.status):
                # AMC's answer to the submit was the look: asking again at once would tell nothing new.
                status = run.status or ExecutionStatus.PENDING
                detail = f"execution {run.execution_id} of {self.workflow} is {status}"
                return self._outcome(
                    run.execution_id,
                    status,
                    None,
                    [],
                    ending=Ending.STILL_RUNNING,
                    detail=detail,
                    remedy=Remedy.RESUME,
                )
            outcome = self._poll(run)
            if outcome is not None:
                return outcome
            run = self.ledger.run(run.id)
        if run.status != ExecutionStatus.SUCCEEDED:
            return self._failed(run)
        return self._download(run)

    # submitting ---------------------------------------------------------------------------------

    def _settle_submitting(self, run: RunRecord) -> RunRecord:
        """A previous invocation wrote the intent but never recorded an id: find out what happened."""
        log.warning("resuming_interrupted_submit", submitted_at=run.submitted_at.isoformat())
        adopted = reconcile(self.client.executions, self.ledger, run, self.plan.spec)
        if adopted is not None:
            return adopted
        self._apply_workflow()
        self._admit()
        self.submitted_now = True
        return submit(self.client.executions, self.ledger, run, self._scoped_spec())

    def _adopt_from_amc(self) -> RunRecord | None:
        """The ledger has no live record of this run: AMC may still have it (a lost ledger, another host)."""
        if self.options.force_rerun:
            return None
        listed = list_since_window(self.client.executions, self.plan.spec, clock.current().now())
        adopted = adopt_from_amc(
            self.client.executions,
            self.ledger,
            run_key=self.plan.run_key,
            instance_id=self.config.instance_id,
            spec=self.plan.spec,
            sql_sha256=self.plan.rendered.sql_sha256,
            listed=listed,
        )
        # The instance's executions, listed a moment ago: the admission gate counts from them.
        self.listed = listed if listed.instance_wide else None
        if adopted is not None:
            self.reused = True
        return adopted

    def _submit_new(self) -> RunRecord:
        self._apply_workflow()
        self._admit()
        # Write-ahead: the intent is committed before the POST leaves.
        run = self.plan.begin(self.ledger, self.config.instance_id, clock.current().now())
        self.submitted_now = True
        return submit(self.client.executions, self.ledger, run, self._scoped_spec())

    def _scoped_spec(self) -> ExecutionSpec:
        """The execution request, restricted to the profile's marketplace when the instance spans several
        (one currency per result: amc_cltv/orchestration/marketplaces.py)."""
        advertisers = self.client.instances.advertisers()
        scope = marketplace_scope(advertisers, self.config.amc.marketplace_id)
        if scope:
            log.info(
                "marketplace_scope", marketplace_id=self.config.amc.marketplace_id, advertisers=len(scope)
            )
        return replace(self.plan.spec, advertisers=scope)

    def _apply_workflow(self) -> None:
        sync.apply(self.client.workflows, self.ledger, self.config.instance_id, self.plan.rendered)

    def _admit(self) -> None:
        listed, self.listed = self.listed, None

        def list_recent(since: str) -> Sequence[WorkflowExecution]:
            """The gate's first count is the adoption's list of the instance when there is one: it holds
            every execution created in the last 24 hours and more (since the window's end)."""
            nonlocal listed
            if listed is not None:
                first, listed = listed, None
                return first.executions
            return self.client.executions.list(min_creation_time=since, time_zone="UTC")

        wait_for_slot(
            list_recent,
            polling=self.config.profile.polling,
            max_wait_s=self._max_wait(),
            workflow=self.workflow,
        )

    def _max_wait(self) -> float:
        if self.options.no_wait:
            return 0.0
        if self.options.max_wait_s is not None:
            return self.options.max_wait_s
        return self.config.profile.polling.max_wait_s

    # polling ------------------------------------------------------------------------------------

    def _poll(self, run: RunRecord) -> RunOutcome | None:
        assert run.execution_id is not None
        recorded = run.status

        def on_update(update: PollUpdate) -> None:
            nonlocal recorded
            if update.status != recorded and not is_terminal(update.status):
                # PENDING -> RUNNING is in the ledger as soon as it is seen: `status`, and the --json object
                # of an interrupted run, say what the logs say.
                self.ledger.record_status(run.id, clock.current().now(), update.status)
                recorded = update.status
            self._notify(
                "poll",
                execution_id=update.execution_id,
                status=update.status,
                elapsed_s=update.elapsed_s,
                next_poll_s=update.next_poll_s,
            )

        max_wait = 0.0 if self.options.detach else self._max_wait()
        # One look needs no schedule: no history (and no list call to AMC for it).
        history = (
            []
            if max_wait == 0
            else execution_durations(
                self.ledger,
                self.config.instance_id,
                self.workflow,
                lambda since: self.client.executions.list(
                    workflow_id=self.plan.spec.workflow_id,
                    min_creation_time=since,
                    time_zone="UTC",
                    limit=100,
                ),
                clock.current().now(),
            )
        )
        try:
            polled = poll_until_done(
                self.client.executions.get,
                run.execution_id,
                submitted_at=run.submitted_at,
                polling=self.config.profile.polling,
                max_wait_s=max_wait,
                workflow=self.workflow,
                history=history,
                just_submitted=self.submitted_now,
                on_update=on_update,
            )
        except StillRunning as still:
            self.status_calls = int(still.context.get("status_calls") or 0)
            status = ExecutionStatus(still.context.get("status") or ExecutionStatus.RUNNING)
            self.ledger.record_status(run.id, clock.current().now(), status)
            return self._outcome(
                run.execution_id,
                status,
                None,
                [],
                ending=Ending.STILL_RUNNING,
                detail=still.what(),
                remedy=still.remedy,
            )
        self.status_calls, self.detection_delay_bound_s = polled.status_calls, polled.detection_delay_bound_s
        record_finished(self.ledger, run, polled.execution)
        return None

    def _failed(self, run: RunRecord) -> RunOutcome:
        reason = run.status_reason or "AMC gave no reason"
        remedy = Remedy.FORCE_RERUN if self.reused else None
        cause = likely_cause(run.status_reason, self.plan.rendered.sql)
        if cause == OVERLAP_CAUSE:  # submitting again is what AMC refuses: point at the result there is
            earlier = latest_succeeded(
                self.ledger, self.config, self.workflow, self.plan.window, rendered=self.plan.rendered
            )
            where = f"; execution {earlier.execution_id} holds this window's result" if earlier else ""
            cause, remedy = f"{cause}{where}", None
        hint = f" (likely cause: {cause})" if cause else ""
        detail = f"execution {run.execution_id} of {self.workflow} ended {run.status}: {reason}{hint}"
        log.error("execution_failed", status=run.status, status_reason=run.status_reason)
        return self._outcome(
            run.execution_id,
            run.status or ExecutionStatus.PENDING,
            run.status_reason,
            [],
            ending=Ending.UNSUCCESSFUL,
            detail=detail,
            remedy=remedy,
        )

    # downloading --------------------------------------------------------------------------------

    def _download(self, run: RunRecord) -> RunOutcome:
        execution_id = run.execution_id
        assert execution_id is not None
        if run.state == RunState.DOWNLOADED:
            intact = _intact_files(self.ledger, execution_id)
            if intact is not None:
                log.info("results_reused", files=len(intact))
                paths = [Path(f.path) for f in intact]
                filtered = recorded_filtered(paths[0].parent) if paths else UNREAD
                return self._outcome(
                    execution_id,
                    ExecutionStatus.SUCCEEDED,
                    None,
                    paths,
                    rows=sum(f.rows for f in intact),
                    filtered=filtered,
                )
        folder = result_folder(self.config, self.workflow, execution_id)
        try:
            files = dl.download_all(
                lambda: list(self.client.executions.download_urls(execution_id).download_urls),
                self.client.open_download,
                folder,
                workflow=self.workflow,
                execution_id=execution_id,
            )
            filtered = aggregation_filtered([f.path for f in files])
            dl.write_manifest(
                folder,
                execution_id=execution_id,
                workflow=self.workflow,
                workflow_id=run.workflow_id,
                time_window_start=run.time_window_start,
                time_window_end=run.time_window_end,
                sql_sha256=run.sql_sha256,
                files=files,
                filtered=filtered,
            )
        except OSError as error:  # AMC's result is safe: the next run after the fix downloads it again
            raise local_fault(error, f"write the results of execution {execution_id} to", folder) from None
        self.ledger.record_files(execution_id, [f.record(execution_id) for f in files])
        self.ledger.record_downloaded(run.id, clock.current().now())
        rows = sum(f.rows for f in files)
        log.info("results_downloaded", files=len(files), rows=rows, folder=str(folder))
        self._notify("downloaded", files=[str(f.path) for f in files], rows=rows)
        return self._outcome(
            execution_id,
            ExecutionStatus.SUCCEEDED,
            None,
            [f.path for f in files],
            rows=rows,
            filtered=filtered,
        )

    def _outcome(
        self,
        execution_id: str | None,
        status: ExecutionStatus,
        status_reason: str | None,
        files: list[Path],
        *,
        rows: int = 0,
        ending: Ending = Ending.SUCCEEDED,
        detail: str | None = None,
        remedy: Remedy | None = None,
        filtered: AggregationFiltered | Unread | None = UNREAD,
    ) -> RunOutcome:
        return RunOutcome(
            workflow=self.workflow,
            execution_id=execution_id,
            status=status,
            status_reason=status_reason,
            time_window=self.plan.window,
            files=files,
            rows=rows,
            ending=ending,
            reused=self.reused,
            workflow_id=self.plan.spec.workflow_id,
            detail=detail,
            remedy=remedy,
            status_calls=self.status_calls,
            detection_delay_bound_s=self.detection_delay_bound_s,
            handle=ExecutionHandle.of(self.record) if self.record is not None else None,
            aggregation_filtered=filtered,
        )

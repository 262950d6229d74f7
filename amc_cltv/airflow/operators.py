"""``AmcRunWorkflowOperator`` and ``AmcActivateAudienceOperator``.

Library errors become one-line task failures: a profile, workflow or parameter that cannot work fails
the task without retries (``AirflowFailException``); AMC being unavailable, or still busy, fails it for a
retry, which adopts what AMC already has instead of sending anything twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from airflow.sdk import BaseOperator, Context

try:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
except ImportError:  # Airflow 3.1 has them only in airflow.exceptions
    from airflow.exceptions import AirflowException, AirflowFailException

from amc_cltv.airflow.execution import RunRequest, finish_run, start_run
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.airflow.triggers import ERROR, AmcAudienceTrigger, AmcExecutionTrigger
from amc_cltv.config import Config
from amc_cltv.errors import AmcCltvError, ExitCode
from amc_cltv.orchestration.outcome import RunOutcome


@contextmanager
def task_errors() -> Iterator[None]:
    """The library's errors as Airflow's: a usage or profile problem is final, the rest may be retried."""
    try:
        yield
    except AmcCltvError as exc:
        if exc.exit_code == ExitCode.USAGE:
            raise AirflowFailException(str(exc)) from None
        raise AirflowException(str(exc)) from None


class AmcRunWorkflowOperator(BaseOperator):
    """Run an amc-cltv workflow on an AMC instance; the result is the ``run --json`` object (XCom).

    Renders and syncs the workflow, adopts the execution AMC already has for the same workflow, time
    window and parameters or submits one, then (``deferrable``) waits in ``AmcExecutionTrigger`` without
    a worker slot, and downloads and verifies the result files when it resumes. ``config`` is an instance
    profile (TOML path); the secrets come from the ``amc`` connection ``amc_conn_id``.
    """

    template_fields: Sequence[str] = ("workflow", "config", "amc_conn_id", "window_end", "parameters")
    ui_color = "#ff9900"

    def __init__(
        self,
        *,
        workflow: str,
        config: str,
        amc_conn_id: str = AmcHook.default_conn_name,
        window_end: date | str | None = None,
        parameters: Mapping[str, Any] | None = None,
        deferrable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.workflow = workflow
        self.config = config
        self.amc_conn_id = amc_conn_id
        self.window_end = window_end
        self.parameters = parameters
        self.deferrable = deferrable

    def _run(self, step: Callable[[Config, RunRequest], RunOutcome]) -> RunOutcome:
        with task_errors():
            config = AmcHook(self.amc_conn_id).config(self.config)
            return step(config, RunRequest.of(self.workflow, self.window_end, self.parameters))

    def execute(self, context: Context) -> dict[str, Any]:
        if not self.deferrable:
            return self._result(
                self._run(lambda config, request: finish_run(config, request, max_wait_s=None))
            )
        outcome = self._run(start_run)
        if outcome.exit_code == ExitCode.STILL_RUNNING and outcome.execution_id is not None:
            self._defer(outcome.execution_id)
        return self._result(outcome)

    def _defer(self, execution_id: str) -> None:
        """Hand the wait to the triggerer: the worker slot is freed until AMC finishes the execution."""
        with task_errors():
            max_wait_s = AmcHook(self.amc_conn_id).config(self.config).profile.polling.max_wait_s
        self.defer(
            trigger=AmcExecutionTrigger(
                config=str(self.config),
                amc_conn_id=self.amc_conn_id,
                execution_id=execution_id,
                workflow=self.workflow,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=max_wait_s),
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Back from the trigger: download and verify the files of a SUCCEEDED execution."""
        if event.get("status") == ERROR:
            raise AirflowException(f"following execution {event.get('execution_id')}: {event.get('message')}")
        return self._result(self._run(finish_run))

    def _result(self, outcome: RunOutcome) -> dict[str, Any]:
        if outcome.exit_code == ExitCode.STILL_RUNNING:
            raise AirflowException(outcome.message or f"{self.workflow} is still {outcome.status}")
        if outcome.exit_code != ExitCode.OK:
            raise AirflowFailException(outcome.message or f"{self.workflow} ended {outcome.status}")
        return outcome.as_json()


class AmcActivateAudienceOperator(BaseOperator):
    """Create (or find) the segment's rule-based audience and wait until AMC has built it.

    The segment is sized from the ``segmentation`` result of the same window (adopted from AMC when this
    worker has no ledger), an audience of the same rules already on AMC is adopted, never duplicated.
    While AMC builds it (hours on a real instance), the task defers to ``AmcAudienceTrigger``
    (``deferrable``). The result is the ``audience activate --json`` object, whose ``usable_in_dsp_at``
    the ``AmcAudienceUsableSensor`` waits for. ``needed_by`` is the campaign start (a date or date-time in
    the instance's time zone): when the audience cannot be usable in DSP by then, the task fails.
    """

    template_fields: Sequence[str] = ("segment", "config", "amc_conn_id", "needed_by")
    ui_color = "#ff9900"

    def __init__(
        self,
        *,
        config: str,
        segment: str = "high-value",
        amc_conn_id: str = AmcHook.default_conn_name,
        needed_by: str | None = None,
        deferrable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.segment = segment
        self.config = config
        self.amc_conn_id = amc_conn_id
        self.needed_by = needed_by
        self.deferrable = deferrable

    def _activate(self, *, look_once: bool) -> dict[str, Any]:
        from amc_cltv import api
        from amc_cltv.audience import known_on_error, parse_needed_by
        from amc_cltv.audience.rules import segment_named
        from amc_cltv.errors import StillRunning

        with task_errors():
            config = AmcHook(self.amc_conn_id).config(self.config)
            spec = segment_named(self.segment)
            campaign_start = parse_needed_by(self.needed_by, config.amc.time_zone) if self.needed_by else None
            # The size guard reads the segmentation result of the window: adopted, never submitted twice.
            finish_run(config, RunRequest(spec.report_workflow), max_wait_s=None).raise_for_status()
            if look_once:  # one status call; the trigger does the waiting
                polling = config.profile.polling.model_copy(update={"max_wait_s": 0})
                config = replace(config, profile=config.profile.model_copy(update={"polling": polling}))
            try:
                return api.activate_audience(config, segment=spec.key, needed_by=campaign_start).as_json()
            except StillRunning as still:
                known = known_on_error(still)
                building = known.audience if known is not None else None
                if not look_once or building is None or building.audience_execution_id is None:
                    raise
                self.defer(
                    trigger=AmcAudienceTrigger(
                        config=str(self.config),
                        amc_conn_id=self.amc_conn_id,
                        audience_execution_id=building.audience_execution_id,
                    ),
                    method_name="execute_complete",
                    timeout=timedelta(seconds=config.profile.polling.max_wait_s or 43200),
                )
                raise  # not reached: defer() leaves the task

    def execute(self, context: Context) -> dict[str, Any]:
        return self._activate(look_once=self.deferrable)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Back from the trigger: AMC has finished the audience; record it and report where it stands."""
        if event.get("status") == ERROR:
            raise AirflowException(
                f"following audience {event.get('audience_execution_id')}: {event.get('message')}"
            )
        return self._activate(look_once=False)

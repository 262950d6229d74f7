"""``AmcRunWorkflowOperator``, ``AmcActivateAudienceOperator`` (any segment) and
``AmcLookalikeAudienceOperator``.

Library errors become one-line task failures: a profile, workflow or parameter that cannot work fails
the task without retries (``AirflowFailException``); AMC being unavailable, or still busy, fails it for a
retry, which adopts what AMC already has instead of sending anything twice.

Both defer while AMC works (``deferrable``, by default ``[operators] default_deferrable``) and show the
profile's name as their map index when mapped over profiles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context, conf

try:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
except ImportError:  # Airflow 3.1 has them only in airflow.exceptions
    from airflow.exceptions import AirflowException, AirflowFailException

from amc_cltv.airflow.execution import RunRequest, finish_run, start_run
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.airflow.profile import profile_payload
from amc_cltv.airflow.triggers import ERROR, AmcAudienceTrigger, AmcExecutionTrigger
from amc_cltv.config import Config
from amc_cltv.errors import (
    AmcCltvError,
    APIStatusError,
    ConfigError,
    InternalServerError,
    RateLimitError,
    UsageError,
    WorkflowLintError,
)
from amc_cltv.orchestration.handle import ExecutionHandle
from amc_cltv.orchestration.outcome import RunOutcome

if TYPE_CHECKING:
    from amc_cltv.audience import ActivationOutcome

PROFILE_MAP_INDEX = "{{ task.profile_name }}"


def default_deferrable() -> bool:
    """``[operators] default_deferrable``, as every provider reads it."""
    return conf.getboolean("operators", "default_deferrable", fallback=False)


def is_final(error: AmcCltvError) -> bool:
    """A retry cannot fix it: the profile, a parameter or the workflow's SQL is wrong, or AMC refused the
    request itself (an error status but a rate limit or a server error, which pass)."""
    if isinstance(error, RateLimitError | InternalServerError):
        return False
    return isinstance(error, ConfigError | UsageError | WorkflowLintError | APIStatusError)


@contextmanager
def task_errors() -> Iterator[None]:
    """The library's errors as Airflow's: a usage or profile problem is final, the rest may be retried."""
    try:
        yield
    except AmcCltvError as exc:
        if is_final(exc):
            raise AirflowFailException(str(exc)) from None
        raise AirflowException(str(exc)) from None


def outcome_result(outcome: RunOutcome) -> dict[str, Any]:
    """The ``run --json`` object of a SUCCEEDED run (without the CLI's ``exit_code``); a run still going
    fails the try (for a retry that resumes it), one that AMC ended otherwise fails the task."""
    if outcome.still_running:
        raise AirflowException(outcome.message or f"{outcome.workflow} is still {outcome.status}")
    if not outcome.succeeded:
        raise AirflowFailException(outcome.message or f"{outcome.workflow} ended {outcome.status}")
    return outcome.as_json()


def deferral_timeout(config: Config) -> timedelta | None:
    """How long a deferred task may wait for AMC: the profile's ``[polling] max_wait_s`` (0: no bound)."""
    seconds = config.profile.polling.max_wait_s
    return timedelta(seconds=seconds) if seconds > 0 else None


def pinned(request: RunRequest, outcome: RunOutcome) -> RunRequest:
    """``request`` with the window its outcome covers, as dates: the same run whatever the day."""
    window = outcome.time_window
    return replace(request, window_end=window.end.date(), window_days=window.days)


class AmcProfileTask:
    """What every task of the provider has: an instance profile (``config``, a TOML path) completed by the
    ``amc`` connection ``amc_conn_id``, ``deferrable`` by default as ``[operators] default_deferrable``
    says, and the profile's name as its label when mapped over profiles."""

    ui_color = "#ff9900"
    config: str
    amc_conn_id: str
    deferrable: bool

    @staticmethod
    def labelled(kwargs: dict[str, Any]) -> dict[str, Any]:
        """The operator's keyword arguments, with the profile's name as the default map index label."""
        kwargs.setdefault("map_index_template", PROFILE_MAP_INDEX)
        return kwargs

    def use_profile(self, config: str, amc_conn_id: str, deferrable: bool | None) -> None:
        self.config = config
        self.amc_conn_id = amc_conn_id
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    @property
    def profile_name(self) -> str:
        """The instance profile's name (its file's, without ``.toml``): the map index shown in the UI."""
        return Path(str(self.config)).stem

    def _config(self) -> Config:
        with task_errors():
            return AmcHook(self.amc_conn_id).config(self.config)


class _AmcOperator(AmcProfileTask, BaseOperator):
    """What both operators share: the profile, and following an execution in the triggerer."""

    def __init__(
        self,
        *,
        config: str,
        amc_conn_id: str = AmcHook.default_conn_name,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**self.labelled(kwargs))
        self.use_profile(config, amc_conn_id, deferrable)

    def _follow(self, config: Config, handle: ExecutionHandle, *, cancel_on_kill: bool, method: str) -> None:
        """Defer to the triggerer until AMC finishes the execution; the task resumes in ``method``."""
        self.defer(
            trigger=AmcExecutionTrigger(
                profile=profile_payload(config),
                amc_conn_id=self.amc_conn_id,
                handle=handle.as_dict(),
                cancel_on_kill=cancel_on_kill,
            ),
            method_name=method,
            timeout=deferral_timeout(config),
        )

    @staticmethod
    def _followed(event: Mapping[str, Any]) -> ExecutionHandle:
        """The execution the trigger followed, as the task submitted it (its handle)."""
        if event.get("status") == ERROR:
            raise AirflowException(f"following execution {event.get('execution_id')}: {event.get('message')}")
        with task_errors():
            return ExecutionHandle.from_dict(event["handle"])


class AmcRunWorkflowOperator(_AmcOperator):
    """Run an amc-cltv workflow on an AMC instance; the result is the ``run --json`` object (XCom).

    Renders and syncs the workflow, adopts the execution AMC already has for the same workflow, time
    window and parameters or submits one, then (``deferrable``) waits in ``AmcExecutionTrigger`` without
    a worker slot, and downloads and verifies that execution's files when it resumes. ``config`` is an
    instance profile (TOML path); the secrets come from the ``amc`` connection ``amc_conn_id``.

    ``window_end`` (templated: ``"{{ macros.ds_add(ds, -3) }}"``) is the window's last midnight in the
    profile's time zone, so a backfill covers the days of its logical date; None takes the latest AMC has
    complete data for when the task starts. ``cancel_on_kill``: a task killed while it waits cancels the
    AMC execution it follows.
    """

    template_fields: Sequence[str] = (
        "workflow",
        "config",
        "amc_conn_id",
        "window_end",
        "window_days",
        "parameters",
    )

    def __init__(
        self,
        *,
        workflow: str,
        config: str,
        amc_conn_id: str = AmcHook.default_conn_name,
        window_end: date | str | None = None,
        window_days: int | str | None = None,
        parameters: Mapping[str, Any] | None = None,
        deferrable: bool | None = None,
        cancel_on_kill: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(config=config, amc_conn_id=amc_conn_id, deferrable=deferrable, **kwargs)
        self.workflow = workflow
        self.window_end = window_end
        self.window_days = window_days
        self.parameters = parameters
        self.cancel_on_kill = cancel_on_kill
        self.followed: ExecutionHandle | None = None  # the execution this try waits for

    def _request(self) -> RunRequest:
        with task_errors():
            try:
                return RunRequest.of(self.workflow, self.window_end, self.parameters, self.window_days)
            except ValueError as error:
                raise AirflowFailException(f"{self.task_id}: window_end/window_days: {error}") from None

    def execute(self, context: Context) -> dict[str, Any]:
        config, request = self._config(), self._request()
        with task_errors():
            outcome = start_run(config, request)
        if not outcome.still_running or outcome.handle is None:
            return outcome_result(outcome)
        self.followed = outcome.handle
        if self.deferrable:
            self._follow(config, self.followed, cancel_on_kill=self.cancel_on_kill, method="execute_complete")
        with task_errors():
            return outcome_result(finish_run(config, self.followed, max_wait_s=None))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Back from the trigger: download and verify the files of the execution it followed."""
        followed = self._followed(event)
        with task_errors():
            return outcome_result(finish_run(self._config(), followed))

    def on_kill(self) -> None:
        """Killed while waiting on the worker: cancel the AMC execution (``cancel_on_kill``)."""
        if self.followed is None or not self.cancel_on_kill:
            return
        from amc_cltv.connect import open_client

        with open_client(self._config()) as client:
            client.executions.cancel(self.followed.execution_id)
        self.log.info("cancelled AMC execution %s of %s", self.followed.execution_id, self.workflow)


class AmcActivateAudienceOperator(_AmcOperator):
    """Create (or find) the segment's rule-based audience and wait until AMC has built it. ``segment``:
    high-value, growth-potential, revenue-potential or low-value (docs/segments.md §14).

    The segment is sized from the ``segmentation`` result of the window (``window_end``, ``window_days``:
    templated, as ``AmcRunWorkflowOperator``'s, and the same for both tasks), adopted from AMC when this
    worker has no ledger; while that execution still runs, the task waits for it in the triggerer. An
    audience of the same rules already on AMC is adopted, never duplicated. While AMC builds it (hours on a
    real instance), the task defers to ``AmcAudienceTrigger``. The result is the ``audience activate
    --json`` object, whose ``usable_in_dsp_at`` the ``AmcAudienceUsableSensor`` waits for. ``needed_by``
    is the campaign start (a date or date-time in the instance's time zone): when the audience cannot be
    usable in DSP by then, the task fails.

    The steps (``_segmentation``, then ``_activate``) each resume in their own method after a deferral.
    """

    template_fields: Sequence[str] = (
        "segment",
        "config",
        "amc_conn_id",
        "needed_by",
        "window_end",
        "window_days",
    )

    def __init__(
        self,
        *,
        config: str,
        segment: str = "high-value",
        amc_conn_id: str = AmcHook.default_conn_name,
        needed_by: str | None = None,
        window_end: date | str | None = None,
        window_days: int | str | None = None,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(config=config, amc_conn_id=amc_conn_id, deferrable=deferrable, **kwargs)
        self.segment = segment
        self.needed_by = needed_by
        self.window_end = window_end
        self.window_days = window_days

    def _report_request(self) -> RunRequest:
        """The segment's report run (``segmentation``) over the task's window."""
        from amc_cltv.audience.rules import segment_named

        with task_errors():
            try:
                return RunRequest.of(
                    segment_named(self.segment).report_workflow, self.window_end, {}, self.window_days
                )
            except ValueError as error:
                raise AirflowFailException(f"{self.task_id}: window_end/window_days: {error}") from None

    def execute(self, context: Context) -> dict[str, Any]:
        config, request = self._config(), self._report_request()
        with task_errors():
            outcome = start_run(config, request)
        if outcome.still_running and outcome.handle is not None:
            if self.deferrable:  # the upstream task's execution, most often: not this task's to cancel
                self._follow(config, outcome.handle, cancel_on_kill=False, method="segmentation_complete")
            with task_errors():
                outcome = finish_run(config, outcome.handle, max_wait_s=None)
        outcome_result(outcome)
        return self._activate(config, pinned(request, outcome), look_once=self.deferrable)

    def segmentation_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Back from waiting for the segmentation: download it, then activate."""
        followed = self._followed(event)
        config = self._config()
        with task_errors():
            outcome = finish_run(config, followed)
        outcome_result(outcome)
        return self._activate(config, pinned(self._report_request(), outcome), look_once=True)

    def _create(
        self, config: Config, campaign_start: datetime | None, window: RunRequest, *, wait: bool
    ) -> ActivationOutcome:
        """The audience call over ``window`` (the lookalike operator makes another)."""
        from amc_cltv import api

        return api.activate_audience(
            config,
            segment=self.segment,
            needed_by=campaign_start,
            window_end=window.window_end,
            window_days=window.window_days,
            wait=wait,
        )

    def _activate(self, config: Config, window: RunRequest, *, look_once: bool) -> dict[str, Any]:
        """Activate over ``window``; ``look_once``: defer to the trigger while AMC builds the audience."""
        from amc_cltv.audience import parse_needed_by
        from amc_cltv.client.status import is_final

        with task_errors():
            campaign_start = parse_needed_by(self.needed_by, config.amc.time_zone) if self.needed_by else None
            outcome = self._create(config, campaign_start, window, wait=not look_once)  # the trigger waits
        building = outcome.audience
        # Built for the first time and not done yet (a refresh of one DSP already has is not waited on).
        if (
            building is not None
            and building.audience_execution_id
            and building.succeeded_at is None
            and not is_final(building.status)
        ):
            self.defer(
                trigger=AmcAudienceTrigger(
                    profile=profile_payload(config),
                    amc_conn_id=self.amc_conn_id,
                    audience_execution_id=building.audience_execution_id,
                ),
                method_name="execute_complete",
                timeout=deferral_timeout(config),
            )
        return outcome.as_json()

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Back from the trigger: AMC has finished the audience; record it and report where it stands."""
        if event.get("status") == ERROR:
            raise AirflowException(
                f"following audience {event.get('audience_execution_id')}: {event.get('message')}"
            )
        return self._activate(self._config(), self._report_request(), look_once=False)


class AmcLookalikeAudienceOperator(AmcActivateAudienceOperator):
    """Create (or find) a lookalike audience seeded by the segment's audience query (``high-value``), and
    wait until AMC has built it, with the same window, sizing and deferrals as
    ``AmcActivateAudienceOperator``.

    ``reach`` is AMC's expected reach (most-similar, similar, balanced, broad, most-broad). The seed is
    sized from the same ``segmentation`` result and must hold ``[audience] lookalike_min_seed`` to 500,000
    users, else the task fails. The result is the ``audience lookalike --json`` object.
    """

    template_fields: Sequence[str] = (*AmcActivateAudienceOperator.template_fields, "reach")
    ui_color = "#ffb84d"

    def __init__(self, *, reach: str = "balanced", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reach = reach

    def _create(
        self, config: Config, campaign_start: datetime | None, window: RunRequest, *, wait: bool
    ) -> ActivationOutcome:
        from amc_cltv import api

        return api.create_lookalike_audience(
            config,
            segment=self.segment,
            reach=self.reach,
            needed_by=campaign_start,
            window_end=window.window_end,
            window_days=window.window_days,
            wait=wait,
        )

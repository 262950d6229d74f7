"""What ``AmcRunWorkflowOperator`` does on either side of its deferral, without Airflow.

``start_run`` renders and syncs the workflow, adopts the execution AMC already has for the same workflow,
time window, parameters and SQL (so a retried task, or a worker without the previous one's ledger, never
submits a duplicate: docs/ledger.md#amc-is-the-source-of-truth), else submits one, and looks once. What it
submitted is a ``SubmittedRun``: the execution id with the window it was submitted for, pinned. The trigger
carries it and hands it back in its event, and ``finish_run`` acts on it: the run is found again by that
window, never by one worked out anew from "now", so a task that resumes after the profile's day boundary
has passed downloads the execution it submitted instead of submitting a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from amc_cltv import api
from amc_cltv.config import Config
from amc_cltv.errors import NeedsHuman
from amc_cltv.orchestration.outcome import RunOutcome


@dataclass(frozen=True)
class RunRequest:
    """Which run: the workflow, its window (end None: the latest day AMC has data for; days None: the
    workflow's default), its parameters."""

    workflow: str
    window_end: date | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    window_days: int | None = None

    @classmethod
    def of(
        cls,
        workflow: str,
        window_end: date | str | None,
        parameters: Mapping[str, Any] | None,
        window_days: int | str | None = None,
    ) -> RunRequest:
        """From the operator's (rendered) arguments: ``window_end`` a date or ``YYYY-MM-DD``, any
        parameter value, ``window_days`` a number or its text."""
        end = date.fromisoformat(window_end) if isinstance(window_end, str) and window_end else window_end
        days = int(window_days) if window_days not in (None, "") else None
        params = {key: str(value) for key, value in (parameters or {}).items()}
        return cls(workflow, end or None, params, days)


@dataclass(frozen=True)
class SubmittedRun:
    """An execution submitted (or adopted) for a run, with the window it covers pinned."""

    workflow: str
    execution_id: str
    window_end: date  # the last midnight of the window, in the profile's time zone
    window_days: int
    parameters: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, request: RunRequest, outcome: RunOutcome) -> SubmittedRun:
        """What ``start_run`` returned for ``request``, pinned."""
        if outcome.execution_id is None:
            raise ValueError(f"{request.workflow}: the outcome names no execution")
        return cls(
            request.workflow,
            outcome.execution_id,
            outcome.time_window.end.date(),
            outcome.time_window.days,
            dict(request.parameters),
        )

    def request(self) -> RunRequest:
        """The same run, by its pinned window."""
        return RunRequest(self.workflow, self.window_end, dict(self.parameters), self.window_days)

    def as_json(self) -> dict[str, Any]:
        """For a trigger's arguments and its event (JSON, no secret)."""
        return {
            "workflow": self.workflow,
            "execution_id": self.execution_id,
            "window_end": self.window_end.isoformat(),
            "window_days": self.window_days,
            "parameters": dict(self.parameters),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmittedRun:
        return cls(
            str(data["workflow"]),
            str(data["execution_id"]),
            date.fromisoformat(str(data["window_end"])),
            int(data["window_days"]),
            {str(key): str(value) for key, value in dict(data.get("parameters") or {}).items()},
        )


def start_run(config: Config, request: RunRequest) -> RunOutcome:
    """Submit or adopt without waiting for AMC (nor for a free slot: a full instance raises StillRunning).

    The outcome is the finished run when AMC had already finished it (files downloaded), else exit code 4
    with the ``execution_id`` to follow. Raises the library's errors.
    """
    return api.submit_workflow(
        config,
        request.workflow,
        window_days=request.window_days,
        window_end=request.window_end,
        parameters=request.parameters,
        max_wait_s=0,
    )


def finish_run(config: Config, request: RunRequest, *, max_wait_s: float | None = 0) -> RunOutcome:
    """Look at the run again (waiting up to ``max_wait_s``; None: ``[polling] max_wait_s``) and download
    and verify its files once AMC has finished it."""
    return api.wait_for_workflow(
        config,
        request.workflow,
        window_days=request.window_days,
        window_end=request.window_end,
        parameters=request.parameters,
        max_wait_s=max_wait_s,
    )


def finish_submitted(config: Config, submitted: SubmittedRun, *, max_wait_s: float | None = 0) -> RunOutcome:
    """``finish_run`` for the execution ``submitted``: its pinned window names the run. Raises NeedsHuman
    when that run is now another execution (someone submitted it again meanwhile)."""
    outcome = finish_run(config, submitted.request(), max_wait_s=max_wait_s)
    if outcome.execution_id != submitted.execution_id:
        raise NeedsHuman(
            f"{submitted.workflow} over the window ending {submitted.window_end.isoformat()} is now "
            f"execution {outcome.execution_id}, not {submitted.execution_id} that this task submitted; look "
            "at both on AMC before running the task again"
        )
    return outcome

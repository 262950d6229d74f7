"""What the operators do on either side of a deferral, without Airflow.

``start_run`` renders and syncs the workflow, adopts the execution AMC already has for the same workflow,
time window, parameters and SQL (so a retried task, or a worker without the previous one's ledger, never
submits a duplicate: docs/ledger.md#amc-is-the-source-of-truth), else submits one, and looks once. Its
outcome's ``handle`` (the public API's ``ExecutionHandle``: execution id, pinned window, parameter values)
is what the trigger carries and hands back in its event, and ``finish_run`` follows that execution by its
id: the window is never worked out again from "now", so a task that resumes after the profile's day
boundary has passed downloads the execution it submitted instead of submitting a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from amc_cltv import api
from amc_cltv.config import Config
from amc_cltv.orchestration.handle import ExecutionHandle
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
        parameter value, ``window_days`` a number or its text. Raises ValueError."""
        end = date.fromisoformat(window_end) if isinstance(window_end, str) and window_end else window_end
        days = int(window_days) if window_days not in (None, "") else None
        params = {key: str(value) for key, value in (parameters or {}).items()}
        return cls(workflow, end or None, params, days)


def start_run(config: Config, request: RunRequest) -> RunOutcome:
    """Submit or adopt without waiting for AMC (nor for a free slot: a full instance raises StillRunning).

    The outcome is the finished run when AMC had already finished it (files downloaded), else one still
    running with the ``handle`` to follow. Raises the library's errors.
    """
    return api.submit_workflow(
        config,
        request.workflow,
        window_days=request.window_days,
        window_end=request.window_end,
        parameters=request.parameters,
        max_wait_s=0,
    )


def finish_run(
    config: Config, handle: ExecutionHandle | Mapping[str, Any], *, max_wait_s: float | None = 0
) -> RunOutcome:
    """Follow the execution ``handle`` names (waiting up to ``max_wait_s``; None: ``[polling]
    max_wait_s``), then download and verify its files once AMC has finished it. Never submits."""
    return api.wait_for_workflow(config, handle, max_wait_s=max_wait_s)

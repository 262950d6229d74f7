"""What ``AmcRunWorkflowOperator`` does on either side of its deferral, without Airflow.

``start_run`` renders and syncs the workflow, adopts the execution AMC already has for the same workflow,
time window, parameters and SQL (so a retried task, or a worker without the previous one's ledger, never
submits a duplicate: docs/ledger.md#amc-is-the-source-of-truth), else submits one, and looks once.
``finish_run``, after the trigger saw the execution end, looks again, then downloads and verifies the
files. Both are the public API's ``submit_workflow`` and ``wait_for_workflow``; the ledger in the profile's
``state_dir`` is only a cache here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from amc_cltv import api
from amc_cltv.config import Config
from amc_cltv.orchestration.outcome import RunOutcome


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


def start_run(config: Config, request: RunRequest) -> RunOutcome:
    """Submit or adopt without waiting for AMC (nor for a free slot: a full instance raises StillRunning).

    The outcome is the finished run when AMC had already finished it (files downloaded), else exit code 4
    with the ``execution_id`` to follow. Raises the library's errors.
    """
    return api.submit_workflow(
        config,
        request.workflow,
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
        window_end=request.window_end,
        parameters=request.parameters,
        max_wait_s=max_wait_s,
    )

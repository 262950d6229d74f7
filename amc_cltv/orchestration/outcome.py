"""What a run is asked to do (RunOptions) and what it came to (RunOutcome); the pipeline is in ``run``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from amc_cltv.client.status import ExecutionStatus
from amc_cltv.errors import ExecutionFailed, Remedy, StillRunning, with_remedy
from amc_cltv.orchestration.ending import Ending
from amc_cltv.orchestration.filtered import UNREAD, AggregationFiltered, Unread
from amc_cltv.orchestration.handle import ExecutionHandle
from amc_cltv.timewindow import TimeWindow

Observer = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class RunOptions:
    """How to run a workflow (the ``run`` command's flags)."""

    window_days: int | None = None
    window_end: date | None = None
    no_wait: bool = False
    max_wait_s: float | None = None  # None: [polling] max_wait_s
    force_rerun: bool = False
    parameters: Mapping[str, str] = field(default_factory=dict)
    # Submit (waiting for an admission slot as usual) and look once, without waiting for AMC to finish.
    detach: bool = False
    # Called with ("planned" | "submitted" | "poll" | "downloaded", details) as the run progresses.
    observer: Observer | None = None


@dataclass(frozen=True)
class RunOutcome:
    """The result of running (or reusing) one execution of a workflow."""

    workflow: str
    execution_id: str | None
    status: ExecutionStatus  # PENDING/RUNNING when still running
    status_reason: str | None
    time_window: TimeWindow
    files: list[Path]
    rows: int
    ending: Ending
    reused: bool
    workflow_id: str = ""
    detail: str | None = None  # why it did not succeed (what happened, without the remedy)
    remedy: Remedy | None = None  # what the caller can do next
    status_calls: int = 0  # status GETs this invocation made while polling
    detection_delay_bound_s: float | None = None  # AMC ended it at most this long before the tool saw it
    # The execution followed, window pinned: what ``wait_for_workflow`` takes (None before any id).
    handle: ExecutionHandle | None = None
    # What AMC filtered in ``files``, read once when they were downloaded (UNREAD: read on first use).
    aggregation_filtered: AggregationFiltered | Unread | None = UNREAD

    def as_json(self) -> dict[str, Any]:
        """The ``run --json`` object of docs/contract.md §3.1 but for ``exit_code``, which the CLI adds: the
        library says how the run ended (``ending``), not what a process exits with."""
        return {
            "workflow": self.workflow,
            "workflow_id": self.workflow_id,
            "execution_id": self.execution_id,
            "status": self.status,
            "status_reason": self.status_reason,
            "time_window_start": self.time_window.start.isoformat(),
            "time_window_end": self.time_window.end.isoformat(),
            "files": [str(path) for path in self.files],
            "rows": self.rows,
            "reused": self.reused,
            "aggregation_filtered": self.aggregation_filtered_json(),
            "status_calls": self.status_calls,
            "detection_delay_bound_s": (
                None if self.detection_delay_bound_s is None else round(self.detection_delay_bound_s, 1)
            ),
        }

    @property
    def succeeded(self) -> bool:
        """AMC's SUCCEEDED, with the result files downloaded (or a finished run reused)."""
        return self.ending is Ending.SUCCEEDED

    @property
    def still_running(self) -> bool:
        """Not finished when the wait ran out: the same call again resumes it."""
        return self.ending is Ending.STILL_RUNNING

    @property
    def message(self) -> str | None:
        """Why it did not succeed, and what to do next, in the library's words (None when it succeeded)."""
        return None if self.detail is None else with_remedy(self.detail, self.remedy)

    def filtered(self) -> AggregationFiltered | None:
        """How many result rows AMC filtered for privacy and why (None without results to read)."""
        if not self.succeeded:
            return None
        if isinstance(self.aggregation_filtered, Unread):
            from amc_cltv.orchestration.filtered import aggregation_filtered

            return aggregation_filtered(self.files)
        return self.aggregation_filtered

    def aggregation_filtered_json(self) -> dict[str, Any] | None:
        """``filtered()`` as JSON."""
        found = self.filtered()
        return found.as_json() if found is not None else None

    def raise_for_status(self) -> RunOutcome:
        """Return self when SUCCEEDED; raise ExecutionFailed or StillRunning otherwise."""
        if self.succeeded:
            return self
        if self.still_running:
            raise StillRunning(
                self.detail or f"{self.workflow} is still running", remedy=self.remedy, status=self.status
            )
        raise ExecutionFailed(
            self.detail or f"{self.workflow} ended {self.status}",
            remedy=self.remedy,
            status=self.status,
            status_reason=self.status_reason,
        )

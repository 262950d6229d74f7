"""The handle of one AMC execution: what submitting returns and what waiting, resuming and downloading act on.

A run is first named by its workflow, window and parameters (``run.plan_run``), and the default window is
worked out from "now". That name is right for a fresh invocation only: once an execution is submitted, the
window is pinned, and whoever follows it later (the same process, another host, an Airflow task resumed
after its deferral, hours later and past a day boundary) must follow *that* execution, never the run that
"now" would name. The handle carries everything needed for that, as plain JSON (``as_dict``/``from_dict``),
so it can travel in a trigger's event or a queue message. It holds no secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from amc_cltv.errors import UsageError
from amc_cltv.ledger import RunRecord
from amc_cltv.timewindow import TimeWindow

__all__ = ["ExecutionHandle"]

_FIELDS = (
    "instance_id",
    "workflow",
    "workflow_id",
    "execution_id",
    "time_window_start",
    "time_window_end",
    "time_zone",
    "submitted_at",
    "sql_sha256",
    "run_key",
)


@dataclass(frozen=True)
class ExecutionHandle:
    """One execution on AMC, with its pinned window and parameter values (AMC's words throughout)."""

    instance_id: str
    workflow: str
    workflow_id: str
    execution_id: str
    time_window: TimeWindow
    submitted_at: datetime  # aware; the polling schedule counts from it
    sql_sha256: str
    run_key: str
    parameters: Mapping[str, str] = field(default_factory=dict)  # the values sent to AMC

    @classmethod
    def of(cls, record: RunRecord) -> ExecutionHandle:
        """The handle of a ledger record that has an execution id."""
        if record.execution_id is None:
            raise ValueError(f"run {record.id} of {record.workflow} has no execution id yet")
        return cls(
            instance_id=record.instance_id,
            workflow=record.workflow,
            workflow_id=record.workflow_id,
            execution_id=record.execution_id,
            time_window=TimeWindow(
                datetime.fromisoformat(record.time_window_start),
                datetime.fromisoformat(record.time_window_end),
                record.time_zone,
            ),
            submitted_at=record.submitted_at,
            sql_sha256=record.sql_sha256,
            run_key=record.run_key,
            parameters=dict(record.parameters),
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (strings and a string map): for a trigger's event, a queue message, a file."""
        return {
            "instance_id": self.instance_id,
            "workflow": self.workflow,
            "workflow_id": self.workflow_id,
            "execution_id": self.execution_id,
            **self.time_window.as_dict(),
            "submitted_at": self.submitted_at.isoformat(),
            "sql_sha256": self.sql_sha256,
            "run_key": self.run_key,
            "parameters": dict(self.parameters),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExecutionHandle:
        """The handle ``as_dict`` wrote. Raises UsageError naming what is missing or malformed."""
        missing = [name for name in _FIELDS if not isinstance(data.get(name), str) or not data.get(name)]
        if missing:
            raise UsageError(f"an execution handle needs {', '.join(missing)}")
        parameters = data.get("parameters") or {}
        if not isinstance(parameters, Mapping):
            raise UsageError("an execution handle's parameters must be a mapping of names to values")
        try:
            start = datetime.fromisoformat(data["time_window_start"])
            end = datetime.fromisoformat(data["time_window_end"])
            submitted_at = datetime.fromisoformat(data["submitted_at"])
        except ValueError as error:
            raise UsageError(f"an execution handle has a malformed time: {error}") from None
        if start.tzinfo is None or end.tzinfo is None or submitted_at.tzinfo is None:
            raise UsageError("an execution handle's times must carry their offset")
        if end <= start:
            raise UsageError("an execution handle's time_window_end must be after its time_window_start")
        return cls(
            instance_id=data["instance_id"],
            workflow=data["workflow"],
            workflow_id=data["workflow_id"],
            execution_id=data["execution_id"],
            time_window=TimeWindow(start, end, data["time_zone"]),
            submitted_at=submitted_at,
            sql_sha256=data["sql_sha256"],
            run_key=data["run_key"],
            parameters={str(key): str(value) for key, value in parameters.items()},
        )

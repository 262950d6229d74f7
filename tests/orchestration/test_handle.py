"""ExecutionHandle: the plain-JSON name of one execution, pinned window and parameters included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from amc_cltv.errors import UsageError
from amc_cltv.orchestration.handle import ExecutionHandle
from amc_cltv.timewindow import TimeWindow

MINUS_TWO = timezone(timedelta(hours=-2))


def _handle() -> ExecutionHandle:
    return ExecutionHandle(
        instance_id="amcabc",
        workflow="segmentation",
        workflow_id="amc-cltv-segmentation",
        execution_id="e-1",
        time_window=TimeWindow(
            datetime(2025, 12, 1, tzinfo=MINUS_TWO), datetime(2026, 12, 1, tzinfo=MINUS_TWO), "Etc/GMT+2"
        ),
        submitted_at=datetime(2026, 12, 3, 23, 40, tzinfo=UTC),
        sql_sha256="f" * 64,
        run_key="k" * 64,
        parameters={"threshold_method": "mean"},
    )


def test_a_handle_survives_a_json_round_trip_unchanged() -> None:
    handle = _handle()
    assert ExecutionHandle.from_dict(json.loads(json.dumps(handle.as_dict()))) == handle


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"execution_id": ""}, "execution_id"),
        ({"time_window_start": None}, "time_window_start"),
        ({"submitted_at": "yesterday"}, "malformed time"),
        ({"submitted_at": "2026-12-03T23:40:00"}, "offset"),
        ({"time_window_end": "2025-12-01T00:00:00-02:00"}, "after its time_window_start"),
        ({"parameters": ["mean"]}, "parameters"),
    ],
)
def test_a_malformed_handle_is_refused_naming_what_is_wrong(change: dict[str, object], named: str) -> None:
    with pytest.raises(UsageError, match=named):
        ExecutionHandle.from_dict({**_handle().as_dict(), **change})

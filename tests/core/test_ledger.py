"""The ledger: write-ahead runs and audiences, attempts, redaction, and sharing between processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from amc_cltv.client.status import AudienceStatus, ExecutionStatus
from amc_cltv.ledger import AudienceRecordState, FileRecord, Ledger, RunState, compute_run_key

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY_INPUTS = {
    "instance_id": "amc1",
    "workflow_id": "amc_cltv.segmentation",
    "sql_sha256": "abc",
    "time_window_start": "2025-11-23T00:00:00",
    "time_window_end": "2026-11-23T00:00:00",
    "time_zone": "UTC",
    "parameters": {"threshold_method": "mean"},
}


def begin(ledger: Ledger, run_key: str = "key", now: datetime = T0):
    return ledger.begin_run(
        run_key=run_key,
        instance_id="amc1",
        workflow="segmentation",
        workflow_id="amc_cltv.segmentation",
        sql_sha256="abc",
        time_window_start="2025-11-23T00:00:00",
        time_window_end="2026-11-23T00:00:00",
        time_zone="UTC",
        parameters={"threshold_method": "mean"},
        now=now,
    )


def test_run_key_is_stable_and_changes_with_any_input() -> None:
    key = compute_run_key(**KEY_INPUTS)
    assert key == compute_run_key(**dict(KEY_INPUTS))
    for name, value in [("sql_sha256", "def"), ("time_zone", "Europe/Paris"), ("parameters", {"x": "1"})]:
        assert compute_run_key(**{**KEY_INPUTS, name: value}) != key


def test_intent_is_on_disk_before_any_answer_and_attempts_count_up(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        first = begin(ledger)
        assert (first.state, first.attempt, first.execution_id) == ("submitting", 1, None)
    with Ledger.open(tmp_path) as reopened:  # another process would see the same
        assert reopened.latest_run("key") == first
        second = begin(reopened, now=T0 + timedelta(hours=1))
        assert second.attempt == 2
        assert reopened.latest_run("key").id == second.id


def test_answers_update_the_run_and_reasons_are_redacted(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        run = begin(ledger)
        run = ledger.record_submitted(run.id, T0, execution_id="exec-1", status="PENDING")
        assert run.state is RunState.SUBMITTED
        reason = "see https://bucket/x.csv?X-Amz-Credential=AKIA/abc&X-Amz-Signature=deadbeef"
        done = ledger.record_finished(
            run.id, T0 + timedelta(minutes=5), status="FAILED", status_reason=reason
        )
        assert done.state is RunState.FINISHED and done.finished_at == T0 + timedelta(minutes=5)
        assert done.execution_id == "exec-1" and done.status == "FAILED"
        assert "deadbeef" not in done.status_reason and "AKIA" not in done.status_reason
        assert ledger.run_by_execution("exec-1").id == run.id
        assert done.updated_at == T0 + timedelta(minutes=5)


def test_runs_are_listed_newest_first_and_filtered(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        old = begin(ledger, "a", T0)
        new = begin(ledger, "b", T0 + timedelta(days=1))
        assert [r.id for r in ledger.runs()] == [new.id, old.id]
        assert [r.id for r in ledger.runs(workflow="segmentation", limit=1)] == [new.id]
        assert ledger.runs(workflow="cltv") == []


def test_statuses_and_times_come_back_typed(tmp_path: Path) -> None:
    """SQLite holds AMC's words and ISO strings; a record holds the status enums and aware datetimes, an
    unknown word (AMC adds statuses) kept as its own status that is still running."""
    later = T0 + timedelta(minutes=5)
    with Ledger.open(tmp_path) as ledger:
        run = begin(ledger)
        run = ledger.record_submitted(run.id, T0, execution_id="exec-1", status=ExecutionStatus.PENDING)
        assert type(run.status) is ExecutionStatus and run.status is ExecutionStatus.PENDING
        run = ledger.record_status(run.id, T0, ExecutionStatus("QUEUED_FOR_REVIEW"))
        assert type(run.status) is ExecutionStatus and not run.status.known and run.status.in_progress
        done = ledger.record_finished(run.id, later, status=ExecutionStatus.SUCCEEDED, status_reason=None)
        assert done.status is ExecutionStatus.SUCCEEDED and done.status.terminal
        assert done.finished_at == later and done.finished_at.tzinfo is not None
        assert [r.id for r in ledger.runs(status=ExecutionStatus.SUCCEEDED)] == [run.id]
        audience = ledger.begin_audience(instance_id="amc1", name="hv", segment="high-value",
                                         rules_sha256="r", time_window_start="s", time_window_end="e",
                                         now=T0)  # fmt: skip
        assert audience.status is None and audience.requested_at == T0
        usable = T0 + timedelta(hours=48)
        audience = ledger.record_audience_status(audience.id, later, status=AudienceStatus.SUCCEEDED,
                                                 status_reason=None, usable_in_dsp_at=usable)  # fmt: skip
        assert type(audience.status) is AudienceStatus and audience.status.final
        assert audience.usable_in_dsp_at == usable and audience.usable_in_dsp_at.tzinfo is not None
    raw = sqlite3.connect(tmp_path / "ledger.sqlite")
    try:
        assert raw.execute("SELECT status, finished_at FROM runs").fetchone() == (
            "SUCCEEDED",
            later.isoformat(),
        )
        assert raw.execute("SELECT status FROM audiences").fetchone() == ("SUCCEEDED",)
    finally:
        raw.close()


def test_files_are_replaced_as_a_set(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        part = FileRecord("exec-1", "part-1.csv", "/r/part-1.csv", 10, 1, "00")
        ledger.record_files("exec-1", [part, FileRecord("exec-1", "part-2.csv", "/r/p2", 5, 0, "11")])
        ledger.record_files("exec-1", [part])
        assert ledger.files("exec-1") == [part]


def test_audience_intent_is_idempotent_per_name(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        args = dict(instance_id="amc1", name="hv", segment="high-value", rules_sha256="r",
                    time_window_start="s", time_window_end="e", now=T0)  # fmt: skip
        first = ledger.begin_audience(**args)
        again = ledger.begin_audience(**{**args, "now": T0 + timedelta(hours=1)})
        assert again.id == first.id and again.requested_at == T0
        usable = T0 + timedelta(hours=50)
        ledger.record_audience_created(first.id, T0, audience_execution_id="aud-1", status="PENDING",
                                       created_at=T0)  # fmt: skip
        updated = ledger.record_audience_status(first.id, T0, status="SUCCEEDED", status_reason=None,
                                                succeeded_at=T0, usable_in_dsp_at=usable)  # fmt: skip
        assert updated.usable_in_dsp_at == usable and updated.state is AudienceRecordState.CREATED
        assert updated.audience_execution_id == "aud-1" and updated.created_at == T0
        ledger.delete_audience(first.id, T0)
        assert ledger.audiences() == [] and len(ledger.audiences(include_deleted=True)) == 1


def test_two_processes_write_the_same_ledger(tmp_path: Path) -> None:
    """Concurrent invocations for different workflows share one ledger file without losing writes."""
    script = (
        "import sys; from datetime import datetime, UTC; from pathlib import Path\n"
        "from amc_cltv.ledger import Ledger\n"
        "with Ledger.open(Path(sys.argv[1])) as l:\n"
        "    for i in range(50):\n"
        "        l.begin_run(run_key=sys.argv[2] + str(i), instance_id='i', workflow=sys.argv[2],"
        " workflow_id='w', sql_sha256='s', time_window_start='a', time_window_end='b', time_zone='UTC',"
        " parameters={}, now=datetime.now(UTC))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name]) for name in ("x", "y")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with Ledger.open(tmp_path) as ledger:
        assert len(ledger.runs(workflow="x")) == 50 and len(ledger.runs(workflow="y")) == 50

"""The ledger: what the tool has asked AMC to do, written ahead so that a crash loses nothing.

One SQLite file per state folder (``<state_dir>/ledger.sqlite``, WAL, synchronous FULL). Each write is its
own committed transaction: an intent is on disk before the request that acts on it leaves the process, and
AMC's answer is on disk right after it arrives.

Tables:
    runs       one row per (run_key, attempt): an execution of a workflow over a window
    files      the verified result files of an execution
    applies    the workflow definition last uploaded per (instance, workflow_id)
    audiences  rule-based audiences: intent, AMC id, status, and when they become usable in DSP

Text that came from AMC (status reasons) is redacted before it is stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from amc_cltv.redact import redact_text

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id                INTEGER PRIMARY KEY,
    run_key           TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    instance_id       TEXT NOT NULL,
    workflow          TEXT NOT NULL,
    workflow_id       TEXT NOT NULL,
    sql_sha256        TEXT NOT NULL,
    time_window_start TEXT NOT NULL,
    time_window_end   TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    parameters        TEXT NOT NULL,
    state             TEXT NOT NULL,   -- submitting, submitted, finished, downloaded, abandoned
    execution_id      TEXT,
    status            TEXT,            -- AMC's word
    status_reason     TEXT,
    submitted_at      TEXT NOT NULL,   -- when the intent was written, before the POST
    finished_at       TEXT,
    downloaded_at     TEXT,
    updated_at        TEXT NOT NULL,
    UNIQUE (run_key, attempt)
);
CREATE INDEX IF NOT EXISTS runs_execution ON runs (execution_id);
CREATE INDEX IF NOT EXISTS runs_workflow ON runs (instance_id, workflow);
CREATE TABLE IF NOT EXISTS files (
    execution_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    path         TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    rows         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    PRIMARY KEY (execution_id, name)
);
CREATE TABLE IF NOT EXISTS applies (
    instance_id       TEXT NOT NULL,
    workflow_id       TEXT NOT NULL,
    workflow          TEXT NOT NULL,
    definition_sha256 TEXT NOT NULL,
    applied_at        TEXT NOT NULL,
    PRIMARY KEY (instance_id, workflow_id)
);
CREATE TABLE IF NOT EXISTS audiences (
    id                    INTEGER PRIMARY KEY,
    instance_id           TEXT NOT NULL,
    name                  TEXT NOT NULL,
    segment               TEXT NOT NULL,
    rules_sha256          TEXT NOT NULL,
    state                 TEXT NOT NULL,   -- creating, created, retiring, deleted
    audience_execution_id TEXT,
    status                TEXT,
    status_reason         TEXT,
    audience_count        INTEGER,
    dsp_audience_id       TEXT,
    time_window_start     TEXT,
    time_window_end       TEXT,
    requested_at          TEXT NOT NULL,   -- intent written, before the POST
    created_at            TEXT,            -- AMC's createTime, else when the POST returned
    succeeded_at          TEXT,            -- when the tool first saw SUCCEEDED
    usable_in_dsp_at      TEXT,            -- succeeded_at + activation lag
    retired_at            TEXT,            -- superseded by a newer audience
    deleted_at            TEXT,
    updated_at            TEXT NOT NULL,
    UNIQUE (instance_id, name)
);
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def compute_run_key(
    *,
    instance_id: str,
    workflow_id: str,
    sql_sha256: str,
    time_window_start: str,
    time_window_end: str,
    time_zone: str,
    parameters: Mapping[str, str],
) -> str:
    """The same inputs give the same key (docs/reliability.md §5)."""
    payload = {
        "instance_id": instance_id,
        "workflow_id": workflow_id,
        "sql_sha256": sql_sha256,
        "time_window": [time_window_start, time_window_end, time_zone],
        "params": dict(parameters),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class RunRecord:
    id: int
    run_key: str
    attempt: int
    instance_id: str
    workflow: str
    workflow_id: str
    sql_sha256: str
    time_window_start: str
    time_window_end: str
    time_zone: str
    parameters: dict[str, str]
    state: str
    execution_id: str | None
    status: str | None
    status_reason: str | None
    submitted_at: datetime
    finished_at: datetime | None
    downloaded_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class FileRecord:
    execution_id: str
    name: str
    path: str
    bytes: int
    rows: int
    sha256: str


@dataclass(frozen=True)
class ApplyRecord:
    instance_id: str
    workflow_id: str
    workflow: str
    definition_sha256: str
    applied_at: datetime


@dataclass(frozen=True)
class AudienceRecord:
    id: int
    instance_id: str
    name: str
    segment: str
    rules_sha256: str
    state: str
    audience_execution_id: str | None
    status: str | None
    status_reason: str | None
    audience_count: int | None
    dsp_audience_id: str | None
    time_window_start: str | None
    time_window_end: str | None
    requested_at: datetime
    created_at: datetime | None
    succeeded_at: datetime | None
    usable_in_dsp_at: datetime | None
    retired_at: datetime | None
    deleted_at: datetime | None
    updated_at: datetime


R = TypeVar("R", RunRecord, FileRecord, ApplyRecord, AudienceRecord)

_TIME_FIELDS = {
    "submitted_at", "finished_at", "downloaded_at", "updated_at", "applied_at", "requested_at",
    "created_at", "succeeded_at", "usable_in_dsp_at", "retired_at", "deleted_at",
}  # fmt: skip
_TEXT_FROM_AMC = {"status_reason"}


def _record(cls: type[R], row: sqlite3.Row) -> R:
    values: dict[str, Any] = {}
    for field in fields(cls):
        value = row[field.name]
        if field.name in _TIME_FIELDS:
            value = _from_iso(value)
        elif field.name == "parameters":
            value = json.loads(value)
        values[field.name] = value
    return cls(**values)


def _column_value(name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if name in _TEXT_FROM_AMC and isinstance(value, str):
        return redact_text(value)
    return value


class Ledger:
    """The SQLite ledger of one state folder. Safe for several processes (WAL, immediate transactions)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @classmethod
    def open(cls, state_dir: Path) -> Ledger:
        """The ledger of ``state_dir`` (created if missing)."""
        return cls(state_dir / "ledger.sqlite")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _update(self, table: str, row_id: int, now: datetime, **changes: Any) -> None:
        columns = {name: _column_value(name, value) for name, value in changes.items()}
        columns["updated_at"] = _iso(now)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._write() as db:
            db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*columns.values(), row_id])

    # runs -------------------------------------------------------------------------------------------

    def begin_run(
        self,
        *,
        run_key: str,
        instance_id: str,
        workflow: str,
        workflow_id: str,
        sql_sha256: str,
        time_window_start: str,
        time_window_end: str,
        time_zone: str,
        parameters: Mapping[str, str],
        now: datetime,
    ) -> RunRecord:
        """Write the intent to submit (state ``submitting``) as a new attempt of ``run_key``."""
        with self._write() as db:
            row = db.execute("SELECT MAX(attempt) FROM runs WHERE run_key = ?", [run_key]).fetchone()
            attempt = (row[0] or 0) + 1
            cursor = db.execute(
                "INSERT INTO runs (run_key, attempt, instance_id, workflow, workflow_id, sql_sha256,"
                " time_window_start, time_window_end, time_zone, parameters, state, submitted_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitting', ?, ?)",
                [
                    run_key,
                    attempt,
                    instance_id,
                    workflow,
                    workflow_id,
                    sql_sha256,
                    time_window_start,
                    time_window_end,
                    time_zone,
                    json.dumps(dict(parameters), sort_keys=True),
                    _iso(now),
                    _iso(now),
                ],
            )
            run_id = cursor.lastrowid
        assert run_id is not None
        return self.run(run_id)

    def update_run(self, run_id: int, now: datetime, **changes: Any) -> RunRecord:
        """Record AMC's answer (``execution_id``, ``status``, ``state``, …) for a run."""
        self._update("runs", run_id, now, **changes)
        return self.run(run_id)

    def run(self, run_id: int) -> RunRecord:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", [run_id]).fetchone()
        if row is None:
            raise KeyError(run_id)
        return _record(RunRecord, row)

    def latest_run(self, run_key: str) -> RunRecord | None:
        """The newest attempt for ``run_key``."""
        row = self._db.execute(
            "SELECT * FROM runs WHERE run_key = ? ORDER BY attempt DESC LIMIT 1", [run_key]
        ).fetchone()
        return _record(RunRecord, row) if row else None

    def run_by_execution(self, execution_id: str) -> RunRecord | None:
        row = self._db.execute(
            "SELECT * FROM runs WHERE execution_id = ? ORDER BY id DESC LIMIT 1", [execution_id]
        ).fetchone()
        return _record(RunRecord, row) if row else None

    def runs(
        self,
        *,
        instance_id: str | None = None,
        workflow: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first, optionally filtered."""
        clauses, args = [], []
        for column, value in (("instance_id", instance_id), ("workflow", workflow), ("status", status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        tail = f" LIMIT {int(limit)}" if limit else ""
        rows = self._db.execute(f"SELECT * FROM runs{where} ORDER BY submitted_at DESC, id DESC{tail}", args)
        return [_record(RunRecord, row) for row in rows]

    # files ------------------------------------------------------------------------------------------

    def record_files(self, execution_id: str, files: list[FileRecord]) -> None:
        """Replace the verified files of an execution."""
        with self._write() as db:
            db.execute("DELETE FROM files WHERE execution_id = ?", [execution_id])
            db.executemany(
                "INSERT INTO files (execution_id, name, path, bytes, rows, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                [(execution_id, f.name, f.path, f.bytes, f.rows, f.sha256) for f in files],
            )

    def files(self, execution_id: str) -> list[FileRecord]:
        rows = self._db.execute("SELECT * FROM files WHERE execution_id = ? ORDER BY name", [execution_id])
        return [_record(FileRecord, row) for row in rows]

    # workflow applies -------------------------------------------------------------------------------

    def record_apply(
        self, *, instance_id: str, workflow_id: str, workflow: str, definition_sha256: str, now: datetime
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO applies (instance_id, workflow_id, workflow, definition_sha256, applied_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (instance_id, workflow_id) DO UPDATE SET"
                " workflow = excluded.workflow, definition_sha256 = excluded.definition_sha256,"
                " applied_at = excluded.applied_at",
                [instance_id, workflow_id, workflow, definition_sha256, _iso(now)],
            )

    def last_apply(self, instance_id: str, workflow_id: str) -> ApplyRecord | None:
        row = self._db.execute(
            "SELECT * FROM applies WHERE instance_id = ? AND workflow_id = ?", [instance_id, workflow_id]
        ).fetchone()
        return _record(ApplyRecord, row) if row else None

    # audiences --------------------------------------------------------------------------------------

    def begin_audience(
        self,
        *,
        instance_id: str,
        name: str,
        segment: str,
        rules_sha256: str,
        time_window_start: str,
        time_window_end: str,
        now: datetime,
    ) -> AudienceRecord:
        """Write the intent to create an audience (state ``creating``), or return the existing row."""
        with self._write() as db:
            db.execute(
                "INSERT INTO audiences (instance_id, name, segment, rules_sha256, state, time_window_start,"
                " time_window_end, requested_at, updated_at) VALUES (?, ?, ?, ?, 'creating', ?, ?, ?, ?)"
                " ON CONFLICT (instance_id, name) DO NOTHING",
                [
                    instance_id,
                    name,
                    segment,
                    rules_sha256,
                    time_window_start,
                    time_window_end,
                    _iso(now),
                    _iso(now),
                ],
            )
        found = self.audience_by_name(instance_id, name)
        assert found is not None
        return found

    def update_audience(self, audience_id: int, now: datetime, **changes: Any) -> AudienceRecord:
        self._update("audiences", audience_id, now, **changes)
        row = self._db.execute("SELECT * FROM audiences WHERE id = ?", [audience_id]).fetchone()
        return _record(AudienceRecord, row)

    def audience_by_name(self, instance_id: str, name: str) -> AudienceRecord | None:
        row = self._db.execute(
            "SELECT * FROM audiences WHERE instance_id = ? AND name = ?", [instance_id, name]
        ).fetchone()
        return _record(AudienceRecord, row) if row else None

    def audiences(
        self, *, instance_id: str | None = None, include_deleted: bool = False
    ) -> list[AudienceRecord]:
        """Audiences, newest first."""
        clauses, args = [], []
        if instance_id is not None:
            clauses.append("instance_id = ?")
            args.append(instance_id)
        if not include_deleted:
            clauses.append("deleted_at IS NULL")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT * FROM audiences{where} ORDER BY requested_at DESC, id DESC", args)
        return [_record(AudienceRecord, row) for row in rows]

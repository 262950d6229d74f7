"""The ``Ledger``: reading and writing the records, one committed transaction per write."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from amc_cltv.client.status import AudienceStatus, ExecutionStatus
from amc_cltv.ledger.records import (
    ApplyRecord,
    AudienceRecord,
    AudienceRecordState,
    FileRecord,
    RunRecord,
    RunState,
    from_row,
    iso,
    word,
)
from amc_cltv.ledger.schema import fault, open_database
from amc_cltv.redact import redact_text


def _reason(text: str | None) -> str | None:
    """A status reason from AMC as stored: redacted."""
    return redact_text(text) if text else text


class Ledger:
    """The SQLite ledger of one state folder. Safe for several processes (WAL, immediate transactions)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_database(path)

    @classmethod
    def open(cls, state_dir: Path) -> Ledger:
        """The ledger of ``state_dir`` (created if missing, upgraded if older)."""
        return cls(state_dir / "ledger.sqlite")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise fault(error, self.path) or error from None

    def _set(self, table: str, row_id: int, now: datetime, assignments: str, values: Sequence[Any]) -> None:
        """One UPDATE of fixed ``assignments`` (written in this module, never built from names)."""
        with self._write() as db:
            db.execute(
                f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?", [*values, iso(now), row_id]
            )

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
        return self._insert_run(
            run_key, [instance_id, workflow, workflow_id, sql_sha256, time_window_start, time_window_end,
                      time_zone, json.dumps(dict(parameters), sort_keys=True)],
            state=RunState.SUBMITTING, now=now,
        )  # fmt: skip

    def adopt_run(
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
        execution_id: str,
        status: ExecutionStatus | None,
        submitted_at: datetime,
        now: datetime,
    ) -> RunRecord:
        """Record, as a new attempt of ``run_key`` (state ``submitted``), an execution found on AMC that this
        ledger did not know (a lost or new ledger). ``submitted_at`` is AMC's creation time when known."""
        return self._insert_run(
            run_key, [instance_id, workflow, workflow_id, sql_sha256, time_window_start, time_window_end,
                      time_zone, json.dumps(dict(parameters), sort_keys=True)],
            state=RunState.SUBMITTED, now=now, submitted_at=submitted_at, execution_id=execution_id,
            status=status,
        )  # fmt: skip

    def _insert_run(
        self,
        run_key: str,
        identity: list[str],
        *,
        state: RunState,
        now: datetime,
        submitted_at: datetime | None = None,
        execution_id: str | None = None,
        status: ExecutionStatus | None = None,
    ) -> RunRecord:
        adopted_at = iso(now) if execution_id is not None else None
        with self._write() as db:
            row = db.execute("SELECT MAX(attempt) FROM runs WHERE run_key = ?", [run_key]).fetchone()
            attempt = (row[0] or 0) + 1
            cursor = db.execute(
                "INSERT INTO runs (run_key, attempt, instance_id, workflow, workflow_id, sql_sha256,"
                " time_window_start, time_window_end, time_zone, parameters, state, execution_id, status,"
                " submitted_at, updated_at, adopted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_key, attempt, *identity, state.value, execution_id, word(status),
                 iso(submitted_at or now), iso(now), adopted_at],
            )  # fmt: skip
            run_id = cursor.lastrowid
        assert run_id is not None
        return self.run(run_id)

    def renew_intent(self, run_id: int, now: datetime) -> RunRecord:
        """The intent is sent again: ``submitted_at`` (what reconciling and polling count from) is now."""
        self._set("runs", run_id, now, "submitted_at = ?", [iso(now)])
        return self.run(run_id)

    def record_submitted(
        self,
        run_id: int,
        now: datetime,
        *,
        execution_id: str,
        status: ExecutionStatus | None,
        adopted: bool = False,
    ) -> RunRecord:
        """AMC's id for the run is known (state ``submitted``): returned by the POST, or ``adopted`` from
        AMC's list after an interrupted or ambiguous submit."""
        self._set(
            "runs", run_id, now, "state = ?, execution_id = ?, status = ?, adopted_at = ?",
            [RunState.SUBMITTED.value, execution_id, word(status), iso(now) if adopted else None],
        )  # fmt: skip
        return self.run(run_id)

    def record_status(self, run_id: int, now: datetime, status: ExecutionStatus) -> RunRecord:
        """AMC's latest status of an execution that has not finished."""
        self._set("runs", run_id, now, "status = ?", [word(status)])
        return self.run(run_id)

    def record_finished(
        self,
        run_id: int,
        now: datetime,
        *,
        status: ExecutionStatus,
        status_reason: str | None,
        finished_at: datetime | None = None,
    ) -> RunRecord:
        """AMC reported a final status (state ``finished``); the reason is redacted before it is stored.

        ``finished_at`` is when AMC ended the execution (default ``now``): polling learns durations from it.
        """
        self._set(
            "runs", run_id, now, "state = ?, status = ?, status_reason = ?, finished_at = ?",
            [RunState.FINISHED.value, word(status), _reason(status_reason), iso(finished_at or now)],
        )  # fmt: skip
        return self.run(run_id)

    def record_downloaded(self, run_id: int, now: datetime) -> RunRecord:
        """Every result file of the SUCCEEDED execution is verified on disk (state ``downloaded``)."""
        self._set(
            "runs", run_id, now, "state = ?, status = ?, downloaded_at = ?",
            [RunState.DOWNLOADED.value, word(ExecutionStatus.SUCCEEDED), iso(now)],
        )  # fmt: skip
        return self.run(run_id)

    def abandon_run(self, run_id: int, now: datetime) -> RunRecord:
        """The intent is known never to have reached AMC (state ``abandoned``)."""
        self._set("runs", run_id, now, "state = ?", [RunState.ABANDONED.value])
        return self.run(run_id)

    def run(self, run_id: int) -> RunRecord:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", [run_id]).fetchone()
        if row is None:
            raise KeyError(run_id)
        return from_row(RunRecord, row)

    def latest_run(self, run_key: str) -> RunRecord | None:
        """The newest attempt for ``run_key``."""
        row = self._db.execute(
            "SELECT * FROM runs WHERE run_key = ? ORDER BY attempt DESC LIMIT 1", [run_key]
        ).fetchone()
        return from_row(RunRecord, row) if row else None

    def run_by_execution(self, execution_id: str) -> RunRecord | None:
        row = self._db.execute(
            "SELECT * FROM runs WHERE execution_id = ? ORDER BY id DESC LIMIT 1", [execution_id]
        ).fetchone()
        return from_row(RunRecord, row) if row else None

    def runs(
        self,
        *,
        instance_id: str | None = None,
        workflow: str | None = None,
        status: ExecutionStatus | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first, optionally filtered."""
        clauses, args = [], []
        for column, value in (("instance_id", instance_id), ("workflow", workflow), ("status", word(status))):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        tail = f" LIMIT {int(limit)}" if limit else ""
        rows = self._db.execute(f"SELECT * FROM runs{where} ORDER BY submitted_at DESC, id DESC{tail}", args)
        return [from_row(RunRecord, row) for row in rows]

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
        return [from_row(FileRecord, row) for row in rows]

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
                [instance_id, workflow_id, workflow, definition_sha256, iso(now)],
            )

    def last_apply(self, instance_id: str, workflow_id: str) -> ApplyRecord | None:
        row = self._db.execute(
            "SELECT * FROM applies WHERE instance_id = ? AND workflow_id = ?", [instance_id, workflow_id]
        ).fetchone()
        return from_row(ApplyRecord, row) if row else None

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
        audience_type: str = "RULE_BASED",
        expected_reach: str | None = None,
        refresh_rate_days: int | None = None,
        seed_count: int | None = None,
    ) -> AudienceRecord:
        """Write the intent to create an audience (state ``creating``), or return the existing row."""
        with self._write() as db:
            db.execute(
                "INSERT INTO audiences (instance_id, name, segment, rules_sha256, state, time_window_start,"
                " time_window_end, requested_at, updated_at, audience_type, expected_reach,"
                " refresh_rate_days, seed_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (instance_id, name) DO NOTHING",
                [instance_id, name, segment, rules_sha256, AudienceRecordState.CREATING.value,
                 time_window_start, time_window_end, iso(now), iso(now), audience_type, expected_reach,
                 refresh_rate_days, seed_count],
            )  # fmt: skip
        found = self.audience_by_name(instance_id, name)
        assert found is not None
        return found

    def restart_audience(
        self,
        audience_id: int,
        now: datetime,
        *,
        time_window_start: str,
        time_window_end: str,
        refresh_rate_days: int | None = None,
        seed_count: int | None = None,
    ) -> AudienceRecord:
        """Write the intent anew on the row of a deleted audience (one row per name): everything AMC had
        said about the old one is cleared, state ``creating``."""
        self._set(
            "audiences", audience_id, now,
            "state = ?, requested_at = ?, time_window_start = ?, time_window_end = ?,"
            " audience_execution_id = NULL, status = NULL, status_reason = NULL, audience_count = NULL,"
            " dsp_audience_id = NULL, created_at = NULL, succeeded_at = NULL, usable_in_dsp_at = NULL,"
            " retired_at = NULL, deleted_at = NULL, refresh_rate_days = ?, seed_count = ?",
            [AudienceRecordState.CREATING.value, iso(now), time_window_start, time_window_end,
             refresh_rate_days, seed_count],
        )  # fmt: skip
        return self.audience(audience_id)

    def record_audience_created(
        self,
        audience_id: int,
        now: datetime,
        *,
        audience_execution_id: str,
        status: AudienceStatus | None,
        created_at: datetime,
    ) -> AudienceRecord:
        """AMC's id for the audience is known (state ``created``), from the POST or adopted by name."""
        self._set(
            "audiences", audience_id, now, "state = ?, audience_execution_id = ?, status = ?, created_at = ?",
            [AudienceRecordState.CREATED.value, audience_execution_id, word(status), iso(created_at)],
        )  # fmt: skip
        return self.audience(audience_id)

    def record_audience_status(
        self,
        audience_id: int,
        now: datetime,
        *,
        status: AudienceStatus,
        status_reason: str | None,
        audience_count: int | None = None,
        dsp_audience_id: str | None = None,
        created_at: datetime | None = None,
        succeeded_at: datetime | None = None,
        usable_in_dsp_at: datetime | None = None,
    ) -> AudienceRecord:
        """What AMC says about the audience now. The optional values are written only when given: a
        count, DSP id or time already known is kept when this answer lacks it."""
        self._set(
            "audiences", audience_id, now,
            "status = ?, status_reason = ?, audience_count = COALESCE(?, audience_count),"
            " dsp_audience_id = COALESCE(?, dsp_audience_id), created_at = COALESCE(?, created_at),"
            " succeeded_at = COALESCE(?, succeeded_at), usable_in_dsp_at = COALESCE(?, usable_in_dsp_at)",
            [word(status), _reason(status_reason), audience_count, dsp_audience_id, iso(created_at),
             iso(succeeded_at), iso(usable_in_dsp_at)],
        )  # fmt: skip
        return self.audience(audience_id)

    def record_audience_resubmitted(
        self, audience_id: int, now: datetime, *, status: AudienceStatus
    ) -> AudienceRecord:
        """A FAILED audience was sent again: AMC rebuilds it, so DSP gets it anew after the lag."""
        self._set(
            "audiences", audience_id, now,
            "status = ?, status_reason = NULL, succeeded_at = NULL, usable_in_dsp_at = NULL",
            [word(status)],
        )  # fmt: skip
        return self.audience(audience_id)

    def retire_audience(self, audience_id: int, now: datetime) -> AudienceRecord:
        """A newer audience supersedes this one (state ``retiring``) until it is deleted on AMC."""
        self._set(
            "audiences",
            audience_id,
            now,
            "state = ?, retired_at = ?",
            [AudienceRecordState.RETIRING.value, iso(now)],
        )
        return self.audience(audience_id)

    def unretire_audience(self, audience_id: int, now: datetime) -> AudienceRecord:
        """The rules came back before the newer audience replaced this one: it is current again."""
        self._set(
            "audiences", audience_id, now, "state = ?, retired_at = NULL", [AudienceRecordState.CREATED.value]
        )
        return self.audience(audience_id)

    def delete_audience(self, audience_id: int, now: datetime) -> AudienceRecord:
        """Deleted on AMC, or known never to have reached it (state ``deleted``)."""
        self._set(
            "audiences",
            audience_id,
            now,
            "state = ?, deleted_at = ?",
            [AudienceRecordState.DELETED.value, iso(now)],
        )
        return self.audience(audience_id)

    def audience(self, audience_id: int) -> AudienceRecord:
        row = self._db.execute("SELECT * FROM audiences WHERE id = ?", [audience_id]).fetchone()
        if row is None:
            raise KeyError(audience_id)
        return from_row(AudienceRecord, row)

    def audience_by_name(self, instance_id: str, name: str) -> AudienceRecord | None:
        row = self._db.execute(
            "SELECT * FROM audiences WHERE instance_id = ? AND name = ?", [instance_id, name]
        ).fetchone()
        return from_row(AudienceRecord, row) if row else None

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
        return [from_row(AudienceRecord, row) for row in rows]

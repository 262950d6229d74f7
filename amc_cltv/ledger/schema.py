"""The ledger's SQLite file: opened, checked, upgraded, and moved aside when it is unreadable.

The schema carries a version (``PRAGMA user_version``) that is read on every open. Release 0.1.0 wrote
version 1; each later change is one numbered migration, applied in order inside an immediate transaction, so
that several processes opening an old file at once upgrade it exactly once. A file written by a newer
release is refused rather than guessed at.

A file that is not a SQLite database, or whose pages are damaged, is a cache that can be rebuilt: it is
renamed aside (kept, for a person to look at), and a new ledger is started; the next run adopts its
executions from AMC instead of submitting them again (docs/ledger.md).
Any other failure to open or write the file (permissions, a full disk, a folder where the file should be)
is a LocalFault naming the path and the reason.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC
from pathlib import Path

from amc_cltv import clock
from amc_cltv.errors import LocalFault, NeedsHuman, local_fault
from amc_cltv.log import get_logger
from amc_cltv.private import open_private, private_dir

log = get_logger("amc_cltv.ledger")

# The schema exactly as release 0.1.0 created it (version 1). Never edited: later changes are migrations.
_VERSION_1: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY, run_key TEXT NOT NULL, attempt INTEGER NOT NULL, instance_id TEXT NOT NULL,
        workflow TEXT NOT NULL, workflow_id TEXT NOT NULL, sql_sha256 TEXT NOT NULL,
        time_window_start TEXT NOT NULL, time_window_end TEXT NOT NULL, time_zone TEXT NOT NULL,
        parameters TEXT NOT NULL, state TEXT NOT NULL, execution_id TEXT, status TEXT, status_reason TEXT,
        submitted_at TEXT NOT NULL, finished_at TEXT, downloaded_at TEXT, updated_at TEXT NOT NULL,
        UNIQUE (run_key, attempt))""",
    "CREATE INDEX IF NOT EXISTS runs_execution ON runs (execution_id)",
    "CREATE INDEX IF NOT EXISTS runs_workflow ON runs (instance_id, workflow)",
    """CREATE TABLE IF NOT EXISTS files (
        execution_id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, bytes INTEGER NOT NULL,
        rows INTEGER NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (execution_id, name))""",
    """CREATE TABLE IF NOT EXISTS applies (
        instance_id TEXT NOT NULL, workflow_id TEXT NOT NULL, workflow TEXT NOT NULL,
        definition_sha256 TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (instance_id, workflow_id))""",
    """CREATE TABLE IF NOT EXISTS audiences (
        id INTEGER PRIMARY KEY, instance_id TEXT NOT NULL, name TEXT NOT NULL, segment TEXT NOT NULL,
        rules_sha256 TEXT NOT NULL, state TEXT NOT NULL, audience_execution_id TEXT, status TEXT,
        status_reason TEXT, audience_count INTEGER, dsp_audience_id TEXT, time_window_start TEXT,
        time_window_end TEXT, requested_at TEXT NOT NULL, created_at TEXT, succeeded_at TEXT,
        usable_in_dsp_at TEXT, retired_at TEXT, deleted_at TEXT, updated_at TEXT NOT NULL,
        UNIQUE (instance_id, name))""",
)

# MIGRATIONS[n] takes a version n-1 file to version n.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # When a run was adopted from AMC's list of executions instead of submitted from this ledger.
    2: ("ALTER TABLE runs ADD COLUMN adopted_at TEXT",),
    # What kind of audience a row is (AMC's audienceType: RULE_BASED, LOOKALIKE), a lookalike's expected
    # reach, the refreshRateDays it was sent with, and the report's count of its segment when requested.
    3: (
        "ALTER TABLE audiences ADD COLUMN audience_type TEXT NOT NULL DEFAULT 'RULE_BASED'",
        "ALTER TABLE audiences ADD COLUMN expected_reach TEXT",
        "ALTER TABLE audiences ADD COLUMN refresh_rate_days INTEGER",
        "ALTER TABLE audiences ADD COLUMN seed_count INTEGER",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)

_REBUILDABLE = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}
_LOCAL = {
    sqlite3.SQLITE_CANTOPEN: "cannot open",
    sqlite3.SQLITE_READONLY: "read-only",
    sqlite3.SQLITE_PERM: "permission denied",
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_IOERR: "disk I/O error",
    sqlite3.SQLITE_AUTH: "access denied",
}


def fault(error: sqlite3.Error, path: Path) -> LocalFault | None:
    """The LocalFault an SQLite error stands for (permissions, full disk, I/O), or None."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary not in _LOCAL:
        return None
    return LocalFault(
        f"cannot use the ledger {path}: {error} ({_LOCAL[primary]}); fix the path or the disk, "
        "then run the same command again",
        path=str(path),
    )


def open_database(path: Path) -> sqlite3.Connection:
    """The upgraded ledger at ``path``, created if missing, moved aside and restarted if unreadable.

    Raises LocalFault when the file or its folder cannot be used, NeedsHuman for a file
    written by a newer release.
    """
    try:
        private_dir(path.parent)
    except OSError as error:
        raise local_fault(error, "create the state folder", path.parent) from None
    try:
        return _open(path)
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) not in _REBUILDABLE:
            raise fault(error, path) or error from None
        kept = _move_aside(path)
        log.warning(
            "ledger_moved_aside",
            ledger=str(path),
            kept_as=str(kept),
            reason=str(error),
            message=f"the ledger {path} was unreadable ({error}); kept as {kept}, a new one is started and "
            "runs are adopted from AMC",
        )
    try:
        return _open(path)
    except sqlite3.DatabaseError as error:
        raise fault(error, path) or error from None


def _create_private(path: Path) -> None:
    # Created 0600 before SQLite opens it: SQLite gives its WAL and shared-memory files the same mode.
    try:
        if not path.exists():
            os.close(open_private(path, os.O_WRONLY | os.O_CREAT))
    except OSError as error:
        raise local_fault(error, "create the ledger", path) from None


def _open(path: Path) -> sqlite3.Connection:
    _create_private(path)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        check = db.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            error = sqlite3.DatabaseError(f"damaged pages: {check[0] if check else 'no answer'}")
            error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
            raise error
        _upgrade(db, path)
    except BaseException:
        db.close()
        raise
    return db


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _upgrade(db: sqlite3.Connection, path: Path) -> None:
    """Bring the file to SCHEMA_VERSION, one numbered step at a time, each its own transaction."""
    found = first = _version(db)
    if found > SCHEMA_VERSION:
        raise NeedsHuman(
            f"the ledger {path} has schema version {found}, newer than this release reads "
            f"({SCHEMA_VERSION}): upgrade amc-cltv, or point [paths] state_dir at another folder"
        )
    while found < SCHEMA_VERSION:
        steps: tuple[str, ...]
        db.execute("BEGIN IMMEDIATE")
        try:
            found = _version(db)  # another process may have upgraded it meanwhile
            if found == 0:
                steps, target = _VERSION_1, 1
            elif found < SCHEMA_VERSION:
                steps, target = MIGRATIONS[found + 1], found + 1
            else:
                steps, target = (), found
            for statement in steps:
                db.execute(statement)
            db.execute(f"PRAGMA user_version={int(target)}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        if steps and first > 0:  # a new file is created, not upgraded
            log.info("ledger_upgraded", ledger=str(path), schema_version=target)
        found = target


def _free_name(path: Path, stamp: str) -> Path:
    """``<name>.corrupt-<stamp>``, or ``…-2``, ``…-3`` when an earlier corruption of the same second holds
    it (or one of its companions): a file kept for a person is never overwritten."""
    number = 1
    while True:
        kept = path.with_name(f"{path.name}.corrupt-{stamp}" + (f"-{number}" if number > 1 else ""))
        if not any(Path(f"{kept}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
            return kept
        number += 1


def _move_aside(path: Path) -> Path:
    """Rename the unreadable file (and its WAL companions) to ``<name>.corrupt-<UTC time>`` (a free name,
    see ``_free_name``); return it."""
    kept = _free_name(path, clock.current().now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        try:
            source.rename(Path(f"{kept}{suffix}"))
        except FileNotFoundError:  # no companion file, or another process moved it first
            continue
        except OSError as error:
            raise local_fault(error, "move the unreadable ledger aside", source) from None
    return kept

"""The sandbox's persistent state: one SQLite file of JSON documents, shared safely by several processes.

Each CLI invocation is a new process, so workflows, executions, schedules, audiences, issued tokens, the
clock offset, the settings and the fault scripts all live here (WAL mode, ``BEGIN IMMEDIATE`` writes).

Within one process (``sandbox serve`` answers each connection on a thread of its own), writers queue on a
lock of the file before they ask SQLite: under hundreds of simultaneous submits, SQLite's own busy handler
polls with growing sleeps and lets some writers lose the race until their timeout ("database is locked");
a lock hands the file over in turn. Other processes still meet SQLite's busy timeout.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    doc  TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS records_seq ON records (kind, seq);
"""
# Kinds whose changes can make lifecycle work due; each write to them bumps the store's generation.
_WATCHED = frozenset({"execution", "audience", "setting"})
_BUMP = (
    "INSERT INTO records (kind, id, seq, doc) VALUES ('_meta', 'generation', 0, '1') "
    "ON CONFLICT (kind, id) DO UPDATE SET doc = CAST(doc AS INTEGER) + 1"
)


_WRITERS: dict[Path, threading.RLock] = {}  # one per database file: its writers in this process, in turn
_WRITERS_LOCK = threading.Lock()


def _writer_lock(path: Path) -> threading.RLock:
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(path.resolve(), threading.RLock())


class Store:
    """Documents by (kind, id), kept in insertion order; ``transaction()`` serialises writers."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._busy_timeout_s = busy_timeout_s
        self._writers = _writer_lock(path)
        self._local = threading.local()
        with self._writers, self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        timeout = self._busy_timeout_s
        con = sqlite3.connect(self._path, timeout=timeout, isolation_level=None, check_same_thread=False)
        con.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # WAL with NORMAL sync cannot corrupt the file; a power cut may lose the last writes, which an
        # emulator can afford, and it saves an fsync per request.
        con.execute("PRAGMA synchronous=NORMAL")
        return con

    @property
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            self._local.con = con
        return con

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """A write transaction (``BEGIN IMMEDIATE``); nested uses join the outer one."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield self
            finally:
                self._local.depth = depth
            return
        with self._writers:
            self._con.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                yield self
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            else:
                self._con.execute("COMMIT")
            finally:
                self._local.depth = 0

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._con.execute("SELECT doc FROM records WHERE kind = ? AND id = ?", (kind, key)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        """Insert or replace a document; a replaced document keeps its place in the order."""
        with self.transaction():
            con = self._con
            row = con.execute("SELECT seq FROM records WHERE kind = ? AND id = ?", (kind, key)).fetchone()
            if row is None:
                top = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM records WHERE kind = ?", (kind,))
                seq = int(top.fetchone()[0])
            else:
                seq = int(row[0])
            self._con.execute(
                "INSERT OR REPLACE INTO records (kind, id, seq, doc) VALUES (?, ?, ?, ?)",
                (kind, key, seq, json.dumps(doc, sort_keys=True)),
            )
            if kind in _WATCHED:
                con.execute(_BUMP)

    def delete(self, kind: str, key: str) -> bool:
        with self.transaction():
            cursor = self._con.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, key))
            if kind in _WATCHED:
                self._con.execute(_BUMP)
            return cursor.rowcount > 0

    def generation(self) -> int:
        """A number that grows with every change to executions, audiences or settings, by any process."""
        row = self._con.execute(
            "SELECT doc FROM records WHERE kind = '_meta' AND id = 'generation'"
        ).fetchone()
        return 0 if row is None else int(row[0])

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every document of a kind, oldest first."""
        rows = self._con.execute("SELECT doc FROM records WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def since(self, kind: str, seq: int) -> list[tuple[int, dict[str, Any]]]:
        """The documents of a kind first inserted after position ``seq``, with their positions."""
        query = "SELECT seq, doc FROM records WHERE kind = ? AND seq > ? ORDER BY seq"
        return [(int(row[0]), dict(json.loads(row[1]))) for row in self._con.execute(query, (kind, seq))]

    def clear(self) -> None:
        with self.transaction():
            self._con.execute("DELETE FROM records WHERE kind != '_meta'")
            self._con.execute(_BUMP)

    def setting(self, key: str, default: Any = None) -> Any:
        doc = self.get("setting", key)
        return default if doc is None else doc["value"]

    def set_setting(self, key: str, value: Any) -> None:
        self.put("setting", key, {"value": value})

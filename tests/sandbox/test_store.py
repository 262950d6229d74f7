"""The sandbox's store under many writers at once: ``sandbox serve`` answers each connection on a thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from amc_cltv.sandbox.store import Store

THREADS = 16
WRITES = 60


def test_many_threads_writing_at_once_all_get_through(tmp_path: Path) -> None:
    """Writers of one process take turns on the file instead of racing SQLite's busy handler: even with a
    busy timeout of a millisecond, no write fails with "database is locked" and none is lost."""
    path = tmp_path / "sandbox.sqlite"
    Store(path)

    def write(thread: int) -> None:
        store = Store(path, busy_timeout_s=0.001)  # a store per request thread, as the server has
        for number in range(WRITES):
            with store.transaction():
                store.put("execution", f"{thread}-{number}", {"status": "PENDING", "n": number})

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(write, range(THREADS)))
    assert len(Store(path).all("execution")) == THREADS * WRITES

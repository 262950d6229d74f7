"""Customer data and state are private: files 0600, folders the tool creates 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amc_cltv.ledger import Ledger
from amc_cltv.locks import workflow_lock
from amc_cltv.private import private_dir


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The usual 022 (files 0644, folders 0755 by default)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_ledger_and_its_wal_are_private(tmp_path: Path) -> None:
    state = tmp_path / "a" / "state"
    with Ledger.open(state) as ledger:
        ledger.begin_run(
            run_key="k",
            instance_id="amc1",
            workflow="segmentation",
            workflow_id="w",
            sql_sha256="0" * 64,
            time_window_start="2026-01-01T00:00:00+00:00",
            time_window_end="2026-02-01T00:00:00+00:00",
            time_zone="UTC",
            parameters={},
            now=datetime(2026, 2, 1, tzinfo=UTC),
        )
        files = [p for p in state.iterdir() if p.name.startswith("ledger.sqlite")]
        assert {p.name for p in files} >= {"ledger.sqlite", "ledger.sqlite-wal"}
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(state) == 0o700 and mode(state.parent) == 0o700


def test_lock_files_are_private(tmp_path: Path) -> None:
    with workflow_lock(tmp_path / "state", "amc1", "segmentation"):
        locks = tmp_path / "state" / "locks"
        assert mode(locks) == 0o700
        assert {p.name: mode(p) for p in locks.iterdir()} == {p.name: 0o600 for p in locks.iterdir()}


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    """The tool does not change a folder it did not create (a user's results folder)."""
    existing = tmp_path / "mine"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    private_dir(existing / "a" / "b")
    assert mode(existing) == 0o755
    assert mode(existing / "a") == 0o700 and mode(existing / "a" / "b") == 0o700

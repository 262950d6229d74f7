"""``kill -9`` of a real ``amc-cltv audience activate`` after AMC created the audience but before the ledger
recorded its id: the next run adopts that audience and creates no second one."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.audience.sandbox_fixtures import Workspace
from tests.processes import kill_9, wait_until

pytestmark = [pytest.mark.crash, pytest.mark.e2e]


def _audience_rows(ledger: Path) -> list[tuple[str, str | None]]:
    if not ledger.exists():
        return []
    with sqlite3.connect(ledger, timeout=30) as db:
        try:
            return db.execute("SELECT state, audience_execution_id FROM audiences").fetchall()
        except sqlite3.OperationalError:  # the schema is not there yet
            return []


def kill_once_amc_has_it(
    workspace: Workspace,
    arguments: list[str],
    *,
    intent: Callable[[list[tuple[str, str | None]]], bool],
    audiences_on_amc: int,
) -> None:
    """Run ``amc-cltv ARGUMENTS`` as a real process until its ledger shows ``intent``; then hold the
    ledger's write lock (so the process cannot record what AMC answers), wait until AMC holds
    ``audiences_on_amc`` audiences, and ``kill -9`` it there."""
    ledger = workspace.folder / ".amc-cltv" / "ledger.sqlite"
    log = (workspace.folder / "first-run.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", "--log-format", "json", *arguments],
        cwd=workspace.folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    blocker: sqlite3.Connection | None = None
    try:
        wait_until(lambda: intent(_audience_rows(ledger)), process, "the audience intent")
        blocker = sqlite3.connect(ledger, timeout=30, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the process's update of the row now waits on this lock
        wait_until(
            lambda: len(workspace.amc_audiences()) == audiences_on_amc, process, "AMC to create the audience"
        )
        assert process.poll() is None
        kill_9(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if blocker is not None:
            blocker.execute("ROLLBACK")
            blocker.close()
        log.close()


def test_kill_between_post_and_ledger_update_creates_no_second_audience(workspace: Workspace) -> None:
    """The POST is held in the sandbox (latency) so the test can hold the ledger's write lock: AMC then
    creates the audience and answers, but the process cannot record the id. It is killed there. The next
    run lists AMC's audiences, adopts the one created since its intent, and never posts again."""
    ledger = workspace.folder / ".amc-cltv" / "ledger.sqlite"
    workspace.sandbox.faults.script(
        [{"kind": "latency", "seconds": 3, "match": "^POST /amc/audiences/query$", "times": 1}]
    )
    kill_once_amc_has_it(
        workspace,
        ["audience", "activate"],
        intent=lambda rows: rows == [("creating", None)],
        audiences_on_amc=1,
    )
    assert _audience_rows(ledger) == [("creating", None)]  # AMC has it; the ledger does not know its id

    (created,) = workspace.amc_audiences()
    code, rerun = workspace.cli_json("audience", "activate")
    assert code == 0, rerun
    assert rerun["action"] == "reused" and rerun["status"] == "SUCCEEDED"
    assert rerun["audience_execution_id"] == created.audience_execution_id
    (only,) = workspace.amc_audiences()
    assert only.audience_execution_id == created.audience_execution_id
    assert _audience_rows(ledger) == [("created", created.audience_execution_id)]

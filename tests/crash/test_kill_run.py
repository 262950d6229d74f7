"""``kill -9`` a real ``amc-cltv run`` at each step; the next run finishes: one execution, intact files.

Each test starts ``python -m amc_cltv run`` on the embedded sandbox of a working folder, makes it stop at a
step deterministically (a sandbox latency fault on that step's request, or a write lock held on the ledger
so the process cannot record what AMC answered), kills it with SIGKILL, and runs the same command again.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Sandbox
from tests.e2e.test_run import EXECUTION_POST, RUN, assert_intact
from tests.processes import kill_9, wait_until

pytestmark = pytest.mark.crash


@contextmanager
def amc_cltv_process(cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``amc-cltv run --workflow segmentation`` as a real process in ``cwd`` (killed on the way out)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", "--log-format", "json", *RUN, "--json"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def ledger_runs(state_dir: Path) -> list[sqlite3.Row]:
    path = state_dir / "ledger.sqlite"
    if not path.exists():
        return []
    connection = sqlite3.connect(path, timeout=30)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM runs ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return []
    finally:
        connection.close()


def has_run_in_state(state_dir: Path, state: str) -> Callable[[], bool]:
    return lambda: any(row["state"] == state for row in ledger_runs(state_dir))


def finish_and_check(sandbox: Sandbox) -> None:
    """The next invocation exits 0 with exactly one execution on AMC, one ledger run, intact files."""
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    executions = sandbox.executions()
    assert len(executions) == 1
    assert result.json["execution_id"] == executions[0]["workflowExecutionId"]
    runs = ledger_runs(sandbox.state_dir)
    assert [(r["attempt"], r["state"], r["execution_id"]) for r in runs] == [
        (1, "downloaded", result.json["execution_id"])
    ]
    folder = sandbox.cwd / "results" / "amcsandbox01" / "segmentation" / result.json["execution_id"]
    assert assert_intact(folder) == result.json["rows"] == 4


def test_killed_before_the_execution_post(sandbox: Sandbox) -> None:
    """Intent written, POST not yet handled: the rerun finds nothing on AMC (twice) and submits once."""
    sandbox.faults({"kind": "latency", "seconds": 120, "match": EXECUTION_POST, "times": 1})
    with amc_cltv_process(sandbox.cwd) as process:
        wait_until(has_run_in_state(sandbox.state_dir, "submitting"), process, "the write-ahead intent")
        wait_until(lambda: sandbox.app.faults.active() == [], process, "the POST reaching AMC")
        kill_9(process)
    assert sandbox.executions() == []
    finish_and_check(sandbox)
    assert 30.0 in sandbox.clock.sleeps  # the second look at AMC's list, 30 s after the first


def test_killed_after_the_post_before_the_ledger_records_the_id(sandbox: Sandbox) -> None:
    """AMC created the execution but the id never reached the ledger: the rerun adopts it, no second POST."""
    sandbox.faults({"kind": "latency", "seconds": 1.5, "match": EXECUTION_POST, "times": 1})
    with amc_cltv_process(sandbox.cwd) as process:
        wait_until(has_run_in_state(sandbox.state_dir, "submitting"), process, "the write-ahead intent")
        blocker = sqlite3.connect(sandbox.state_dir / "ledger.sqlite", timeout=30, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the process cannot record AMC's answer past this point
        try:
            wait_until(lambda: len(sandbox.executions()) == 1, process, "AMC accepting the execution")
            kill_9(process)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
    assert [r["execution_id"] for r in ledger_runs(sandbox.state_dir)] == [None]
    finish_and_check(sandbox)


def test_killed_while_polling(sandbox: Sandbox) -> None:
    """Killed while the execution runs: the rerun reattaches to the same execution and finishes it."""
    sandbox.app.configure(run_s=300)
    with amc_cltv_process(sandbox.cwd) as process:
        wait_until(has_run_in_state(sandbox.state_dir, "submitted"), process, "the execution being polled")
        kill_9(process)
    assert len(sandbox.executions()) == 1
    finish_and_check(sandbox)


def test_killed_mid_download(sandbox: Sandbox) -> None:
    """Killed after part-1 is stored, before part-2 arrives: no partial file, no manifest; rerun completes."""
    sandbox.app.configure(max_rows_per_file=2)
    sandbox.faults({"kind": "latency", "seconds": 120, "match": r"^GET /s3/.*/part-2\.csv$", "times": 1})
    results = sandbox.cwd / "results" / "amcsandbox01" / "segmentation"
    with amc_cltv_process(sandbox.cwd) as process:
        wait_until(lambda: any(results.glob("*/part-1.csv")), process, "the first result file")
        wait_until(lambda: sandbox.app.faults.active() == [], process, "the request for part-2")
        kill_9(process)
    (folder,) = list(results.iterdir())
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["part-1.csv"]
    assert not (folder / "manifest.json").exists()
    finish_and_check(sandbox)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "part-1.csv", "part-2.csv"]

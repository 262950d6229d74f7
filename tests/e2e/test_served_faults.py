"""Local faults and signals, end to end over a real ``sandbox serve`` process on loopback.

Each test ends the same way: exactly one execution on the sandbox, and the result files intact under
their final names (no ``.partial`` left behind). The machine's own faults are exit 7, never 5.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.crash.test_kill_run import has_run_in_state
from tests.e2e.conftest import ROOT, Sandbox
from tests.e2e.test_run import RUN, assert_intact
from tests.processes import wait_until
from tests.stderr import failure

pytestmark = pytest.mark.e2e

# A signalled run stops within this long (it is a bound on promptness, not a duration the test waits out).
PROMPT_S = 10.0


def results(sandbox: Sandbox) -> Path:
    return sandbox.cwd / "results" / "amcsandbox01" / "segmentation"


def finish_with_one_execution(sandbox: Sandbox, execution_id: str | None = None) -> dict:  # type: ignore[type-arg]
    """The same command, run again, finishes on the one execution AMC has, with intact files."""
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    (only,) = sandbox.executions()
    assert result.json["execution_id"] == only["workflowExecutionId"]
    if execution_id is not None:
        assert result.json["execution_id"] == execution_id
    assert assert_intact(results(sandbox) / result.json["execution_id"]) == result.json["rows"] == 4
    return result.json


@contextmanager
def cli_process(sandbox: Sandbox) -> Iterator[subprocess.Popen[str]]:
    """``amc-cltv run --json`` as its own process against the served sandbox (killed on the way out)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", *sandbox.config_args, "--log-format", "json", *RUN, "--json"],
        cwd=sandbox.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def stop(process: subprocess.Popen[str], number: int) -> tuple[dict, str]:  # type: ignore[type-arg]
    """Send ``number``; the process must end within PROMPT_S with 128 + number, its JSON and its line."""
    sent = time.monotonic()
    process.send_signal(number)
    out, err = process.communicate(timeout=PROMPT_S)
    assert time.monotonic() - sent < PROMPT_S
    assert process.returncode == 128 + number, err
    assert "interrupted; run the same command again to resume" in err and "Traceback" not in err
    (line,) = out.splitlines()  # one JSON object, nothing else on stdout
    return json.loads(line), err


def test_state_dir_deleted_after_success_adopts_from_amc(served: Sandbox) -> None:
    first = served.cli(*RUN, "--json").json
    shutil.rmtree(served.state_dir)
    again = finish_with_one_execution(served, first["execution_id"])
    assert again["reused"] is True


def test_state_dir_deleted_mid_run_reattaches(served: Sandbox) -> None:
    served.app.configure(run_s=3600)  # still running at the one look, however slow the machine
    started = served.cli(*RUN, "--no-wait", "--json")
    assert started.code == 4
    shutil.rmtree(served.state_dir)
    served.app.configure(run_s=1)
    finish_with_one_execution(served, started.json["execution_id"])


def test_ledger_overwritten_with_garbage_is_moved_aside(served: Sandbox) -> None:
    first = served.cli(*RUN, "--json").json
    for companion in served.state_dir.glob("ledger.sqlite-*"):
        companion.unlink()
    (served.state_dir / "ledger.sqlite").write_bytes(os.urandom(20_000))
    finish_with_one_execution(served, first["execution_id"])
    assert len(list(served.state_dir.glob("ledger.sqlite.corrupt-*"))) == 1


def test_output_dir_blocked_by_a_file_is_exit_7_then_the_fix_reuses_amcs_result(served: Sandbox) -> None:
    blocker = served.cwd / "results"
    blocker.write_text("not a folder")
    blocked = served.cli(*RUN, "--json")
    assert blocked.code == 7, blocked.stderr
    assert f"{blocker} is a file, not a folder" in blocked.json["error"]
    assert blocked.json["exit_code"] == 7 and blocked.json["execution_id"]
    assert failure(blocked.stderr).startswith("cannot write the results")
    blocker.unlink()
    finish_with_one_execution(served, blocked.json["execution_id"])


def test_a_window_inside_the_data_lag_is_exit_2_and_sends_nothing(served: Sandbox) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    result = served.cli(*RUN, "--window-end", yesterday, "--json")
    assert result.code == 2
    latest = (datetime.now(UTC) - timedelta(hours=48)).date().isoformat()
    assert f"the latest allowed end is {latest}" in result.json["error"]
    assert served.executions() == []


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_polling_stops_at_once_and_the_rerun_resumes(served: Sandbox, number: int) -> None:
    served.app.configure(run_s=3600)
    with cli_process(served) as process:
        wait_until(has_run_in_state(served.state_dir, "submitted"), process, "the execution being polled")
        payload, _ = stop(process, number)
    (only,) = served.executions()
    assert payload["execution_id"] == only["workflowExecutionId"]
    assert payload["exit_code"] == 128 + number and payload["status"] in ("PENDING", "RUNNING")
    served.app.configure(run_s=1)
    finish_with_one_execution(served, payload["execution_id"])


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_download_leaves_nothing_partial(served: Sandbox, number: int) -> None:
    served.app.configure(max_rows_per_file=2)
    served.faults({"kind": "latency", "seconds": 120, "match": r"^GET /s3/.*/part-2\.csv$", "times": 1})
    with cli_process(served) as process:
        wait_until(lambda: any(results(served).glob("*/part-1.csv")), process, "the first result file")
        wait_until(lambda: served.app.faults.active() == [], process, "the request for part-2")
        payload, _ = stop(process, number)
    assert payload["exit_code"] == 128 + number and payload["execution_id"]
    (folder,) = list(results(served).iterdir())
    assert sorted(p.name for p in folder.iterdir()) == ["part-1.csv"]  # no .partial, no manifest
    finish_with_one_execution(served, payload["execution_id"])

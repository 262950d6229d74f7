"""The per-(instance, workflow) lock: refused at once while held, taken over when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from amc_cltv.errors import LockHeld
from amc_cltv.locks import workflow_lock

HOLD = (
    "import sys, time; from pathlib import Path; from amc_cltv.locks import workflow_lock\n"
    "with workflow_lock(Path(sys.argv[1]), 'amc1', 'segmentation'):\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.readline()\n"
)


def start_holder(state_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_live_holder_makes_a_second_invocation_fail_at_once_naming_its_pid(tmp_path: Path) -> None:
    holder = start_holder(tmp_path)
    try:
        with pytest.raises(LockHeld) as caught, workflow_lock(tmp_path, "amc1", "segmentation"):
            pass
        assert f"pid {holder.pid}" in str(caught.value)
        with workflow_lock(tmp_path, "amc1", "cltv"):  # another workflow is independent
            pass
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    holder = start_holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with workflow_lock(tmp_path, "amc1", "segmentation"):
        holder_file = next((tmp_path / "locks").glob("*.holder"))
        assert f'"pid": {os.getpid()}' in holder_file.read_text()


def test_the_lock_is_released_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), workflow_lock(tmp_path, "amc1", "segmentation"):
        raise RuntimeError("boom")
    with workflow_lock(tmp_path, "amc1", "segmentation"):
        pass

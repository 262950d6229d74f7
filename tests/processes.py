"""Waiting on and killing the real amc-cltv processes that crash tests start."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

# A wait for another process's step gives up after this long (it is an event, not a duration to pass).
EVENT_TIMEOUT_S = 60.0


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    """Poll until ``condition`` holds: the process has reached a step where the test's fault holds it."""
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while not condition():
        assert process.poll() is None, f"the process ended (exit {process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def kill_9(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and check that is how it ended."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

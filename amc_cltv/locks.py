"""One lock per (instance, workflow): a second invocation exits 6 at once, naming the holder.

The lock is an OS file lock (filelock), so it dies with its holder: a killed process's lock is taken over by
the next invocation without any stale-lock heuristics. Who holds it is written beside it for the message.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from amc_cltv.errors import LockHeld
from amc_cltv.private import FILE_MODE, open_private, private_dir


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def lock_path(state_dir: Path, instance_id: str, workflow: str) -> Path:
    return state_dir / "locks" / f"{_safe(instance_id)}.{_safe(workflow)}.lock"


def _describe_holder(holder_file: Path) -> str:
    try:
        holder = json.loads(holder_file.read_text())
    except (OSError, ValueError):
        return "another invocation"
    return f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('since')}"


@contextmanager
def workflow_lock(state_dir: Path, instance_id: str, workflow: str) -> Iterator[None]:
    """Hold the lock for (instance, workflow) for the duration of the block.

    Raises LockHeld at once when a live process holds it.
    """
    path = lock_path(state_dir, instance_id, workflow)
    private_dir(path.parent)
    holder_file = path.with_suffix(".holder")
    lock = FileLock(str(path), timeout=0, mode=FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(
            f"another amc-cltv holds the lock for instance {instance_id} and workflow {workflow} "
            f"({_describe_holder(holder_file)}); it will be released when that run ends"
        ) from None
    try:
        with open(open_private(holder_file), "w") as handle:
            handle.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "since": datetime.now(UTC).isoformat(timespec="seconds"),
                    }
                )
            )
        yield
    finally:
        lock.release()

"""Run a module as ``__main__`` in this process and, when it exits, write its own peak RSS (kB) to a file.

``python -m bench.measured OUT MODULE ARGS...``. The peak is ``VmHWM`` from ``/proc/self/status``, which
starts afresh at ``exec``; ``wait4``'s ``ru_maxrss`` would also count the parent's memory at ``fork``.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def peak_rss_kib() -> int:
    """This process's peak resident set size so far, in KiB (0 where /proc is not there)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _write_peak(out: str) -> None:
    Path(out).write_text(str(peak_rss_kib()))


if __name__ == "__main__":
    out, module, *args = sys.argv[1:]
    atexit.register(_write_peak, out)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)

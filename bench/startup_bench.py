"""Start-up benchmark: ``amc-cltv --help`` and every subcommand's ``--help`` against ``import httpx``.

Each command runs in a fresh process of the same virtual environment, in rounds: every round runs the
baseline (``python -c 'import httpx'``) and every command once, in a shuffled order, so that a busy moment
of the machine weighs on all of them alike. The figures are medians over the rounds, and each ratio divides
a command's median by the baseline's median from the same run. Target: every ratio at most 2.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import typer

SECTION = "startup"
TARGET_RATIO = 2.0
ROUNDS, QUICK_ROUNDS = 11, 3
BASELINE = "python -c 'import httpx'"


class Timing(NamedTuple):
    wall: float
    cpu: float


def amc_cltv_script() -> str:
    """The installed console script beside this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("amc-cltv")
    if not script.exists():
        raise SystemExit(f"{script} is missing: run `make install` first")
    return str(script)


def command_paths() -> list[list[str]]:
    """Every command and group of the CLI, as argument lists (``[]`` is the top level)."""
    from amc_cltv.cli import app

    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        subcommands = getattr(command, "commands", {})  # a group
        for name in sorted(subcommands):
            walk(subcommands[name], [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def time_once(argv: list[str]) -> tuple[float, float]:
    """(wall-clock, CPU user + system) seconds of one run of ``argv``."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(rounds: int) -> tuple[Timing, dict[str, Timing]]:
    """(baseline, {command line: timing}): medians over the rounds, in seconds."""
    script = amc_cltv_script()
    paths = command_paths()
    commands = {" ".join(["amc-cltv", *path, "--help"]): [script, *path, "--help"] for path in paths}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in [BASELINE, *commands]}
    argv = {BASELINE: [sys.executable, "-c", "import httpx"], **commands}
    draw = random.Random(7)
    for name in argv:  # one warm-up run each: the first start of a process reads files from disk
        time_once(argv[name])
    for _ in range(rounds):
        order = list(argv)
        draw.shuffle(order)
        for name in order:
            runs[name].append(time_once(argv[name]))
    medians = {
        name: Timing(statistics.median(w for w, _ in times), statistics.median(c for _, c in times))
        for name, times in runs.items()
    }
    return medians.pop(BASELINE), medians


def report(rounds: int, baseline: Timing, medians: dict[str, Timing], load: tuple[float, float]) -> str:
    rows = "\n".join(
        f"| `{name}` | {t.wall * 1000:.0f} | {t.wall / baseline.wall:.2f} | {t.cpu * 1000:.0f} "
        f"| {t.cpu / baseline.cpu:.2f} |"
        for name, t in medians.items()
    )
    worst_wall = max(medians, key=lambda name: medians[name].wall)
    worst_cpu = max(medians, key=lambda name: medians[name].cpu)
    wall_ratio = medians[worst_wall].wall / baseline.wall
    cpu_ratio = medians[worst_cpu].cpu / baseline.cpu
    verdict = "met" if max(wall_ratio, cpu_ratio) <= TARGET_RATIO else "NOT met"
    return f"""## CLI start-up (`--help` of every command)

`python -m bench startup`: {len(medians)} commands, each in a fresh process of the same virtual
environment, {rounds} rounds in shuffled order after one warm-up run each. Medians of the wall-clock time
and of the CPU time (user + system, which a busy machine disturbs less), and each ratio against the
baseline `{BASELINE}` measured in the same rounds. Target: every ratio at most {TARGET_RATIO:g}.

Baseline `{BASELINE}`: {baseline.wall * 1000:.0f} ms wall-clock, {baseline.cpu * 1000:.0f} ms CPU.

| command | wall ms | wall ratio | CPU ms | CPU ratio |
|---|---:|---:|---:|---:|
{rows}

Verdict: slowest wall-clock `{worst_wall}` at {wall_ratio:.2f}x, slowest CPU `{worst_cpu}` at
{cpu_ratio:.2f}x the baseline (target {TARGET_RATIO:g}x: {verdict}). Load average (1 min): {load[0]:.1f} at
the start, {load[1]:.1f} at the end; a busy machine inflates the wall-clock figures.
"""


def main(flags: list[str]) -> str:
    rounds = QUICK_ROUNDS if "--quick" in flags else ROUNDS
    load_before = os.getloadavg()[0]
    baseline, medians = measure(rounds)
    return report(rounds, baseline, medians, (load_before, os.getloadavg()[0]))

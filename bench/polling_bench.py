"""Polling benchmark: the learnt schedule against a fixed 300-second poll, regime by regime.

Every execution is polled twice in the same run: by the tool's own schedule (``amc_cltv.cadence``, the
function every waiter uses) and by a fixed poll that looks every 300 s after the submit. The comparison is
fair: both sides take AMC's answer to the submit as their look at t = 0 for free, both are charged every
status call after it, and executions that fail early count in every figure (5 % of them, at a time uniform
over the first 10 minutes), as they do in a real night.

A *regime* is how the durations of a workflow's runs behave: stable around a median, wide, bimodal,
drifting from night to night, dominated by queueing (PENDING) rather than run time, very short, or the
history stale after a sudden change. For each regime and median the bench draws ``HISTORIES`` histories of
past runs (what the ledger would hold), and for each history ``RUNS_PER_HISTORY`` current executions. A
cell's figures are the mean status calls, the mean and the 95th-percentile detection delay (end to the first
look that sees it) over all its executions, tool and fixed poll side by side; a cell's ratios are the tool's
figure over the fixed poll's, and its verdict is against the target: never above ``WORST_RATIO`` on any of
the three, and on stable history of runs of an hour or more, at most ``STABLE_SAVING`` on one axis at no
more than 1.0 on the other.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from amc_cltv.cadence import Schedule, Seen
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import PollingSettings

SECTION = "polling"
FIXED_S = 300.0
HOUR = 3600.0
WORST_RATIO = 1.1
STABLE_SAVING = 0.5
FAILURE_SHARE = 0.05
FAILURE_WINDOW_S = 600.0
RUNS_PER_HISTORY = 4


@dataclass(frozen=True)
class Run:
    """One current execution: PENDING until ``queued_s``, then RUNNING until ``end_s``."""

    end_s: float
    queued_s: float = 0.0
    failed: bool = False


# A regime draws (past durations, the next run) from a random source, given the night's index.
Draw = Callable[[random.Random], tuple[list[float], list[Run]]]


def lognormal(draw: random.Random, median_s: float, sigma: float) -> float:
    return median_s * math.exp(draw.gauss(0, sigma))


def with_failures(draw: random.Random, run: Run) -> Run:
    if draw.random() < FAILURE_SHARE:
        return Run(draw.uniform(1.0, FAILURE_WINDOW_S), failed=True)
    return run


def stable(median_s: float, sigma: float, past: int, speed: float = 1.0) -> Draw:
    """Runs log-normal around ``median_s``; the current ones ``speed`` times the past ones."""

    def make(draw: random.Random) -> tuple[list[float], list[Run]]:
        history = [lognormal(draw, median_s, sigma) for _ in range(past)]
        runs = [Run(speed * lognormal(draw, median_s, sigma)) for _ in range(RUNS_PER_HISTORY)]
        return history, runs

    return make


def bimodal(low_s: float, high_s: float, past: int) -> Draw:
    """Half the runs around ``low_s``, half around ``high_s`` (sigma 0.1 each), in any order."""

    def one(draw: random.Random) -> float:
        return lognormal(draw, low_s if draw.random() < 0.5 else high_s, 0.1)

    def make(draw: random.Random) -> tuple[list[float], list[Run]]:
        return [one(draw) for _ in range(past)], [Run(one(draw)) for _ in range(RUNS_PER_HISTORY)]

    return make


def drifting(median_s: float, per_night: float, past: int) -> Draw:
    """Each night's run ``per_night`` times the last one's (sigma 0.05 around the trend): the history is the
    ``past`` nights before the current one."""

    def make(draw: random.Random) -> tuple[list[float], list[Run]]:
        history = [lognormal(draw, median_s * per_night**night, 0.05) for night in range(past)]
        runs = [Run(lognormal(draw, median_s * per_night**past, 0.05)) for _ in range(RUNS_PER_HISTORY)]
        return history, runs

    return make


def queued(run_s: float, max_queue_s: float, past: int) -> Draw:
    """PENDING for a time uniform over ``[0, max_queue_s]``, then ``run_s`` (sigma 0.1) of RUNNING. AMC's
    durations (submit to end) include the queueing, so the history does too."""

    def make(draw: random.Random) -> tuple[list[float], list[Run]]:
        history = [draw.uniform(0, max_queue_s) + lognormal(draw, run_s, 0.1) for _ in range(past)]
        runs = []
        for _ in range(RUNS_PER_HISTORY):
            queue = draw.uniform(0, max_queue_s)
            runs.append(Run(queue + lognormal(draw, run_s, 0.1), queued_s=queue))
        return history, runs

    return make


def uniform(low_s: float, high_s: float, past: int) -> Draw:
    """Runs uniform over ``[low_s, high_s]``: very short, and as wide as they are long."""

    def make(draw: random.Random) -> tuple[list[float], list[Run]]:
        history = [draw.uniform(low_s, high_s) for _ in range(past)]
        return history, [Run(draw.uniform(low_s, high_s)) for _ in range(RUNS_PER_HISTORY)]

    return make


MEDIANS = {"15 min": 900.0, "1 h": HOUR, "3 h": 3 * HOUR, "6 h": 6 * HOUR}
LONG = ("1 h", "3 h", "6 h")


def regimes() -> list[tuple[str, str, Draw, bool]]:
    """(regime, cell label, draw, stable-saving target applies) for every cell the bench reports."""
    cells: list[tuple[str, str, Draw, bool]] = []
    for label, median_s in MEDIANS.items():
        cells.append(("no history", label, stable(median_s, 0.1, 0), False))
    for sigma in (0.05, 0.1):
        for past in (3, 10):
            for label, median_s in MEDIANS.items():
                draw = stable(median_s, sigma, past)
                cells.append((f"stable, sigma {sigma}", f"{label}, {past} runs", draw, label in LONG))
    for sigma in (0.3, 0.6):
        for label, median_s in MEDIANS.items():
            cells.append((f"wide, sigma {sigma}", f"{label}, 10 runs", stable(median_s, sigma, 10), False))
    for past in (3, 10):
        cells.append(("bimodal (half 1 h, half 3 h)", f"{past} runs", bimodal(HOUR, 3 * HOUR, past), False))
    for label in LONG:
        for per_night, name in ((0.95, "runs 5 % shorter each night"), (1.05, "runs 5 % longer each night")):
            cells.append((name, f"{label}, 10 runs", drifting(MEDIANS[label], per_night, 10), False))
    for past in (3, 10):
        queue = queued(HOUR, 2 * HOUR, past)
        cells.append(("queued PENDING, uniform 0–2 h, then 1 h", f"{past} runs", queue, False))
        cells.append(("very short runs (2–10 min)", f"{past} runs", uniform(120.0, 600.0, past), False))
    for speed, name in ((0.7, "stale: 30 % faster now"), (1.4, "stale: 40 % slower now")):
        for past in (3, 10):
            for label in LONG:
                cells.append((name, f"{label}, {past} runs", stable(MEDIANS[label], 0.1, past, speed), False))
    return cells


@dataclass
class Tally:
    """Calls and detection delays of one strategy over many executions."""

    calls: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)

    def add(self, calls: int, delay: float) -> None:
        self.calls.append(calls)
        self.delays.append(delay)

    @property
    def mean_calls(self) -> float:
        return sum(self.calls) / len(self.calls)

    @property
    def mean_delay(self) -> float:
        return sum(self.delays) / len(self.delays)

    @property
    def p95_delay(self) -> float:
        ordered = sorted(self.delays)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    @property
    def max_delay(self) -> float:
        return max(self.delays)


def status_at(run: Run, t: float) -> str:
    return ExecutionStatus.PENDING if t < run.queued_s else ExecutionStatus.RUNNING


def tool(schedule: Schedule, run: Run) -> tuple[int, float]:
    """(calls, delay) of the tool's schedule: each look's status feeds the next delay, as in the waiters."""
    elapsed, seen, calls = 0.0, Seen(), 0
    seen = seen.after(status_at(run, 0.0), 0.0)  # the submit's own answer
    while True:
        elapsed += schedule.next_delay(elapsed, seen)
        calls += 1
        if elapsed >= run.end_s:
            return calls, elapsed - run.end_s
        seen = seen.after(status_at(run, elapsed), elapsed)


def fixed(run: Run) -> tuple[int, float]:
    """(calls, delay) of a look every ``FIXED_S`` after the submit (the submit's answer is free)."""
    polls = max(1, math.ceil(run.end_s / FIXED_S))
    return polls, polls * FIXED_S - run.end_s


@dataclass
class Cell:
    regime: str
    label: str
    stable_target: bool
    ours: Tally = field(default_factory=Tally)
    theirs: Tally = field(default_factory=Tally)
    ours_failed: Tally = field(default_factory=Tally)  # the failed runs alone (also counted above)
    theirs_failed: Tally = field(default_factory=Tally)
    fallbacks: int = 0
    schedules: int = 0

    def ratios(self) -> tuple[float, float, float]:
        return (
            self.ours.mean_calls / self.theirs.mean_calls,
            self.ours.mean_delay / self.theirs.mean_delay,
            self.ours.p95_delay / self.theirs.p95_delay,
        )

    def met(self) -> bool:
        calls, mean, p95 = self.ratios()
        if max(calls, mean, p95) > WORST_RATIO:
            return False
        if self.stable_target:
            return (calls <= STABLE_SAVING and mean <= 1.0) or (mean <= STABLE_SAVING and calls <= 1.0)
        return True


def simulate(histories: int, seed: int, polling: PollingSettings) -> list[Cell]:
    cells = []
    for index, (regime, label, make, stable_target) in enumerate(regimes()):
        draw = random.Random(seed + index)
        cell = Cell(regime, label, stable_target)
        for h in range(histories):
            history, runs = make(draw)
            schedule = Schedule(polling, history, key=f"{seed}-{index}-{h}")
            cell.schedules += 1
            cell.fallbacks += not schedule.learned
            for run in runs:
                run = with_failures(draw, run)
                ours, theirs = tool(schedule, run), fixed(run)
                cell.ours.add(*ours)
                cell.theirs.add(*theirs)
                if run.failed:
                    cell.ours_failed.add(*ours)
                    cell.theirs_failed.add(*theirs)
        cells.append(cell)
    return cells


def _verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def regime_rows(cells: list[Cell]) -> Iterator[str]:
    """One row per regime: its worst cell on each axis, and whether every cell met the target."""
    names = list(dict.fromkeys(c.regime for c in cells))
    for name in names:
        group = [c for c in cells if c.regime == name]
        worst = [max(c.ratios()[axis] for c in group) for axis in range(3)]
        best = [min(c.ratios()[axis] for c in group) for axis in range(3)]
        learnt = sum(c.schedules - c.fallbacks for c in group) / sum(c.schedules for c in group)
        yield (
            f"| {name} | {len(group)} | {learnt:.0%} "
            + "".join(f"| {best[axis]:.2f}–{worst[axis]:.2f}x " for axis in range(3))
            + f"| {_verdict(all(c.met() for c in group))} |"
        )


def failure_row(cells: list[Cell]) -> str:
    """The runs that failed early, over every cell: the case a schedule that sleeps long would see late."""
    ours, theirs = Tally(), Tally()
    for c in cells:
        ours.calls += c.ours_failed.calls
        ours.delays += c.ours_failed.delays
        theirs.calls += c.theirs_failed.calls
        theirs.delays += c.theirs_failed.delays
    calls = ours.mean_calls / theirs.mean_calls
    mean, p95 = ours.mean_delay / theirs.mean_delay, ours.p95_delay / theirs.p95_delay
    ok = max(calls, mean, p95) <= WORST_RATIO
    return (
        f"| runs that fail early, every cell ({len(ours.calls):,} runs) | {len(cells)} | "
        f"| {calls:.2f}x | {mean:.2f}x | {p95:.2f}x | {_verdict(ok)} |"
    )


def cell_rows(cells: list[Cell]) -> Iterator[str]:
    for c in cells:
        calls, mean, p95 = c.ratios()
        yield (
            f"| {c.regime} | {c.label} | {c.ours.mean_calls:.1f} | {c.theirs.mean_calls:.1f} | {calls:.2f}x "
            f"| {c.ours.mean_delay:.0f} | {c.theirs.mean_delay:.0f} | {mean:.2f}x | {c.ours.p95_delay:.0f} "
            f"| {c.theirs.p95_delay:.0f} | {p95:.2f}x | {c.ours.max_delay:.0f} | {_verdict(c.met())} |"
        )


def main(flags: list[str]) -> str:
    histories = 60 if "--quick" in flags else 250
    polling = PollingSettings()
    started = time.perf_counter()
    cells = simulate(histories, seed=20261206, polling=polling)
    seconds = time.perf_counter() - started
    count = sum(len(c.ours.calls) for c in cells)
    failed = [c for c in cells if not c.met()]
    lines = [
        "## Polling: the learnt schedule against a fixed 300 s poll (simulated, every regime)",
        "",
        f"`python -m bench polling`: {count:,} simulated executions in {len(cells)} cells ({histories} "
        f"histories per cell, {RUNS_PER_HISTORY} executions each), simulated in {seconds:.0f} s.",
        "Each is polled by the tool's schedule (`amc_cltv/cadence.py`, default `[polling]`: "
        "initial_interval_s "
        f"{polling.initial_interval_s:g}, multiplier {polling.multiplier:g}, max_interval_s "
        f"{polling.max_interval_s:g}, max_sleep_s {polling.max_sleep_s:g}) and by a fixed poll every "
        f"{FIXED_S:g} s. Both get the submit's answer free; {FAILURE_SHARE:.0%} of executions fail in their "
        "first 10 minutes and count in every figure. Target per cell: calls, mean delay and p95 delay each",
        f"at most {WORST_RATIO:g}x the fixed poll's; on stable history of runs of an hour or more, also "
        f"{STABLE_SAVING:g}x or less on one axis at 1.0x or less on the other.",
        "",
        f"Cells meeting the target: {len(cells) - len(failed)} of {len(cells)}.",
        "",
        "| regime | cells | learnt schedules | calls | mean delay | p95 delay | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
        *regime_rows(cells),
        failure_row(cells),
        "",
        "Ratios are the tool's figure over the fixed poll's, best–worst over the regime's cells; *learnt "
        "schedules* is the share of histories the schedule trusted (the rest fell back to the fixed poll).",
        "",
        "Every cell (delays in seconds, failures included):",
        "",
        "| regime | cell | calls | fixed | ratio | mean delay | fixed | ratio | p95 delay | fixed | ratio "
        "| max delay | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *cell_rows(cells),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main(sys.argv[1:]))

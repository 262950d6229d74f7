"""When to look again at an execution or audience AMC is running: a schedule learnt from past runs.

A pure module (no clock, no I/O): the history of finished runs and what the looks so far have seen go in,
the next delay comes out. Every waiter uses it (the execution poll, the audience poll, the fleet, the
Airflow triggers), and so does ``bench/polling_bench.py``. The reasoning and the measured figures are in
docs/polling.md and docs/benchmarks.md.

- **The anchor is a fixed poll**: a look every ``max_interval_s`` after the submit (AMC's answer to the
  submit is the first look), the grid moved a little earlier by the execution id so that jobs submitted
  together do not poll in step. Whenever the history cannot be trusted to forecast this run, that is the
  schedule: no usable history, runs too short to gain from, durations too spread (bimodal, or dominated
  by queueing), drifting from night to night, or a last run that broke with the ones before it
  (``Regime``).
- **With a history that forecasts**: the durations (submit to the end AMC reported) give a forecast, a
  log-normal fitted robustly (median, and a spread that one outlier cannot blow up), widened for a short
  history, mixed with a small share of a broad one (the history may be stale). The first
  ``EARLY_WINDOW`` looks stay on the fixed grid (runs that fail, fail early), then each delay is the
  longest whose expected cost in detection delay stays within the price of one status call: few long
  sleeps (at most ``max_sleep_s``) while the run cannot plausibly be done, dense looks where past runs
  finished. Past the range history has seen, the delays back off by ``multiplier`` up to
  ``max_interval_s``.
- **What AMC says**: PENDING is queueing, not run time: a run still PENDING at a look after the submit's
  answer is watched on the fixed grid (its predicted finish moves later by the queueing). PUBLISHING means
  the end is near: looks from then on restart at ``initial_interval_s`` and back off.

Every number is relative to the ``[polling]`` settings or the observed durations, so the same schedule
runs AMC executions of hours and sandbox executions of seconds.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import median
from typing import Literal

from amc_cltv.client.status import ExecutionStatus, Status
from amc_cltv.config import PollingSettings

MIN_RUNS = 3  # finished runs needed before the history is trusted
MAX_RUNS = 20  # the most recent runs used (durations drift as the data grows)
# The share of the forecast given to "the history is stale", and how much wider (in log units) that part is.
STALE_SHARE = 0.2
STALE_SPREAD = 0.5
# Past this many forecast spreads above the median the run is overrunning: back off, capped.
OVERRUN_Z = 2.5
# The mean detection delay each aim plans for, as a share of a fixed max_interval_s poll's (half of it);
# "fewer-calls" plans a little above it because the broad share of the forecast makes the realised delay
# shorter than planned (measured in docs/benchmarks.md).
AIM_DELAY = {"fewer-calls": 1.1, "sooner": 0.45}
# How far (a share of max_interval_s) the fixed grid moves earlier with the execution id, so that jobs
# submitted together do not poll in step; earlier, so that no look comes later than the anchor's.
SPREAD_GRID = 0.05
# The start of a run, in max_interval_s, watched on the fixed grid even with history: runs that fail
# mostly fail early (a rejected query, overlapping executions), and a long sleep there would see them late.
EARLY_WINDOW = 2
# When the history is not worth learning from (docs/polling.md): the forecast spread (log units) past
# which the finishing range is as wide as the run (bimodal durations, queueing that dwarfs the run) ...
MAX_SPREAD = 0.3
# ... or the share of past runs outside the forecast's range (a second mode the median hides); one outlier
# is always allowed ...
OUTLIER_SHARE = 0.1
# ... the least time (in max_interval_s) between the early window and the forecast's earliest plausible
# end (OVERRUN_Z spreads below the median) for a long sleep to pay for itself ...
MIN_QUIET = 2
# ... how significant a night-to-night trend must be (Theil-Sen slope over its standard error) ...
DRIFT_T = 4.0
# ... and how far (in forecast spreads) the last run may fall from the runs before it.
CHANGE_Z = 3.0
_SQRT2 = math.sqrt(2.0)
# The expected range of n normal draws in standard deviations (a short history's spread comes from it).
_RANGE_SPREADS = {2: 1.128, 3: 1.693, 4: 2.059}

Aim = Literal["fewer-calls", "sooner"]


class Regime(StrEnum):
    """How a workflow's past durations behave, and so whether the schedule learns from them."""

    LEARNT = "learnt"
    NO_HISTORY = "no history"
    SHORT = "runs too short to gain from"
    SPREAD = "durations too spread"
    DRIFTING = "durations drifting night to night"
    CHANGED = "the last run broke with the ones before"


@dataclass(frozen=True)
class Forecast:
    """When a run of this workflow should end: log-normal ``mu``/``sigma`` in seconds from the submit."""

    mu: float
    sigma: float
    runs: int

    @classmethod
    def from_durations(cls, durations: Sequence[float], polling: PollingSettings) -> Forecast | None:
        """The forecast from past durations (most recent last), or None without ``MIN_RUNS`` usable ones."""
        return cls.from_logs(usable_logs(durations), polling)

    @classmethod
    def from_logs(cls, logs: Sequence[float], polling: PollingSettings) -> Forecast | None:
        if len(logs) < MIN_RUNS:
            return None
        mu = median(logs)
        if len(logs) in _RANGE_SPREADS:
            spread = (max(logs) - min(logs)) / _RANGE_SPREADS[len(logs)]
        else:  # the median absolute deviation: one outlier cannot widen it
            spread = 1.4826 * median(abs(x - mu) for x in logs)
        n = len(logs)
        widened = max(spread, noise_floor(mu, polling)) * math.sqrt(1 + 1 / n) * (1 + 2 / n)
        return cls(mu, widened, n)

    @property
    def median_s(self) -> float:
        return math.exp(self.mu)

    def quantile_s(self, z: float) -> float:
        """The duration ``z`` spreads from the median (z=0: the median)."""
        return math.exp(self.mu + z * self.sigma)

    def survival(self, t: float) -> float:
        """The forecast chance that a run is still going ``t`` seconds after its submit."""
        if t <= 0:
            return 1.0
        x = math.log(t) - self.mu
        near = 0.5 * math.erfc(x / (self.sigma * _SQRT2))
        stale = 0.5 * math.erfc(x / ((self.sigma + STALE_SPREAD) * _SQRT2))
        return (1 - STALE_SHARE) * near + STALE_SHARE * stale

    def density(self, t: float) -> float:
        """The forecast rate of ends per second at ``t``."""
        if t <= 0:
            return 0.0
        x = math.log(t) - self.mu
        total = 0.0
        for share, sigma in ((1 - STALE_SHARE, self.sigma), (STALE_SHARE, self.sigma + STALE_SPREAD)):
            total += share * math.exp(-0.5 * (x / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi) * t)
        return total

    def call_price(self, mean_delay_s: float) -> float:
        """The price of a call (seconds of delay) at which looks spaced by ``Schedule._priced_gap`` give
        about ``mean_delay_s`` of mean detection delay over this forecast.

        Gaps ``sqrt(2 · price / h)`` give a mean delay of ``sqrt(price / 2) · ∫ f / sqrt(h)``; the integral
        is taken numerically up to the overrun point.
        """
        wide = self.sigma + STALE_SPREAD
        steps = 240
        low, high = self.mu - 4 * wide, self.mu + OVERRUN_Z * self.sigma
        integral = 0.0
        for i in range(steps):
            t = math.exp(low + (high - low) * (i + 0.5) / steps)
            f, alive = self.density(t), self.survival(t)
            if f > 0 and alive > 0:
                integral += f / math.sqrt(f / alive) * t * (high - low) / steps
        return 2 * (mean_delay_s / integral) ** 2 if integral > 0 else math.inf


def usable_logs(durations: Sequence[float]) -> list[float]:
    """The logarithms of the ``MAX_RUNS`` most recent usable durations, oldest first."""
    return [math.log(d) for d in list(durations)[-MAX_RUNS:] if d > 0 and math.isfinite(d)]


def noise_floor(mu: float, polling: PollingSettings) -> float:
    """The least spread (log units) worth modelling: one shortest look at the median (identical sandbox
    runs would otherwise give a forecast of zero width)."""
    return polling.initial_interval_s / math.exp(mu)


def trend_t(logs: Sequence[float], polling: PollingSettings) -> float:
    """How significant a night-to-night trend in ``logs`` is: the Theil-Sen slope over the run index, in
    standard errors of a least-squares slope through the same noise (0 with fewer than five runs)."""
    n = len(logs)
    if n < 5:
        return 0.0
    slope = median((logs[j] - logs[i]) / (j - i) for i in range(n) for j in range(i + 1, n))
    residuals = [x - slope * i for i, x in enumerate(logs)]
    centre = median(residuals)
    noise = max(1.4826 * median(abs(r - centre) for r in residuals), noise_floor(median(logs), polling))
    return slope / (noise * math.sqrt(12 / (n * (n * n - 1))))


def assess(durations: Sequence[float], polling: PollingSettings) -> tuple[Regime, Forecast | None]:
    """Whether past durations (most recent last) forecast the next run, and the forecast when they do.

    Anything else falls back to the fixed poll (docs/polling.md §Regimes): too few runs, runs that end too
    soon after the early window for a long sleep to pay, a forecast wider than ``MAX_SPREAD``, a
    significant trend, or a last run far shorter than the ones before it (a sudden speed-up the median has
    not caught up with; a slower run is safe: the overrun back-off watches it).
    """
    logs = usable_logs(durations)
    forecast = Forecast.from_logs(logs, polling)
    if forecast is None:
        return Regime.NO_HISTORY, None
    outside = sum(abs(x - forecast.mu) > OVERRUN_Z * forecast.sigma for x in logs)
    if forecast.sigma > MAX_SPREAD or outside > max(1, OUTLIER_SHARE * len(logs)):
        return Regime.SPREAD, None
    quiet = forecast.quantile_s(-OVERRUN_Z) - EARLY_WINDOW * polling.max_interval_s
    if quiet < MIN_QUIET * polling.max_interval_s:
        return Regime.SHORT, None
    if abs(trend_t(logs, polling)) > DRIFT_T:
        return Regime.DRIFTING, None
    before = Forecast.from_logs(logs[:-1], polling)
    if before is not None and (logs[-1] - before.mu) / before.sigma < -CHANGE_Z:
        return Regime.CHANGED, None
    return Regime.LEARNT, forecast


@dataclass(frozen=True)
class Seen:
    """What this run's looks have shown so far (elapsed seconds since the submit)."""

    pending_until: float | None = None  # the last look that saw PENDING
    publishing_since: float | None = None  # the first look that saw PUBLISHING

    def after(self, status: Status | None, elapsed: float) -> Seen:
        """This record updated with a look at ``elapsed`` that saw ``status``."""
        if status == ExecutionStatus.PENDING:
            return Seen(elapsed, self.publishing_since)
        if status == ExecutionStatus.PUBLISHING and self.publishing_since is None:
            return Seen(self.pending_until, elapsed)
        return self


def phase_of(key: str) -> float:
    """A stable number in [0, 1) for an execution id: where its grid of looks sits."""
    return zlib.crc32(key.encode()) / 2**32


def ramp(elapsed: float, first: float, multiplier: float, cap: float) -> float:
    """The gap of the step containing ``elapsed`` on a ramp ``first``, ×``multiplier``…, capped at ``cap``."""
    gap = min(first, cap)
    start = 0.0
    while start + gap <= elapsed and gap < cap:
        start += gap
        gap = min(gap * multiplier, cap)
    return gap


class Schedule:
    """The looks at one run: ``next_delay(elapsed, seen)`` is the sleep after a look at ``elapsed``."""

    def __init__(
        self,
        polling: PollingSettings,
        durations: Sequence[float] = (),
        *,
        key: str = "",
        aim: Aim | None = None,
    ) -> None:
        self.polling = polling
        self.regime, self.forecast = assess(durations, polling)
        self.phase = phase_of(key)
        target = AIM_DELAY[aim or polling.aim] * polling.max_interval_s / 2
        self.price = self.forecast.call_price(target) if self.forecast else math.inf
        self.early_window = EARLY_WINDOW * polling.max_interval_s
        self.first_look = polling.max_interval_s * (1 - SPREAD_GRID * self.phase)

    @property
    def learned(self) -> bool:
        return self.forecast is not None

    def shift(self, seen: Seen) -> float:
        """How much later than the history says this run will end: its queueing past the first grid look."""
        if seen.pending_until is None or self.forecast is None:
            return 0.0
        return max(0.0, seen.pending_until - self.first_look)

    def queued(self, seen: Seen) -> bool:
        """Whether a look after the submit's answer still saw PENDING: the run's queueing, not its run time,
        decides when it ends, and the history (whose durations hold their own queueing) cannot say how
        long that lasts, so the looks fall back to the fixed grid."""
        return seen.pending_until is not None and seen.pending_until >= self.first_look - 1e-9

    def predicted_finish_s(self, seen: Seen = Seen()) -> float | None:
        """The forecast median duration of this run (None without a forecast)."""
        if self.forecast is None:
            return None
        return self.forecast.median_s + self.shift(seen)

    def next_delay(self, elapsed: float, seen: Seen = Seen()) -> float:
        """Seconds to wait after a look ``elapsed`` seconds after the submit."""
        p = self.polling
        elapsed = max(0.0, elapsed)
        if seen.publishing_since is not None:
            return ramp(elapsed - seen.publishing_since, p.initial_interval_s, p.multiplier, p.max_interval_s)
        grid = self._grid_delay(elapsed)
        if self.forecast is None or elapsed + grid <= self.early_window + 1e-9 or self.queued(seen):
            return grid
        t = elapsed
        overrun_at = self.forecast.quantile_s(OVERRUN_Z)
        if t >= overrun_at:
            first = min(max(self._priced_gap(overrun_at), p.initial_interval_s), p.max_interval_s)
            return ramp(t - overrun_at, first, p.multiplier, p.max_interval_s)
        return self._priced_gap(t)

    def _grid_delay(self, elapsed: float) -> float:
        """The fixed poll: a look every ``max_interval_s`` after the submit, moved a little earlier by the
        execution id; a look that falls right at ``elapsed`` (a resumed process) is taken as done."""
        p = self.polling
        step = p.max_interval_s
        look = self.first_look + max(0, math.floor((elapsed - self.first_look) / step) + 1) * step
        if look - elapsed < min(step / 2, p.initial_interval_s):  # just looked (resume)
            look += step
        return look - elapsed

    def _priced_gap(self, t: float) -> float:
        """The longest gap (``initial_interval_s`` to ``max_sleep_s``) worth one call at ``t``.

        Looks spaced ``gap`` apart where the run ends at a rate ``h`` cost about ``gap / 2`` of delay per
        end and ``1 / gap`` calls per second; the balance is ``gap² · h = 2 · price``. The rate is averaged
        over the gap (``gap · ln(S(t) / S(t + gap)) = 2 · price``), so a long sleep never jumps over the
        start of the range where past runs ended.
        """
        assert self.forecast is not None
        p = self.polling
        low, high = p.initial_interval_s, max(p.initial_interval_s, p.max_sleep_s)
        alive = self.forecast.survival(t)
        budget = 2 * self.price

        def cost(gap: float) -> float:
            later = self.forecast.survival(t + gap) if self.forecast else 0.0
            if later <= 0:
                return math.inf
            return gap * math.log(alive / later)

        if cost(high) <= budget:
            return high
        if cost(low) >= budget:
            return low
        for _ in range(14):  # bisection on a log scale: a few percent is plenty
            middle = math.sqrt(low * high)
            if cost(middle) <= budget:
                low = middle
            else:
                high = middle
        return low

"""Time as a seam: the orchestration layer asks this module for now, monotonic time and sleep.

Tests install a fake clock with ``use_clock`` and advance it instead of waiting; nothing in the tool calls
``time.sleep`` or ``datetime.now`` directly.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale, for durations and deadlines."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to; ``sleep`` advances it and records the request."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        self._monotonic = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds


_clock: Clock = SystemClock()


def current() -> Clock:
    """The clock of this process."""
    return _clock


async def asleep(seconds: float) -> None:
    """``current().sleep`` for a coroutine: the system clock waits on the event loop without blocking it;
    a test clock advances at once (then yields to the loop)."""
    import asyncio  # here, not at the top: the CLI reads this module at start-up, and asyncio is costly

    clock = current()
    if isinstance(clock, SystemClock):
        await asyncio.sleep(max(0.0, seconds))
        return
    clock.sleep(seconds)
    await asyncio.sleep(0)


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Install ``clock`` for the duration of the block (tests)."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous

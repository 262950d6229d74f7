"""The sandbox clock: real time plus an offset kept in the store, so tests advance it instead of waiting.

Every process sharing a state directory sees the same sandbox time. Tests also pass ``base`` (their own
frozen or fake time source) so that nothing depends on the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from amc_cltv.sandbox.store import Store


def system_now() -> datetime:
    return datetime.now(UTC)


class SandboxClock:
    """``now()`` = ``base()`` + the stored offset; ``advance(seconds)`` moves every process's sandbox time."""

    def __init__(self, store: Store, base: Callable[[], datetime] = system_now) -> None:
        self._store = store
        self._base = base

    @property
    def offset_s(self) -> float:
        return float(self._store.setting("clock_offset_s", 0.0))

    def now(self) -> datetime:
        """The current sandbox time (aware, UTC)."""
        return self._base().astimezone(UTC) + timedelta(seconds=self.offset_s)

    def advance(self, seconds: float) -> datetime:
        """Move sandbox time forward by ``seconds`` (never backwards); returns the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._store.transaction():
            self._store.set_setting("clock_offset_s", self.offset_s + float(seconds))
        return self.now()

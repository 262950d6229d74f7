"""``audience activate --segment all``: every segment that clears its guard, and why the others did not.

Two passes, so one audience being built does not hold the others back:

1. each segment in turn is sized, guarded and, write-ahead, created (or reused) without waiting for AMC.
   Creates are spaced to stay under AMC's audience create rate (docs/amc-api.md §6.1: 5 a second); a 429 is
   retried by the client after its Retry-After;
2. each audience AMC is still building is waited for (the same activation again: it reuses the ledger's
   audience, sends nothing, and polls).

A segment under its size guard is skipped and named with the reason. Any other error stops only its
segment and is reported with its class; the other segments go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from amc_cltv import clock
from amc_cltv.audience.activate import CREATED, ActivationOutcome, activate, known_on_error
from amc_cltv.audience.rules import SEGMENTS
from amc_cltv.audience.sizing import SIZE_GUARD
from amc_cltv.client import AmcClient
from amc_cltv.config import Config
from amc_cltv.errors import AmcCltvError, Refused, Remedy, with_remedy
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger

log = get_logger("amc_cltv.audience")

# AMC takes at most 5 audience creates a second (docs/amc-api.md §6.1): one every 0.2 s stays under it.
CREATE_SPACING_S = 1 / 5

ACTIVATED = "activated"
SKIPPED = "skipped"  # under its guard: nothing sent
FAILED = "failed"


@dataclass
class SegmentActivation:
    """What ``--segment all`` did for one segment."""

    segment: str
    result: str  # activated, skipped, failed
    outcome: ActivationOutcome | None = None
    reason: str | None = None  # why it was skipped or failed (what happened, without the remedy)
    error: type[AmcCltvError] | None = None  # the class of the error that stopped it (skipped: Refused)
    remedy: Remedy | None = None  # what the caller can do next

    @property
    def explanation(self) -> str | None:
        """The reason with its remedy, in the library's words."""
        return None if self.reason is None else with_remedy(self.reason, self.remedy)

    def as_dict(self) -> dict[str, Any]:
        """The segment's entry of the ``--json`` object but for ``exit_code`` (the CLI's)."""
        known = self.outcome.as_dict() if self.outcome is not None else {"segment": self.segment}
        return {**known, "result": self.result, "reason": self.explanation}


@dataclass
class EveryActivation:
    """``audience activate --segment all``: one entry per segment, in the trader's order."""

    segments: list[SegmentActivation] = field(default_factory=list)

    @property
    def skipped(self) -> list[SegmentActivation]:
        return [entry for entry in self.segments if entry.result == SKIPPED]

    @property
    def failed(self) -> list[SegmentActivation]:
        return [entry for entry in self.segments if entry.result == FAILED]

    @property
    def all_skipped(self) -> bool:
        """Every segment was under its guard: no audience at all, a refusal of the whole call."""
        return bool(self.segments) and len(self.skipped) == len(self.segments)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object of ``audience activate --segment all`` but for its ``exit_code`` keys (the
        CLI's)."""
        return {
            "segments": [entry.as_dict() for entry in self.segments],
            "activated": [e.segment for e in self.segments if e.result == ACTIVATED],
            "skipped": [{"segment": e.segment, "reason": e.explanation} for e in self.skipped],
            "failed": [{"segment": e.segment, "reason": e.explanation} for e in self.failed],
        }


def _stopped(segment: str, error: AmcCltvError) -> SegmentActivation:
    under_guard = isinstance(error, Refused) and error.context.get("guard") == SIZE_GUARD
    entry = SegmentActivation(
        segment=segment,
        result=SKIPPED if under_guard else FAILED,
        outcome=known_on_error(error),
        reason=error.what(),
        error=type(error),
        remedy=error.remedy,
    )
    log.info("audience_segment_not_activated", segment=segment, result=entry.result, reason=entry.reason)
    return entry


def activate_every(
    config: Config,
    client: AmcClient,
    ledger: Ledger,
    *,
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> EveryActivation:
    """Activate every segment that clears its guard; the result names those that did not, and why.

    Raises nothing for one segment's error (it is in the result); UsageError and the like before any
    segment is touched still raise.
    """
    every = EveryActivation()
    posted = False
    for key in SEGMENTS:
        if posted:
            clock.current().sleep(CREATE_SPACING_S)
        try:
            outcome = activate(
                config,
                client,
                ledger,
                segment=key,
                needed_by=needed_by,
                force=force,
                dry_run=dry_run,
                wait=False,
            )
        except AmcCltvError as error:
            every.segments.append(_stopped(key, error))
            posted = False
            continue
        posted = outcome.action == CREATED
        every.segments.append(SegmentActivation(segment=key, result=ACTIVATED, outcome=outcome))
    if dry_run:
        return every
    for position, entry in enumerate(every.segments):
        if entry.result != ACTIVATED:
            continue
        try:
            finished = activate(
                config, client, ledger, segment=entry.segment, needed_by=needed_by, force=force
            )
        except AmcCltvError as error:
            every.segments[position] = _stopped(entry.segment, error)
            continue
        entry.outcome = _merged(entry.outcome, finished)
    return every


def _merged(first: ActivationOutcome | None, finished: ActivationOutcome) -> ActivationOutcome:
    """The finished activation, with what the first pass did (created, adopted, …) and said."""
    if first is None:
        return finished
    finished.action = first.action
    finished.segment_size = first.segment_size if first.segment_size is not None else finished.segment_size
    finished.messages = first.messages + [m for m in finished.messages if m not in first.messages]
    return finished

"""Segment audience activation: AMC rule-based audiences for Amazon DSP, planned around the DSP lag.

    activate(config, client, ledger, *, segment, needed_by, force, dry_run) -> ActivationOutcome
    activate_every(config, client, ledger, *, needed_by, force, dry_run) -> EveryActivation   (--segment all)
    known_on_error(error) -> ActivationOutcome | None   what an activation that failed had learnt
    refresh_status(config, client, ledger) -> list[AudienceView]

Modules: ``rules`` (segment -> audience query, rules hash, name), ``request`` (the POST body), ``sizing``
(size guard from the segmentation report), ``create`` (write-ahead create and reconcile), ``poll`` (status
to the ledger), ``lag`` (usable_in_dsp_at, plain states, --needed-by), ``rotation`` (retire and delete
superseded audiences without a gap), ``status`` (views), ``activate`` (the whole lifecycle), ``every``
(every segment at once).
"""

from __future__ import annotations

from amc_cltv.audience.activate import ActivationOutcome, activate, known_on_error
from amc_cltv.audience.every import EveryActivation, SegmentActivation, activate_every
from amc_cltv.audience.lag import parse_needed_by
from amc_cltv.audience.status import AudienceView, refresh_status

__all__ = [
    "ActivationOutcome",
    "AudienceView",
    "EveryActivation",
    "SegmentActivation",
    "activate",
    "activate_every",
    "known_on_error",
    "parse_needed_by",
    "refresh_status",
]

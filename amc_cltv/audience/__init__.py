"""High-value audience activation: AMC rule-based audiences for Amazon DSP, planned around the DSP lag.

    activate(config, client, ledger, *, segment, needed_by, force, dry_run) -> ActivationOutcome
    known_on_error(error) -> ActivationOutcome | None   what an activation that failed had learnt
    refresh_status(config, client, ledger) -> list[AudienceView]

Modules: ``rules`` (segment -> audience query, rules hash, name), ``request`` (the POST body), ``sizing``
(size guard from the segmentation report), ``create`` (write-ahead create and reconcile), ``poll`` (status
to the ledger), ``lag`` (usable_in_dsp_at, plain states, --needed-by), ``rotation`` (retire and delete
superseded audiences without a gap), ``status`` (views), ``activate`` (the whole lifecycle).
"""

from __future__ import annotations

from amc_cltv.audience.activate import ActivationOutcome, activate, known_on_error
from amc_cltv.audience.lag import parse_needed_by
from amc_cltv.audience.status import AudienceView, refresh_status

__all__ = [
    "ActivationOutcome",
    "AudienceView",
    "activate",
    "known_on_error",
    "parse_needed_by",
    "refresh_status",
]

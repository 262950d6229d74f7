"""``audience lookalike``: a lookalike audience seeded by a segment's rule-based audience query.

AMC builds only the lookalike from the seed query (docs/amc-api.md §4.6). The lifecycle is the segment
audience's (``activate``): write-ahead create, reconcile by name after a crash or a lost answer, the lag
planned against ``--needed-by``, rotation of an earlier lookalike of the segment. Its guard is the seed: the
report's count of the segment between ``[audience] lookalike_min_seed`` (AMC's 500 at least) and 500,000.
"""

from __future__ import annotations

from datetime import date, datetime

from amc_cltv import clock
from amc_cltv.audience import sizing
from amc_cltv.audience.activate import LOOKALIKE, ActivationOutcome, AudiencePlan, activate_plan
from amc_cltv.audience.request import lookalike_body
from amc_cltv.audience.rules import lookalike_name, lookalike_sha256, render_rules, segment_named
from amc_cltv.client import AmcClient
from amc_cltv.client.models import LookalikeReach
from amc_cltv.config import Config
from amc_cltv.errors import UsageError
from amc_cltv.ledger import Ledger
from amc_cltv.timewindow import resolve_window

# The segments a lookalike may be seeded by: the customers worth finding more of.
SEEDS = ("high-value",)
REACHES = {reach.value.lower().replace("_", "-"): reach for reach in LookalikeReach}
DEFAULT_REACH = "balanced"


def reach_named(value: str) -> LookalikeReach:
    """``--reach most-similar|similar|balanced|broad|most-broad`` (AMC's names are accepted too)."""
    key = value.strip().lower().replace("_", "-")
    if key not in REACHES:
        raise UsageError(f"unknown reach {value!r}; allowed: {', '.join(REACHES)}")
    return REACHES[key]


def create_lookalike(
    config: Config,
    client: AmcClient,
    ledger: Ledger,
    *,
    segment: str = "high-value",
    reach: str = DEFAULT_REACH,
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
    wait: bool = True,
    window_end: date | None = None,
    window_days: int | None = None,
) -> ActivationOutcome:
    """Create (or reuse) the lookalike audience seeded by the segment's audience query and wait for AMC.

    Raises UsageError (a segment that is not a seed, an unknown reach), Refused (the seed is outside
    AMC's range, or ``needed_by`` cannot be met without ``force``), AudienceFailed, StillRunning, NeedsHuman,
    each carrying what was learnt (``known_on_error``). The window is the seed's, as for ``activate``.
    """
    spec = segment_named(segment)
    if spec.key not in SEEDS:
        raise UsageError(f"a lookalike is seeded by {', '.join(SEEDS)} only, not {segment!r}")
    expected_reach = reach_named(reach)
    rules = render_rules(spec, shopping_insights=config.profile.workflows.shopping_insights)
    window = resolve_window(
        clock.current().now(), config.amc.time_zone, window_days=window_days, window_end=window_end
    )
    lookalike_hash = lookalike_sha256(rules.rules_sha256, expected_reach.value)
    name = lookalike_name(spec, lookalike_hash, expected_reach.value)
    plan = AudiencePlan(
        name=name,
        rules_sha256=lookalike_hash,
        audience_type=LOOKALIKE,
        body=lookalike_body(rules, config, window, name, expected_reach.value),
        min_size=config.profile.audience.lookalike_min_seed,
        check_size=sizing.check_seed,
        expected_reach=expected_reach.value,
    )
    return activate_plan(
        config,
        client,
        ledger,
        spec,
        window,
        plan,
        needed_by=needed_by,
        force=force,
        dry_run=dry_run,
        wait=wait,
    )

"""``audience activate``: turn a segment into an AMC rule-based audience for Amazon DSP, exactly once,
and never let the 48-hour DSP lag surprise anyone.

The steps, in order:
1. Render the audience query from the segment rules; its hash names the audience.
2. An audience with that name in the ledger is reused (an unfinished intent is reconciled first); nothing is
   created to "refresh" it: AMC refreshes it (relative window, ``refreshRateDays``).
3. Otherwise: no new audience while another of the segment is still on its way to DSP (the campaign start,
   ``--needed-by``, is then held against that audience and the new one that follows it); else the campaign
   start is checked against the lag; an audience of that name already on AMC is adopted; the segment's
   size is checked against ``[audience] min_size``; the intent is written, then the POST.
4. Poll until AMC reports SUCCEEDED (the lag starts) or FAILED (AudienceFailed).
5. Rotation: audiences of older rules are retired, and deleted once the new one is usable in DSP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from amc_cltv import clock
from amc_cltv.audience import create, lag, rotation, sizing
from amc_cltv.audience.poll import wait_until_final
from amc_cltv.audience.request import create_body, require_dsp_advertiser
from amc_cltv.audience.rules import Segment, render_rules, segment_named
from amc_cltv.audience.status import AudienceView
from amc_cltv.client import AmcClient
from amc_cltv.client.models import AudienceRequest, LookalikeAudienceRequest
from amc_cltv.client.status import AudienceStatus, is_final
from amc_cltv.config import Config
from amc_cltv.errors import AmcCltvError, AudienceFailed, Refused
from amc_cltv.ledger import AudienceRecord, Ledger
from amc_cltv.log import get_logger
from amc_cltv.timewindow import TimeWindow, resolve_window

log = get_logger("amc_cltv.audience")

CREATED = "created"  # the tool created it in this invocation
REUSED = "reused"  # the ledger already had it
ADOPTED = "adopted"  # AMC already had it (found through the list endpoint)
DEFERRED = "deferred"  # another audience of the segment is still on its way to DSP
DRY_RUN = "dry-run"

# audienceType (required when AMC's PUT fixes a FAILED audience, and kept in the ledger)
RULE_BASED = "RULE_BASED"
LOOKALIKE = "LOOKALIKE"


@dataclass
class ActivationOutcome:
    """What ``audience activate`` did and where the audience stands in the DSP lag."""

    segment: str
    name: str
    rules_sha256: str
    time_window_start: str
    time_window_end: str
    action: str | None = None  # created, reused, adopted, deferred, dry-run; None while nothing was done
    audience: AudienceView | None = None  # the audience of these rules, once the ledger has it
    waiting_for: AudienceView | None = None  # deferred: the audience of earlier rules still inside its lag
    segment_size: int | None = None
    min_size: int | None = None
    audience_type: str = RULE_BASED
    expected_reach: str | None = None  # a lookalike's lookalikeAudienceExpectedReach
    needed_by: datetime | None = None
    lag_statement: str | None = None
    request: dict[str, Any] | None = None  # the exact request, for --dry-run
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``audience activate`` (and the ``audience`` key of ``run``)."""
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        view = self.audience.as_dict() if self.audience else {}
        return {
            "segment": self.segment,
            "name": self.name,
            "action": self.action,
            "audience_execution_id": view.get("audience_execution_id"),
            "status": view.get("status"),
            "status_reason": view.get("status_reason"),
            "state": view.get("state"),
            "audience_count": view.get("audience_count"),
            "created_at": view.get("created_at"),
            "usable_in_dsp_at": view.get("usable_in_dsp_at"),
            "usable_now": view.get("usable_now", False),
            "rules_sha256": self.rules_sha256,
            "time_window_start": self.time_window_start,
            "time_window_end": self.time_window_end,
            "audience_type": self.audience_type,
            "expected_reach": self.expected_reach,
            "segment_size": self.segment_size,
            "min_size": self.min_size,
            "needed_by": self.needed_by.isoformat() if self.needed_by else None,
            "lag": self.lag_statement,
            "retired": self.retired,
            "deleted": self.deleted,
            "waiting_for": self.waiting_for.as_dict() if self.waiting_for else None,
            "messages": self.messages,
            "request": self.request,
        }


def known_on_error(error: AmcCltvError) -> ActivationOutcome | None:
    """What an activation that stopped on ``error`` had learnt (name, AMC id and status, size, …)."""
    outcome = error.context.get("activation")
    return outcome if isinstance(outcome, ActivationOutcome) else None


@contextmanager
def _carried_by_errors(ledger: Ledger, config: Config, outcome: ActivationOutcome) -> Iterator[None]:
    """Attach what is known to an error leaving the lifecycle, with the audience as the ledger last saw it."""
    try:
        yield
    except AmcCltvError as exc:
        try:
            row = ledger.audience_by_name(config.instance_id, outcome.name)
        except Exception:  # the error being raised matters more than this detail
            row = None
        if row is not None and row.deleted_at is None:
            outcome.audience = AudienceView.of(row, clock.current().now())
        exc.context.setdefault("activation", outcome)
        raise


def _check_lag(
    config: Config,
    record: AudienceRecord | None,
    needed_by: datetime | None,
    force: bool,
    outcome: ActivationOutcome,
) -> None:
    now = clock.current().now()
    _hold_campaign(
        lag.plan(record, now, config.profile.audience.activation_lag_hours, needed_by), force, outcome
    )


def _hold_campaign(plan: lag.LagPlan | lag.DeferredPlan, force: bool, outcome: ActivationOutcome) -> None:
    """Refuse when the campaign start cannot be met, unless ``force``; say so either way."""
    outcome.lag_statement = plan.statement()
    if plan.met:
        return
    if not force:
        raise Refused(
            f"{plan.statement()}; move the campaign start, or run again with --force to accept the later date"
        )
    outcome.messages.append(f"{plan.statement()} (accepted with --force)")


def _request_model(body: dict[str, Any]) -> AudienceRequest:
    if "lookalikeAudienceExpectedReach" in body:
        return LookalikeAudienceRequest.model_validate(body)
    return AudienceRequest.model_validate(body)


def _dry_run(client: AmcClient, outcome: ActivationOutcome, body: dict[str, Any]) -> ActivationOutcome:
    outcome.action = DRY_RUN
    outcome.request = client.audiences.preview_create(_request_model(body))
    return outcome


def _finish(
    client: AmcClient,
    ledger: Ledger,
    config: Config,
    record: AudienceRecord,
    outcome: ActivationOutcome,
    wait: bool = True,
) -> ActivationOutcome:
    """Poll to a final status, rotate, and describe where the audience stands (``wait`` False: say where
    it stands now, without polling; a later activation of the same rules waits for it)."""
    if not is_final(record.status) and record.succeeded_at is None:
        if not wait:
            outcome.audience = AudienceView.of(record, clock.current().now())
            return outcome
        # Built for the first time: wait for AMC. A refresh of an audience DSP already has is not waited on.
        record = wait_until_final(client, ledger, config, record)
    now = clock.current().now()
    outcome.audience = AudienceView.of(record, now)
    if record.status == AudienceStatus.FAILED:
        raise AudienceFailed(
            f"AMC reported audience {record.name!r} ({record.audience_execution_id}) FAILED: "
            f"{record.status_reason or 'no reason given'}; fix the cause, then run the same command with "
            "--force to resubmit it"
        )
    if record.status == AudienceStatus.DEACTIVATED:
        raise AudienceFailed(
            f"audience {record.name!r} ({record.audience_execution_id}) is DEACTIVATED on AMC "
            "(no members); delete it on AMC, then run the command again"
        )
    report = rotation.rotate(client, ledger, config.instance_id, record)
    outcome.retired, outcome.deleted = report.retired, report.deleted
    outcome.messages.extend(report.messages)
    outcome.lag_statement = lag.plan(record, now, 0, outcome.needed_by).statement()
    return outcome


def _resume(
    client: AmcClient,
    ledger: Ledger,
    config: Config,
    record: AudienceRecord,
    body: dict[str, Any],
    outcome: ActivationOutcome,
    force: bool,
    wait: bool,
) -> ActivationOutcome:
    """The ledger already has an audience of these rules: finish whatever is unfinished, send no duplicate."""
    outcome.action = REUSED
    if record.retired_at is not None:  # the rules came back before the newer audience replaced this one
        record = ledger.unretire_audience(record.id, clock.current().now())
    _check_lag(config, record, outcome.needed_by, force, outcome)
    if record.audience_execution_id is None:
        record = create.resume_creating(client, ledger, record, _request_model(body))
    failed_id = record.audience_execution_id if record.status == AudienceStatus.FAILED else None
    if failed_id is not None and force:  # a FAILED status came from AMC, so its id is known
        outcome.messages.append("resubmitting the FAILED audience with its current definition (--force)")
        audience_type = LOOKALIKE if "lookalikeAudienceExpectedReach" in body else RULE_BASED
        answer = client.audiences.update(failed_id, _request_model({**body, "audienceType": audience_type}))
        # Rebuilt: DSP gets it anew, after the lag.
        record = ledger.record_audience_resubmitted(
            record.id, clock.current().now(), status=answer.status or AudienceStatus.PENDING
        )
    return _finish(client, ledger, config, record, outcome, wait)


def activate(
    config: Config,
    client: AmcClient,
    ledger: Ledger,
    *,
    segment: str = "high-value",
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
    wait: bool = True,
    window_end: date | None = None,
    window_days: int | None = None,
) -> ActivationOutcome:
    """Create (or reuse) the segment's rule-based audience and wait until AMC finishes it (``wait`` False:
    return once AMC has it; activating again waits).

    The window (default: the 365 days AMC has complete data for) is the new audience's first one and the
    one its segment is sized over.

    Raises Refused (below ``min_size``, or ``needed_by`` cannot be met without ``force``),
    AudienceFailed (AMC's statusReason), StillRunning, NeedsHuman; each error
    carries what the activation had learnt (``known_on_error``).
    """
    spec = segment_named(segment)
    rules = render_rules(spec, shopping_insights=config.profile.workflows.shopping_insights)
    window: TimeWindow = resolve_window(
        clock.current().now(), config.amc.time_zone, window_days=window_days, window_end=window_end
    )
    plan = AudiencePlan(
        name=rules.audience_name,
        rules_sha256=rules.rules_sha256,
        audience_type=RULE_BASED,
        body=create_body(rules, config, window),
        min_size=config.profile.audience.min_size,
        check_size=sizing.check_size,
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


@dataclass(frozen=True)
class AudiencePlan:
    """The audience one activation is about: its name and rules hash, AMC's type, the create body, and the
    size guard its segment must clear before anything is sent."""

    name: str
    rules_sha256: str
    audience_type: str  # RULE_BASED or LOOKALIKE
    body: dict[str, Any]
    min_size: int
    check_size: Callable[[int, int, Segment], None]  # raises Refused(guard=...) under the guard
    expected_reach: str | None = None

    @property
    def refresh_rate_days(self) -> int | None:
        value = self.body.get("refreshRateDays")
        return int(value) if value is not None else None


def activate_plan(
    config: Config,
    client: AmcClient,
    ledger: Ledger,
    spec: Segment,
    window: TimeWindow,
    plan: AudiencePlan,
    *,
    needed_by: datetime | None,
    force: bool,
    dry_run: bool,
    wait: bool,
) -> ActivationOutcome:
    """The lifecycle of one audience (rule-based or lookalike) of ``spec``: see ``activate``."""
    if not dry_run:  # a dry run sends nothing: it may show the request with the placeholder
        require_dsp_advertiser(config)
    now = clock.current().now()
    body = plan.body
    outcome = ActivationOutcome(
        segment=spec.key,
        name=plan.name,
        rules_sha256=plan.rules_sha256,
        time_window_start=window.audience_start,
        time_window_end=window.audience_end,
        min_size=plan.min_size,
        needed_by=needed_by,
        audience_type=plan.audience_type,
        expected_reach=plan.expected_reach,
    )
    log.info(
        "audience_activate",
        segment=spec.key,
        audience=plan.name,
        audience_type=plan.audience_type,
        dry_run=dry_run,
    )
    if dry_run:
        known = ledger.audience_by_name(config.instance_id, plan.name)
        if known is not None and known.deleted_at is None:
            outcome.audience = AudienceView.of(known, now)
            outcome.messages.append(
                f"audience {known.name!r} for these rules exists already ({outcome.audience.state}): "
                "activating would reuse it and send no POST"
            )
        return _dry_run(client, outcome, body)

    with _carried_by_errors(ledger, config, outcome):
        existing = ledger.audience_by_name(config.instance_id, plan.name)
        if existing is not None and existing.deleted_at is None:
            return _resume(client, ledger, config, existing, body, outcome, force, wait)

        waiting_for = _deferral(client, ledger, config, spec.key, plan)
        if waiting_for is not None:
            return _defer(config, waiting_for, outcome, force)

        _check_lag(config, None, needed_by, force, outcome)
        found = create.find_existing(client, plan.name)
        if found is None:
            outcome.segment_size = sizing.segment_size(config, client, ledger, spec, window)
            plan.check_size(outcome.segment_size, plan.min_size, spec)
        record = _intent(ledger, config, existing, spec.key, plan, window, outcome.segment_size)
        if found is not None:
            outcome.action = ADOPTED
            record = create.adopt(ledger, record, found)
        else:
            outcome.action = CREATED
            record = create.submit(client, ledger, record, _request_model(body))
        return _finish(client, ledger, config, record, outcome, wait)


def _intent(
    ledger: Ledger,
    config: Config,
    deleted: AudienceRecord | None,
    segment: str,
    plan: AudiencePlan,
    window: TimeWindow,
    seed_count: int | None,
) -> AudienceRecord:
    """Write the intent to create the audience (before the POST). The rules may have come back to those of
    an audience deleted earlier: its ledger row (one per name) is then written afresh as the new intent."""
    now = clock.current().now()
    if deleted is None:
        return ledger.begin_audience(
            instance_id=config.instance_id,
            name=plan.name,
            segment=segment,
            rules_sha256=plan.rules_sha256,
            time_window_start=window.audience_start,
            time_window_end=window.audience_end,
            now=now,
            audience_type=plan.audience_type,
            expected_reach=plan.expected_reach,
            refresh_rate_days=plan.refresh_rate_days,
            seed_count=seed_count,
        )
    return ledger.restart_audience(
        deleted.id,
        now,
        time_window_start=window.audience_start,
        time_window_end=window.audience_end,
        refresh_rate_days=plan.refresh_rate_days,
        seed_count=seed_count,
    )


def _defer(
    config: Config, current: AudienceRecord, outcome: ActivationOutcome, force: bool
) -> ActivationOutcome:
    """No second audience inside ``current``'s lag; the campaign start is held against both audiences."""
    now = clock.current().now()
    lag_hours = config.profile.audience.activation_lag_hours
    outcome.action = DEFERRED
    outcome.waiting_for = AudienceView.of(current, now)
    log.info("audience_deferred", audience=outcome.name, waiting_for=current.name)
    outcome.messages.append(
        f"the segment rules changed, but audience {current.name!r} is still on its way to DSP "
        f"({lag.state_of(current, now)}; {lag.plan(current, now, lag_hours, None).statement()}): no second "
        "audience is created inside its lag; a later run creates the one for the new rules"
    )
    _hold_campaign(lag.deferred_plan(current, now, lag_hours, outcome.needed_by), force, outcome)
    return outcome


def _deferral(
    client: AmcClient, ledger: Ledger, config: Config, segment: str, plan: AudiencePlan
) -> AudienceRecord | None:
    """Another audience of the segment and type still on its way to DSP (as AMC says now), if any."""
    from amc_cltv.audience.status import refresh_record

    for candidate in rotation.on_their_way(
        ledger, config.instance_id, segment, plan.name, plan.audience_type
    ):
        if candidate.audience_execution_id is None:
            candidate = _settle_intent(client, ledger, candidate)
        if candidate.audience_execution_id is not None:
            candidate = refresh_record(client, ledger, config, candidate)
        now = clock.current().now()
        if candidate.deleted_at is None and lag.inside_lag(candidate, now):
            return candidate
    return None


def _settle_intent(client: AmcClient, ledger: Ledger, record: AudienceRecord) -> AudienceRecord:
    """An unfinished intent of earlier rules: adopt what its POST created, else it never existed."""
    found = create.find_submitted(client, record)
    if found is not None:
        return create.adopt(ledger, record, found)
    now = clock.current().now()
    log.info("audience_intent_abandoned", audience=record.name)
    return ledger.delete_audience(record.id, now)

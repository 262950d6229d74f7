"""Rotation without a gap: when the segment rules change, the new audience replaces the old one only
once DSP can use it.

The old audience is marked retired when the new one succeeds, and deleted on AMC (which also deletes its DSP
segment) only once the new one is usable in DSP: a later nightly run takes that step. While any audience of
the segment is still on its way to DSP (being built, or inside its lag) no other one is created.

AMC deletes only what it says is ``deletable`` (docs/amc-api.md §4.5): an audience a DSP campaign uses is
not, and its DELETE is refused with a 400. Such an audience is asked about first and never sent a DELETE;
a refusal all the same leaves it retired and **still in DSP** (refreshed by AMC with the old rules, still
targeted by the line items that use it). That is reported, never a failed run: the next run tries again,
and succeeds once the trader has moved the line items to the new audience.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amc_cltv import clock
from amc_cltv.audience import lag
from amc_cltv.client import AmcClient
from amc_cltv.client.status import AudienceStatus
from amc_cltv.errors import APIStatusError, BadRequestError, NotFoundError
from amc_cltv.ledger import AudienceRecord, AudienceRecordState, Ledger
from amc_cltv.log import get_logger

log = get_logger("amc_cltv.audience")

RETIRING = AudienceRecordState.RETIRING
DELETED = AudienceRecordState.DELETED


@dataclass
class RotationReport:
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    still_in_dsp: list[str] = field(default_factory=list)  # retired, but AMC will not delete them yet
    messages: list[str] = field(default_factory=list)


def superseded(ledger: Ledger, instance_id: str, current: AudienceRecord) -> list[AudienceRecord]:
    """The other audiences of the same segment and type that are not deleted yet (a lookalike replaces
    only an earlier lookalike of its segment, never the segment's rule-based audience)."""
    return [
        record
        for record in ledger.audiences(instance_id=instance_id)
        if record.segment == current.segment
        and record.audience_type == current.audience_type
        and record.id != current.id
    ]


def on_their_way(
    ledger: Ledger, instance_id: str, segment: str, name: str, audience_type: str = "RULE_BASED"
) -> list[AudienceRecord]:
    """Audiences of ``segment`` and ``audience_type`` (other names) that the ledger last saw on their way to
    DSP: any of them still there forbids creating another one now."""
    now = clock.current().now()
    return [
        record
        for record in ledger.audiences(instance_id=instance_id)
        if record.segment == segment
        and record.audience_type == audience_type
        and record.name != name
        and record.retired_at is None
        and lag.inside_lag(record, now)
    ]


def rotate(client: AmcClient, ledger: Ledger, instance_id: str, current: AudienceRecord) -> RotationReport:
    """Retire the audiences ``current`` replaces; delete them once ``current`` is usable in DSP."""
    report = RotationReport()
    if current.succeeded_at is None or current.status in (AudienceStatus.FAILED, AudienceStatus.DEACTIVATED):
        return report  # DSP does not have it: the old audiences stay as they are
    now = clock.current().now()
    replace_now = lag.usable_now(current, now)
    for old in superseded(ledger, instance_id, current):
        if old.retired_at is None:
            old = ledger.retire_audience(old.id, now)
            report.retired.append(old.name)
            log.info("audience_retired", audience=old.name, replaced_by=current.name)
        if not replace_now:
            report.messages.append(
                f"{old.name} stays in DSP until {current.name} is usable "
                f"({lag.plan(current, now, 0, None).statement()}); a later run deletes it"
            )
            continue
        if _delete(client, ledger, old, current, report):
            report.deleted.append(old.name)
    return report


def still_in_dsp_note(replacement: str | None) -> str:
    """What a retired audience AMC will not delete does in DSP, and what ops must do about it."""
    instead = f" to {replacement}" if replacement else " to its replacement"
    return (
        "still in DSP: AMC will not delete it while a campaign uses it, keeps refreshing it with the "
        f"old rules, and its line items keep targeting it. In DSP, move those line items{instead}; "
        "the next run deletes it"
    )


def _refused(old: AudienceRecord, current: AudienceRecord, report: RotationReport, why: str) -> bool:
    log.warning("audience_still_in_dsp", audience=old.name, replaced_by=current.name, reason=why)
    report.still_in_dsp.append(old.name)
    report.messages.append(f"{old.name} is {still_in_dsp_note(current.name)} ({why})")
    return False


def _delete(
    client: AmcClient, ledger: Ledger, old: AudienceRecord, current: AudienceRecord, report: RotationReport
) -> bool:
    now = clock.current().now()
    if old.audience_execution_id is not None:
        try:
            metadata = client.audiences.get(old.audience_execution_id)
            if metadata.deletable is False:  # None: an AMC without v1.2's flag; its DELETE answers for it
                if metadata.status == AudienceStatus.DEACTIVATED:
                    report.messages.append(
                        f"{old.name} is DEACTIVATED on AMC, which deletes only FAILED or SUCCEEDED "
                        "audiences: it is no longer refreshed and is left as it is"
                    )
                    return False
                if metadata.status is not None and not metadata.status.final:
                    report.messages.append(
                        f"{old.name} is {metadata.status} on AMC (a refresh): a later run deletes it"
                    )
                    return False
                return _refused(old, current, report, "AMC says it is not deletable at this time")
            client.audiences.delete(old.audience_execution_id)
        except NotFoundError:
            pass  # already gone on AMC
        except BadRequestError as exc:
            return _refused(old, current, report, f"AMC refused the deletion: {exc.details or exc}")
        except APIStatusError as exc:
            log.warning("audience_delete_failed", audience=old.name, error=str(exc))
            report.messages.append(f"could not delete {old.name} yet ({exc}); a later run tries again")
            return False
    ledger.delete_audience(old.id, now)
    log.info("audience_deleted", audience=old.name, audience_execution_id=old.audience_execution_id)
    return True

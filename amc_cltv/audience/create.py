"""Creating an audience exactly once: the intent is in the ledger before the POST, AMC's id right after.

``POST /amc/audiences/query`` has no idempotency key (docs/amc-api.md §6.3), so a POST whose outcome is
unknown (read timeout, 5xx, dropped connection: AmbiguousSubmitError) or a crash between the POST and the
ledger update is never answered by posting again. It is reconciled through the list endpoint: the audiences
with the same ``audienceName`` created since the intent (less 5 minutes for clock skew). One: adopt it. None,
twice, 30 seconds apart: it was never created, so create it. Several: NeedsHuman.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from amc_cltv import clock
from amc_cltv.client import AmcClient
from amc_cltv.client.models import AudienceMetadata, AudienceRequest, LookalikeAudienceRequest
from amc_cltv.errors import AmbiguousSubmitError, NeedsHuman
from amc_cltv.ledger import AudienceRecord, AudienceRecordState, Ledger
from amc_cltv.log import get_logger

log = get_logger("amc_cltv.audience")

RECONCILE_LOOKBACK = timedelta(minutes=5)
RECONCILE_LIST_SPACING_S = 30.0
RECONCILE_LIST_ATTEMPTS = 2
MAX_AMBIGUOUS_SUBMITS = 3

CREATING = AudienceRecordState.CREATING
CREATED = AudienceRecordState.CREATED


def audiences_named(client: AmcClient, name: str, *, since: datetime | None = None) -> list[AudienceMetadata]:
    """AMC's audiences called ``name`` (created at or after ``since`` when given; an unreadable
    ``createTime`` counts as a match, since it cannot be ruled out)."""
    found = []
    for metadata in client.audiences.list():
        if metadata.audience_name != name:
            continue
        created = metadata.create_time
        if since is not None and created is not None and created < since:
            continue
        found.append(metadata)
    return found


def adopt(ledger: Ledger, record: AudienceRecord, metadata: AudienceMetadata) -> AudienceRecord:
    """Record an audience found on AMC as the one this ledger row stands for."""
    log.info("audience_adopted", audience=record.name, audience_execution_id=metadata.audience_execution_id)
    return ledger.record_audience_created(
        record.id,
        clock.current().now(),
        audience_execution_id=metadata.audience_execution_id,
        status=metadata.status,
        created_at=metadata.create_time or clock.current().now(),
    )


def _several(name: str, matches: list[AudienceMetadata]) -> NeedsHuman:
    ids = ", ".join(m.audience_execution_id for m in matches)
    return NeedsHuman(
        f"{len(matches)} audiences on AMC are named {name!r} ({ids}); the tool will not guess which one "
        "is meant: delete the extra ones (DELETE /amc/audiences/query/ID) and run the command again"
    )


def submit(
    client: AmcClient, ledger: Ledger, record: AudienceRecord, request: AudienceRequest
) -> AudienceRecord:
    """POST the audience whose intent row is ``record`` and record AMC's id; reconcile when ambiguous."""
    for _ in range(MAX_AMBIGUOUS_SUBMITS):
        try:
            if isinstance(request, LookalikeAudienceRequest):
                created = client.audiences.create_lookalike(request)
            else:
                created = client.audiences.create(request)
        except AmbiguousSubmitError as exc:
            # The audience may exist on AMC: look before posting again.
            log.warning("audience_submit_ambiguous", audience=record.name, error=str(exc))
            found = find_submitted(client, record)
            if found is not None:
                return adopt(ledger, record, found)
            continue
        now = clock.current().now()
        log.info(
            "audience_created", audience=record.name, audience_execution_id=created.audience_execution_id
        )
        return ledger.record_audience_created(
            record.id,
            now,
            audience_execution_id=created.audience_execution_id,
            status=created.status,
            created_at=now,
        )
    raise NeedsHuman(
        f"creating audience {record.name!r} failed ambiguously {MAX_AMBIGUOUS_SUBMITS} times and AMC lists "
        "no such audience; check AMC's audience list, then run the command again"
    )


def find_submitted(client: AmcClient, record: AudienceRecord) -> AudienceMetadata | None:
    """The audience an earlier POST for ``record`` created, if any (two looks, 30 s apart)."""
    since = record.requested_at - RECONCILE_LOOKBACK
    for attempt in range(RECONCILE_LIST_ATTEMPTS):
        matches = audiences_named(client, record.name, since=since)
        if len(matches) > 1:
            raise _several(record.name, matches)
        if matches:
            return matches[0]
        if attempt + 1 < RECONCILE_LIST_ATTEMPTS:
            clock.current().sleep(RECONCILE_LIST_SPACING_S)
    log.info("audience_not_found_on_amc", audience=record.name, since=since.isoformat())
    return None


def resume_creating(
    client: AmcClient, ledger: Ledger, record: AudienceRecord, request: AudienceRequest
) -> AudienceRecord:
    """An intent without AMC's id (a crash or an ambiguous POST): adopt what AMC has, else create it."""
    found = find_submitted(client, record)
    if found is not None:
        return adopt(ledger, record, found)
    return submit(client, ledger, record, request)


def find_existing(client: AmcClient, name: str) -> AudienceMetadata | None:
    """An audience with this name that AMC already holds (any age), e.g. created from another machine."""
    matches = audiences_named(client, name)
    if len(matches) > 1:
        raise _several(name, matches)
    return matches[0] if matches else None

"""``audience status``: every audience of the instance, refreshed from AMC, with its place in the lag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amc_cltv import clock
from amc_cltv.audience import lag
from amc_cltv.audience.poll import refresh
from amc_cltv.client import AmcClient
from amc_cltv.client.status import AudienceStatus
from amc_cltv.config import Config
from amc_cltv.errors import NotFoundError
from amc_cltv.ledger import AudienceRecord, Ledger
from amc_cltv.log import get_logger

log = get_logger("amc_cltv.audience")


@dataclass(frozen=True)
class AudienceView:
    """One audience as ``audience status`` shows it."""

    name: str
    segment: str
    audience_execution_id: str | None
    status: str | None  # AMC's word
    status_reason: str | None
    state: str  # usable, pending lag, refreshing, running, creating, failed, retired, deactivated
    audience_count: int | None
    dsp_audience_id: str | None
    created_at: datetime | None
    succeeded_at: datetime | None
    usable_in_dsp_at: datetime | None
    usable_now: bool
    retired_at: datetime | None

    @classmethod
    def of(cls, record: AudienceRecord, now: datetime) -> AudienceView:
        return cls(
            name=record.name,
            segment=record.segment,
            audience_execution_id=record.audience_execution_id,
            status=record.status,
            status_reason=record.status_reason,
            state=lag.state_of(record, now),
            audience_count=record.audience_count,
            dsp_audience_id=record.dsp_audience_id,
            created_at=record.created_at,
            succeeded_at=record.succeeded_at,
            usable_in_dsp_at=record.usable_in_dsp_at,
            usable_now=lag.usable_now(record, now),
            retired_at=record.retired_at,
        )

    def as_dict(self) -> dict[str, Any]:
        """The keys of docs/contract.md §3.1 (``audience status --json``), then the state and AMC's reason."""
        return {
            "name": self.name,
            "segment": self.segment,
            "audience_execution_id": self.audience_execution_id,
            "status": self.status,
            "audience_count": self.audience_count,
            "created_at": _iso(self.created_at),
            "usable_in_dsp_at": _iso(self.usable_in_dsp_at),
            "usable_now": self.usable_now,
            "state": self.state,
            "status_reason": self.status_reason,
            "dsp_audience_id": self.dsp_audience_id,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def needs_refresh(record: AudienceRecord) -> bool:
    """Whether AMC may say something new: not deleted, id known, not FAILED or DEACTIVATED.

    SUCCEEDED audiences are asked too: AMC refreshes them (RUNNING again) and adds ``dspAudienceId``.
    """
    return (
        record.deleted_at is None
        and record.audience_execution_id is not None
        and record.status not in (AudienceStatus.FAILED, AudienceStatus.DEACTIVATED)
    )


def refresh_record(
    client: AmcClient, ledger: Ledger, config: Config, record: AudienceRecord
) -> AudienceRecord:
    """One status call; an audience AMC no longer knows (404) is recorded as deleted."""
    try:
        return refresh(client, ledger, config, record)
    except NotFoundError:
        log.warning("audience_gone", audience=record.name, audience_execution_id=record.audience_execution_id)
        return ledger.delete_audience(record.id, clock.current().now())


def refresh_status(config: Config, client: AmcClient, ledger: Ledger) -> list[AudienceView]:
    """Every audience of the instance (newest first), each refreshed from AMC unless it is final."""
    views = []
    for record in ledger.audiences(instance_id=config.instance_id):
        current = refresh_record(client, ledger, config, record) if needs_refresh(record) else record
        if current.deleted_at is None:
            views.append(AudienceView.of(current, clock.current().now()))
    return views

"""``audience status``: every audience of the instance, refreshed from AMC, with its place in the lag.

A retired audience AMC says is not ``deletable`` (a DSP campaign uses it) is shown as still in DSP, with what
it does there and what ops must do (``amc_cltv/audience/rotation.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amc_cltv import clock
from amc_cltv.audience import lag
from amc_cltv.audience.poll import record_metadata
from amc_cltv.audience.rotation import still_in_dsp_note
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
    status: AudienceStatus | None
    status_reason: str | None
    state: str  # usable, pending lag, refreshing, running, creating, failed, retired, deactivated
    audience_count: int | None
    dsp_audience_id: str | None
    created_at: datetime | None
    succeeded_at: datetime | None
    usable_in_dsp_at: datetime | None
    usable_now: bool
    retired_at: datetime | None
    deletable: bool | None = None  # AMC's word when it was asked (v1.2); None when not asked or not said

    @property
    def still_in_dsp(self) -> bool:
        """Retired, yet AMC will not delete it: a DSP campaign still uses it."""
        return self.retired_at is not None and self.deletable is False

    @classmethod
    def of(cls, record: AudienceRecord, now: datetime, *, deletable: bool | None = None) -> AudienceView:
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
            deletable=deletable,
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
            "deletable": self.deletable,
            "note": still_in_dsp_note(None) if self.still_in_dsp else None,
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


def _refreshed(
    client: AmcClient, ledger: Ledger, config: Config, record: AudienceRecord
) -> tuple[AudienceRecord, bool | None]:
    """One status call: the updated row and AMC's ``deletable``; an audience AMC no longer knows (404) is
    recorded as deleted."""
    assert record.audience_execution_id is not None
    try:
        metadata = client.audiences.get(record.audience_execution_id)
    except NotFoundError:
        log.warning("audience_gone", audience=record.name, audience_execution_id=record.audience_execution_id)
        return ledger.delete_audience(record.id, clock.current().now()), None
    return record_metadata(ledger, config, record, metadata), metadata.deletable


def refresh_record(
    client: AmcClient, ledger: Ledger, config: Config, record: AudienceRecord
) -> AudienceRecord:
    """One status call; an audience AMC no longer knows (404) is recorded as deleted."""
    return _refreshed(client, ledger, config, record)[0]


def refresh_status(config: Config, client: AmcClient, ledger: Ledger) -> list[AudienceView]:
    """Every audience of the instance (newest first), each refreshed from AMC unless it is final."""
    views = []
    for record in ledger.audiences(instance_id=config.instance_id):
        current, deletable = (
            _refreshed(client, ledger, config, record) if needs_refresh(record) else (record, None)
        )
        if current.deleted_at is None:
            views.append(AudienceView.of(current, clock.current().now(), deletable=deletable))
    return views

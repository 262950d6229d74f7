"""Following an audience on AMC: record each status in the ledger, and when SUCCEEDED is first seen,
when it becomes usable in Amazon DSP.

The cadence is the execution polling schedule (``amc_cltv.cadence``, docs/polling.md): learnt from how long
AMC took to build the segment's past audiences, derived from the time since the intent was written. The
wait is bounded by ``[polling] max_wait_s``: past it, StillRunning and the next invocation resumes.
"""

from __future__ import annotations

from amc_cltv import clock
from amc_cltv.audience import lag
from amc_cltv.cadence import Schedule
from amc_cltv.client import AmcClient
from amc_cltv.client.models import AudienceMetadata
from amc_cltv.client.status import AudienceStatus, is_final
from amc_cltv.config import Config
from amc_cltv.errors import StillRunning
from amc_cltv.ledger import AudienceRecord, Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration.history import audience_durations
from amc_cltv.orchestration.polling import Poll, Step, drive

log = get_logger("amc_cltv.audience")


def record_metadata(
    ledger: Ledger, config: Config, record: AudienceRecord, metadata: AudienceMetadata
) -> AudienceRecord:
    """Write what AMC says about an audience into its ledger row.

    The first SUCCEEDED the tool sees fixes ``succeeded_at`` and ``usable_in_dsp_at`` (never moved later:
    AMC's refreshes do not restart the lag of an audience DSP already has).
    """
    now = clock.current().now()
    status = metadata.status or AudienceStatus("UNKNOWN")
    succeeded_at = usable_in_dsp_at = None
    if status == AudienceStatus.SUCCEEDED and record.succeeded_at is None:
        succeeded_at = now
        usable_in_dsp_at = lag.usable_in_dsp_at(now, config.profile.audience.activation_lag_hours)
    if not status.known:
        log.warning(
            "unknown_status",
            audience=record.name,
            audience_execution_id=record.audience_execution_id,
            status=status,
        )
    return ledger.record_audience_status(
        record.id,
        now,
        status=status,
        status_reason=metadata.status_reason or None,
        audience_count=metadata.audience_count,
        dsp_audience_id=metadata.dsp_audience_id or None,
        created_at=(metadata.create_time or now) if record.created_at is None else None,
        succeeded_at=succeeded_at,
        usable_in_dsp_at=usable_in_dsp_at,
    )


def refresh(client: AmcClient, ledger: Ledger, config: Config, record: AudienceRecord) -> AudienceRecord:
    """One status call for an audience whose AMC id is known."""
    assert record.audience_execution_id is not None
    metadata = client.audiences.get(record.audience_execution_id)
    return record_metadata(ledger, config, record, metadata)


def wait_until_final(
    client: AmcClient,
    ledger: Ledger,
    config: Config,
    record: AudienceRecord,
    *,
    max_wait_s: float | None = None,
) -> AudienceRecord:
    """Poll the audience until AMC reports SUCCEEDED, FAILED or DEACTIVATED; return its ledger row.

    Raises StillRunning after ``max_wait_s`` (default ``[polling] max_wait_s``).
    """
    polling = config.profile.polling
    history = audience_durations(ledger, config.instance_id, record.segment)
    poll = Poll(
        Schedule(polling, history, key=record.audience_execution_id or record.name),
        since=record.requested_at,
        started=clock.current().monotonic(),
        max_wait_s=polling.max_wait_s if max_wait_s is None else max_wait_s,
        final=is_final,
    )

    def observe(seen: AudienceRecord, step: Step) -> None:
        if step.delay_s is not None:
            log.info(
                "audience_status",
                audience=seen.name,
                audience_execution_id=seen.audience_execution_id,
                status=seen.status or AudienceStatus("UNKNOWN"),
                next_poll_s=round(step.delay_s, 1),
            )

    current = record

    def look() -> AudienceRecord:
        nonlocal current
        current = refresh(client, ledger, config, current)
        return current

    record, step = drive(poll, look, lambda seen: seen.status, on_step=observe)
    status = record.status or AudienceStatus("UNKNOWN")
    if step.gave_up:
        waited = poll.waited_s(clock.current().monotonic())
        raise StillRunning(
            f"audience {record.name!r} ({record.audience_execution_id}) is still {status} after "
            f"waiting {waited:.0f} s; run the same command again to resume"
        )
    log.info(
        "audience_finished",
        audience=record.name,
        audience_execution_id=record.audience_execution_id,
        status=status,
        audience_count=record.audience_count,
    )
    return record

"""Following an audience on AMC: record each status in the ledger, and when SUCCEEDED is first seen,
when it becomes usable in Amazon DSP.

The cadence is the execution polling schedule (``amc_cltv.cadence``, docs/polling.md): learnt from how long
AMC took to build the segment's past audiences, derived from the time since the intent was written. The
wait is bounded by ``[polling] max_wait_s``: past it, StillRunning (exit 4) and the next invocation resumes.
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

    Raises StillRunning (exit 4) after ``max_wait_s`` (default ``[polling] max_wait_s``).
    """
    polling = config.profile.polling
    limit = polling.max_wait_s if max_wait_s is None else max_wait_s
    now = clock.current()
    history = audience_durations(ledger, config.instance_id, record.segment)
    schedule = Schedule(polling, history, key=record.audience_execution_id or record.name)
    started = now.monotonic()
    last_wait = False  # the wait was cut to what was left of the bound: the next poll is the last
    while True:
        record = refresh(client, ledger, config, record)
        status = record.status or "UNKNOWN"
        if is_final(status):
            log.info(
                "audience_finished",
                audience=record.name,
                audience_execution_id=record.audience_execution_id,
                status=status,
                audience_count=record.audience_count,
            )
            return record
        elapsed = max(0.0, (now.now() - record.requested_at).total_seconds())
        delay = schedule.next_delay(elapsed)
        waited = now.monotonic() - started
        if waited + delay > limit:
            remaining = limit - waited
            # A remainder below the clock's resolution would never be used up: end after the cut wait.
            if remaining <= 0 or last_wait:
                raise StillRunning(
                    f"audience {record.name!r} ({record.audience_execution_id}) is still {status} after "
                    f"waiting {waited:.0f} s; run the same command again to resume"
                )
            delay, last_wait = remaining, True
        log.info(
            "audience_status",
            audience=record.name,
            audience_execution_id=record.audience_execution_id,
            status=status,
            next_poll_s=round(delay, 1),
        )
        now.sleep(delay)

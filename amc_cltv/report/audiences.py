"""The audiences the ledger knows: each segment's audience with its state and recommended use (the trader's
view, docs/segments.md §14), then every audience with its status, size and when it is usable in Amazon DSP."""

from __future__ import annotations

from datetime import datetime

from amc_cltv.audience import lag
from amc_cltv.audience.rules import LOOKALIKE_USE, SEGMENTS
from amc_cltv.client.status import AudienceStatus
from amc_cltv.ledger import AudienceRecord
from amc_cltv.report.builder import chart
from amc_cltv.report.model import Section, TableSpec, count, moment_text

ACTIVATE = "amc-cltv audience activate --segment all"
LOOKALIKE = "LOOKALIKE"
STATUS_COLOURS: dict[AudienceStatus | None, str] = {
    AudienceStatus.SUCCEEDED: "#1b9e77",
    AudienceStatus.FAILED: "#d95f02",
    AudienceStatus.PENDING: "#e6ab02",
    AudienceStatus.RUNNING: "#7570b3",
}


def _current(records: list[AudienceRecord], segment: str, audience_type: str) -> AudienceRecord | None:
    """The segment's audience of that type for DSP: the newest not retired (records are newest first)."""
    mine = [r for r in records if r.segment == segment and r.audience_type == audience_type]
    return next((r for r in mine if r.retired_at is None), mine[0] if mine else None)


def _segment_row(
    segment: str, kind: str, use: str, record: AudienceRecord | None, now: datetime, time_zone: str
) -> tuple[str, ...]:
    if record is None:
        return (segment, kind, use, "not activated", "-", "-", "-")
    return (
        segment,
        kind,
        use,
        record.name,
        str(lag.state_of(record, now)),
        count(record.audience_count),
        moment_text(record.usable_in_dsp_at, time_zone),
    )


def _segments_table(records: list[AudienceRecord], now: datetime, time_zone: str) -> TableSpec:
    """One row per segment (and lookalike): its current audience, state, size, usable-from time, use."""
    rows = [
        _segment_row(key, "rule-based", segment.use, _current(records, key, "RULE_BASED"), now, time_zone)
        for key, segment in SEGMENTS.items()
    ]
    for key in SEGMENTS:
        lookalike = _current(records, key, LOOKALIKE)
        if lookalike is not None:
            kind = f"lookalike ({(lookalike.expected_reach or '').lower().replace('_', '-')})"
            rows.append(_segment_row(key, kind, LOOKALIKE_USE, lookalike, now, time_zone))
    return TableSpec(
        key="audience-segments",
        text_columns=5,
        columns=("Segment", "Audience", "Recommended use", "Name", "State", "Users", "Usable in DSP from"),
        rows=tuple(rows),
    )


def _table(records: list[AudienceRecord], now: datetime, time_zone: str) -> TableSpec:
    return TableSpec(
        key="audiences",
        text_columns=4,
        columns=(
            "Name",
            "Segment",
            "audience_execution_id",
            "Status",
            "Users",
            "Created",
            "Usable in DSP from",
            "Usable now",
        ),
        rows=tuple(
            (
                record.name,
                record.segment,
                record.audience_execution_id or "not yet",
                record.status or "not sent",
                count(record.audience_count),
                moment_text(record.created_at, time_zone),
                moment_text(record.usable_in_dsp_at, time_zone),
                "yes" if record.usable_in_dsp_at and record.usable_in_dsp_at <= now else "no",
            )
            for record in records
        ),
    )


def audience_section(records: list[AudienceRecord] | None, now: datetime, time_zone: str = "UTC") -> Section:
    """A table of every audience and a chart of their sizes; says what to run when there is none.
    Times are shown in ``time_zone`` (the instance's), naming it."""
    section = Section(key="audiences", title="Audiences")
    if not records:
        section.notes.append(f"No audience has been created yet. Run `{ACTIVATE}`.")
        return section
    section.source = f"{len(records)} audience(s) recorded in the ledger"
    section.tables.append(_segments_table(records, now, time_zone))
    section.tables.append(_table(records, now, time_zone))
    missing = [key for key in SEGMENTS if _current(records, key, "RULE_BASED") is None]
    if missing:
        section.notes.append(
            f"Not activated: {', '.join(missing)}. Run `{ACTIVATE}` (a segment under [audience] min_size is "
            "skipped and named)."
        )
    latest = records[0]
    reading = f"Latest: {latest.name} ({latest.segment}) is {latest.status or 'not sent'}"
    if latest.audience_count is not None:
        reading += f" with {count(latest.audience_count)} users"
    if latest.usable_in_dsp_at is not None:
        verb = "usable in DSP since" if latest.usable_in_dsp_at <= now else "usable in DSP from"
        reading += f", {verb} {moment_text(latest.usable_in_dsp_at, time_zone)}"
    reading += "."
    sized = [record for record in reversed(records) if record.audience_count is not None]
    if not sized:
        section.notes.append("No audience has a size yet: AMC reports it once the audience SUCCEEDED.")
        section.notes.append(reading)
        return section
    section.charts.append(
        chart(
            "audiences",
            reading,
            [
                {
                    "type": "bar",
                    "name": "Users",
                    "x": [record.name for record in sized],
                    "y": [record.audience_count for record in sized],
                    "marker": {"color": [STATUS_COLOURS.get(record.status, "#999999") for record in sized]},
                    "text": [
                        f"{count(record.audience_count)} users, {record.status or 'not sent'}"
                        for record in sized
                    ],
                    "textposition": "auto",
                    "width": [0.5] * len(sized),  # one audience is a bar, not the whole chart
                }
            ],
            title="Audience size",
            x_title="Audience",
            y_title="Users in the audience",
            xaxis={"type": "category"},
            showlegend=False,
        )
    )
    return section

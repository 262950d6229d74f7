"""The audiences the ledger knows: status, size and when each is usable in Amazon DSP."""

from __future__ import annotations

from datetime import datetime

from amc_cltv.ledger import AudienceRecord
from amc_cltv.report.builder import chart
from amc_cltv.report.model import Section, TableSpec, count, moment_text

ACTIVATE = "amc-cltv audience activate --segment high-value"
STATUS_COLOURS = {"SUCCEEDED": "#1b9e77", "FAILED": "#d95f02", "PENDING": "#e6ab02", "RUNNING": "#7570b3"}


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
    section.tables.append(_table(records, now, time_zone))
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
                    "marker": {
                        "color": [STATUS_COLOURS.get(record.status or "", "#999999") for record in sized]
                    },
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

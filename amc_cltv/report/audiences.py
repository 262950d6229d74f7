"""The audiences the ledger knows: status, size and when each is usable in Amazon DSP."""

from __future__ import annotations

from datetime import datetime

from amc_cltv.ledger import AudienceRecord
from amc_cltv.report.model import Chart, Section, TableSpec, count, figure

ACTIVATE = "amc-cltv audience activate --segment high-value"
STATUS_COLOURS = {"SUCCEEDED": "#1b9e77", "FAILED": "#d95f02", "PENDING": "#e6ab02", "RUNNING": "#7570b3"}


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "not yet"


def audience_section(records: list[AudienceRecord] | None, now: datetime) -> Section:
    """A table of every audience and a chart of their sizes; says what to run when there is none."""
    section = Section(key="audiences", title="Audiences")
    if not records:
        section.notes.append(f"No audience has been created yet. Run `{ACTIVATE}`.")
        return section
    section.source = f"{len(records)} audience(s) recorded in the ledger"
    section.tables.append(
        TableSpec(
            key="audiences",
            columns=(
                "Name",
                "Segment",
                "audience_execution_id",
                "Status",
                "Users",
                "Created",
                "usable_in_dsp_at",
                "Usable now",
            ),
            rows=tuple(
                (
                    record.name,
                    record.segment,
                    record.audience_execution_id or "not yet",
                    record.status or "not sent",
                    count(record.audience_count),
                    _when(record.created_at),
                    _when(record.usable_in_dsp_at),
                    "yes" if record.usable_in_dsp_at and record.usable_in_dsp_at <= now else "no",
                )
                for record in records
            ),
        )
    )
    latest = records[0]
    reading = f"Latest: {latest.name} ({latest.segment}) is {latest.status or 'not sent'}"
    if latest.audience_count is not None:
        reading += f" with {count(latest.audience_count)} users"
    if latest.usable_in_dsp_at is not None:
        verb = "usable in DSP since" if latest.usable_in_dsp_at <= now else "usable in DSP from"
        reading += f", {verb} {_when(latest.usable_in_dsp_at)}"
    reading += "."
    sized = [record for record in reversed(records) if record.audience_count is not None]
    if not sized:
        section.notes.append("No audience has a size yet: AMC reports it once the audience SUCCEEDED.")
        section.notes.append(reading)
        return section
    section.charts.append(
        Chart(
            key="audiences",
            title="Audience size",
            reading=reading,
            figure=figure(
                [
                    {
                        "type": "bar",
                        "name": "Users",
                        "x": [record.name for record in sized],
                        "y": [record.audience_count for record in sized],
                        "marker": {
                            "color": [STATUS_COLOURS.get(record.status or "", "#999999") for record in sized]
                        },
                        "text": [record.status or "not sent" for record in sized],
                        "textposition": "auto",
                    }
                ],
                title="Audience size",
                x_title="Audience",
                y_title="Users in the audience (users)",
                xaxis={"type": "category"},
                showlegend=False,
            ),
        )
    )
    return section

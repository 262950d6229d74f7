"""What a report section is made of: charts as plain figure specs, tables as formatted cells, notes.

Sections hold plain JSON-ready figure specs (``{"data": [...], "layout": {...}}``), never plotly objects, so
computing a section needs no plotting library; only ``amc_cltv.report.html`` turns specs into figures.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# The two things called "CLTV", named apart everywhere in the report (docs/report.md §2).
CLTV_PER_CUSTOMER = "CLTV per customer"  # average of sales - ad spend per customer, in currency
SCORE = "lifetime × value score"  # the ASIN workflows' product of two averages (docs/segments.md §7)
# Its unit: the value score is margin (sales − ad spend) per 1 of ad spend; the lifetime score is relative
# loyalty, 1 for the average customer. So the product is margin per 1 of ad spend, weighted by loyalty.
SCORE_UNIT = "margin per 1 of ad spend × relative lifetime"
CURRENCY = "currency"  # AMC reports money in the instance's marketplace currency

# The labels in the reading order of docs/segments.md §5 and §8, each with one colour used by every chart.
SEGMENT_COLOURS: dict[str, str] = {
    "High Value Customer": "#1b9e77",
    "Revenue Potential Customer": "#7570b3",
    "Growth Potential Customer": "#e6ab02",
    "Low Value Customer": "#d95f02",
    "High CLTV Customer": "#1b9e77",
    "High Loyalty Customer": "#7570b3",
    "High Revenue Potential Customer": "#e6ab02",
    "Low CLTV Customer": "#d95f02",
    "Non-Labeled": "#999999",
}
OTHER_COLOUR = "#666666"


def chart_text(value: str) -> str:
    """Text from the data (a segment name, an ASIN) made safe inside a chart: plotly draws ``<a href>``,
    ``<b>`` and ``<br>`` in labels and hover text as links and styles, so the data's ``<``, ``>`` and ``&``
    are written as entities, which plotly shows as the characters themselves."""
    return html.escape(value, quote=False)


def colour_for(label: str) -> str:
    return SEGMENT_COLOURS.get(label, OTHER_COLOUR)


def segment_order(labels: list[str]) -> list[str]:
    """Labels in the order of docs/segments.md §5 and §8, unknown labels after them alphabetically."""
    known = [label for label in SEGMENT_COLOURS if label in labels]
    return known + sorted(set(labels) - set(known))


def grouped_bars(
    cells: dict[tuple[str, str], float], categories: list[str], *, scale: float = 1.0
) -> list[dict[str, Any]]:
    """One bar trace per segment label over ``categories`` (ASINs, campaigns), in the labels' order."""
    traces = []
    for label in segment_order(sorted({label for _, label in cells})):
        shown = [category for category in categories if (category, label) in cells]
        if shown:
            traces.append(
                {
                    "type": "bar",
                    "name": label,
                    "x": shown,
                    "y": [cells[(category, label)] * scale for category in shown],
                    "marker": {"color": colour_for(label)},
                }
            )
    return traces


@dataclass(frozen=True)
class Chart:
    """One chart: its title, a one-line reading computed from the data, and its figure spec."""

    key: str
    title: str
    reading: str
    figure: dict[str, Any]


@dataclass(frozen=True)
class TableSpec:
    """One HTML table: column headings and already formatted cells."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text_columns: int = 1  # the leading columns that hold words (left-aligned); the others hold numbers


@dataclass
class Section:
    """One part of the report. ``notes`` say what is missing and what to run to fill it."""

    key: str
    title: str
    source: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def figure(
    traces: list[dict[str, Any]], *, title: str, x_title: str, y_title: str, **layout: Any
) -> dict[str, Any]:
    """A figure spec with the title and both axis titles every chart must carry."""
    spec_layout: dict[str, Any] = {
        "title": {"text": title, "automargin": True, "x": 0, "xanchor": "left"},
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True},
        "template": "plotly_white",
        # Above the plot, in rows: on a phone a legend at the side would leave no room for the plot.
        "legend": {
            "title": {"text": ""},
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
        },
        "margin": {"t": 30, "r": 20, "b": 50, "l": 60},
        "height": 420,
    }
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(spec_layout.get(key), dict):
            spec_layout[key] = {**spec_layout[key], **value}
        else:
            spec_layout[key] = value
    return {"data": traces, "layout": spec_layout}


def money(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def count(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value):,}"


def ratio(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 0) -> str:
    """A fraction (0.23) as a percentage ("23%")."""
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def moment_text(moment: datetime | None, time_zone: str = "UTC", *, missing: str = "not yet") -> str:
    """A moment as people read it, in the instance's time zone and naming it: "2026-11-27 06:00 EST"."""
    if moment is None:
        return missing
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or time_zone}"

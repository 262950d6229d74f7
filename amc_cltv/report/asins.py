"""The lifetime × value score by ASIN: per loyalty segment, and the top ASINs (all, new-to-brand customers).

This score (``cltv`` in the ``cltv``, ``cltv-ntb`` and ``loyalty-segments`` outputs) is a unitless product of
ratios, not money: the report never calls it "CLTV" alone (docs/report.md §2).
"""

from __future__ import annotations

from typing import Any

from amc_cltv.report.builder import Found, chart, open_section
from amc_cltv.report.model import (
    CURRENCY,
    SCORE,
    SCORE_UNIT,
    Section,
    TableSpec,
    chart_text,
    colour_for,
    count,
    money,
    ratio,
    segment_order,
)
from amc_cltv.report.results import number
from amc_cltv.results import (
    AVG_LIFETIME_SCORE,
    AVG_VALUE_SCORE,
    CLTV,
    NTB_CUSTOMERS,
    SEGMENT,
    TOTAL_SALES,
    TOTAL_SPEND,
    TOTAL_UNITS_SOLD,
    TRACKED_ASIN,
    reads,
)

LOYALTY = "loyalty-segments"
LOYALTY_COLUMNS = reads(LOYALTY, TRACKED_ASIN, SEGMENT, CLTV)
NTB = "cltv-ntb"
TOP_NEEDS = reads("cltv", TRACKED_ASIN, CLTV)
TOP_SHOWS = reads("cltv", AVG_LIFETIME_SCORE, AVG_VALUE_SCORE, TOTAL_SALES, TOTAL_SPEND, TOTAL_UNITS_SOLD)
reads(NTB, *TOP_NEEDS, *TOP_SHOWS, NTB_CUSTOMERS)  # the same table of new-to-brand customers, counted
TOP_ASINS = 10
GROUPED_ASINS = 15  # the loyalty chart shows the ASINs with the highest score in any segment
LOG_SCALE_SPREAD = (
    100  # in one row, the largest score over the median bar above which the axis is logarithmic
)
FACET_HEIGHT = 150  # pixels per loyalty segment row
SCORE_TITLE = SCORE[0].upper() + SCORE[1:]


def loyalty_section(found: Found) -> Section:
    """Grouped bars (docs/segments.md §1) drawn as one row per loyalty segment: each row has its own axis,
    so a segment with small scores stays readable beside one with large scores."""
    section, table = open_section(
        "loyalty",
        f"{SCORE_TITLE} by ASIN and loyalty segment",
        found,
        what=f"the {SCORE} by ASIN and segment",
        needs=LOYALTY_COLUMNS,
    )
    cells: dict[tuple[str, str], float] = {}
    for row in table.rows if table else ():
        score = number(row.get(CLTV))
        if score is not None and score > 0:  # positive scores only, as in docs/segments.md §1
            cells[(str(row[TRACKED_ASIN]), str(row[SEGMENT]))] = score
    if table and not cells:
        section.notes.append(f"The latest `{LOYALTY}` result has no ASIN with a positive {SCORE}.")
    if not cells:
        return section
    best_per_asin: dict[str, float] = {}
    for (asin, _), score in cells.items():
        best_per_asin[asin] = max(score, best_per_asin.get(asin, 0.0))
    asins = sorted(best_per_asin, key=lambda asin: (-best_per_asin[asin], asin))[:GROUPED_ASINS]
    labels = segment_order(sorted({label for asin, label in cells if asin in asins}))
    (top_asin, top_label), top_score = max(cells.items(), key=lambda item: item[1])
    reading = f"Highest {SCORE}: {top_asin} among {top_label} ({ratio(top_score)})."
    high = sorted(
        ((s, asin) for (asin, label), s in cells.items() if label == "High CLTV Customer"), reverse=True
    )
    if high:
        reading += " Highest for High CLTV Customers: " + ", ".join(asin for _, asin in high[:3]) + "."
    if len(best_per_asin) > len(asins):
        reading += f" The {len(asins)} of {len(best_per_asin)} ASINs with the highest score are drawn."
    section.charts.append(
        chart(
            "loyalty",
            reading,
            [_facet_trace(cells, asins, label, index) for index, label in enumerate(labels)],
            title=f"{SCORE_TITLE} by tracked ASIN, one row per loyalty segment ({SCORE_UNIT})",
            x_title="Tracked ASIN (highest score first)",
            y_title="score",
            height=FACET_HEIGHT * len(labels) + 150,
            showlegend=False,
            **_facet_layout(cells, asins, labels),
        )
    )
    return section


def _facet_trace(
    cells: dict[tuple[str, str], float], asins: list[str], label: str, index: int
) -> dict[str, Any]:
    shown = [asin for asin in asins if (asin, label) in cells]
    return {
        "type": "bar",
        "name": label,
        "x": shown,
        "y": [cells[(asin, label)] for asin in shown],
        "xaxis": "x",
        "yaxis": "y" if index == 0 else f"y{index + 1}",
        "marker": {"color": colour_for(label)},
        "hovertemplate": "%{x}<br>" + chart_text(label) + ": %{y:,.2f}<extra></extra>",
    }


def _facet_layout(cells: dict[tuple[str, str], float], asins: list[str], labels: list[str]) -> dict[str, Any]:
    """One y axis per segment, the first segment's row at the top; the shared ASIN axis under the last row."""
    gap = 0.1 / max(1, len(labels) - 1) if len(labels) > 1 else 0.0
    height = (1 - gap * (len(labels) - 1)) / len(labels)
    layout: dict[str, Any] = {
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": asins,
            "anchor": f"y{len(labels)}" if len(labels) > 1 else "y",
        },
        "annotations": [],
    }
    for index, label in enumerate(labels):
        bottom = (len(labels) - 1 - index) * (height + gap)
        values = sorted(score for (asin, row), score in cells.items() if row == label and asin in asins)
        # Scores can span orders of magnitude within a row too: then only its top bar would show.
        log_scale = bool(values) and values[-1] / values[len(values) // 2] > LOG_SCALE_SPREAD
        layout["yaxis" if index == 0 else f"yaxis{index + 1}"] = {
            "domain": [round(bottom, 6), min(1.0, round(bottom + height, 6))],
            "type": "log" if log_scale else "linear",
            "title": {"text": "score, log" if log_scale else "score"},
            "rangemode": "tozero",
        }
        layout["annotations"].append(
            {
                "text": f"<b>{chart_text(label)}</b>",
                "font": {"color": colour_for(label)},
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": min(1.0, round(bottom + height, 6)),
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    return layout


def top_asin_section(workflow: str, found: Found) -> Section:
    """The ASINs with the highest score (``cltv``: all customers; ``cltv-ntb``: new-to-brand customers)."""
    ntb = workflow == NTB
    who = "new-to-brand customers" if ntb else "all customers"
    section, table = open_section(
        workflow,
        f"Top ASINs by {SCORE}, {who} (`{workflow}`)",
        found,
        what=f"the top ASINs by {SCORE} for {who}",
        needs=TOP_NEEDS,
    )
    ranked = sorted(
        (
            (score, row)
            for row in (table.rows if table else ())
            if (score := number(row.get(CLTV))) is not None
        ),
        key=lambda item: (-item[0], str(item[1])),
    )
    if table and not ranked:
        section.notes.append(f"The latest `{workflow}` result has no ASIN with a {SCORE}.")
    if not ranked:
        return section
    top = ranked[:TOP_ASINS]
    section.tables.append(_top_table(workflow, top, ntb))
    lead_score, lead = top[0]
    reading = f"{lead[TRACKED_ASIN]} leads with a {SCORE} of {ratio(lead_score)}"
    if ntb and (customers := number(lead.get(NTB_CUSTOMERS))) is not None:
        reading += f" ({count(customers)} new-to-brand customers)"
    values = sorted(score for score, _ in ranked)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    positive = sum(1 for score in values if score > 0)
    reading += f". {positive} of {len(values)} ASINs have a positive score; the median is {ratio(median)}."
    bars = {
        "type": "bar",
        "orientation": "h",
        "name": SCORE,
        "x": [score for score, _ in reversed(top)],
        "y": [str(row[TRACKED_ASIN]) for _, row in reversed(top)],
        "text": [ratio(score) for score, _ in reversed(top)],
        "textposition": "auto",
        "marker": {"color": "#1b9e77" if ntb else "#4c78a8"},
    }
    section.charts.append(
        chart(
            workflow,
            reading,
            [bars],
            title=f"Top {len(top)} ASINs by {SCORE}, {who}",
            x_title=f"{SCORE_TITLE} ({SCORE_UNIT})",
            y_title="Tracked ASIN",
            yaxis={"type": "category", "automargin": True},
            showlegend=False,
        )
    )
    return section


def _top_table(workflow: str, top: list[tuple[float, dict[str, Any]]], ntb: bool) -> TableSpec:
    columns = [
        "Tracked ASIN",
        f"{SCORE_TITLE} = lifetime × value",
        "Lifetime score (1 = the average customer)",
        "Value score (margin per 1 of ad spend)",
        f"Average sales per customer ({CURRENCY})",
        f"Average ad spend per customer ({CURRENCY})",
        "Units sold",
    ]
    if ntb:
        columns.append("New-to-brand customers")

    def cells(score: float, row: dict[str, Any]) -> tuple[str, ...]:
        values = [
            str(row[TRACKED_ASIN]),
            ratio(score),
            ratio(number(row.get(AVG_LIFETIME_SCORE))),
            ratio(number(row.get(AVG_VALUE_SCORE))),
            money(number(row.get(TOTAL_SALES))),
            money(number(row.get(TOTAL_SPEND))),
            count(number(row.get(TOTAL_UNITS_SOLD))),
        ]
        if ntb:
            values.append(count(number(row.get(NTB_CUSTOMERS))))
        return tuple(values)

    return TableSpec(key=workflow, columns=tuple(columns), rows=tuple(cells(s, r) for s, r in top))

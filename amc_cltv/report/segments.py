"""The revenue × cost segments (docs/segments.md §5): the segment table and chart, the per-user scatter."""

from __future__ import annotations

from dataclasses import dataclass

from amc_cltv.report.builder import Found, chart, describe, open_section
from amc_cltv.report.model import (
    CLTV_PER_CUSTOMER,
    CURRENCY,
    Section,
    TableSpec,
    colour_for,
    count,
    money,
    percent,
    segment_order,
)
from amc_cltv.report.results import Result, number
from amc_cltv.results import (
    CLTV,
    NUM_USERS,
    SEGMENT,
    TOTAL_SALES,
    TOTAL_SPEND,
    USER_ID,
    ResultTable,
    reads,
)

SEGMENTATION = "segmentation"
SEGMENT_NEEDS = reads(SEGMENTATION, SEGMENT, NUM_USERS)
SEGMENT_WANTS = reads(SEGMENTATION, TOTAL_SALES, TOTAL_SPEND, CLTV)
# A result with one row per customer and its label: customer-labels' (the report takes any that has these).
PER_USER_COLUMNS = reads("customer-labels", USER_ID, SEGMENT, TOTAL_SALES, TOTAL_SPEND)
SCATTER_POINTS = 5000  # more points than this make a slow, unreadable SVG: a regular sample is drawn


@dataclass(frozen=True)
class SegmentRow:
    """One row of the segmentation output, as numbers."""

    segment: str
    num_users: float
    total_sales: float  # average per user
    total_spend: float  # average per user
    cltv: float  # average per user


def segment_rows(table: ResultTable) -> list[SegmentRow]:
    """The segmentation rows in the order of docs/segments.md §5 (rows without a user count are dropped)."""
    by_label: dict[str, SegmentRow] = {}
    for row in table.rows:
        label = str(row.get(SEGMENT) or "")
        users = number(row.get(NUM_USERS))
        if not label or users is None:
            continue
        by_label[label] = SegmentRow(
            segment=label,
            num_users=users,
            total_sales=number(row.get(TOTAL_SALES)) or 0.0,
            total_spend=number(row.get(TOTAL_SPEND)) or 0.0,
            cltv=number(row.get(CLTV)) or 0.0,
        )
    return [by_label[label] for label in segment_order(list(by_label))]


SEGMENT_TABLE_COLUMNS = (
    "Segment",
    "Customers",
    "Share of customers",
    f"Average sales per customer ({CURRENCY})",
    f"Average ad spend per customer ({CURRENCY})",
    f"{CLTV_PER_CUSTOMER} ({CURRENCY})",
    "Share of sales",
)
SEGMENT_BARS = (
    ("Average sales", "total_sales", "#4c78a8"),
    ("Average ad spend", "total_spend", "#f58518"),
    (CLTV_PER_CUSTOMER, "cltv", "#54a24b"),
)


def segment_section(found: Found) -> Section:
    """The segment table with customers, average sales, spend and CLTV per customer, and a chart of it."""
    section, table = open_section(
        "segments",
        "Customer segments (revenue × cost)",
        found,
        what="the segment table",
        needs=SEGMENT_NEEDS,
        wants=SEGMENT_WANTS,
    )
    rows = segment_rows(table) if table else []
    if table and not rows:
        section.notes.append(f"The latest `{SEGMENTATION}` result has no customers in its window.")
    if not rows:
        return section
    all_users = sum(row.num_users for row in rows) or 1.0
    all_sales = sum(row.num_users * row.total_sales for row in rows) or 1.0
    section.tables.append(
        TableSpec(
            key="segments",
            columns=SEGMENT_TABLE_COLUMNS,
            rows=tuple(
                (
                    row.segment,
                    count(row.num_users),
                    percent(row.num_users / all_users),
                    money(row.total_sales),
                    money(row.total_spend),
                    money(row.cltv),
                    percent(row.num_users * row.total_sales / all_sales),
                )
                for row in rows
            ),
        )
    )
    focus = next(
        (row for row in rows if row.segment == "High Value Customer"), max(rows, key=lambda r: r.cltv)
    )
    reading = (
        f"{focus.segment}: {percent(focus.num_users / all_users)} of customers, "
        f"{percent(focus.num_users * focus.total_sales / all_sales)} of sales, "
        f"{CLTV_PER_CUSTOMER} {money(focus.cltv)}."
    )
    section.charts.append(
        chart(
            "segments",
            reading,
            _segment_bars(rows),
            title="Sales, ad spend and CLTV per customer by segment",
            x_title="Customer segment",
            y_title=f"Average per customer ({CURRENCY})",
            barmode="group",
            uniformtext={"minsize": 9, "mode": "hide"},
        )
    )
    return section


def _segment_bars(rows: list[SegmentRow]) -> list[dict[str, object]]:
    """One bar per segment for each measure, each labelled with its value (small bars stay readable)."""
    labels = [row.segment for row in rows]
    return [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [getattr(row, column) for row in rows],
            "text": [money(getattr(row, column)) for row in rows],
            "textposition": "outside",
            "cliponaxis": False,
            "customdata": [row.num_users for row in rows],
            "hovertemplate": "%{x}<br>%{y:,.2f} per customer<br>%{customdata:,} customers<extra>"
            + name
            + "</extra>",
            "marker": {"color": colour},
        }
        for name, column, colour in SEGMENT_BARS
    ]


def scatter_section(result: Result | None, table: ResultTable | None) -> Section:
    """Sales against spend per customer, coloured by segment, where a per-user result exists."""
    section = Section(key="scatter", title="Audience scatter: sales against ad spend per customer")
    if result is None or table is None:
        section.notes.append(
            "No per-user result was downloaded. AMC never outputs single users (user_id is withheld by its "
            "aggregation thresholds), so this chart exists only for a workflow that selects user_id, "
            "customer_audience_segment, total_sales and total_spend, run on synthetic data with aggregation "
            "controls off (a sandbox instance): run `amc-cltv run --workflow customer-labels` there."
        )
        return section
    section.source = describe(result)
    points = _scatter_points(table)
    customers = sum(len(xs) for xs, _ in points.values())
    if not customers:
        section.notes.append(f"The per-user result of `{result.workflow}` has no customers.")
        return section
    step = max(1, -(-customers // SCATTER_POINTS))
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": label,
            "x": points[label][0][::step],
            "y": points[label][1][::step],
            "marker": {"color": colour_for(label), "size": 5, "opacity": 0.6},
        }
        for label in segment_order(list(points))
    ]
    mean_spend = {label: sum(ys) / len(ys) for label, (_, ys) in points.items()}
    mean_sales = {label: sum(xs) / len(xs) for label, (xs, _) in points.items()}
    top = max(mean_sales, key=lambda label: mean_sales[label])
    reading = (
        f"{customers:,} customers; {top} has the highest sales per customer "
        f"({money(mean_sales[top])}) at {money(mean_spend[top])} ad spend per customer."
    )
    if step > 1:
        reading += f" One customer in {step} is drawn."
    section.charts.append(
        chart(
            "scatter",
            reading,
            traces,
            title="Sales against ad spend per customer, by segment",
            x_title=f"Sales per customer ({CURRENCY})",
            y_title=f"Ad spend per customer ({CURRENCY})",
        )
    )
    return section


def _scatter_points(table: ResultTable) -> dict[str, tuple[list[float], list[float]]]:
    """Each label's customers as (sales, spend) lists; rows without both numbers are skipped."""
    points: dict[str, tuple[list[float], list[float]]] = {}
    for row in table.rows:
        sales, spend = number(row.get(TOTAL_SALES)), number(row.get(TOTAL_SPEND))
        if sales is None or spend is None:
            continue
        xs, ys = points.setdefault(str(row.get(SEGMENT) or "Non-Labeled"), ([], []))
        xs.append(sales)
        ys.append(spend)
    return points

"""The revenue × cost segments (docs/segments.md §5): the segment table and chart, the per-user scatter."""

from __future__ import annotations

from dataclasses import dataclass

from amc_cltv.report.model import (
    Chart,
    Section,
    TableSpec,
    colour_for,
    count,
    figure,
    missing_columns,
    missing_result,
    money,
    percent,
    segment_order,
)
from amc_cltv.report.results import Result, Table, number

SEGMENTATION = "segmentation"
SEGMENT_COLUMNS = ("customer_audience_segment", "num_users", "total_sales", "total_spend", "cltv")
PER_USER_COLUMNS = ("user_id", "customer_audience_segment", "total_sales", "total_spend")
SCATTER_POINTS = 5000  # more points than this make a slow, unreadable SVG: a regular sample is drawn


@dataclass(frozen=True)
class SegmentRow:
    """One row of the segmentation output, as numbers."""

    segment: str
    num_users: float
    total_sales: float  # average per user
    total_spend: float  # average per user
    cltv: float  # average per user


def segment_rows(table: Table) -> list[SegmentRow]:
    """The segmentation rows in the order of docs/segments.md §5 (rows without a user count are dropped)."""
    by_label: dict[str, SegmentRow] = {}
    for row in table.rows:
        label = str(row.get("customer_audience_segment") or "")
        users = number(row.get("num_users"))
        if not label or users is None:
            continue
        by_label[label] = SegmentRow(
            segment=label,
            num_users=users,
            total_sales=number(row.get("total_sales")) or 0.0,
            total_spend=number(row.get("total_spend")) or 0.0,
            cltv=number(row.get("cltv")) or 0.0,
        )
    return [by_label[label] for label in segment_order(list(by_label))]


def describe(result: Result) -> str:
    return f"`{result.workflow}` execution {result.execution_id}, time window {window_text(result)}"


def window_text(result: Result) -> str:
    """The time window as days when it runs midnight to midnight, else as recorded."""
    start, end = result.time_window_start, result.time_window_end
    if start[10:19] in ("", "T00:00:00") and end[10:19] in ("", "T00:00:00"):
        return f"{start[:10]} to {end[:10]}"
    return f"{start} to {end}"


def segment_section(result: Result | None, table: Table | None) -> Section:
    """The segment table with users, average sales, spend and CLTV per user, and a chart of it."""
    section = Section(key="segments", title="Customer segments (revenue × cost)")
    if result is None or table is None:
        section.notes.append(missing_result(SEGMENTATION, "the segment table"))
        return section
    section.source = describe(result)
    absent = table.missing(*SEGMENT_COLUMNS)
    if "customer_audience_segment" in absent or "num_users" in absent:
        section.notes.append(missing_columns(SEGMENTATION, absent))
        return section
    if absent:
        section.notes.append(missing_columns(SEGMENTATION, absent))
    rows = segment_rows(table)
    if not rows:
        section.notes.append(f"The latest `{SEGMENTATION}` result has no customers in its window.")
        return section
    all_users = sum(row.num_users for row in rows) or 1.0
    all_sales = sum(row.num_users * row.total_sales for row in rows) or 1.0
    section.tables.append(
        TableSpec(
            key="segments",
            columns=(
                "Segment",
                "Users",
                "Share of customers",
                "Average sales per user",
                "Average ad spend per user",
                "Average CLTV per user",
                "Share of sales",
            ),
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
        f"average CLTV {money(focus.cltv)} per user."
    )
    labels = [row.segment for row in rows]
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [getattr(row, column) for row in rows],
            "customdata": [row.num_users for row in rows],
            "hovertemplate": "%{x}<br>%{y:,.2f} per user<br>%{customdata:,} users<extra>" + name + "</extra>",
            "marker": {"color": colour},
        }
        for name, column, colour in (
            ("Average sales", "total_sales", "#4c78a8"),
            ("Average ad spend", "total_spend", "#f58518"),
            ("Average CLTV", "cltv", "#54a24b"),
        )
    ]
    section.charts.append(
        Chart(
            key="segments",
            title="Sales, ad spend and CLTV per user by segment",
            reading=reading,
            figure=figure(
                traces,
                title="Sales, ad spend and CLTV per user by segment",
                x_title="Customer segment",
                y_title="Average per user (currency)",
                barmode="group",
            ),
        )
    )
    return section


def scatter_section(result: Result | None, table: Table | None) -> Section:
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
    points: dict[str, tuple[list[float], list[float]]] = {}
    customers = 0
    for row in table.rows:
        sales, spend = number(row.get("total_sales")), number(row.get("total_spend"))
        if sales is None or spend is None:
            continue
        customers += 1
        xs, ys = points.setdefault(str(row.get("customer_audience_segment") or "Non-Labeled"), ([], []))
        xs.append(sales)
        ys.append(spend)
    if not customers:
        section.notes.append(f"The per-user result of `{result.workflow}` has no customers.")
        return section
    step = max(1, -(-customers // SCATTER_POINTS))
    traces = []
    for label in segment_order(list(points)):
        xs, ys = points[label]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": xs[::step],
                "y": ys[::step],
                "marker": {"color": colour_for(label), "size": 5, "opacity": 0.6},
            }
        )
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
        Chart(
            key="scatter",
            title="Sales against ad spend per customer, by segment",
            reading=reading,
            figure=figure(
                traces,
                title="Sales against ad spend per customer, by segment",
                x_title="Sales per customer (currency)",
                y_title="Ad spend per customer (currency)",
            ),
        )
    )
    return section

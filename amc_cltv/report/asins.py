"""CLTV by ASIN: the loyalty segments per ASIN, the top ASINs by CLTV, and conversion rate by campaign."""

from __future__ import annotations

from amc_cltv.report.model import (
    Chart,
    Section,
    TableSpec,
    count,
    figure,
    grouped_bars,
    missing_columns,
    missing_result,
    money,
    percent,
    ratio,
)
from amc_cltv.report.results import Result, Table, number
from amc_cltv.report.segments import describe

LOYALTY = "loyalty-segments"
LOYALTY_COLUMNS = ("tracked_asin", "customer_audience_segment", "cltv")
TOP_ASINS = 10
GROUPED_ASINS = 15  # the grouped chart shows the ASINs with the highest CLTV in any segment
LOG_SCALE_SPREAD = 100  # largest CLTV over the median bar above which the axis is logarithmic
CONVERSION = "segment-conversion-rate"
CONVERSION_COLUMNS = ("campaign_id", "customer_audience_segment", "unique_users_reached")
CAMPAIGNS = 20


def loyalty_section(result: Result | None, table: Table | None) -> Section:
    """Grouped bars (docs/segments.md §1): CLTV by tracked ASIN, one bar per loyalty segment."""
    section = Section(key="loyalty", title="CLTV by ASIN and loyalty segment (lifetime × value)")
    if result is None or table is None:
        section.notes.append(missing_result(LOYALTY, "CLTV by ASIN and segment"))
        return section
    section.source = describe(result)
    absent = table.missing(*LOYALTY_COLUMNS)
    if absent:
        section.notes.append(missing_columns(LOYALTY, absent))
        return section
    cells: dict[tuple[str, str], float] = {}
    for row in table.rows:
        cltv = number(row.get("cltv"))
        if cltv is None or cltv <= 0:  # positive CLTV only, as in docs/segments.md §1
            continue
        cells[(str(row["tracked_asin"]), str(row["customer_audience_segment"]))] = cltv
    if not cells:
        section.notes.append(f"The latest `{LOYALTY}` result has no ASIN with a positive CLTV.")
        return section
    best_per_asin: dict[str, float] = {}
    for (asin, _), cltv in cells.items():
        best_per_asin[asin] = max(cltv, best_per_asin.get(asin, 0.0))
    asins = sorted(best_per_asin, key=lambda asin: (-best_per_asin[asin], asin))[:GROUPED_ASINS]
    traces = grouped_bars(cells, asins)
    (top_asin, top_label), top_cltv = max(cells.items(), key=lambda item: item[1])
    reading = f"Highest CLTV: {top_asin} among {top_label} ({ratio(top_cltv)})."
    high = sorted(
        ((cltv, asin) for (asin, label), cltv in cells.items() if label == "High CLTV Customer"), reverse=True
    )
    if high:
        reading += " Highest for High CLTV Customers: " + ", ".join(asin for _, asin in high[:3]) + "."
    if len(best_per_asin) > len(asins):
        reading += f" The {len(asins)} of {len(best_per_asin)} ASINs with the highest CLTV are drawn."
    drawn = sorted(cltv for (asin, _), cltv in cells.items() if asin in asins)
    # Lifetime × value scores span orders of magnitude; on a linear axis only the top segment would show.
    log_scale = drawn[-1] / drawn[len(drawn) // 2] > LOG_SCALE_SPREAD
    section.charts.append(
        Chart(
            key="loyalty",
            title="CLTV by tracked ASIN and loyalty segment",
            reading=reading,
            figure=figure(
                traces,
                title="CLTV by tracked ASIN and loyalty segment",
                x_title="Tracked ASIN",
                y_title="CLTV (lifetime score × value score, ratio" + (", log scale)" if log_scale else ")"),
                barmode="group",
                xaxis={"type": "category"},
                yaxis={"type": "log" if log_scale else "linear"},
            ),
        )
    )
    return section


def top_asin_section(workflow: str, result: Result | None, table: Table | None) -> Section:
    """The ASINs with the highest CLTV (``cltv``: all customers; ``cltv-ntb``: new-to-brand customers)."""
    ntb = workflow == "cltv-ntb"
    who = "new-to-brand customers" if ntb else "all customers"
    section = Section(key=workflow, title=f"Top ASINs by CLTV, {who} (`{workflow}`)")
    if result is None or table is None:
        section.notes.append(missing_result(workflow, f"the top ASINs by CLTV for {who}"))
        return section
    section.source = describe(result)
    absent = table.missing("tracked_asin", "cltv")
    if absent:
        section.notes.append(missing_columns(workflow, absent))
        return section
    rows = [(number(row.get("cltv")), row) for row in table.rows]
    ranked = sorted(
        ((cltv, row) for cltv, row in rows if cltv is not None), key=lambda item: (-item[0], str(item[1]))
    )
    if not ranked:
        section.notes.append(f"The latest `{workflow}` result has no ASIN with a CLTV.")
        return section
    top = ranked[:TOP_ASINS]
    columns = [
        "Tracked ASIN",
        "CLTV",
        "Average sales per customer (currency)",
        "Average ad spend per customer (currency)",
        "Units sold",
    ]
    if ntb:
        columns.append("New-to-brand customers")

    def cells(cltv: float, row: dict[str, object]) -> tuple[str, ...]:
        values = [
            str(row["tracked_asin"]),
            ratio(cltv),
            money(number(row.get("total_sales"))),
            money(number(row.get("total_spend"))),
            count(number(row.get("total_units_sold"))),
        ]
        if ntb:
            values.append(count(number(row.get("ntb_customers"))))
        return tuple(values)

    section.tables.append(
        TableSpec(key=workflow, columns=tuple(columns), rows=tuple(cells(c, r) for c, r in top))
    )
    lead_cltv, lead = top[0]
    reading = f"{lead['tracked_asin']} leads with CLTV {ratio(lead_cltv)}"
    if ntb and number(lead.get("ntb_customers")) is not None:
        reading += f" ({count(number(lead.get('ntb_customers')))} new-to-brand customers)"
    reading += "."
    values = sorted(cltv for cltv, _ in ranked)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    positive = sum(1 for cltv in values if cltv > 0)
    reading += f" {positive} of {len(values)} ASINs have a positive CLTV; the median is {ratio(median)}."
    asins = [str(row["tracked_asin"]) for _, row in reversed(top)]
    section.charts.append(
        Chart(
            key=workflow,
            title=f"Top {len(top)} ASINs by CLTV, {who}",
            reading=reading,
            figure=figure(
                [
                    {
                        "type": "bar",
                        "orientation": "h",
                        "name": "CLTV",
                        "x": [cltv for cltv, _ in reversed(top)],
                        "y": asins,
                        "marker": {"color": "#1b9e77" if ntb else "#4c78a8"},
                    }
                ],
                title=f"Top {len(top)} ASINs by CLTV, {who}",
                x_title="CLTV (lifetime score × value score, ratio)",
                y_title="Tracked ASIN",
                yaxis={"type": "category"},
                showlegend=False,
            ),
        )
    )
    return section


def conversion_section(result: Result | None, table: Table | None) -> Section:
    """Conversion rate (users who purchased ÷ users reached) by DSP campaign and segment."""
    section = Section(key="conversion", title="Conversion rate by campaign and segment")
    if result is None or table is None:
        section.notes.append(missing_result(CONVERSION, "conversion rate by campaign and segment"))
        return section
    section.source = describe(result)
    absent = table.missing(*CONVERSION_COLUMNS)
    if absent or (
        "user_conversion_rate" not in table.columns and "unique_users_purchased" not in table.columns
    ):
        section.notes.append(missing_columns(CONVERSION, absent or ["user_conversion_rate"]))
        return section
    cells: dict[tuple[str, str], float] = {}
    reach: dict[str, float] = {}
    pooled: dict[str, list[float]] = {}
    for row in table.rows:
        reached = number(row.get("unique_users_reached"))
        purchased = number(row.get("unique_users_purchased"))
        rate = number(row.get("user_conversion_rate"))
        if rate is None and reached and purchased is not None:
            rate = purchased / reached
        if rate is None:
            continue
        campaign, label = str(row["campaign_id"]), str(row["customer_audience_segment"])
        cells[(campaign, label)] = rate
        reach[campaign] = reach.get(campaign, 0.0) + (reached or 0.0)
        totals = pooled.setdefault(label, [0.0, 0.0])
        totals[0] += purchased if purchased is not None else rate * (reached or 0.0)
        totals[1] += reached or 0.0
    if not cells:
        section.notes.append(f"The latest `{CONVERSION}` result has no campaign with a conversion rate.")
        return section
    campaigns = sorted(reach, key=lambda campaign: (-reach[campaign], campaign))[:CAMPAIGNS]
    traces = grouped_bars(cells, campaigns, scale=100)
    overall = {label: buyers / reached for label, (buyers, reached) in pooled.items() if reached > 0}
    if len(overall) >= 2:
        best = max(overall, key=lambda label: overall[label])
        worst = min(overall, key=lambda label: overall[label])
        reading = (
            f"{best} converts {percent(overall[best], 1)} of users reached, "
            f"{worst} {percent(overall[worst], 1)}, over {len(reach)} campaigns."
        )
    else:
        campaign, label = max(cells, key=lambda key: cells[key])
        reading = (
            f"Highest conversion rate: campaign {campaign}, {label} ({percent(cells[(campaign, label)], 1)})."
        )
    if len(reach) > len(campaigns):
        reading += f" The {len(campaigns)} campaigns reaching the most users are drawn."
    section.charts.append(
        Chart(
            key="conversion",
            title="User conversion rate by campaign and segment",
            reading=reading,
            figure=figure(
                traces,
                title="User conversion rate by campaign and segment",
                x_title="DSP campaign id",
                y_title="Users who purchased ÷ users reached (%)",
                barmode="group",
                xaxis={"type": "category"},
            ),
        )
    )
    return section

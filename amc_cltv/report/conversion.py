"""Conversion rate (users who purchased ÷ users reached) by DSP campaign and revenue × cost segment."""

from __future__ import annotations

from amc_cltv.report.builder import Found, chart, missing_columns, open_section
from amc_cltv.report.model import Section, grouped_bars, percent
from amc_cltv.report.results import number
from amc_cltv.results import (
    CAMPAIGN_ID,
    SEGMENT,
    UNIQUE_USERS_PURCHASED,
    UNIQUE_USERS_REACHED,
    USER_CONVERSION_RATE,
    reads,
)

CONVERSION = "segment-conversion-rate"
CONVERSION_COLUMNS = reads(CONVERSION, CAMPAIGN_ID, SEGMENT, UNIQUE_USERS_REACHED)
RATE_COLUMNS = reads(CONVERSION, USER_CONVERSION_RATE, UNIQUE_USERS_PURCHASED)  # either gives the rate
CAMPAIGNS = 20


class _Rates:
    """Rates per (campaign, segment); purchasers over users reached, pooled per campaign and per segment."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], float] = {}
        self.by_campaign: dict[str, list[float]] = {}
        self.by_segment: dict[str, list[float]] = {}

    def add(self, campaign: str, label: str, rate: float, reached: float, purchased: float | None) -> None:
        self.cells[(campaign, label)] = rate
        buyers = purchased if purchased is not None else rate * reached
        for totals in (
            self.by_campaign.setdefault(campaign, [0.0, 0.0]),
            self.by_segment.setdefault(label, [0.0, 0.0]),
        ):
            totals[0] += buyers
            totals[1] += reached

    @staticmethod
    def pooled(totals: dict[str, list[float]]) -> dict[str, float]:
        return {key: buyers / reached for key, (buyers, reached) in totals.items() if reached > 0}


def _rates(rows: tuple[dict[str, object], ...]) -> _Rates:
    rates = _Rates()
    for row in rows:
        reached = number(row.get(UNIQUE_USERS_REACHED))
        purchased = number(row.get(UNIQUE_USERS_PURCHASED))
        rate = number(row.get(USER_CONVERSION_RATE))
        if rate is None and reached and purchased is not None:
            rate = purchased / reached
        if rate is not None:
            label = str(row[SEGMENT])
            rates.add(str(row[CAMPAIGN_ID]), label, rate, reached or 0.0, purchased)
    return rates


def conversion_section(found: Found) -> Section:
    """Grouped bars per campaign (campaigns with the highest conversion rate first), one bar per segment."""
    section, table = open_section(
        "conversion",
        "Conversion rate by campaign and segment",
        found,
        what="conversion rate by campaign and segment",
        needs=CONVERSION_COLUMNS,
    )
    if table and len(table.missing(*RATE_COLUMNS)) == len(RATE_COLUMNS):
        section.notes.append(missing_columns(CONVERSION, [USER_CONVERSION_RATE]))
        return section
    rates = _rates(table.rows) if table else _Rates()
    if table and not rates.cells:
        section.notes.append(f"The latest `{CONVERSION}` result has no campaign with a conversion rate.")
    if not rates.cells:
        return section
    reach = {campaign: reached for campaign, (_, reached) in rates.by_campaign.items()}
    by_campaign = _Rates.pooled(rates.by_campaign)
    drawn = sorted(reach, key=lambda campaign: (-reach[campaign], campaign))[:CAMPAIGNS]
    drawn.sort(key=lambda campaign: (-by_campaign.get(campaign, 0.0), campaign))
    overall = _Rates.pooled(rates.by_segment)
    if len(overall) >= 2:
        best = max(overall, key=lambda label: overall[label])
        worst = min(overall, key=lambda label: overall[label])
        reading = (
            f"{best} converts {percent(overall[best], 1)} of users reached, "
            f"{worst} {percent(overall[worst], 1)}, over {len(reach)} campaigns."
        )
    else:
        campaign, label = max(rates.cells, key=lambda key: rates.cells[key])
        rate = percent(rates.cells[(campaign, label)], 1)
        reading = f"Highest conversion rate: campaign {campaign}, {label} ({rate})."
    if len(reach) > len(drawn):
        reading += f" The {len(drawn)} campaigns reaching the most users are drawn."
    section.charts.append(
        chart(
            "conversion",
            reading,
            grouped_bars(rates.cells, drawn, scale=100),
            title="User conversion rate by campaign and segment",
            x_title="DSP campaign id (highest conversion rate over all segments first)",
            y_title="Users who purchased ÷ users reached (%)",
            barmode="group",
            xaxis={"type": "category", "categoryorder": "array", "categoryarray": drawn},
        )
    )
    return section

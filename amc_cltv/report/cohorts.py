"""Cohorts: which acquisition months are worth the most, which only look profitable, and how they moved.

A customer's cohort is the month of their first new-to-brand order in the window (``existing``: none in it).
A cohort "looks profitable but is not" when its average sales per customer is at or above the all-customer
average while its CLTV per customer is below the all-customer CLTV; both averages weight the rows by
``num_users`` (docs/report.md §5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from amc_cltv.orchestration.cohorts import COHORTS_WORKFLOW as COHORTS
from amc_cltv.orchestration.cohorts import COLUMNS as COHORT_COLUMNS
from amc_cltv.orchestration.cohorts import EXISTING, buying_days, summarize
from amc_cltv.orchestration.cohorts import Cohort as CohortSummaryRow
from amc_cltv.report.builder import Found, chart, open_section
from amc_cltv.report.groups import describe_key, main_group
from amc_cltv.report.history import date_axis, end_day, window_axis
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
from amc_cltv.report.results import Result, number, to_date
from amc_cltv.results import CLTV, COHORT_MONTH, NUM_USERS, SEGMENT, TOTAL_SALES, TOTAL_SPEND, ResultTable

FIGURES = (NUM_USERS, TOTAL_SALES, TOTAL_SPEND, CLTV)  # a row without a number in one of them is left out

HIGH_VALUE = "High Value Customer"
FLAG_COLOUR, COHORT_COLOUR = "#d95f02", "#1b9e77"


@dataclass(frozen=True)
class Cohort:
    """One acquisition month (or ``existing``, or every customer) as the report shows it: the cohort as
    ``amc_cltv.orchestration.cohorts`` computes it (averages, shares, the flag), and whether the window
    holds all of its month."""

    month: str
    partial: bool = False  # the window covers only part of this month: not comparable with whole months
    summary: CohortSummaryRow | None = None

    @property
    def users(self) -> float:
        return self.summary.num_users if self.summary else 0.0

    @property
    def sales(self) -> float:
        return self.summary.total_sales if self.summary else 0.0

    @property
    def spend(self) -> float:
        return self.summary.total_spend if self.summary else 0.0

    @property
    def cltv(self) -> float:
        return self.summary.cltv if self.summary else 0.0

    @property
    def flagged(self) -> bool:
        """Looks profitable but is not (the rule is written once, in amc_cltv/orchestration/cohorts.py)."""
        return bool(self.summary and self.summary.looks_profitable_but_is_not)

    @property
    def label(self) -> str:
        """The cohort on an axis or in a table."""
        if self.month == EXISTING:
            return "Existing"
        return f"{self.month} (partial)" if self.partial else self.month

    @property
    def called(self) -> str:
        """The cohort in a sentence."""
        if self.month == EXISTING:
            return "existing customers (acquired before the window)"
        return f"the {self.label} cohort"

    def share(self, label: str) -> float:
        return self.summary.segment_shares.get(label, 0.0) if self.summary else 0.0

    def customers(self, label: str) -> int:
        return round(self.share(label) * self.users)


@dataclass(frozen=True)
class Measure:
    """A per-cohort value followed over runs."""

    key: str
    name: str
    y_title: str
    value: Callable[[Cohort], float]
    text: Callable[[float | None], str]
    tickformat: str = ""


MEASURES = (
    Measure(
        "cohort-history-cltv",
        CLTV_PER_CUSTOMER,
        f"{CLTV_PER_CUSTOMER} ({CURRENCY})",
        lambda cohort: cohort.cltv,
        money,
    ),
    Measure(
        "cohort-history-high-value",
        "High Value share",
        "High Value share of the cohort (%)",
        lambda cohort: cohort.share(HIGH_VALUE),
        lambda share: percent(share, 1),
        ".0%",
    ),
)


def partial_months(result: Result) -> set[str]:
    """The months the time window covers only in part: its first unless it starts on the 1st, its last unless
    it ends (exclusive) on the 1st."""
    start, end = to_date(result.time_window_start), result.window_end_date
    return {f"{day:%Y-%m}" for day in (start, end) if day is not None and day.day != 1}


def read_cohorts(
    table: ResultTable, partial: set[str] | frozenset[str] = frozenset()
) -> tuple[list[Cohort], Cohort]:
    """The cohorts (``existing`` first, then months in order) and every customer together; the months in
    ``partial`` are marked as such. Rows without a number in every column are left out."""
    rows = [
        row
        for row in table.rows
        if row[COHORT_MONTH] and row[SEGMENT] and all(number(row[name]) is not None for name in FIGURES)
    ]
    if not rows:
        return [], Cohort("All customers")
    summary = summarize(rows)
    cohorts = [Cohort(c.cohort_month, c.cohort_month in partial, c) for c in summary.cohorts]
    return cohorts, Cohort("All customers", False, summary.all_customers)


def axis_labels(cohorts: list[Cohort]) -> list[str]:
    """The cohorts in order, with a slot for each month between them that acquired no customer."""
    months = [cohort.month for cohort in cohorts if cohort.month != EXISTING]
    try:
        first, last = (date.fromisoformat(f"{month}-01") for month in (months[0], months[-1]))
    except (IndexError, ValueError):
        return [cohort.label for cohort in cohorts]
    labels = {cohort.month: cohort.label for cohort in cohorts}
    every = []
    while first <= last:
        every.append(labels.get(f"{first:%Y-%m}", f"{first:%Y-%m}"))
        first = (first + timedelta(days=32)).replace(day=1)
    return [cohort.label for cohort in cohorts if cohort.month == EXISTING] + every


def cohort_section(found: Found, runs: list[tuple[Result, ResultTable]]) -> Section:
    """Segment mix and CLTV per cohort of the latest result, and each cohort's CLTV and High Value share
    over the runs of its group."""
    section, table = open_section(
        "cohorts", "Cohorts by acquisition month", found, what="the cohorts", needs=COHORT_COLUMNS
    )
    partial = partial_months(found.latest) if found.latest else set()
    cohorts, everyone = read_cohorts(table, partial) if table else ([], Cohort(""))
    if table and not cohorts:
        section.notes.append(f"The latest `{COHORTS}` result has no customers in its window.")
    if not cohorts:
        return section
    flagged = [cohort for cohort in cohorts if cohort.flagged]
    section.charts.append(_mix_chart(cohorts))
    section.charts.append(_cltv_chart(cohorts, everyone, flagged))
    latest = found.latest
    start = to_date(latest.time_window_start) if latest else None
    end = latest.window_end_date if latest else None
    window = (start, end) if start is not None and end is not None else None
    section.tables.append(_cohort_table(cohorts, everyone, flagged, window))
    _history(section, runs)
    return section


def _mix_chart(cohorts: list[Cohort]) -> Any:
    shown = {
        label for c in cohorts if c.summary for label, share in c.summary.segment_shares.items() if share
    }
    labels = segment_order(sorted(shown))
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": [cohort.label for cohort in cohorts],
            "y": [cohort.share(label) for cohort in cohorts],
            "customdata": [cohort.customers(label) for cohort in cohorts],
            "hovertemplate": "%{x}<br>%{y:.1%} of the cohort, %{customdata:,} customers<extra>"
            + label
            + "</extra>",
            "marker": {"color": colour_for(label)},
        }
        for label in labels
    ]
    whole = [cohort for cohort in cohorts if not cohort.partial] or cohorts
    low = min(whole, key=lambda cohort: cohort.share(HIGH_VALUE))
    high = max(whole, key=lambda cohort: cohort.share(HIGH_VALUE))
    reading = (
        f"{HIGH_VALUE}s make up {percent(high.share(HIGH_VALUE))} of {high.called} "
        f"and {percent(low.share(HIGH_VALUE))} of {low.called}."
    )
    return chart(
        "cohort-mix",
        reading,
        traces,
        title="Segment mix per acquisition month",
        x_title="Acquisition month (first new-to-brand order)",
        y_title="Share of the cohort's customers (%)",
        barmode="stack",
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": axis_labels(cohorts)},
        yaxis={"tickformat": ".0%", "range": [0, 1]},
    )


def _cltv_chart(cohorts: list[Cohort], everyone: Cohort, flagged: list[Cohort]) -> Any:
    def bars(name: str, members: list[Cohort], colour: str) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": [cohort.label for cohort in members],
            "y": [cohort.cltv for cohort in members],
            "text": [money(cohort.cltv) for cohort in members],
            "textposition": "inside",  # above the bar the all-customer line would cross it
            "insidetextanchor": "end",
            "textfont": {"color": "white"},
            "customdata": [[cohort.users, cohort.sales] for cohort in members],
            "hovertemplate": "%{x}<br>CLTV %{y:,.2f} per customer<br>sales %{customdata[1]:,.2f} per customer"
            "<br>%{customdata[0]:,} customers<extra></extra>",
            "marker": {"color": colour},
        }

    # A shape, drawn below the bars: as a line trace it would cross the bars' value labels.
    average = {
        "type": "line",
        "layer": "below",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": everyone.cltv,
        "y1": everyone.cltv,
        "line": {"color": "#333333", "dash": "dash"},
        "showlegend": True,
        "name": f"All customers ({money(everyone.cltv)})",
    }
    others = [cohort for cohort in cohorts if cohort not in flagged]
    traces = [bars(CLTV_PER_CUSTOMER, others, COHORT_COLOUR)]
    if flagged:
        traces.append(bars("Looks profitable but is not", flagged, FLAG_COLOUR))
    return chart(
        "cohort-cltv",
        _cltv_reading(cohorts, everyone, flagged),
        traces,
        title=f"{CLTV_PER_CUSTOMER} per acquisition month against all customers",
        x_title="Acquisition month (first new-to-brand order)",
        y_title=f"{CLTV_PER_CUSTOMER} ({CURRENCY})",
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": axis_labels(cohorts)},
        shapes=[average],
    )


def _cltv_reading(cohorts: list[Cohort], everyone: Cohort, flagged: list[Cohort]) -> str:
    whole = [cohort for cohort in cohorts if not cohort.partial] or cohorts
    best = max(whole, key=lambda cohort: cohort.cltv)
    reading = (
        f"Worth the most: {best.called}, {CLTV_PER_CUSTOMER} {money(best.cltv)} against "
        f"{money(everyone.cltv)} for all customers."
    )
    if not flagged:
        return reading + " No cohort looks profitable without being so."
    names = ", ".join(
        f"{cohort.label} (sales {money(cohort.sales)}, CLTV {money(cohort.cltv)})" for cohort in flagged
    )
    return (
        f"{reading} Look profitable but are not: {names}, against average sales {money(everyone.sales)} "
        f"and CLTV {money(everyone.cltv)} per customer."
    )


PER_DAYS = 30  # CLTV also per this many days a cohort has had to buy in the window


def _cohort_table(
    cohorts: list[Cohort], everyone: Cohort, flagged: list[Cohort], window: tuple[date, date] | None
) -> TableSpec:
    def cells(cohort: Cohort, flag: str) -> tuple[str, ...]:
        days = None
        if window is not None:
            start, end = window
            month = EXISTING if cohort is everyone else cohort.month
            days = buying_days(month, start, end)[0]
        return (
            cohort.label,
            count(cohort.users),
            money(cohort.sales),
            money(cohort.spend),
            money(cohort.cltv),
            "n/a" if days is None else count(days),
            money(cohort.cltv * PER_DAYS / days) if days else "n/a",
            percent(cohort.share(HIGH_VALUE)),
            flag,
        )

    return TableSpec(
        key="cohorts",
        columns=(
            "Cohort (acquisition month)",
            "Customers",
            f"Average sales per customer ({CURRENCY})",
            f"Average ad spend per customer ({CURRENCY})",
            f"{CLTV_PER_CUSTOMER} ({CURRENCY})",
            "Days to buy in the window",
            f"{CLTV_PER_CUSTOMER} per {PER_DAYS} of those days ({CURRENCY})",
            "High Value share",
            "Looks profitable but is not",
        ),
        rows=(
            *(cells(cohort, "yes" if cohort in flagged else "") for cohort in cohorts),
            cells(everyone, ""),
        ),
    )


def _history(section: Section, runs: list[tuple[Result, ResultTable]]) -> None:
    """Each cohort's CLTV and High Value share over the runs of the main run group."""
    groups = main_group([result for result, _ in runs])
    tables = {id(result): table for result, table in runs}
    series = [
        (result, read_cohorts(tables[id(result)], partial_months(result))[0]) for result in groups.drawn
    ]
    note = groups.left_out_note("Cohorts over time")
    if note:
        section.notes.append(note)
    if len(series) < 2:
        section.notes.append(
            f"One `{COHORTS}` run over {describe_key(groups.key)} so far: each later run (monthly: "
            f"`amc-cltv run --workflow {COHORTS}`) adds a point to how each cohort's CLTV and High Value "
            "share move."
        )
        return
    months = sorted({c.month for _, cohorts in series for c in cohorts}, key=lambda m: (m != EXISTING, m))
    for measure in MEASURES:
        lines = _cohort_lines(series, months, measure.value)
        section.charts.append(
            chart(
                measure.key,
                _moved_reading(lines, measure),
                lines,
                title=f"{measure.name} per cohort over runs",
                x_title=window_axis(series[-1][0]),
                y_title=measure.y_title,
                xaxis=date_axis([result for result, _ in series]),
                yaxis={"tickformat": measure.tickformat} if measure.tickformat else {},
            )
        )


def _cohort_lines(
    series: list[tuple[Result, list[Cohort]]], months: list[str], value: Callable[[Cohort], float]
) -> list[dict[str, Any]]:
    """One line per cohort; a run in which the cohort's month is only partly in the window has no point."""
    lines = []
    for index, month in enumerate(months):
        points = [
            (end_day(result), next((c for c in cohorts if c.month == month), None))
            for result, cohorts in series
        ]
        colour = "#555555" if month == EXISTING else _ramp(index / max(1, len(months) - 1))
        lines.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": Cohort(month).label,
                "meta": Cohort(month).called,
                "x": [day for day, _ in points],
                "y": [value(cohort) if cohort and not cohort.partial else None for _, cohort in points],
                "line": {"color": colour},
                "marker": {"color": colour},
            }
        )
    return lines


def _ramp(position: float) -> str:
    """Older cohorts light, newer ones dark: a blue from #9ecae1 to #08306b."""
    light, dark = (0x9E, 0xCA, 0xE1), (0x08, 0x30, 0x6B)
    return "#" + "".join(f"{round(a + (b - a) * position):02x}" for a, b in zip(light, dark, strict=True))


def _moved_reading(lines: list[dict[str, Any]], measure: Measure) -> str:
    """The cohort whose value moved the most between its first and its last run."""
    moves = []
    for line in lines:
        values = [y for y in line["y"] if y is not None]
        if len(values) >= 2:
            moves.append((abs(values[-1] - values[0]), line["meta"], values[0], values[-1]))
    if not moves:
        return f"No cohort is in two runs yet, so no {measure.name} has moved."
    _, name, first, last = max(moves)
    return f"Moved the most: {name}, {measure.name} {measure.text(first)} → {measure.text(last)}."

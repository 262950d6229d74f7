"""The terminal table of a ``cohorts`` run: per acquisition month, what a customer is worth, the segment
mix, and a flag on the cohorts that look profitable but are not."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from amc_cltv.orchestration.cohorts import SEGMENTS, Cohort, CohortSummary
from amc_cltv.orchestration.outcome import RunOutcome

FLAG = "looks profitable, is not"
# Short headers for the segment shares, so the table fits an 80-column terminal.
SHARE_HEADERS = {
    "High Value Customer": "HV %",
    "Revenue Potential Customer": "RP %",
    "Growth Potential Customer": "GP %",
    "Low Value Customer": "LV %",
}


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _cells(cohort: Cohort, flag: str) -> list[str]:
    shares = [f"{100 * cohort.segment_shares.get(segment, 0.0):.0f}" for segment in SEGMENTS]
    return [
        cohort.cohort_month,
        f"{cohort.num_users:,}",
        _money(cohort.total_sales),
        _money(cohort.total_spend),
        _money(cohort.cltv),
        *shares,
        flag,
    ]


def cohort_table(summary: CohortSummary, title: str) -> Table:
    """One row per cohort and a closing all-customers row; averages are per customer."""
    table = Table(title=title, show_footer=False)
    table.add_column("cohort", justify="left", no_wrap=True)
    for header in ("users", "sales", "spend", "CLTV", *SHARE_HEADERS.values()):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("", justify="left")
    for cohort in summary.cohorts:
        flag = FLAG if cohort.looks_profitable_but_is_not else ""
        table.add_row(*_cells(cohort, flag), style="bold red" if flag else None)
    table.add_section()
    table.add_row(*_cells(summary.all_customers, ""), style="bold")
    return table


def reading(summary: CohortSummary) -> str:
    """One line naming the cohorts that look profitable but are not (or saying there are none)."""
    everyone = summary.all_customers
    if not summary.flagged:
        return "No cohort looks profitable without being so."
    named = "; ".join(
        f"{c.cohort_month} (sales {_money(c.total_sales)} >= {_money(everyone.total_sales)}, "
        f"CLTV {_money(c.cltv)} < {_money(everyone.cltv)} per customer)"
        for c in summary.flagged
    )
    return f"Looks profitable but is not: {named}."


def print_cohorts(console: Console, outcome: RunOutcome, summary: CohortSummary) -> None:
    """The cohort table, the legend of its columns, the one-line reading, and where the CSV is."""
    title = f"{outcome.workflow} {outcome.execution_id} ({outcome.time_window.start.date()} to "
    title += f"{outcome.time_window.end.date()}, {'reused' if outcome.reused else 'new'})"
    console.print(cohort_table(summary, title))
    legend = ", ".join(f"{short} {label}" for label, short in SHARE_HEADERS.items())
    console.print(
        "Averages per customer; cohort = month of the first new-to-brand order, existing = acquired before "
        f"the window; shares of each cohort: {legend}.",
        highlight=False,
    )
    console.print(reading(summary), highlight=False)
    console.print(
        f"{outcome.rows:,} row(s) in {len(outcome.files)} file(s): {outcome.files[0].parent}", highlight=False
    )

"""The terminal table of a ``cohorts`` run: per acquisition month, what a customer is worth (on average, and
per 30 days the cohort has had to buy in the window), the segment mix, and a flag on the cohorts that look
profitable but are not. A month the window holds only part of (its first and last) is marked."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from amc_cltv.orchestration.cohorts import SEGMENTS, Cohort, CohortSummary
from amc_cltv.orchestration.cohorts import buying_days as cohort_buying_days
from amc_cltv.orchestration.outcome import RunOutcome
from amc_cltv.timewindow import TimeWindow

FLAG = "looks profitable, is not"
MARK = "!"  # the flag on a narrow terminal, after the cohort's name
PARTIAL = "*"  # after a month the window holds only part of
PER_DAYS = 30  # CLTV is also shown per this many days the cohort has had to buy
# Short headers for the segment shares, so the table fits an 80-column terminal.
SHARE_HEADERS = {
    "High Value Customer": "HV %",
    "Revenue Potential Customer": "RP %",
    "Growth Potential Customer": "GP %",
    "Low Value Customer": "LV %",
}


def _money(value: float) -> str:
    return f"{value:,.2f}"


def buying_days(cohort_month: str, window: TimeWindow) -> tuple[int, bool]:
    """``amc_cltv.orchestration.cohorts.buying_days`` over the run's window."""
    return cohort_buying_days(cohort_month, window.start.date(), window.end.date())


def _cells(cohort: Cohort, name: str, window: TimeWindow | None, *, everyone: bool = False) -> list[str]:
    shares = [f"{100 * cohort.segment_shares.get(segment, 0.0):.0f}" for segment in SEGMENTS]
    tenure: list[str] = []
    if window is not None:
        days, partial = (window.days, False) if everyone else buying_days(cohort.cohort_month, window)
        if partial:
            name = name.replace(cohort.cohort_month, cohort.cohort_month + PARTIAL)
        per_days = _money(cohort.cltv * PER_DAYS / days) if days else "-"
        tenure = [f"{days:,}", per_days]
    return [
        name,
        f"{cohort.num_users:,}",
        _money(cohort.total_sales),
        _money(cohort.total_spend),
        _money(cohort.cltv),
        *tenure,
        *shares,
    ]


def cohort_table(
    summary: CohortSummary, title: str, *, wide: bool = True, window: TimeWindow | None = None
) -> Table:
    """One row per cohort and a closing all-customers row; sales, spend and CLTV are averages per customer.
    With the run's ``window``: the days each cohort has had to buy in it, its CLTV per 30 of those days, and
    ``*`` on a partial month. A wide table spells the flag out in its own column; a narrow one marks the
    cohort's name with ``!``."""
    table = Table(title=title)
    table.add_column("cohort", justify="left", no_wrap=True)
    tenure = ("days", f"CLTV/{PER_DAYS}d") if window is not None else ()
    for header in ("users", "sales", "spend", "CLTV", *tenure, *SHARE_HEADERS.values()):
        table.add_column(header, justify="right", no_wrap=True)
    if wide:
        table.add_column("", justify="left", no_wrap=True)
    for cohort in summary.cohorts:
        flagged = cohort.looks_profitable_but_is_not
        name = f"{cohort.cohort_month} {MARK}" if flagged and not wide else cohort.cohort_month
        cells = _cells(cohort, name, window) + ([FLAG if flagged else ""] if wide else [])
        table.add_row(*cells, style="bold red" if flagged else None)
    table.add_section()
    everyone = _cells(summary.all_customers, "all customers" if wide else "all", window, everyone=True)
    table.add_row(*everyone, *([""] if wide else []), style="bold")
    return table


def fitting_cohort_table(
    console: Console, summary: CohortSummary, title: str, window: TimeWindow | None = None
) -> tuple[Table, bool]:
    """The wide table when it fits the console, else the narrow one; and whether it is the wide one."""
    wide = cohort_table(summary, title, window=window)
    unbounded = console.options.update_width(1_000_000)  # the table's natural width, not the console's
    if Measurement.get(console, unbounded, wide).maximum <= console.width:
        return wide, True
    return cohort_table(summary, title, wide=False, window=window), False


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
    table, wide = fitting_cohort_table(console, summary, title, outcome.time_window)
    console.print(table)
    legend = ", ".join(f"{short} {label}" for label, short in SHARE_HEADERS.items())
    marked = "" if wide else f"; {MARK} looks profitable but is not"
    partial = [c.cohort_month for c in summary.cohorts if buying_days(c.cohort_month, outcome.time_window)[1]]
    partial_note = (
        f"; {PARTIAL} the window holds only part of the month ({', '.join(partial)}): "
        f"compare CLTV/{PER_DAYS}d"
        if partial
        else ""
    )
    console.print(
        "sales, spend and CLTV are averages per customer, not totals; days = days the cohort has had to buy "
        f"in the window, CLTV/{PER_DAYS}d = CLTV per {PER_DAYS} of them; cohort = month of the first "
        f"new-to-brand order, existing = acquired before the window; shares of each cohort: {legend}"
        f"{marked}{partial_note}.",
        highlight=False,
    )
    console.print(reading(summary), highlight=False)
    if summary.filtered_rows:
        from amc_cltv.orchestration.filtered import aggregation_filtered

        filtered = aggregation_filtered(outcome.files)
        if filtered is not None:
            console.print(f"{filtered.describe()}; left out of every cohort", highlight=False)
    console.print(
        f"{outcome.rows:,} row(s) in {len(outcome.files)} file(s): {outcome.files[0].parent}", highlight=False
    )

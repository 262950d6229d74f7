"""The one way a section starts: find the workflow's result, say what is missing, check its columns.

Every section over a downloaded result opens with the same steps; ``open_section`` does them once, so a
section builder only computes its own table, charts and reading. See docs/report.md §6.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from amc_cltv.report.model import Chart, Section, figure
from amc_cltv.report.results import Result, read_rows
from amc_cltv.results import ResultTable
from amc_cltv.workflows.catalog import FILTERED_COLUMN as FILTERED


@dataclass(frozen=True)
class Found:
    """The downloaded results of one workflow the report may show (newest time window first), and how many
    results the ``since`` filter left out, so an empty section can say it was the filter."""

    workflow: str
    results: tuple[Result, ...] = ()
    since: date | None = None
    left_out: tuple[Result, ...] = ()

    @classmethod
    def filtered(cls, workflow: str, results: list[Result], since: date | None) -> Found:
        """Keep the results whose window ends on or after ``since`` (all of them without it)."""
        if since is None:
            return cls(workflow, tuple(results))
        kept = [result for result in results if (end := result.window_end_date) is not None and end >= since]
        return cls(workflow, tuple(kept), since, tuple(result for result in results if result not in kept))

    @property
    def latest(self) -> Result | None:
        return self.results[0] if self.results else None


def run_hint(workflow: str) -> str:
    return f"amc-cltv run --workflow {workflow}"


def missing_note(found: Found, what: str) -> str:
    """Why a section is empty: the ``since`` filter left every result out, or nothing was downloaded."""
    if found.left_out and found.since is not None:
        ends = [end for result in found.left_out if (end := result.window_end_date) is not None]
        newest = f" (the newest ends {max(ends).isoformat()})" if ends else ""
        return (
            f"No `{found.workflow}` result has a time window ending on or after {found.since.isoformat()}, "
            f"the report's `--since` date, so {what} cannot be shown: it left out {len(found.left_out)} "
            f"older result(s){newest}. Choose an earlier `--since` to see them."
        )
    return (
        f"No downloaded `{found.workflow}` result yet, so {what} cannot be shown. "
        f"Run `{run_hint(found.workflow)}`."
    )


def missing_columns(workflow: str, columns: list[str]) -> str:
    return (
        f"The latest `{workflow}` result has no column {', '.join(columns)}; this part is left out. "
        f"Run `{run_hint(workflow)}` with the current workflow definition."
    )


def window_text(result: Result) -> str:
    """The time window as days when it runs midnight to midnight, else as recorded."""
    start, end = result.time_window_start, result.time_window_end
    if start[10:19] in ("", "T00:00:00") and end[10:19] in ("", "T00:00:00"):
        return f"{start[:10]} to {end[:10]}"
    return f"{start} to {end}"


def describe(result: Result) -> str:
    return f"`{result.workflow}` execution {result.execution_id}, time window {window_text(result)}"


def open_section(
    key: str,
    title: str,
    found: Found,
    *,
    what: str,
    needs: tuple[str, ...] = (),
    wants: tuple[str, ...] = (),
) -> tuple[Section, ResultTable | None]:
    """A section over ``found``'s latest result and its rows; the rows are None when the section can show
    nothing (no result, or a column in ``needs`` is missing). A missing column of ``wants`` is only noted."""
    section = Section(key=key, title=title)
    result = found.latest
    if result is None:
        section.notes.append(missing_note(found, what))
        return section, None
    section.source = describe(result)
    table, filtered = without_filtered(read_rows(result))
    if filtered:
        section.notes.append(
            f"AMC marked {filtered} row(s) of this result `{FILTERED}` (too few users: values removed "
            "and summed into one row); such a row names no ASIN, campaign, cohort or segment, so it is "
            "left out here."
        )
    absent = table.missing(*needs, *wants)
    if absent:
        section.notes.append(missing_columns(found.workflow, absent))
    if any(name in needs for name in absent):
        return section, None
    return section, table


def without_filtered(table: ResultTable) -> tuple[ResultTable, int]:
    """The rows AMC did not mark filtered (below its aggregation threshold, docs/amc-api.md §5.2), and how
    many it did."""
    if FILTERED not in table.columns:
        return table, 0
    kept = tuple(row for row in table.rows if row[FILTERED] is not True)
    return ResultTable(columns=table.columns, rows=kept), len(table.rows) - len(kept)


def chart(
    key: str,
    reading: str,
    traces: list[dict[str, Any]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    **layout: Any,
) -> Chart:
    """A chart whose figure carries its title and both axis titles."""
    return Chart(
        key=key,
        title=title,
        reading=reading,
        figure=figure(traces, title=title, x_title=x_title, y_title=y_title, **layout),
    )

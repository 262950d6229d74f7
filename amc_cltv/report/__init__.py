"""The HTML analysis report: the CLTV playbook's charts and year-over-year view (docs/segments.md §1).

Built from downloads and the ledger.

Nothing here imports plotly at module level: only rendering a chart does (``amc_cltv.report.html``), so no
other command pays for it at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from amc_cltv.errors import UsageError
from amc_cltv.report import recorded
from amc_cltv.report.asins import CONVERSION, LOYALTY, conversion_section, loyalty_section, top_asin_section
from amc_cltv.report.audiences import audience_section
from amc_cltv.report.history import history_section, migration_chart
from amc_cltv.report.model import Section
from amc_cltv.report.results import (
    Result,
    Table,
    find_results,
    read_header,
    read_rows,
    result_for_execution,
    workflows_on_disk,
)
from amc_cltv.report.segments import PER_USER_COLUMNS, SEGMENTATION, scatter_section, segment_section

REPORT_WORKFLOWS = (SEGMENTATION, LOYALTY, "cltv", "cltv-ntb", CONVERSION)


@dataclass(frozen=True)
class ReportSummary:
    """What a written report holds."""

    path: Path
    sections: tuple[str, ...]
    charts: int
    notes: tuple[str, ...]  # what is missing, and what to run


@dataclass(frozen=True)
class ReportInputs:
    """Where the report reads from, and what it keeps."""

    output_dir: Path
    state_dir: Path
    instance_id: str
    workflows: tuple[str, ...] = REPORT_WORKFLOWS
    since: date | None = None


def check_workflows(names: list[str] | None) -> tuple[str, ...]:
    """The workflows to report on (all when none are named); UsageError for a name the report cannot show."""
    if not names:
        return REPORT_WORKFLOWS
    unknown = [name for name in names if name not in REPORT_WORKFLOWS]
    if unknown:
        raise UsageError(
            f"the report has no section for workflow {', '.join(unknown)}; "
            f"choose from {', '.join(REPORT_WORKFLOWS)}"
        )
    return tuple(dict.fromkeys(names))


def _results(inputs: ReportInputs, workflow: str) -> list[Result]:
    """Every downloaded result of a workflow, latest time window first (reruns of a window: newest run first):
    the ledger's successful runs when it has any on disk, else every manifest found (results copied from
    elsewhere, or a ledger not yet written)."""
    runs = recorded.succeeded_runs(inputs.state_dir, inputs.instance_id, workflow) or []
    found: list[Result] = []
    for run in runs:
        result = result_for_execution(inputs.output_dir, inputs.instance_id, workflow, str(run.execution_id))
        end = result.window_end_date if result else None
        if result and (inputs.since is None or (end is not None and end >= inputs.since)):
            found.append(result)
    found.sort(key=lambda result: result.time_window_end, reverse=True)  # stable: keeps the ledger's order
    return found or find_results(inputs.output_dir, inputs.instance_id, workflow, inputs.since)


def _latest(inputs: ReportInputs, workflow: str) -> tuple[Result | None, Table | None]:
    results = _results(inputs, workflow)
    if not results:
        return None, None
    return results[0], read_rows(results[0])


def _one_per_window(results: list[Result]) -> list[Result]:
    """The newest run of each time window, oldest window first."""
    by_window: dict[tuple[str, str], Result] = {}
    for result in results:  # newest first: the first seen of a window wins
        by_window.setdefault((result.time_window_start, result.time_window_end), result)
    return sorted(by_window.values(), key=lambda r: (r.time_window_end, r.time_window_start))


def _per_user_results(inputs: ReportInputs) -> list[Result]:
    """Downloaded results with one row per user and a segment label, one per window, oldest first."""
    best: list[Result] = []
    for workflow in workflows_on_disk(inputs.output_dir, inputs.instance_id):
        results = [
            result
            for result in find_results(inputs.output_dir, inputs.instance_id, workflow, inputs.since)
            if set(PER_USER_COLUMNS) <= set(read_header(result))
        ]
        per_window = _one_per_window(results)
        if per_window and (not best or per_window[-1].time_window_end > best[-1].time_window_end):
            best = per_window
    return best


def build_sections(inputs: ReportInputs, now: datetime) -> list[Section]:
    """Every section of the report, in reading order; a missing input becomes a note, never an error."""
    sections: list[Section] = []
    if SEGMENTATION in inputs.workflows:
        sections.append(segment_section(*_latest(inputs, SEGMENTATION)))
    if LOYALTY in inputs.workflows:
        sections.append(loyalty_section(*_latest(inputs, LOYALTY)))
    for workflow in ("cltv-ntb", "cltv"):
        if workflow in inputs.workflows:
            sections.append(top_asin_section(workflow, *_latest(inputs, workflow)))
    per_user = _per_user_results(inputs) if SEGMENTATION in inputs.workflows else []
    if SEGMENTATION in inputs.workflows:
        newest = per_user[-1] if per_user else None
        sections.append(scatter_section(newest, read_rows(newest) if newest else None))
    if CONVERSION in inputs.workflows:
        sections.append(conversion_section(*_latest(inputs, CONVERSION)))
    if SEGMENTATION in inputs.workflows:
        history = history_section(
            [(result, read_rows(result)) for result in _one_per_window(_results(inputs, SEGMENTATION))]
        )
        older, newer = per_user[-2:] if len(per_user) >= 2 else (None, None)
        migration_chart(
            history,
            (older, read_rows(older)) if older else None,
            (newer, read_rows(newer)) if newer else None,
        )
        sections.append(history)
    sections.append(audience_section(recorded.audiences(inputs.state_dir, inputs.instance_id), now))
    return sections


def write_report(out: Path, inputs: ReportInputs, now: datetime) -> ReportSummary:
    """Write the report to ``out`` (atomically: a temporary file renamed into place)."""
    from amc_cltv.report.html import render

    sections = build_sections(inputs, now)
    page = render(sections, instance_id=inputs.instance_id, generated_at=now)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out)
    return ReportSummary(
        path=out,
        sections=tuple(section.key for section in sections),
        charts=sum(len(section.charts) for section in sections),
        notes=tuple(note for section in sections for note in section.notes),
    )

"""The HTML analysis report: the CLTV playbook's charts and year-over-year view (docs/segments.md §1).

Built from downloads and the ledger.

Nothing here imports plotly at module level: only rendering a chart does (``amc_cltv.report.html``), so no
other command pays for it at start-up.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from amc_cltv.errors import UsageError
from amc_cltv.ledger import RunRecord
from amc_cltv.private import private_dir
from amc_cltv.report import recorded
from amc_cltv.report.asins import LOYALTY, loyalty_section, top_asin_section
from amc_cltv.report.audiences import audience_section
from amc_cltv.report.builder import Found
from amc_cltv.report.cohorts import COHORTS, cohort_section
from amc_cltv.report.conversion import CONVERSION, conversion_section
from amc_cltv.report.groups import group_key
from amc_cltv.report.history import history_section, migration_chart, migration_pair
from amc_cltv.report.model import Section
from amc_cltv.report.results import (
    Result,
    find_results,
    read_header,
    read_rows,
    result_for_execution,
    workflows_on_disk,
)
from amc_cltv.report.segments import PER_USER_COLUMNS, SEGMENTATION, scatter_section, segment_section
from amc_cltv.results import ResultTable

REPORT_WORKFLOWS = (SEGMENTATION, COHORTS, LOYALTY, "cltv", "cltv-ntb", CONVERSION)


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
    time_zone: str = "UTC"  # the instance's: times in the report are shown in it


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


def one_per_window(results: list[Result]) -> list[Result]:
    """The newest run of each time window and parameters, oldest window first."""
    by_window: dict[tuple[object, ...], Result] = {}
    for result in results:  # newest first: the first seen of a window wins
        by_window.setdefault((result.time_window_start, result.time_window_end, group_key(result)), result)
    return sorted(by_window.values(), key=lambda r: (r.time_window_end, r.time_window_start))


class _Reader:
    """Finds each workflow's results once (the ledger's successful runs, else the manifests on disk) and
    reads each result's rows once."""

    def __init__(self, inputs: ReportInputs) -> None:
        self.inputs = inputs
        runs = recorded.succeeded_runs(inputs.state_dir, inputs.instance_id)
        self._runs: list[RunRecord] = runs or []
        self._parameters = {
            str(run.execution_id): tuple(sorted(run.parameters.items())) for run in reversed(self._runs)
        }
        self._tables: dict[Path, ResultTable] = {}

    def _all(self, workflow: str) -> list[Result]:
        """Every result of ``workflow``, latest time window first (reruns of a window: newest first)."""
        inputs, found = self.inputs, []
        for run in (run for run in self._runs if run.workflow == workflow):
            result = result_for_execution(
                inputs.output_dir, inputs.instance_id, workflow, str(run.execution_id)
            )
            if result:
                found.append(replace(result, parameters=tuple(sorted(run.parameters.items()))))
        found.sort(
            key=lambda result: result.time_window_end, reverse=True
        )  # stable: keeps the ledger's order
        if found:
            return found
        on_disk = find_results(inputs.output_dir, inputs.instance_id, workflow)
        return [replace(result, parameters=self._parameters.get(result.execution_id)) for result in on_disk]

    def found(self, workflow: str) -> Found:
        return Found.filtered(workflow, self._all(workflow), self.inputs.since)

    def rows(self, result: Result) -> ResultTable:
        if result.directory not in self._tables:
            self._tables[result.directory] = read_rows(result)
        return self._tables[result.directory]

    def history(self, found: Found) -> list[tuple[Result, ResultTable]]:
        return [(result, self.rows(result)) for result in one_per_window(list(found.results))]

    def per_user(self) -> list[Result]:
        """Downloaded results with one row per user and a segment label, one per window, oldest first:
        those of the workflow whose newest such result is the newest."""
        best: list[Result] = []
        for workflow in workflows_on_disk(self.inputs.output_dir, self.inputs.instance_id):
            results = [
                r for r in self.found(workflow).results if set(PER_USER_COLUMNS) <= set(read_header(r))
            ]
            per_window = one_per_window(results)
            if per_window and (not best or per_window[-1].time_window_end > best[-1].time_window_end):
                best = per_window
        return best


def _segment_sections(reader: _Reader) -> tuple[list[Section], list[Section]]:
    """The segment table and the scatter (read first), and segments over time with the migration (last)."""
    found = reader.found(SEGMENTATION)
    per_user = reader.per_user()
    newest = per_user[-1] if per_user else None
    first = [segment_section(found), scatter_section(newest, reader.rows(newest) if newest else None)]
    history = history_section(found, reader.history(found))
    pair, note = migration_pair(per_user)
    if note and len(pair) == 2:
        history.notes.append(note)
    older, newer = ((result, reader.rows(result)) for result in pair) if len(pair) == 2 else (None, None)
    migration_chart(history, older, newer)
    return first, [history]


def build_sections(inputs: ReportInputs, now: datetime) -> list[Section]:
    """Every section of the report, in reading order; a missing input becomes a note, never an error."""
    reader = _Reader(inputs)
    wanted = set(inputs.workflows)
    first, last = _segment_sections(reader) if SEGMENTATION in wanted else ([], [])
    sections = first[:1]
    if COHORTS in wanted:
        cohorts = reader.found(COHORTS)
        sections.append(cohort_section(cohorts, reader.history(cohorts)))
    if LOYALTY in wanted:
        sections.append(loyalty_section(reader.found(LOYALTY)))
    sections.extend(top_asin_section(w, reader.found(w)) for w in ("cltv-ntb", "cltv") if w in wanted)
    sections.extend(first[1:])
    if CONVERSION in wanted:
        sections.append(conversion_section(reader.found(CONVERSION)))
    sections.extend(last)
    sections.append(
        audience_section(recorded.audiences(inputs.state_dir, inputs.instance_id), now, inputs.time_zone)
    )
    return sections


def write_report(out: Path, inputs: ReportInputs, now: datetime) -> ReportSummary:
    """Write the report to ``out`` atomically: a temporary file beside it, renamed into place. Raises OSError
    when it cannot be written, and then leaves no temporary file behind."""
    from amc_cltv.report.html import render

    sections = build_sections(inputs, now)
    page = render(sections, instance_id=inputs.instance_id, generated_at=now, time_zone=inputs.time_zone)
    private_dir(out.parent)
    # A temporary file is created 0600: the report, which shows customer data, stays private once renamed.
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed before the rename, removed on failure)
        "w", encoding="utf-8", dir=out.parent, prefix=f".{out.name}.", suffix=".partial", delete=False
    )
    try:
        with handle:
            handle.write(page)
        os.replace(handle.name, out)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return ReportSummary(
        path=out,
        sections=tuple(section.key for section in sections),
        charts=sum(len(section.charts) for section in sections),
        notes=tuple(note for section in sections for note in section.notes),
    )

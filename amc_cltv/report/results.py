"""Downloaded results as the report finds them: manifests on disk, rows read by ``amc_cltv.results``.

The layout is docs/contract.md §3.2: ``<output_dir>/<instance_id>/<workflow>/<execution_id>/part-N.csv``
beside a ``manifest.json``. A result whose manifest or files cannot be read is skipped (and logged), never
fatal: the report says what is missing instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from amc_cltv.errors import LocalFault, MalformedResult
from amc_cltv.log import get_logger
from amc_cltv.results import ResultFiles, ResultTable
from amc_cltv.workflows import catalog

log = get_logger("amc_cltv.report")


@dataclass(frozen=True)
class Result:
    """One downloaded execution result: its manifest fields and where its part files are."""

    workflow: str
    execution_id: str
    time_window_start: str
    time_window_end: str
    directory: Path
    part_files: tuple[Path, ...]
    recorded_at: float = 0.0  # the manifest's modification time: orders reruns of one window
    parameters: tuple[tuple[str, str], ...] | None = None  # from the ledger; None when it has no record

    @property
    def window_end_date(self) -> date | None:
        return to_date(self.time_window_end)

    @property
    def window_days(self) -> int | None:
        """The time window's length in days (None when a bound is unreadable)."""
        start, end = to_date(self.time_window_start), self.window_end_date
        return (end - start).days if start and end else None


def to_date(text: str | None) -> date | None:
    """The day of an ISO 8601 time (as written in manifests); None when there is none."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


def _load_manifest(manifest_path: Path, workflow: str) -> Result | None:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        names = [str(entry["name"]) for entry in manifest.get("files", [])]
        result = Result(
            workflow=str(manifest.get("workflow") or workflow),
            execution_id=str(manifest.get("execution_id") or manifest_path.parent.name),
            time_window_start=str(manifest.get("time_window_start") or ""),
            time_window_end=str(manifest.get("time_window_end") or ""),
            directory=manifest_path.parent,
            part_files=tuple(manifest_path.parent / name for name in names if name.endswith(".csv")),
            recorded_at=manifest_path.stat().st_mtime,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("report_manifest_unreadable", path=str(manifest_path), error=str(exc))
        return None
    if not all(path.is_file() for path in result.part_files):
        log.warning("report_result_incomplete", workflow=workflow, execution_id=result.execution_id)
        return None
    return result


def find_results(
    output_dir: Path, instance_id: str, workflow: str, since: date | None = None
) -> list[Result]:
    """Every downloaded result of ``workflow``, newest window first (reruns of one window: latest first).

    ``since`` keeps only results whose time window ends on or after that day.
    """
    workflow_dir = output_dir / instance_id / workflow
    if not workflow_dir.is_dir():
        return []
    results = []
    for manifest_path in sorted(workflow_dir.glob("*/manifest.json")):
        result = _load_manifest(manifest_path, workflow)
        if result is None:
            continue
        end = result.window_end_date
        if since is not None and (end is None or end < since):
            continue
        results.append(result)
    results.sort(key=lambda r: (r.time_window_end, r.recorded_at), reverse=True)
    return results


def result_for_execution(
    output_dir: Path, instance_id: str, workflow: str, execution_id: str
) -> Result | None:
    """The downloaded result of one execution, or None when it was not downloaded (intact)."""
    manifest_path = output_dir / instance_id / workflow / execution_id / "manifest.json"
    if not manifest_path.is_file():
        return None
    return _load_manifest(manifest_path, workflow)


def _files(result: Result) -> ResultFiles:
    """The result's part files, typed as its workflow declares; a workflow the catalogue does not know (an
    older version's folder) declares nothing, and its columns stay text."""
    known = result.workflow in catalog.names()
    return ResultFiles(result.part_files, catalog.result_columns(result.workflow) if known else {})


def read_rows(result: Result) -> ResultTable:
    """Every data row of a result's part files (each has its own header row); no rows, and a warning, when
    a file cannot be read."""
    try:
        return _files(result).table()
    except (MalformedResult, LocalFault) as error:
        log.warning(
            "report_csv_unreadable",
            workflow=result.workflow,
            execution_id=result.execution_id,
            error=str(error),
        )
        return ResultTable(columns=())


def number(value: Any) -> float | None:
    """A CSV cell as a float; None for empty or non-numeric cells."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if result != result else result  # NaN is no number


def read_header(result: Result) -> tuple[str, ...]:
    """The column names of a result's part files (cheap: one line of each is read); none when unreadable."""
    try:
        return _files(result).columns
    except (MalformedResult, LocalFault):
        return ()


def workflows_on_disk(output_dir: Path, instance_id: str) -> list[str]:
    """The workflow folders holding downloads for an instance."""
    instance_dir = output_dir / instance_id
    if not instance_dir.is_dir():
        return []
    return sorted(path.name for path in instance_dir.iterdir() if path.is_dir())

"""The rows AMC filtered for privacy: how many, and why.

AMC removes the values of an output row that has fewer distinct users than a column's aggregation threshold
(docs/amc-api.md §5.2). Every reporting workflow asks AMC to keep such rows, marked: the boolean column
``filtered`` is true on them (their values removed and re-aggregated) and ``filtered_reason`` says why. This
reads the downloaded files once per execution (at download; the outcome and the manifest carry the answer)
and tells the run summary, ``manifest.json`` and ``--json`` about them. A result of a few megabytes, the
usual size, is walked row by row (``amc_cltv.results`` reads it with the ``csv`` module: opening a DuckDB
connection cost more than the whole read); a larger one is counted by a DuckDB query, which streams it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amc_cltv.results import ResultFiles
from amc_cltv.workflows.catalog import FILTERED_COLUMN, FILTERED_REASON_COLUMN, FILTERED_TYPES

MAX_REASONS = 5


@dataclass(frozen=True)
class AggregationFiltered:
    """How many result rows AMC marked filtered, and its distinct reasons (a few)."""

    rows: int
    reasons: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "reasons": list(self.reasons)}

    def describe(self) -> str:
        """One line for the run summary."""
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        return (
            f"AMC filtered {self.rows:,} row(s) below its aggregation threshold (too few users: values "
            f"removed, rows marked {FILTERED_COLUMN} = true){why}"
        )


class Unread:
    """The files were not read yet (None already means: no ``filtered`` column)."""


UNREAD = Unread()


def aggregation_filtered(files: Sequence[Path]) -> AggregationFiltered | None:
    """What AMC filtered in the result ``files``; None when none carries a ``filtered`` column. Raises
    MalformedResult naming a file that is not a result CSV."""
    result = ResultFiles(files, FILTERED_TYPES)
    if FILTERED_COLUMN not in result.columns:
        return None
    return _read_small(result) if result.small else _read_large(result)


def recorded_filtered(folder: Path) -> AggregationFiltered | Unread | None:
    """What the result folder's ``manifest.json`` recorded (UNREAD when it holds no such record)."""
    import json

    try:
        recorded = json.loads((folder / "manifest.json").read_text())["aggregation_filtered"]
    except (OSError, ValueError, KeyError, TypeError):
        return UNREAD
    if recorded is None:
        return None
    try:
        return AggregationFiltered(int(recorded["rows"]), tuple(str(r) for r in recorded["reasons"]))
    except (KeyError, TypeError, ValueError):
        return UNREAD


def _read_small(result: ResultFiles) -> AggregationFiltered:
    rows, reasons = 0, set()
    for row in result.select(FILTERED_COLUMN, FILTERED_REASON_COLUMN):
        if row[FILTERED_COLUMN] is True:
            rows += 1
            if row.get(FILTERED_REASON_COLUMN):
                reasons.add(row[FILTERED_REASON_COLUMN])
    return AggregationFiltered(rows, tuple(sorted(reasons)[:MAX_REASONS]))


def _read_large(result: ResultFiles) -> AggregationFiltered:
    marked = f'"{FILTERED_COLUMN}" IS TRUE'
    ((count,),) = result.query(f"SELECT count(*) FROM result WHERE {marked}")
    reasons: list[str] = []
    if FILTERED_REASON_COLUMN in result.columns:
        found = result.query(
            f'SELECT DISTINCT "{FILTERED_REASON_COLUMN}" FROM result WHERE {marked} '
            f'AND "{FILTERED_REASON_COLUMN}" IS NOT NULL ORDER BY 1 LIMIT {MAX_REASONS}'
        )
        reasons = [str(row[0]) for row in found]
    return AggregationFiltered(int(count), tuple(reasons))

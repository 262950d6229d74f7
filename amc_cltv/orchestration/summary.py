"""The readable summary of a run: the result rows (for ``segmentation``, the segment table)."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from pathlib import Path

from amc_cltv.results import SEGMENT, ResultFiles
from amc_cltv.workflows.catalog import FILTERED_COLUMN, FILTERED_REASON_COLUMN

MAX_ROWS = 50
# The order of docs/segments.md §5: the most valuable segment first.
SEGMENT_ORDER = (
    "High Value Customer",
    "Revenue Potential Customer",
    "Growth Potential Customer",
    "Low Value Customer",
)
_RANK = {label: rank for rank, label in enumerate(SEGMENT_ORDER)}


def _cell(value: object, column: str = "") -> str:
    if value is None:
        return ""
    if column == "id" or column.endswith("_id"):  # an id is a name: 5001, never 5,001
        return str(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def result_table(
    files: Sequence[Path], workflow: str, max_rows: int = MAX_ROWS
) -> tuple[list[str], list[list[str]]]:
    """Column names and the first ``max_rows`` rows of a ``workflow`` result's files, formatted for a table:
    segments in the order of docs/segments.md §5, the rest as AMC wrote them.

    A row AMC marked filtered has no segment and sums other rows' values: it is counted apart
    (amc_cltv.orchestration.filtered), never shown; nor are AMC's two marking columns.
    """
    if not files:
        return [], []
    result = ResultFiles.of(files, workflow)
    columns = [c for c in result.columns if c not in (FILTERED_COLUMN, FILTERED_REASON_COLUMN)]
    kept = (row for row in result if row.get(FILTERED_COLUMN) is not True)
    if SEGMENT in columns:  # stable: within a segment, rows stay in the files' order
        ranked = ((_RANK.get(row[SEGMENT], len(_RANK)), index, row) for index, row in enumerate(kept))
        first = [row for _, _, row in heapq.nsmallest(max_rows, ranked, key=lambda item: item[:2])]
    else:
        first = list(itertools.islice(kept, max_rows))
    return columns, [[_cell(row[column], column) for column in columns] for row in first]

"""The readable summary of a run: the result rows (for ``segmentation``, the segment table)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from amc_cltv.workflows.catalog import FILTERED_COLUMN, FILTERED_REASON_COLUMN

MAX_ROWS = 50
SEGMENT_COLUMN = "customer_audience_segment"
# The order of docs/segments.md §5: the most valuable segment first.
SEGMENT_ORDER = (
    "High Value Customer",
    "Revenue Potential Customer",
    "Growth Potential Customer",
    "Low Value Customer",
)


def _cell(value: object, column: str = "") -> str:
    if value is None:
        return ""
    if column == "id" or column.endswith("_id"):  # an id is a name: 5001, never 5,001
        return str(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool) and not column.endswith("_id"):
        return f"{value:,}"  # an id (campaign_id, a LONG) is not a quantity
    return str(value)


def result_table(files: Sequence[Path], max_rows: int = MAX_ROWS) -> tuple[list[str], list[list[str]]]:
    """Column names and the first ``max_rows`` rows of the result files, formatted for a table."""
    if not files:
        return [], []
    connection = duckdb.connect()
    try:
        relation = connection.read_csv([str(path) for path in files], header=True)
        if FILTERED_COLUMN in relation.columns:
            # A row AMC marked filtered has no segment and sums other rows' values: it is counted apart
            # (amc_cltv.orchestration.filtered), never shown as a segment.
            marked = f"lower(trim(CAST(\"{FILTERED_COLUMN}\" AS VARCHAR))) IN ('true', '1')"
            relation = relation.filter(f"NOT coalesce({marked}, false)")
        # AMC's privacy marks are told apart (amc_cltv.orchestration.filtered), not shown as columns.
        columns = [c for c in relation.columns if c not in (FILTERED_COLUMN, FILTERED_REASON_COLUMN)]
        relation = relation.select(*(f'"{c}"' for c in columns))
        if SEGMENT_COLUMN in columns:
            rank = " ".join(f"WHEN '{label}' THEN {i}" for i, label in enumerate(SEGMENT_ORDER))
            relation = relation.order(f"CASE {SEGMENT_COLUMN} {rank} ELSE {len(SEGMENT_ORDER)} END")
        rows = relation.limit(max_rows).fetchall()
    finally:
        connection.close()
    return columns, [
        [_cell(value, column) for value, column in zip(row, columns, strict=True)] for row in rows
    ]

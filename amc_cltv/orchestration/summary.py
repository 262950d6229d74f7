"""The readable summary of a run: the result rows (for ``segmentation``, the segment table)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

MAX_ROWS = 50
SEGMENT_COLUMN = "customer_audience_segment"
# The order of docs/segments.md §5: the most valuable segment first.
SEGMENT_ORDER = (
    "High Value Customer",
    "Revenue Potential Customer",
    "Growth Potential Customer",
    "Low Value Customer",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def result_table(files: Sequence[Path], max_rows: int = MAX_ROWS) -> tuple[list[str], list[list[str]]]:
    """Column names and the first ``max_rows`` rows of the result files, formatted for a table."""
    if not files:
        return [], []
    connection = duckdb.connect()
    try:
        relation = connection.read_csv([str(path) for path in files], header=True)
        columns = list(relation.columns)
        if SEGMENT_COLUMN in columns:
            rank = " ".join(f"WHEN '{label}' THEN {i}" for i, label in enumerate(SEGMENT_ORDER))
            relation = relation.order(f"CASE {SEGMENT_COLUMN} {rank} ELSE {len(SEGMENT_ORDER)} END")
        rows = relation.limit(max_rows).fetchall()
    finally:
        connection.close()
    return columns, [[_cell(value) for value in row] for row in rows]

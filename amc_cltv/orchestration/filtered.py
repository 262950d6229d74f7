"""The rows AMC filtered for privacy: how many, and why.

AMC removes the values of an output row that has fewer distinct users than a column's aggregation threshold
(docs/amc-api.md §5.2). Every reporting workflow asks AMC to keep such rows, marked: the boolean column
``filtered`` is true on them (their values removed and re-aggregated) and ``filtered_reason`` says why. This
reads the downloaded files and tells the run summary, ``manifest.json`` and ``--json`` about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from amc_cltv.workflows.catalog import FILTERED_COLUMN, FILTERED_REASON_COLUMN

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


def aggregation_filtered(files: Sequence[Path]) -> AggregationFiltered | None:
    """What AMC filtered in the result ``files``; None when they carry no ``filtered`` column."""
    if not files:
        return None
    with duckdb.connect() as db:
        relation = db.read_csv([str(path) for path in files], header=True, all_varchar=True)
        columns = [column.lower() for column in relation.columns]
        if FILTERED_COLUMN not in columns:
            return None
        marked = f"lower(trim(\"{FILTERED_COLUMN}\")) IN ('true', '1')"
        count_row = db.execute(f"SELECT count(*) FROM relation WHERE {marked}").fetchone()
        reasons: list[str] = []
        if FILTERED_REASON_COLUMN in columns:
            found = db.execute(
                f'SELECT DISTINCT "{FILTERED_REASON_COLUMN}" FROM relation WHERE {marked} '
                f'AND "{FILTERED_REASON_COLUMN}" IS NOT NULL ORDER BY 1 LIMIT {MAX_REASONS}'
            ).fetchall()
            reasons = [str(row[0]) for row in found]
    return AggregationFiltered(int(count_row[0]) if count_row else 0, tuple(reasons))

"""The rows AMC filtered for privacy: how many, and why.

AMC removes the values of an output row that has fewer distinct users than a column's aggregation threshold
(docs/amc-api.md §5.2). Every reporting workflow asks AMC to keep such rows, marked: the boolean column
``filtered`` is true on them (their values removed and re-aggregated) and ``filtered_reason`` says why. This
reads the downloaded files once per execution (at download; the outcome and the manifest carry the answer)
and tells the run summary, ``manifest.json`` and ``--json`` about them. A result of a few megabytes, the
usual size, is read with the ``csv`` module: opening a DuckDB connection and sniffing the file cost more
than the whole read. Larger results go through DuckDB, which streams them.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amc_cltv.workflows.catalog import FILTERED_COLUMN, FILTERED_REASON_COLUMN

MAX_REASONS = 5
SMALL_BYTES = 8 * 1024 * 1024  # read in Python up to this much; DuckDB streams larger results
MARKED = frozenset({"true", "1"})


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
    """What AMC filtered in the result ``files``; None when they carry no ``filtered`` column."""
    if not files:
        return None
    if sum(path.stat().st_size for path in files) <= SMALL_BYTES:
        return _read_small(files)
    return _read_large(files)


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


def _read_small(files: Sequence[Path]) -> AggregationFiltered | None:
    rows, reasons = 0, set()
    for number, path in enumerate(files):
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            header = [column.strip().lower() for column in next(reader, [])]
            if FILTERED_COLUMN not in header:
                if number == 0:
                    return None
                continue
            marked = header.index(FILTERED_COLUMN)
            why = header.index(FILTERED_REASON_COLUMN) if FILTERED_REASON_COLUMN in header else None
            for row in reader:
                if marked < len(row) and row[marked].strip().lower() in MARKED:
                    rows += 1
                    if why is not None and why < len(row) and row[why]:
                        reasons.add(row[why])
    return AggregationFiltered(rows, tuple(sorted(reasons)[:MAX_REASONS]))


def _read_large(files: Sequence[Path]) -> AggregationFiltered | None:
    import duckdb  # only for results too large to read in Python

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

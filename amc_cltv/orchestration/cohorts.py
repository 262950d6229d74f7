"""The cohort view of a ``cohorts`` result (docs/segments.md §10): per acquisition month, what a customer is
worth and which cohorts look profitable but are not.

The workflow's rows are one per (``cohort_month``, ``customer_audience_segment``) with ``num_users`` and
averages per customer (``total_sales``, ``total_spend``, ``cltv``). A cohort's averages and the all-customer
averages are those rows' averages weighted by ``num_users``. A cohort **looks profitable but is not** when its
average sales per customer are at or above the all-customer average while its average CLTV is below the
all-customer average CLTV.

A row AMC marked filtered (``filtered`` true: too few users, its cohort and segment removed and its values
summed with others', docs/amc-api.md §5.2) belongs to no cohort: it is left out of every cohort and of the
all-customer averages, and counted in ``filtered_rows``.

    from amc_cltv.orchestration.cohorts import read_cohorts
    summary = read_cohorts(outcome.files)
    [c.cohort_month for c in summary.cohorts if c.looks_profitable_but_is_not]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from amc_cltv.errors import NeedsHuman, Remedy
from amc_cltv.results import (
    CLTV,
    COHORT_MONTH,
    NUM_USERS,
    SEGMENT,
    TOTAL_SALES,
    TOTAL_SPEND,
    ResultFiles,
    reads,
)
from amc_cltv.workflows.catalog import FILTERED_COLUMN

COHORTS_WORKFLOW = "cohorts"
EXISTING = "existing"  # the cohort of customers acquired before the window
SEGMENTS = (
    "High Value Customer",
    "Revenue Potential Customer",
    "Growth Potential Customer",
    "Low Value Customer",
)
COLUMNS = reads(COHORTS_WORKFLOW, COHORT_MONTH, SEGMENT, NUM_USERS, TOTAL_SALES, TOTAL_SPEND, CLTV)


@dataclass(frozen=True)
class Cohort:
    """One acquisition month (or ``existing``): customers, averages per customer, and segment shares."""

    cohort_month: str
    num_users: int
    total_sales: float
    total_spend: float
    cltv: float
    segment_shares: dict[str, float] = field(default_factory=dict)
    looks_profitable_but_is_not: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "cohort_month": self.cohort_month,
            "num_users": self.num_users,
            "total_sales": self.total_sales,
            "total_spend": self.total_spend,
            "cltv": self.cltv,
            "segment_shares": dict(self.segment_shares),
            "looks_profitable_but_is_not": self.looks_profitable_but_is_not,
        }


@dataclass(frozen=True)
class CohortSummary:
    """Every cohort (``existing`` first, then the months in order) and the all-customer averages."""

    cohorts: tuple[Cohort, ...]
    all_customers: Cohort
    filtered_rows: int = 0  # rows AMC marked filtered, left out of every figure

    @property
    def flagged(self) -> list[Cohort]:
        """The cohorts that look profitable but are not."""
        return [cohort for cohort in self.cohorts if cohort.looks_profitable_but_is_not]

    def as_json(self) -> dict[str, Any]:
        return {
            "cohorts": [cohort.as_json() for cohort in self.cohorts],
            "all_customers": {
                key: value
                for key, value in self.all_customers.as_json().items()
                if key not in ("cohort_month", "looks_profitable_but_is_not")
            },
            "filtered_rows": self.filtered_rows,
        }


def _weighted(rows: Sequence[Mapping[str, Any]], name: str) -> Cohort:
    users = sum(int(row[NUM_USERS]) for row in rows)

    def average(column: str) -> float:
        if not users:
            return 0.0
        return math.fsum(int(row[NUM_USERS]) * float(row[column]) for row in rows) / users

    shares: dict[str, float] = defaultdict(float)
    for row in rows:
        shares[str(row[SEGMENT])] += int(row[NUM_USERS]) / users if users else 0.0
    ordered = {segment: shares.get(segment, 0.0) for segment in SEGMENTS}
    ordered.update({segment: share for segment, share in shares.items() if segment not in ordered})
    return Cohort(
        cohort_month=name,
        num_users=users,
        total_sales=average(TOTAL_SALES),
        total_spend=average(TOTAL_SPEND),
        cltv=average(CLTV),
        segment_shares=ordered,
    )


def summarize(rows: Iterable[Mapping[str, Any]]) -> CohortSummary:
    """Group the workflow's rows into cohorts and flag those that look profitable but are not; rows AMC
    marked filtered are left out (and counted)."""
    given = list(rows)
    materialized = [row for row in given if row.get(FILTERED_COLUMN) is not True]
    by_month: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in materialized:
        by_month[str(row[COHORT_MONTH])].append(row)
    everyone = _weighted(materialized, "all customers")
    cohorts = []
    for month in sorted(by_month, key=lambda m: (m != EXISTING, m)):
        cohort = _weighted(by_month[month], month)
        flagged = cohort.total_sales >= everyone.total_sales and cohort.cltv < everyone.cltv
        cohorts.append(
            Cohort(
                cohort_month=cohort.cohort_month,
                num_users=cohort.num_users,
                total_sales=cohort.total_sales,
                total_spend=cohort.total_spend,
                cltv=cohort.cltv,
                segment_shares=cohort.segment_shares,
                looks_profitable_but_is_not=flagged,
            )
        )
    return CohortSummary(tuple(cohorts), everyone, len(given) - len(materialized))


def read_cohorts(files: Sequence[Path]) -> CohortSummary:
    """The cohort summary of a ``cohorts`` result's CSV files.

    Raises NeedsHuman naming the file when a column of the workflow's output is missing (the file is not
    what this version's ``cohorts`` workflow writes), MalformedResult when a file is not a readable result.
    """
    result = ResultFiles.of(files, COHORTS_WORKFLOW)
    for path, header in zip(result.files, result.headers, strict=True):
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise NeedsHuman(
                f"{path}: not a cohorts result (no column {', '.join(missing)}); check the workflow on "
                "AMC (workflows plan)",
                remedy=Remedy.FORCE_RERUN,
            )
    return summarize(row for row in result if row[NUM_USERS] is not None)


def buying_days(cohort_month: str, start: date, end: date) -> tuple[int, bool]:
    """The days a cohort has had to buy within the window ``[start, end)`` (from its month's first day, or
    the window's start, to the window's end), and whether the window holds only part of its month.
    ``existing``: the whole window."""
    if cohort_month == EXISTING:
        return (end - start).days, False
    year, month = (int(part) for part in cohort_month.split("-")[:2])
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    return max(0, (end - max(first, start)).days), first < start or after > end

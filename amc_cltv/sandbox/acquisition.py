"""When the brand acquired each synthetic customer, and how good each month's acquisitions were.

Half of the buying users are long-standing: they bought before the 13 months of data, so none of their
orders is flagged ``new_to_brand``. The others are acquired inside the data: their first order is on the
acquisition day and is the one flagged ``new_to_brand``; every later order falls between that day and the end.

Acquisition volume and quality vary by calendar month, counted back from the month of the end date, so every
generated data set has the same story whatever its end date:

- a heavy promotion three months before the end month acquires many customers who buy a little more than
  average but cost much more in ads: the cohort that looks profitable but is not;
- a strong season (six and seven months back) acquires many customers who buy more for less ad cost;
- a quiet month (nine back) acquires few, who are worth a little less.

The factors multiply the user's value level (so their sales) and cost level (so their number of ad events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

ACQUIRED_SHARE = 0.5  # of all users; only buyers ever order, so about half of the customers


@dataclass(frozen=True)
class AcquisitionMonth:
    """One calendar month's acquisitions: relative volume, and the factors on value and cost levels."""

    volume: float
    value_factor: float = 1.0
    cost_factor: float = 1.0


# By months before the end date's month (0 is that month); months further back are ordinary.
ACQUISITION_MONTHS: dict[int, AcquisitionMonth] = {
    0: AcquisitionMonth(0.8),
    1: AcquisitionMonth(1.1, 1.05, 0.95),
    2: AcquisitionMonth(0.9, 0.95, 1.0),
    3: AcquisitionMonth(2.6, 1.2, 2.4),  # promotion: big, buys a little more, costs far more
    4: AcquisitionMonth(1.0, 1.0, 1.1),
    5: AcquisitionMonth(1.2, 1.05, 0.9),
    6: AcquisitionMonth(2.0, 1.25, 0.8),  # strong season: big and good
    7: AcquisitionMonth(1.8, 1.2, 0.85),
    8: AcquisitionMonth(1.0, 0.95, 1.05),
    9: AcquisitionMonth(0.4, 0.9, 1.0),  # quiet
    10: AcquisitionMonth(0.9, 1.0, 0.95),
    11: AcquisitionMonth(1.0, 0.95, 1.1),
}
ORDINARY = AcquisitionMonth(1.0)


def _months(first_date: date, end_date: date) -> list[tuple[date, date, AcquisitionMonth]]:
    """The calendar months from first_date's to end_date's: (first day, day after the last, profile)."""
    months = []
    year, month = first_date.year, first_date.month
    while (year, month) <= (end_date.year, end_date.month):
        after = date(year + month // 12, month % 12 + 1, 1)
        back = (end_date.year - year) * 12 + end_date.month - month
        months.append((date(year, month, 1), after, ACQUISITION_MONTHS.get(back, ORDINARY)))
        year, month = after.year, after.month
    return months


def create_acquisition_table(
    con: duckdb.DuckDBPyConnection, users: int, first_date: date, end_date: date
) -> None:
    """Create the temp table ``acquisition(uid, acquired_at, value_factor, cost_factor)`` for every user.

    ``acquired_at`` is NULL for a long-standing user (factors 1). A month's share of the acquisitions is its
    volume times the part of it inside the data (the first and last months are partial). Uses the
    ``u01(a, b)`` macro of the generator's connection.
    """
    start = datetime(first_date.year, first_date.month, first_date.day)
    end = datetime(end_date.year, end_date.month, end_date.day, 23, 59, 59)
    spans = []
    for month_start, month_after, profile in _months(first_date, end_date):
        lo = max(datetime(month_start.year, month_start.month, month_start.day), start)
        hi = min(datetime(month_after.year, month_after.month, month_after.day), end)
        seconds = int((hi - lo).total_seconds())
        if seconds > 0:
            spans.append((lo, seconds, profile))
    weights = [profile.volume * seconds for _, seconds, profile in spans]
    total = sum(weights)
    rows: list[str] = []
    picks: list[str] = []  # the month of a uniform draw, by its cumulative share
    cumulative = 0.0
    for index, ((lo, seconds, profile), weight) in enumerate(zip(spans, weights, strict=True)):
        cumulative += weight / total
        rows.append(
            f"({index}, TIMESTAMP '{lo:%Y-%m-%d %H:%M:%S}', {seconds}, "
            f"{profile.value_factor!r}, {profile.cost_factor!r})"
        )
        picks.append(f"WHEN u01(i, 72) < {cumulative!r} THEN {index}")
    # the last month takes every draw up to 1, whatever the rounding of the shares
    month_of_draw = f"CASE {' '.join(picks[:-1])} ELSE {len(picks) - 1} END"
    # An equality join on the month's index: a range join on the shares is far slower on millions of users.
    con.execute(
        f"""
        CREATE TEMP TABLE acquisition AS
        WITH months(month_index, month_start, seconds, value_factor, cost_factor)
            AS (VALUES {", ".join(rows)}),
        drawn AS (
            SELECT i AS uid, u01(i, 71) < {ACQUIRED_SHARE!r} AS acquired, {month_of_draw} AS month_index,
                   u01(i, 73) AS u_day
            FROM range({int(users)}) t(i)
        )
        SELECT d.uid,
               CASE WHEN d.acquired THEN m.month_start + to_seconds(floor(d.u_day * m.seconds)::BIGINT) END
                   AS acquired_at,
               CASE WHEN d.acquired THEN m.value_factor ELSE 1.0 END AS value_factor,
               CASE WHEN d.acquired THEN m.cost_factor ELSE 1.0 END AS cost_factor
        FROM drawn d
        JOIN months m USING (month_index)
        """
    )

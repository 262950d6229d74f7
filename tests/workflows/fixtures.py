"""Hand-built AMC tables (a few dozen rows) for the edge cases of docs/segments.md."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb

from amc_cltv.sandbox.engine import Engine
from amc_cltv.sandbox.tables import ALL_TABLES

START = datetime(2026, 1, 1)
END = datetime(2026, 7, 1)


class Builder:
    """Collects rows per base table; ``engine()`` writes them (and the _for_audiences twins) to DuckDB."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[object, ...]]] = {name: [] for name in ALL_TABLES}
        self._next_id = 0

    def order(
        self,
        user_id: str | None,
        day: date,
        asin: str,
        sales: str,
        *,
        units: int = 1,
        conversions: int = 1,
        ntb: bool = False,
        exposure: str = "ad-exposed",
        subtype: str = "order",
    ) -> None:
        """A conversion row: in conversions_all, and also in conversions when it is ad-exposed."""
        self._next_id += 1
        moment = datetime(day.year, day.month, day.day, 12)
        row = (
            f"c{self._next_id}",
            user_id,
            moment,
            day,
            "purchase",
            subtype,
            asin,
            conversions,
            sales,
            units,
            ntb,
        )
        self.rows["conversions_all"].append((*row, exposure))
        if exposure == "ad-exposed":
            self.rows["conversions"].append(row)

    def sponsored(
        self,
        user_id: str | None,
        day: date,
        *,
        clicks: int,
        spend_microcents: int,
        product: str = "sponsored_products",
    ) -> None:
        """A click row (clicks > 0, impressions 0) or a viewable-impression row (clicks 0, impressions 1)."""
        moment = datetime(day.year, day.month, day.day, 9)
        impressions = 0 if clicks else 1
        self.rows["sponsored_ads_traffic"].append(
            (user_id, moment, day, product, 11, impressions, clicks, spend_microcents)
        )

    def dsp(
        self, user_id: str | None, day: date, campaign_id: int, *, impressions: int, cost_millicents: float
    ) -> None:
        moment = datetime(day.year, day.month, day.day, 8)
        self.rows["dsp_impressions"].append((user_id, moment, day, campaign_id, impressions, cost_millicents))

    def attributed(self, user_id: str | None, campaign_id: int, day: date, subtype: str = "order") -> None:
        traffic = datetime(day.year, day.month, day.day, 7)
        self.rows["amazon_attributed_events_by_traffic_time"].append(
            (user_id, None, campaign_id, traffic, traffic + timedelta(days=1), subtype, "ASIN1", 1, "10", 1)
        )

    def engine(self) -> Engine:
        connection = duckdb.connect()
        for name, table in ALL_TABLES.items():
            columns = ", ".join(f'"{column}" {kind}' for column, kind in table.columns)
            connection.execute(f'CREATE TABLE "{name}" ({columns})')
            base = name.removesuffix("_for_audiences")
            if self.rows[base]:
                marks = ", ".join("?" for _ in table.columns)
                connection.executemany(f'INSERT INTO "{name}" VALUES ({marks})', self.rows[base])
        return Engine(connection)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def edge_cases() -> Builder:
    """Five customers whose figures are worked out by hand in the tests.

    A: organic (no ad cost), two non-ad-exposed orders 90 days apart: sales 200, spend 0, lifetime 3 months.
    B: a single order: sales 50, sponsored spend 2 (exactly the mean spend), lifetime 0.
    C: non-ad-exposed orders only, both on one day: sales 150, DSP spend 4, lifetime 0.
    D: two orders 10 days apart: sales 100, spend 1 (+ a DSP impression that cost nothing), lifetime 1/3.
    E: sales 125 (exactly the mean sales), spend 3 (sponsored 1 + DSP 2), lifetime 5 months; the only
       buyer of ASIN3. E never clicks: its sponsored cost is a Sponsored Display vCPM cost on a viewable
       impression (clicks 0), and half its DSP cost is on a row with impressions 0; every row's cost counts.
    Noise that must change nothing: a NULL user_id everywhere, an order before the window, a non-order
    conversion, a zero-sales order (G is no customer), an impression that cost nothing, and F, an exposed user
    who never buys.
    """
    b = Builder()
    b.order("A", d(1, 10), "ASIN1", "100", units=1, ntb=True, exposure="non-ad-exposed")
    b.order("A", d(4, 10), "ASIN1", "100", units=2, exposure="non-ad-exposed")
    b.order("A", d(12, 31, 2025), "ASIN1", "5000")  # before the window
    b.order("B", d(2, 15), "ASIN2", "50", ntb=True)
    b.order("C", d(2, 1), "ASIN1", "100", exposure="non-ad-exposed")
    b.order("C", d(2, 1), "ASIN2", "50", exposure="non-ad-exposed")
    b.order("D", d(3, 1), "ASIN2", "60", ntb=True)
    b.order("D", d(3, 11), "ASIN2", "40")
    b.order("D", d(3, 5), "ASIN2", "999", subtype="shoppingCart")  # not an order
    b.order("E", d(1, 5), "ASIN2", "25")
    b.order("E", d(6, 4), "ASIN3", "100", units=3, ntb=True)
    b.order(None, d(2, 2), "ASIN3", "1000", ntb=True)
    b.order("G", d(3, 3), "ASIN1", "0")
    b.sponsored("B", d(2, 10), clicks=2, spend_microcents=200_000_000)
    b.sponsored("D", d(2, 20), clicks=1, spend_microcents=100_000_000)
    b.sponsored("E", d(1, 3), clicks=0, spend_microcents=100_000_000, product="sponsored_display")  # vCPM
    b.sponsored("E", d(1, 4), clicks=0, spend_microcents=0)  # a Sponsored Products impression: no cost
    b.sponsored(None, d(1, 4), clicks=1, spend_microcents=900_000_000)
    b.sponsored("F", d(1, 4), clicks=1, spend_microcents=300_000_000)
    b.dsp("C", d(1, 20), 21, impressions=4, cost_millicents=400_000)
    b.dsp("E", d(1, 2), 21, impressions=1, cost_millicents=100_000)
    b.dsp("E", d(1, 2), 22, impressions=0, cost_millicents=100_000)  # a cost, but no reach
    b.dsp("D", d(2, 25), 22, impressions=1, cost_millicents=0)
    b.dsp("F", d(1, 8), 21, impressions=2, cost_millicents=100_000)
    b.dsp(None, d(1, 8), 21, impressions=2, cost_millicents=100_000)
    b.attributed("E", 21, d(1, 2))
    b.attributed("C", 21, d(1, 20), subtype="shoppingCart")
    b.attributed("D", 22, d(2, 25))
    b.attributed("F", 21, d(1, 8))
    return b


def same_lifetime(days_apart: int) -> Builder:
    """Three customers, each with two orders of one ASIN ``days_apart`` days apart: equal lifetimes."""
    b = Builder()
    for user_id, asin, sales, spend in (
        ("P", "ASIN1", "30", 1),
        ("Q", "ASIN1", "10", 2),
        ("R", "ASIN2", "20", 3),
    ):
        b.order(user_id, d(2, 1), asin, sales)
        b.order(user_id, d(2, 1) + timedelta(days=days_apart), asin, sales)
        b.sponsored(user_id, d(1, 15), clicks=1, spend_microcents=spend * 100_000_000)
    return b


def ties_on_every_branch() -> Builder:
    """Four customers (sales, spend): T1 (10, 2), T2 (10, 1), T3 (5, 2), T4 (15, 3).

    Mean sales 40 / 4 = 10 and mean spend 8 / 4 = 2, exactly: T1 ties on both axes, T2 on sales, T3 on spend.
    """
    b = Builder()
    for user_id, sales, spend in (("T1", "10", 2), ("T2", "10", 1), ("T3", "5", 2), ("T4", "15", 3)):
        b.order(user_id, d(3, 1), "ASIN1", sales)
        b.sponsored(user_id, d(2, 1), clicks=1, spend_microcents=spend * 100_000_000)
    return b


def cohort_cases() -> Builder:
    """Five customers whose acquisition months are worked out by hand (window January to June 2026).

    L: first order 20 Jan (not new-to-brand), only new-to-brand order 5 Mar: cohort 2026-03; sales 100,
       spend 1.
    M: new-to-brand orders 10 Feb and 12 Apr: cohort 2026-02 (the first); sales 300, spend 5.
    W: new-to-brand order 25 Feb: cohort 2026-02; sales 200, spend 2.
    Z: new-to-brand order worth 0 on 9 May, then an order of 80: cohort 2026-05; sales 80, spend 0.
    X: orders in January and June, none new-to-brand in the window (one in December 2025, before it, and a
       new-to-brand detail page view, not an order): existing; sales 120, spend 2.
    January, April and June have no acquisitions. N's only order is new-to-brand and worth 0 (no customer),
    and a NULL user's new-to-brand order counts nowhere.
    """
    b = Builder()
    b.order("L", d(1, 20), "ASIN1", "40")
    b.order("L", d(3, 5), "ASIN1", "60", ntb=True)
    b.order("M", d(2, 10), "ASIN1", "100", ntb=True)
    b.order("M", d(4, 12), "ASIN2", "200", ntb=True)
    b.order("W", d(2, 25), "ASIN2", "200", ntb=True)
    b.order("Z", d(5, 9), "ASIN1", "0", ntb=True)
    b.order("Z", d(5, 20), "ASIN1", "80")
    b.order("X", d(12, 20, 2025), "ASIN1", "500", ntb=True)  # before the window
    b.order("X", d(1, 15), "ASIN1", "50")
    b.order("X", d(2, 3), "ASIN1", "0", ntb=True, subtype="detailPageView")  # not an order
    b.order("X", d(6, 1), "ASIN2", "70")
    b.order("N", d(4, 2), "ASIN1", "0", ntb=True)
    b.order(None, d(4, 2), "ASIN1", "900", ntb=True)
    for user_id, dollars in (("L", 1), ("M", 5), ("W", 2), ("X", 2)):
        b.sponsored(user_id, d(1, 10), clicks=1, spend_microcents=dollars * 100_000_000)
    return b

"""An independent reference implementation of docs/segments.md in plain Python (no SQL in the computation).

Rows are fetched from the same tables the workflows read (DuckDB only hands over tuples); the time window,
the filters, the sums, the averages, the thresholds and the labels are all computed here with dicts and
loops, written from docs/segments.md rather than from the workflows' SQL.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import duckdb

HIGH_VALUE = "High Value Customer"
REVENUE_POTENTIAL = "Revenue Potential Customer"
GROWTH_POTENTIAL = "Growth Potential Customer"
LOW_VALUE = "Low Value Customer"
NON_LABELED = "Non-Labeled"

_CONVERSION_COLUMNS = (
    "user_id, event_dt_utc, event_date_utc, event_subtype, tracked_asin, conversions, "
    "total_product_sales, total_units_sold, new_to_brand"
)


@dataclass
class Tables:
    """The rows of every table inside the time window ``[start, end)``, as tuples."""

    conversions: list[tuple]  # rows of conversions_all or conversions, per shopping insights
    sponsored_ads_traffic: list[tuple]  # (user_id, clicks, spend)
    dsp_impressions: list[tuple]  # (user_id, campaign_id, impressions, total_cost)
    attributed_events: list[tuple]  # (user_id, campaign_id, conversion_event_subtype)
    computed: dict[str, object] = field(default_factory=dict, repr=False, compare=False)


def load_tables(
    connection: duckdb.DuckDBPyConnection, start: datetime, end: datetime, *, shopping_insights: bool = True
) -> Tables:
    """Fetch the raw rows and keep those whose event time lies in ``[start, end)``."""

    def fetch(table: str, time_column: str, columns: str) -> list[tuple]:
        rows = connection.execute(f'SELECT {time_column}, {columns} FROM "{table}"').fetchall()
        return [row[1:] for row in rows if start <= row[0] < end]

    conversions = "conversions_all" if shopping_insights else "conversions"
    return Tables(
        conversions=fetch(conversions, "event_dt_utc", _CONVERSION_COLUMNS),
        sponsored_ads_traffic=fetch("sponsored_ads_traffic", "event_dt_utc", "user_id, clicks, spend"),
        dsp_impressions=fetch(
            "dsp_impressions", "impression_dt_utc", "user_id, campaign_id, impressions, total_cost"
        ),
        attributed_events=fetch(
            "amazon_attributed_events_by_traffic_time",
            "traffic_event_dt_utc",
            "user_id, campaign_id, conversion_event_subtype",
        ),
    )


@dataclass
class Orders:
    """Sums over order rows (of one user, or one user and one ASIN)."""

    sales: Decimal = Decimal(0)
    units: int = 0
    conversions: int = 0
    first: date | None = None
    last: date | None = None
    new_to_brand: bool = False
    first_new_to_brand: date | None = None  # the day of the first order flagged new_to_brand

    def add(self, row: tuple) -> None:
        _, _, day, _, _, conversions, sales, units, ntb = row
        self.sales += Decimal(sales or 0)
        self.units += int(units or 0)
        self.conversions += int(conversions or 0)
        self.first = day if self.first is None or day < self.first else self.first
        self.last = day if self.last is None or day > self.last else self.last
        self.new_to_brand = self.new_to_brand or bool(ntb)
        if ntb and (self.first_new_to_brand is None or day < self.first_new_to_brand):
            self.first_new_to_brand = day

    @property
    def lifetime_months(self) -> float:
        assert self.first is not None and self.last is not None
        seconds = (self.last - self.first).days * 86400
        return seconds / 86400 / 30


@dataclass
class Customer:
    user_id: str
    orders: Orders
    sponsored_spend: float
    dsp_spend: float
    asins: dict[str, Orders] = field(default_factory=dict)

    @property
    def total_sales(self) -> float:
        return float(self.orders.sales)

    @property
    def total_spend(self) -> float:
        return self.sponsored_spend + self.dsp_spend


def customers(tables: Tables) -> dict[str, Customer]:
    """The customers (users with total_sales > 0) with their inputs, by user_id (computed once per Tables)."""
    if "customers" not in tables.computed:
        tables.computed["customers"] = _customers(tables)
    return tables.computed["customers"]  # type: ignore[return-value]


def _customers(tables: Tables) -> dict[str, Customer]:
    by_user: dict[str, Orders] = defaultdict(Orders)
    by_user_asin: dict[tuple[str, str], Orders] = defaultdict(Orders)
    for row in tables.conversions:
        user_id, subtype, asin = row[0], row[3], row[4]
        if user_id is None or subtype != "order":
            continue
        by_user[user_id].add(row)
        by_user_asin[(user_id, asin)].add(row)
    sponsored: dict[str, int] = defaultdict(int)
    # Every row's cost counts: CPC on click rows, vCPM on viewable-impression rows (clicks 0).
    for user_id, _clicks, spend in tables.sponsored_ads_traffic:
        if user_id is not None:
            sponsored[user_id] += int(spend)
    dsp: dict[str, list[float]] = defaultdict(list)
    for user_id, _, _impressions, total_cost in tables.dsp_impressions:
        if user_id is not None:
            dsp[user_id].append(float(total_cost))
    result: dict[str, Customer] = {}
    for user_id, orders in by_user.items():
        if orders.sales <= 0:
            continue
        result[user_id] = Customer(
            user_id,
            orders,
            sponsored_spend=sponsored[user_id] / 100000000 if user_id in sponsored else 0.0,
            dsp_spend=math.fsum(dsp[user_id]) / 100000 if user_id in dsp else 0.0,
        )
    for (user_id, asin), orders in by_user_asin.items():
        if user_id in result:
            result[user_id].asins[asin] = orders
    return result


def mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def threshold(values: list[float], method: str) -> float:
    """The mean, or the percentile by linear interpolation between the two nearest ranks."""
    if method == "mean":
        result = mean(values)
        assert result is not None
        return result
    q = 0.5 if method == "median" else int(method[1:]) / 100
    ordered = sorted(values)
    position = 1 + (len(ordered) - 1) * q
    lower = math.floor(position)
    low = ordered[lower - 1]
    high = ordered[lower] if lower < len(ordered) else low
    return low + (position - lower) * (high - low)


def segment_labels(tables: Tables, method: str = "mean") -> dict[str, str]:
    """The revenue x cost label of every customer."""
    people = customers(tables)
    sales_cut = threshold([c.total_sales for c in people.values()], method)
    spend_cut = threshold([c.total_spend for c in people.values()], method)
    labels = {}
    for user_id, customer in people.items():
        high_revenue = customer.total_sales >= sales_cut
        high_cost = customer.total_spend >= spend_cut
        if high_revenue:
            labels[user_id] = REVENUE_POTENTIAL if high_cost else HIGH_VALUE
        else:
            labels[user_id] = LOW_VALUE if high_cost else GROWTH_POTENTIAL
    return labels


def segmentation(tables: Tables, method: str = "mean") -> dict[str, tuple[int, float, float, float]]:
    """label -> (num_users, average total_sales, average total_spend, average cltv)."""
    people = customers(tables)
    groups: dict[str, list[Customer]] = defaultdict(list)
    for user_id, label in segment_labels(tables, method).items():
        groups[label].append(people[user_id])
    return {
        label: (
            len(members),
            mean([c.total_sales for c in members]) or 0.0,
            mean([c.total_spend for c in members]) or 0.0,
            mean([c.total_sales - c.total_spend for c in members]) or 0.0,
        )
        for label, members in groups.items()
    }


EXISTING = "existing"


def cohort_month(customer: Customer) -> str:
    """The month (yyyy-MM) of the customer's first new-to-brand order, or 'existing' without one."""
    day = customer.orders.first_new_to_brand
    return EXISTING if day is None else f"{day.year:04d}-{day.month:02d}"


def cohorts(tables: Tables, method: str = "mean") -> dict[tuple[str, str], tuple[int, float, float, float]]:
    """(cohort_month, label) -> (num_users, average total_sales, average total_spend, average cltv).

    The labels are segmentation's, thresholds over all customers; only the grouping adds the month.
    """
    people = customers(tables)
    groups: dict[tuple[str, str], list[Customer]] = defaultdict(list)
    for user_id, label in segment_labels(tables, method).items():
        groups[(cohort_month(people[user_id]), label)].append(people[user_id])
    return {
        key: (
            len(members),
            mean([c.total_sales for c in members]) or 0.0,
            mean([c.total_spend for c in members]) or 0.0,
            mean([c.total_sales - c.total_spend for c in members]) or 0.0,
        )
        for key, members in groups.items()
    }


def high_value_audience(tables: Tables, method: str = "mean") -> set[str]:
    return {user_id for user_id, label in segment_labels(tables, method).items() if label == HIGH_VALUE}


def _ratio(value: float, average: float | None) -> float | None:
    return None if not average else value / average


def _product(*values: float | None) -> float | None:
    if any(v is None for v in values):
        return None
    return math.prod(v for v in values if v is not None)


def _value_score(sales: float, spend: float) -> float | None:
    return None if spend == 0 else (sales - spend) / spend


def _present(values: list[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def cltv(tables: Tables, *, new_to_brand_only: bool = False) -> dict[str, dict[str, float | int | None]]:
    """tracked_asin -> the cltv (or cltv-ntb) columns."""
    people = customers(tables)
    rows = [
        (customer, asin, orders)
        for customer in people.values()
        for asin, orders in customer.asins.items()
        if orders.new_to_brand or not new_to_brand_only
    ]
    avg_conversions = mean([float(o.conversions) for _, _, o in rows])
    avg_units = mean([float(o.units) for _, _, o in rows])
    avg_lifetime = mean([o.lifetime_months for _, _, o in rows])
    groups: dict[str, list[dict[str, float | None]]] = defaultdict(list)
    for customer, asin, orders in rows:
        frequency = _ratio(orders.conversions, avg_conversions)
        quantity = _ratio(orders.units, avg_units)
        lifetime = _ratio(orders.lifetime_months, avg_lifetime)
        groups[asin].append(
            {
                "user_id": customer.user_id,
                "frequency": frequency,
                "quantity": quantity,
                "lifetime": lifetime,
                "sales": float(orders.sales),
                "units": orders.units,
                "dsp": customer.dsp_spend,
                "sponsored": customer.sponsored_spend,
                "spend": customer.total_spend,
                "lifetime_score": _product(frequency, quantity, lifetime),
                "value_score": _value_score(float(orders.sales), customer.total_spend),
            }
        )
    result: dict[str, dict[str, float | int | None]] = {}
    for asin, members in groups.items():
        lifetime_score = mean(_present([m["lifetime_score"] for m in members]))
        value_score = mean(_present([m["value_score"] for m in members]))
        columns: dict[str, float | int | None] = {}
        if new_to_brand_only:
            columns["ntb_customers"] = len({m["user_id"] for m in members})
        columns.update(
            avg_purchase_frequency_ratio=mean(_present([m["frequency"] for m in members])),
            avg_purchase_quantity_ratio=mean(_present([m["quantity"] for m in members])),
            avg_user_lifetime_ratio=mean(_present([m["lifetime"] for m in members])),
            total_sales=mean([m["sales"] for m in members]),
            total_units_sold=sum(int(m["units"] or 0) for m in members),
            dsp_spend=math.fsum(m["dsp"] or 0.0 for m in members),
            sponsored_spend=math.fsum(m["sponsored"] or 0.0 for m in members),
            total_spend=mean([m["spend"] for m in members]),
            avg_lifetime_score=lifetime_score,
            avg_value_score=value_score,
            cltv=None if lifetime_score is None or value_score is None else lifetime_score * value_score,
        )
        result[asin] = columns
    return result


def loyalty_labels(tables: Tables) -> dict[str, tuple[str, dict[str, float | None]]]:
    """user_id -> (lifetime x value label, the customer's ratios and scores)."""
    people = customers(tables)
    avg_conversions = mean([float(c.orders.conversions) for c in people.values()])
    avg_units = mean([float(c.orders.units) for c in people.values()])
    avg_lifetime = mean([c.orders.lifetime_months for c in people.values()])
    scores: dict[str, dict[str, float | None]] = {}
    for user_id, c in people.items():
        frequency = _ratio(c.orders.conversions, avg_conversions)
        quantity = _ratio(c.orders.units, avg_units)
        lifetime = _ratio(c.orders.lifetime_months, avg_lifetime)
        scores[user_id] = {
            "frequency": frequency,
            "quantity": quantity,
            "lifetime": lifetime,
            "lifetime_score": _product(frequency, quantity, lifetime),
            "value_score": _value_score(c.total_sales, c.total_spend),
        }
    lifetime_cut = mean(_present([s["lifetime_score"] for s in scores.values()]))
    value_cut = mean(_present([s["value_score"] for s in scores.values()]))
    labelled = {}
    for user_id, s in scores.items():
        life, value = s["lifetime_score"], s["value_score"]
        if life is None or value is None or lifetime_cut is None or value_cut is None:
            label = NON_LABELED
        elif life >= lifetime_cut:
            label = "High CLTV Customer" if value >= value_cut else "High Loyalty Customer"
        else:
            label = "High Revenue Potential Customer" if value >= value_cut else "Low CLTV Customer"
        labelled[user_id] = (label, s)
    return labelled


def loyalty_segments(tables: Tables) -> dict[tuple[str, str], dict[str, float | int | None]]:
    """(tracked_asin, label) -> the loyalty-segments columns."""
    people = customers(tables)
    groups: dict[tuple[str, str], list[tuple[Customer, Orders, dict[str, float | None]]]] = defaultdict(list)
    for user_id, (label, scores) in loyalty_labels(tables).items():
        for asin, orders in people[user_id].asins.items():
            groups[(asin, label)].append((people[user_id], orders, scores))
    result = {}
    for key, members in groups.items():
        lifetime_score = mean(_present([s["lifetime_score"] for _, _, s in members]))
        value_score = mean(_present([s["value_score"] for _, _, s in members]))
        result[key] = {
            "users": len(members),
            "purchase_frequency_ratio": mean(_present([s["frequency"] for _, _, s in members])),
            "purchase_quantity_ratio": mean(_present([s["quantity"] for _, _, s in members])),
            "user_lifetime_ratio": mean(_present([s["lifetime"] for _, _, s in members])),
            "total_sales": math.fsum(float(o.sales) for _, o, _ in members),
            "total_units_sold": sum(o.units for _, o, _ in members),
            "total_spend": math.fsum(c.total_spend for c, _, _ in members),
            "cltv": None if lifetime_score is None or value_score is None else lifetime_score * value_score,
        }
    return result


def segment_conversion_rate(
    tables: Tables, method: str = "mean"
) -> dict[tuple[int, str], tuple[int, int, float]]:
    """(campaign_id, segment label) -> (users reached, users purchased, conversion rate)."""
    labels = segment_labels(tables, method)
    reached: dict[tuple[int, str], set[str]] = defaultdict(set)
    for user_id, campaign_id, impressions, _ in tables.dsp_impressions:
        if user_id is not None and impressions > 0 and user_id in labels:
            reached[(int(campaign_id), labels[user_id])].add(user_id)
    purchases = {
        (user_id, int(campaign_id))
        for user_id, campaign_id, subtype in tables.attributed_events
        if user_id is not None and subtype == "order"
    }
    result = {}
    for (campaign_id, label), users in reached.items():
        bought = {u for u in users if (u, campaign_id) in purchases}
        result[(campaign_id, label)] = (len(users), len(bought), len(bought) / len(users))
    return result

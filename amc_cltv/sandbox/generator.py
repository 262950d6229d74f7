"""Deterministic synthetic AMC data, generated with DuckDB SQL over ``range()`` and written as Parquet.

Randomness is a seeded hash of (user, salt), so the same ``users`` and ``seed`` always give the same rows,
whatever the number of threads. Users follow a mixture of behaviours that yields every segment of the
revenue x cost grid plus the awkward cases: organic customers with no ad cost, single-order customers,
customers seen only in non-ad-exposed conversions, exposed users who never buy, browsers who never buy,
and a few events whose ``user_id`` is NULL. Money is in AMC's units: sponsored ads ``spend`` in microcents,
DSP ``total_cost`` in millicents, sales in currency. Users acquired inside the data have one new-to-brand
order, their first; long-standing customers have none (see ``acquisition``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from amc_cltv.sandbox.acquisition import create_acquisition_table
from amc_cltv.sandbox.tables import STORED_FILES

HISTORY_DAYS = 396  # 13 months of dates, ending with end_date
STATS_FILE = "generation.json"


@dataclass(frozen=True)
class GenerationStats:
    """What one generation wrote: the parameters, the date range, row counts per table, and timing."""

    users: int
    seed: int
    first_date: date
    end_date: date
    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> str:
        payload = asdict(self)
        payload.update(first_date=self.first_date.isoformat(), end_date=self.end_date.isoformat())
        payload["out_dir"] = str(self.out_dir)
        return json.dumps(payload, indent=2, sort_keys=True)

    @classmethod
    def read(cls, out_dir: Path) -> GenerationStats | None:
        """The stats of an earlier generation in ``out_dir``, or None when there is none (or partial)."""
        path = out_dir / STATS_FILE
        if not path.is_file():
            return None
        raw = json.loads(path.read_text())
        return cls(
            users=int(raw["users"]),
            seed=int(raw["seed"]),
            first_date=date.fromisoformat(raw["first_date"]),
            end_date=date.fromisoformat(raw["end_date"]),
            out_dir=out_dir,
            rows={str(k): int(v) for k, v in raw["rows"].items()},
            seconds=float(raw["seconds"]),
        )


def _macros(seed: int, start: datetime, span_s: int) -> list[str]:
    start_lit = f"TIMESTAMP '{start:%Y-%m-%d %H:%M:%S}'"
    return [
        # u01(a, b): a uniform double in [0, 1) from the hash of (a, b, seed); 53 bits of the 64-bit hash.
        "CREATE OR REPLACE TEMP MACRO u01(a, b) AS "
        f"((hash(a, b, {int(seed)}) >> 11) * (1.0 / 9007199254740992))",
        # A standard normal draw (Box-Muller) from two hash draws.
        "CREATE OR REPLACE TEMP MACRO normal(a, b) AS "
        "(sqrt(-2.0 * ln(1.0 - u01(a, b))) * cos(2.0 * pi() * u01(a, b + 7919)))",
        "CREATE OR REPLACE TEMP MACRO moment(a, b) AS "
        f"({start_lit} + to_seconds(floor(u01(a, b) * {span_s})::BIGINT))",
        # A moment between t and the end of the data, uniform.
        "CREATE OR REPLACE TEMP MACRO moment_after(t, a, b) AS "
        f"(t + to_seconds(floor(u01(a, b) * (epoch({start_lit}) + {span_s} - epoch(t)))::BIGINT))",
        "CREATE OR REPLACE TEMP MACRO maybe_null(uid, a, b) AS "
        "(CASE WHEN u01(a, b) < 0.003 THEN NULL ELSE uid END)",
    ]


# Behaviours: 20 % exposed never buy, 18 % organic customers, 12 % browsers, 50 % ad-exposed buyers.
# One latent loyalty per user moves the two axes of the revenue x cost grid in opposite directions: a loyal
# customer orders again and again and needs few ads to be acquired, an ad-acquired one orders once after
# many clicks. Frequent buyers are retargeted (about two more ad events per order after the third), so the
# top of both axes meets; independent noise on each axis fills the other cells. A customer's sales are
# tens of dollars (orders of about $10) and ad cost about a quarter of that, mostly sponsored ads clicks
# ($0.60 to $1.80); a DSP impression costs 2 to 6 cents. A user has at most 64 events per table:
# (uid * 64 + k) keys one event.
_USERS = """
CREATE TEMP TABLE users AS
WITH latent AS (
    SELECT i AS uid, printf('U%09d', i) AS user_id, u01(i, 1) AS u_kind, normal(i, 2) AS loyalty
    FROM range({users}) t(i)
),
base AS (
    SELECT uid, user_id, a.acquired_at, exp(0.25 * normal(uid, 3)) * a.value_factor AS value_level,
           least(exp(0.3 * normal(uid, 10) - 0.7 * loyalty), 6.0) * a.cost_factor AS cost_level,
           CASE WHEN u_kind < 0.20 THEN 'exposed_no_buy' WHEN u_kind < 0.38 THEN 'organic'
                WHEN u_kind < 0.50 THEN 'browser' ELSE 'buyer' END AS kind,
           CASE WHEN u_kind < 0.20 OR (u_kind >= 0.38 AND u_kind < 0.50) THEN 0
                WHEN loyalty + 0.35 * normal(uid, 4) < -0.3 THEN 1
                ELSE least(24, 2 + floor(-ln(1.0 - u01(uid, 5)) * 1.2 * exp(0.5 * loyalty)))::INTEGER
           END AS n_orders
    FROM latent JOIN acquisition a USING (uid)
)
SELECT uid, user_id, acquired_at, value_level, cost_level, kind, n_orders,
       CASE WHEN kind = 'exposed_no_buy' THEN 1 + floor(u01(uid, 6) * 4)::INTEGER
            WHEN kind = 'buyer'
            THEN least(64, 1 + floor((0.75 + 0.5 * u01(uid, 6))
                                     * (7 * cost_level + 2.5 * greatest(n_orders - 3, 0))))::INTEGER
            ELSE 0 END AS n_sa,
       CASE WHEN kind IN ('exposed_no_buy', 'buyer')
            THEN floor(u01(uid, 8) * 6 * least(cost_level, 3.0))::INTEGER ELSE 0 END AS n_dsp,
       CASE WHEN kind <> 'exposed_no_buy' THEN floor(u01(uid, 9) * 4)::INTEGER ELSE 0 END AS n_views
FROM base
"""

_ORDERS = """
CREATE TEMP TABLE orders AS
WITH o AS (
    SELECT uid, user_id, kind, value_level, acquired_at, unnest(range(n_orders)) AS k
    FROM users WHERE n_orders > 0
)
SELECT uid, k, maybe_null(user_id, uid * 64 + k, 21) AS user_id,
       printf('C%d-%d', uid, k) AS conversion_id,
       CASE WHEN acquired_at IS NULL THEN moment(uid * 64 + k, 22)
            WHEN k = 0 THEN acquired_at
            ELSE moment_after(acquired_at, uid * 64 + k, 22) END AS event_dt_utc,
       printf('B0SBX%05d', floor(pow(u01(uid * 64 + k, 23), 2) * 50)::INTEGER) AS tracked_asin,
       (1 + floor(pow(u01(uid * 64 + k, 24), 3) * 4))::BIGINT AS total_units_sold,
       acquired_at IS NOT NULL AND k = 0 AS new_to_brand,
       CASE WHEN kind = 'buyer' AND u01(uid * 64 + k, 26) < 0.75 THEN 'ad-exposed' ELSE 'non-ad-exposed' END
           AS exposure_type,
       value_level * CASE WHEN kind = 'organic' THEN 5.0 ELSE 6.0 END * (0.6 + 0.8 * u01(uid * 64 + k, 27))
           AS unit_price
FROM o
"""

_CONVERSIONS_ALL = """
SELECT conversion_id, user_id, event_dt_utc, event_dt_utc::DATE AS event_date_utc,
       'purchase' AS event_category, 'order' AS event_subtype, tracked_asin, 1::BIGINT AS conversions,
       round(unit_price * total_units_sold, 2)::DECIMAL(38,4) AS total_product_sales, total_units_sold,
       new_to_brand, exposure_type
FROM orders
UNION ALL
SELECT printf('V%d-%d', uid, k), maybe_null(user_id, uid * 64 + k, 31), moment(uid * 64 + k, 32),
       moment(uid * 64 + k, 32)::DATE, 'website', 'detailPageView',
       printf('B0SBX%05d', floor(u01(uid * 64 + k, 33) * 50)::INTEGER), 1::BIGINT, 0::DECIMAL(38,4),
       0::BIGINT, false,
       CASE WHEN kind = 'buyer' AND u01(uid * 64 + k, 34) < 0.5 THEN 'ad-exposed' ELSE 'non-ad-exposed' END
FROM (SELECT uid, user_id, kind, unnest(range(n_views)) AS k FROM users WHERE n_views > 0)
"""

# Sponsored ads traffic, with AMC's two ways of billing. A CPC cost ($0.60 to $1.80) sits on the click row
# (impressions 0, clicks 1). A vCPM cost (Sponsored Brands and Sponsored Display billed per thousand viewable
# impressions, $10 to $40 per thousand) sits on the viewable-impression row, whose clicks is 0; a Sponsored
# Products impression costs nothing (spend 0). One exposed user in ten is reached by vCPM impressions only and
# never clicks: a cost that a `clicks > 0` filter would drop, turning such a customer into an organic one.
_SPONSORED_ADS_TRAFFIC = """
WITH t AS (SELECT uid, user_id, unnest(range(n_sa)) AS k FROM users WHERE n_sa > 0),
r AS (SELECT *, u01(uid, 47) < 0.1 AS vcpm_only FROM t),
e AS (SELECT *, NOT vcpm_only AND u01(uid * 64 + k, 41) < 0.7 AS is_click,
             CASE WHEN vcpm_only THEN 0.6 + 0.4 * u01(uid * 64 + k, 42) ELSE u01(uid * 64 + k, 42) END
                 AS u_product
      FROM r)
SELECT maybe_null(user_id, uid * 64 + k, 43) AS user_id, moment(uid * 64 + k, 44) AS event_dt_utc,
       moment(uid * 64 + k, 44)::DATE AS event_date_utc,
       CASE WHEN u_product < 0.6 THEN 'sponsored_products' WHEN u_product < 0.85 THEN 'sponsored_brands'
            ELSE 'sponsored_display' END AS ad_product_type,
       (1001 + floor(u01(uid * 64 + k, 45) * 30))::BIGINT AS campaign_id,
       CASE WHEN is_click THEN 0 ELSE 1 END::BIGINT AS impressions,
       CASE WHEN is_click THEN 1 ELSE 0 END::BIGINT AS clicks,
       CASE WHEN is_click THEN round(1.2 * (0.5 + u01(uid * 64 + k, 46)) * 1e8)
            WHEN u_product >= 0.6 THEN round((10 + 30 * u01(uid * 64 + k, 46)) / 1000 * 1e8)
            ELSE 0 END::BIGINT AS spend
FROM e
"""

_DSP_IMPRESSIONS = """
WITH t AS (SELECT uid, user_id, unnest(range(n_dsp)) AS k FROM users WHERE n_dsp > 0)
SELECT maybe_null(user_id, uid * 64 + k, 51) AS user_id, moment(uid * 64 + k, 52) AS impression_dt_utc,
       moment(uid * 64 + k, 52)::DATE AS impression_date_utc,
       (5001 + floor(u01(uid * 64 + k, 53) * 12))::BIGINT AS campaign_id,
       CASE WHEN u01(uid * 64 + k, 54) < 0.03 THEN 0 ELSE 1 END::BIGINT AS impressions,
       round(0.04 * (0.5 + u01(uid * 64 + k, 55)) * 1e5, 3)::DOUBLE AS total_cost
FROM t
"""

_ATTRIBUTED = """
SELECT user_id,
       CASE WHEN u01(uid * 64 + k, 61) < 0.3 THEN NULL ELSE 'sponsored_products' END AS ad_product_type,
       CASE WHEN u01(uid * 64 + k, 61) < 0.3 THEN 5001 + floor(u01(uid * 64 + k, 62) * 12)
            ELSE 1001 + floor(u01(uid * 64 + k, 62) * 30) END::BIGINT AS campaign_id,
       event_dt_utc - to_seconds(floor(u01(uid * 64 + k, 63) * 14 * 86400)::BIGINT) AS traffic_event_dt_utc,
       event_dt_utc AS conversion_event_dt_utc, 'order' AS conversion_event_subtype, tracked_asin,
       1::BIGINT AS purchases, round(unit_price * total_units_sold, 2)::DECIMAL(38,4) AS total_product_sales,
       total_units_sold
FROM orders WHERE exposure_type = 'ad-exposed'
"""


def generate(
    users: int,
    seed: int,
    out_dir: Path,
    *,
    end_date: date | None = None,
    threads: int | None = None,
    memory_limit: str = "1GB",
) -> GenerationStats:
    """Write every sandbox table as ``<out_dir>/<table>.parquet`` (13 months of dates ending on ``end_date``).

    Raises ValueError for a non-positive user count.
    """
    if users <= 0:
        raise ValueError(f"users must be positive, got {users}")
    began = time.perf_counter()
    end_date = end_date or datetime.now(UTC).date()
    first_date = end_date - timedelta(days=HISTORY_DAYS - 1)
    start = datetime(first_date.year, first_date.month, first_date.day)
    span_s = HISTORY_DAYS * 86400
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / STATS_FILE).unlink(missing_ok=True)

    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = false")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for macro in _macros(seed, start, span_s):
            con.execute(macro)
        create_acquisition_table(con, users, first_date, end_date)
        con.execute(_USERS.format(users=int(users)))
        con.execute(_ORDERS)
        queries = {
            "conversions_all": _CONVERSIONS_ALL,
            "sponsored_ads_traffic": _SPONSORED_ADS_TRAFFIC,
            "dsp_impressions": _DSP_IMPRESSIONS,
            "amazon_attributed_events_by_traffic_time": _ATTRIBUTED,
        }
        rows: dict[str, int] = {}
        for name, query in queries.items():
            rows[name] = _write(con, query, out_dir / f"{name}.parquet")
        all_path = _sql_string(str(out_dir / "conversions_all.parquet"))
        rows["conversions"] = _write(
            con,
            f"SELECT * EXCLUDE (exposure_type) FROM read_parquet({all_path}) "
            "WHERE exposure_type = 'ad-exposed'",
            out_dir / "conversions.parquet",
        )
    finally:
        con.close()
    ordered = {name: rows[name] for name in STORED_FILES}
    stats = GenerationStats(
        users=users,
        seed=seed,
        first_date=first_date,
        end_date=end_date,
        out_dir=out_dir,
        rows=ordered,
        seconds=round(time.perf_counter() - began, 3),
    )
    # Written last: its presence means the generation is complete.
    (out_dir / STATS_FILE).write_text(stats.to_json())
    return stats


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _write(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    tmp = path.with_suffix(".parquet.tmp")
    result = con.execute(
        f"COPY ({query}) TO {_sql_string(str(tmp))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 262144)"
    ).fetchone()
    tmp.replace(path)
    return int(result[0]) if result else 0

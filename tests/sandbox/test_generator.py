"""The generator writes deterministic AMC tables with every behaviour the segments need."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from amc_cltv.sandbox import GenerationStats, generate
from amc_cltv.sandbox.tables import BASE_TABLES, STORED_FILES

END = date(2026, 11, 25)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GenerationStats:
    return generate(4000, 7, tmp_path_factory.mktemp("gen"), end_date=END)


def _one(sql: str) -> tuple[object, ...]:
    row = duckdb.connect().execute(sql).fetchone()
    assert row is not None
    return row


def test_every_table_is_written_with_amc_columns(generated: GenerationStats) -> None:
    """One Parquet file per stored table, with exactly the stored columns and types of the tables it holds."""
    for table in (t for t in BASE_TABLES if t.rows is None):
        path = generated.out_dir / f"{table.stored_in}.parquet"
        described = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        stored = [(row[0], row[1]) for row in described]
        assert stored[: len(table.columns)] == list(table.columns)
        assert generated.rows[table.stored_in] > 0
    assert sorted(generated.rows) == sorted(STORED_FILES)
    assert GenerationStats.read(generated.out_dir) == generated


def test_same_seed_gives_identical_data_and_another_seed_differs(
    generated: GenerationStats, tmp_path: Path
) -> None:
    """Determinism: the same (users, seed) reproduces the rows; another seed does not."""
    again = generate(4000, 7, tmp_path / "again", end_date=END)
    other = generate(4000, 8, tmp_path / "other", end_date=END)
    digest = "SELECT sum(hash(user_id, event_dt_utc, total_product_sales)) FROM read_parquet('{}')"
    first = _one(digest.format(generated.out_dir / "conversions_all.parquet"))
    assert _one(digest.format(again.out_dir / "conversions_all.parquet")) == first
    assert _one(digest.format(other.out_dir / "conversions_all.parquet")) != first


def test_thirteen_months_of_dates_ending_on_the_end_date(generated: GenerationStats) -> None:
    """Events span 13 months and none is after the end date."""
    low, high = _one(
        "SELECT min(event_date_utc), max(event_date_utc) "
        f"FROM read_parquet('{generated.out_dir}/conversions_all.parquet')"
    )
    assert high == END
    assert (END - low).days >= 390  # type: ignore[operator]


def test_the_awkward_cases_are_present(generated: GenerationStats) -> None:
    """Organic-only customers, single-order customers, exposed non-buyers and NULL user ids all occur."""
    d = generated.out_dir
    organic, single, exposed_never_buy, null_ids = _one(
        f"""
        WITH orders AS (SELECT user_id, exposure_type FROM read_parquet('{d}/conversions_all.parquet')
                        WHERE event_subtype = 'order' AND user_id IS NOT NULL),
        exposed AS (SELECT user_id FROM read_parquet('{d}/sponsored_ads_traffic.parquet')
                    UNION SELECT user_id FROM read_parquet('{d}/dsp_impressions.parquet'))
        SELECT
          (SELECT count(DISTINCT user_id) FROM orders WHERE user_id NOT IN (SELECT user_id FROM exposed
                                                                           WHERE user_id IS NOT NULL)),
          (SELECT count(*) FROM (SELECT user_id FROM orders GROUP BY user_id HAVING count(*) = 1)),
          (SELECT count(*) FROM exposed WHERE user_id NOT IN (SELECT user_id FROM orders)),
          (SELECT count(*) FROM read_parquet('{d}/sponsored_ads_traffic.parquet') WHERE user_id IS NULL)
        """
    )
    for count in (organic, single, exposed_never_buy, null_ids):
        assert int(count) > 0  # type: ignore[call-overload]


def test_money_is_in_amc_units(generated: GenerationStats) -> None:
    """Sponsored ads spend in microcents, DSP total_cost in millicents: a click costs cents to dollars."""
    d = generated.out_dir
    cpc, cpm_cost = _one(
        f"SELECT (SELECT avg(spend) / 1e8 FROM read_parquet('{d}/sponsored_ads_traffic.parquet') "
        "WHERE clicks > 0),"
        f"(SELECT avg(total_cost) / 1e5 FROM read_parquet('{d}/dsp_impressions.parquet') "
        "WHERE impressions > 0)"
    )
    assert 0.1 < float(cpc) < 5  # type: ignore[arg-type]
    assert 0.001 < float(cpm_cost) < 0.5  # type: ignore[arg-type]


def test_customers_spend_tens_of_dollars_and_ad_cost_is_a_fraction_of_it(generated: GenerationStats) -> None:
    """Per customer (docs/segments.md §4 inputs over all dates): sales average tens of dollars and ad cost
    15-60 % of sales, a ROAS an advertiser could see; organic customers count with zero cost."""
    d = generated.out_dir
    sales, spend = _one(
        f"""
        WITH sales AS (SELECT user_id, sum(total_product_sales)::DOUBLE AS total_sales
                       FROM read_parquet('{d}/conversions_all.parquet')
                       WHERE event_subtype = 'order' AND user_id IS NOT NULL GROUP BY user_id),
        cost AS (SELECT user_id, spend / 1e8 AS cost
                 FROM read_parquet('{d}/sponsored_ads_traffic.parquet')
                 UNION ALL
                 SELECT user_id, total_cost / 1e5 FROM read_parquet('{d}/dsp_impressions.parquet')),
        cost_by_user AS (SELECT user_id, sum(cost) AS total_spend FROM cost GROUP BY user_id)
        SELECT avg(s.total_sales), avg(coalesce(c.total_spend, 0))
        FROM sales s LEFT JOIN cost_by_user c ON c.user_id = s.user_id WHERE s.total_sales > 0
        """
    )
    assert 10 < float(sales) < 80  # type: ignore[arg-type]
    assert 0.15 < float(spend) / float(sales) < 0.6  # type: ignore[arg-type]


def test_conversions_are_exactly_the_ad_exposed_rows_of_conversions_all(generated: GenerationStats) -> None:
    """`conversions` = `conversions_all` where exposure_type = 'ad-exposed'."""
    d = generated.out_dir
    (diff,) = _one(
        "SELECT count(*) FROM (SELECT * EXCLUDE (exposure_type) "
        f"FROM read_parquet('{d}/conversions_all.parquet') WHERE exposure_type = 'ad-exposed' "
        f"EXCEPT ALL SELECT * FROM read_parquet('{d}/conversions.parquet'))"
    )
    assert diff == 0
    assert generated.rows["conversions"] < generated.rows["conversions_all"]


def test_vcpm_costs_sit_on_viewable_impression_rows(generated: GenerationStats) -> None:
    """Sponsored Brands and Display vCPM costs are on rows with clicks 0 ($10-$40 per thousand), Sponsored
    Products impressions cost nothing, and some customers' only sponsored ads cost is vCPM (no click ever)."""
    d = generated.out_dir
    vcpm_min, vcpm_max, sp_impression_cost, vcpm_only_customers = _one(
        f"""
        WITH sa AS (SELECT *, ad_product_type = 'sponsored_products' AS sp
                    FROM read_parquet('{d}/sponsored_ads_traffic.parquet')),
        buyers AS (SELECT DISTINCT user_id FROM read_parquet('{d}/conversions_all.parquet')
                   WHERE event_subtype = 'order' AND user_id IS NOT NULL)
        SELECT
          (SELECT min(spend) / 1e8 * 1000 FROM sa WHERE clicks = 0 AND NOT sp),
          (SELECT max(spend) / 1e8 * 1000 FROM sa WHERE clicks = 0 AND NOT sp),
          (SELECT coalesce(sum(spend), 0) FROM sa WHERE clicks = 0 AND sp),
          (SELECT count(*) FROM (SELECT user_id FROM sa WHERE user_id IN (SELECT user_id FROM buyers)
                                 GROUP BY user_id HAVING sum(clicks) = 0 AND sum(spend) > 0))
        """
    )
    assert float(vcpm_min) >= 10  # type: ignore[arg-type]
    assert float(vcpm_max) <= 40  # type: ignore[arg-type]
    assert int(sp_impression_cost) == 0  # type: ignore[call-overload]
    assert int(vcpm_only_customers) > 0  # type: ignore[call-overload]


def test_acquired_customers_have_one_new_to_brand_order_their_first_and_the_rest_none(
    generated: GenerationStats,
) -> None:
    """A customer acquired inside the data has exactly one new-to-brand order, their earliest (only later
    orders follow it); a long-standing customer has none; both kinds are common."""
    path = generated.out_dir / "conversions_all.parquet"
    bad, acquired, long_standing = _one(
        f"""
        WITH per_user AS (
            SELECT user_id, count(*) FILTER (WHERE new_to_brand) AS ntb_orders,
                   min(event_dt_utc) AS first_order,
                   min(event_dt_utc) FILTER (WHERE new_to_brand) AS first_ntb,
                   max(event_dt_utc) FILTER (WHERE new_to_brand) AS last_ntb
            FROM read_parquet('{path}') WHERE event_subtype = 'order' AND user_id IS NOT NULL
            GROUP BY user_id
        )
        SELECT count(*) FILTER (WHERE ntb_orders > 1 OR (ntb_orders = 1 AND first_ntb <> first_order)),
               count(*) FILTER (WHERE ntb_orders = 1), count(*) FILTER (WHERE ntb_orders = 0)
        FROM per_user
        """
    )
    assert bad == 0
    assert int(acquired) > 0.3 * (int(acquired) + int(long_standing))  # type: ignore[call-overload]
    assert int(long_standing) > 0.3 * (int(acquired) + int(long_standing))  # type: ignore[call-overload]
    non_orders = _one(
        f"SELECT count(*) FROM read_parquet('{path}') WHERE new_to_brand AND event_subtype <> 'order'"
    )
    assert non_orders == (0,)


def test_acquisition_volume_and_quality_vary_by_month(generated: GenerationStats) -> None:
    """The promotion month (three months before the end month) acquires several times what the quiet month
    (nine back) does, and its customers cost more in ads per customer than the strong season's (six back)."""
    d = generated.out_dir
    rows = (
        duckdb.connect()
        .execute(
            f"""
        WITH acquired AS (
            SELECT user_id, date_trunc('month', event_date_utc) AS month
            FROM read_parquet('{d}/conversions_all.parquet')
            WHERE new_to_brand AND event_subtype = 'order' AND user_id IS NOT NULL
        ),
        spend AS (
            SELECT user_id, sum(spend) / 1e8 AS spend FROM read_parquet('{d}/sponsored_ads_traffic.parquet')
            GROUP BY user_id
        )
        SELECT a.month, count(*), avg(coalesce(s.spend, 0))
        FROM acquired a LEFT JOIN spend s USING (user_id) GROUP BY a.month
        """
        )
        .fetchall()
    )
    by_back = {(END.year - m.year) * 12 + END.month - m.month: (n, cost) for m, n, cost in rows}
    assert by_back[3][0] > 4 * by_back[9][0]
    assert by_back[3][1] > 1.8 * by_back[6][1]

"""Every emulated table carries every column of its AMC data-source page, with AMC's types and plausible
values, and ``GET dataSources`` describes them as the WMS spec does.

See docs/sandbox.md#amcs-published-schema.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from amc_cltv.amc_schema import data_source
from amc_cltv.sandbox import GenerationStats
from amc_cltv.sandbox.engine import Engine
from amc_cltv.sandbox.tables import ALL_TABLES
from tests.sandbox.conftest import Api

START, END = datetime(2025, 10, 1), datetime(2026, 11, 26)

REQUIRED = (
    "dsp_impressions",
    "sponsored_ads_traffic",
    "amazon_attributed_events_by_traffic_time",
    "amazon_attributed_events_by_conversion_time",
    "conversions",
    "conversions_all",
    "conversions_with_relevance",
)


@pytest.fixture(scope="module")
def engine(small_data: GenerationStats) -> Engine:
    return Engine.over_parquet(small_data.out_dir)


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    result = engine.execute(sql, time_window_start=START, time_window_end=END)
    try:
        return result.rows
    finally:
        result.close()


def test_the_issue_tables_and_their_audience_twins_are_emulated() -> None:
    for name in REQUIRED:
        assert name in ALL_TABLES and f"{name}_for_audiences" in ALL_TABLES


@pytest.mark.parametrize("name", sorted(ALL_TABLES))
def test_each_table_has_exactly_the_documented_columns_and_types(engine: Engine, name: str) -> None:
    """Column names, order and DuckDB types follow the published schema; none is missing or extra."""
    documented = data_source(name)
    assert documented is not None
    described = engine.connection.execute(f'DESCRIBE "{name}"').fetchall()
    assert [(row[0], row[1]) for row in described] == [(c.name, c.duckdb_type) for c in documented.columns]
    # every derived expression evaluates on real rows
    assert engine.connection.execute(f'SELECT count(*) FROM (SELECT * FROM "{name}")').fetchone() != (0,)


def test_amazons_sample_notebook_query_runs(engine: Engine) -> None:
    """The sample client's workflow: purchases by campaign name over the traffic-time table."""
    rows = _rows(
        engine,
        "SELECT campaign, SUM(total_purchases) AS purchases FROM amazon_attributed_events_by_traffic_time "
        "GROUP BY campaign",
    )
    assert len(rows) > 10
    assert all(str(name).startswith(("SA_Widgets_", "DSP_Widgets_")) for name, _ in rows)
    total = sum(int(p) for _, p in rows)  # type: ignore[call-overload]
    stored = _rows(engine, "SELECT SUM(purchases) FROM amazon_attributed_events_by_traffic_time")
    assert total == stored[0][0] > 0


def test_clicks_and_views_split_the_attributed_metrics(engine: Engine) -> None:
    ((mismatch, clicks, views),) = _rows(
        engine,
        "SELECT SUM(CASE WHEN total_product_sales_clicks + total_product_sales_views <> total_product_sales "
        "THEN 1 ELSE 0 END), SUM(purchases_clicks), SUM(purchases_views) "
        "FROM amazon_attributed_events_by_conversion_time",
    )
    assert mismatch == 0 and clicks > 0 and views > 0  # type: ignore[operator]


def test_the_conversion_time_table_is_windowed_on_the_conversion(engine: Engine) -> None:
    """Same pairs as the traffic-time table; a window keeps those whose conversion falls inside it."""
    window = {"time_window_start": datetime(2026, 6, 1), "time_window_end": datetime(2026, 7, 1)}
    result = engine.execute(
        "SELECT MIN(conversion_event_dt_utc) AS lo, MAX(conversion_event_dt_utc) AS hi, "
        "MIN(traffic_event_dt_utc) AS first_traffic FROM amazon_attributed_events_by_conversion_time",
        **window,
    )
    ((low, high, first_traffic),) = result.rows
    result.close()
    assert datetime(2026, 6, 1) <= low and high < datetime(2026, 7, 1)  # type: ignore[operator]
    assert first_traffic < datetime(2026, 6, 1)  # type: ignore[operator]  # traffic up to 14 days before


def test_sponsored_ads_rows_are_priced_cpc_or_vcpm_and_carry_the_currency(engine: Engine) -> None:
    rows = _rows(
        engine,
        "SELECT line_item_price_type, currency_iso_code, currency_name, SUM(clicks) AS clicks, "
        "SUM(spend) AS spend FROM sponsored_ads_traffic GROUP BY 1, 2, 3",
    )
    by_type = {row[0]: row for row in rows}
    assert set(by_type) == {"CPC", "VCPM"}
    assert by_type["VCPM"][3] == 0 and by_type["VCPM"][4] > 0  # type: ignore[operator]
    assert {(row[1], row[2]) for row in rows} == {("USD", "Dollar (USA)")}


def test_campaign_ids_names_and_strings_agree(engine: Engine) -> None:
    ((bad, campaigns, supply_sources),) = _rows(
        engine,
        "SELECT SUM(CASE WHEN campaign_id_string <> CAST(campaign_id AS VARCHAR) THEN 1 ELSE 0 END), "
        "COUNT(DISTINCT campaign), COUNT(DISTINCT supply_source) FROM dsp_impressions",
    )
    assert bad == 0 and campaigns == 12 and supply_sources > 1  # type: ignore[operator]


def test_data_sources_answer_lists_documented_columns_as_dimension_or_metric(api: Api) -> None:
    """The WMS spec's DataSource: columns with columnType DIMENSION/METRIC, AMC's type in the description;
    no DuckDB type names."""
    sources = {s["dataSourceId"]: s for s in api.r("GET", "dataSources").json()["dataSources"]}
    assert set(sources) == set(ALL_TABLES)
    traffic = api.r("GET", "dataSources/amazon_attributed_events_by_traffic_time").json()["dataSource"]
    columns = {c["name"]: c for c in traffic["columns"]}
    assert columns["campaign"] == {"name": "campaign", "columnType": "DIMENSION", "description": "STRING"}
    assert columns["total_purchases"]["columnType"] == "METRIC"
    spend = {c["name"]: c for c in sources["sponsored_ads_traffic"]["columns"]}["spend"]
    assert spend == {"name": "spend", "columnType": "METRIC", "description": "LONG, microcents"}
    text = str(sources)
    assert "VARCHAR" not in text and "DECIMAL(38" not in text and "BIGINT" not in text
    assert api.r("GET", "dataSources/no_such_table").status_code == 404


def test_dsp_clicks_and_views_are_drawn_from_the_impressions(engine: Engine) -> None:
    """A click follows an impression of the same user and campaign within ten minutes; views record a
    measurable row for most impressions and a viewable row for most of those."""
    ((clicks, orphans, late),) = _rows(
        engine,
        "SELECT COUNT(1), SUM(CASE WHEN i.campaign_id IS NULL AND c.user_id IS NOT NULL "
        "AND c.impression_dt_utc >= TIMESTAMP '2025-10-01 00:00:00' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN SECONDS_BETWEEN(c.impression_dt_utc, c.click_dt_utc) >= 600 THEN 1 ELSE 0 END) "
        "FROM dsp_clicks c LEFT JOIN dsp_impressions i ON i.user_id = c.user_id "
        "AND i.impression_dt_utc = c.impression_dt_utc AND i.campaign_id = c.campaign_id",
    )
    assert clicks > 0 and orphans == 0 and late == 0  # type: ignore[operator]
    ((impressions,),) = _rows(engine, "SELECT SUM(impressions) FROM dsp_impressions")
    ((measurable, viewable),) = _rows(
        engine, "SELECT SUM(measurable_impressions), SUM(viewable_impressions) FROM dsp_views"
    )
    assert 0.6 < measurable / impressions < 0.8  # type: ignore[operator]
    assert 0.5 < viewable / measurable < 0.7  # type: ignore[operator]

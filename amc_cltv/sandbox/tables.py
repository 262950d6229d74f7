"""The AMC tables the sandbox holds: names, columns (AMC names and units) and the event timestamp each is
restricted on when an execution's time window is applied."""

from __future__ import annotations

from dataclasses import dataclass

AUDIENCE_SUFFIX = "_for_audiences"


@dataclass(frozen=True)
class AmcTable:
    """One AMC table: its columns as (name, DuckDB type) and the timestamp the time window applies to."""

    name: str
    time_column: str
    columns: tuple[tuple[str, str], ...]


_CONVERSION_COLUMNS = (
    ("conversion_id", "VARCHAR"),
    ("user_id", "VARCHAR"),
    ("event_dt_utc", "TIMESTAMP"),
    ("event_date_utc", "DATE"),
    ("event_category", "VARCHAR"),
    ("event_subtype", "VARCHAR"),
    ("tracked_asin", "VARCHAR"),
    ("conversions", "BIGINT"),
    ("total_product_sales", "DECIMAL(38,4)"),
    ("total_units_sold", "BIGINT"),
    ("new_to_brand", "BOOLEAN"),
)

BASE_TABLES: tuple[AmcTable, ...] = (
    AmcTable("conversions_all", "event_dt_utc", (*_CONVERSION_COLUMNS, ("exposure_type", "VARCHAR"))),
    AmcTable("conversions", "event_dt_utc", _CONVERSION_COLUMNS),
    AmcTable(
        "sponsored_ads_traffic",
        "event_dt_utc",
        (
            ("user_id", "VARCHAR"),
            ("event_dt_utc", "TIMESTAMP"),
            ("event_date_utc", "DATE"),
            ("ad_product_type", "VARCHAR"),
            ("campaign_id", "BIGINT"),
            ("impressions", "BIGINT"),
            ("clicks", "BIGINT"),
            ("spend", "BIGINT"),  # microcents
        ),
    ),
    AmcTable(
        "dsp_impressions",
        "impression_dt_utc",
        (
            ("user_id", "VARCHAR"),
            ("impression_dt_utc", "TIMESTAMP"),
            ("impression_date_utc", "DATE"),
            ("campaign_id", "BIGINT"),
            ("impressions", "BIGINT"),
            ("total_cost", "DOUBLE"),  # millicents
        ),
    ),
    AmcTable(
        "amazon_attributed_events_by_traffic_time",
        "traffic_event_dt_utc",
        (
            ("user_id", "VARCHAR"),
            ("ad_product_type", "VARCHAR"),
            ("campaign_id", "BIGINT"),
            ("traffic_event_dt_utc", "TIMESTAMP"),
            ("conversion_event_dt_utc", "TIMESTAMP"),
            ("conversion_event_subtype", "VARCHAR"),
            ("tracked_asin", "VARCHAR"),
            ("purchases", "BIGINT"),
            ("total_product_sales", "DECIMAL(38,4)"),
            ("total_units_sold", "BIGINT"),
        ),
    ),
)


def audience_twin(table: AmcTable) -> AmcTable:
    """The ``_for_audiences`` twin of a table: the same columns, readable only by audience queries."""
    return AmcTable(table.name + AUDIENCE_SUFFIX, table.time_column, table.columns)


ALL_TABLES: dict[str, AmcTable] = {t.name: t for base in BASE_TABLES for t in (base, audience_twin(base))}


def is_audience_table(name: str) -> bool:
    return name.lower().endswith(AUDIENCE_SUFFIX)

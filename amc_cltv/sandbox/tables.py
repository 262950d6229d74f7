"""The AMC tables the sandbox holds: AMC's names and documented columns (``amc_cltv.amc_schema``), the columns
the generator stores, the file holding the rows, and the event timestamp the time window restricts.

The generator stores only the columns that carry the data's behaviour (users, times, money, campaigns);
every other documented column is derived per row when a query reads it (``sandbox.documented_columns``).
"""

from __future__ import annotations

from dataclasses import dataclass

from amc_cltv.amc_schema import AUDIENCE_SUFFIX, DataSource, data_source, is_audience_table

__all__ = ["ALL_TABLES", "AUDIENCE_SUFFIX", "BASE_TABLES", "STORED_FILES", "AmcTable", "is_audience_table"]


@dataclass(frozen=True)
class AmcTable:
    """One emulated AMC table.

    ``columns`` are the stored columns as (name, DuckDB type), in the order the generator writes them;
    ``stored_in`` names the Parquet file (``<stored_in>.parquet``) holding its rows; ``time_column`` is the
    timestamp the execution's time window applies to. ``rows``, when set, is a SELECT over ``{source}`` (that
    file) giving the table's rows and stored columns: a table drawn from another table's events.
    """

    name: str
    time_column: str
    columns: tuple[tuple[str, str], ...]
    stored_in: str
    rows: str | None = None

    @property
    def documented(self) -> DataSource:
        """The table as AMC's data-source page documents it (every column, AMC's types)."""
        found = data_source(self.name)
        assert found is not None, f"{self.name} is not in AMC's published schema"
        return found


def _stored(table: str, *names: str) -> tuple[tuple[str, str], ...]:
    """The columns ``names`` of ``table`` with the DuckDB type of their documented AMC type."""
    documented = data_source(table)
    assert documented is not None, table
    found = documented.columns_by_name()
    return tuple((name, found[name].duckdb_type) for name in names)


_CONVERSION_COLUMNS = (
    "conversion_id",
    "user_id",
    "event_dt_utc",
    "event_date_utc",
    "event_category",
    "event_subtype",
    "tracked_asin",
    "conversions",
    "total_product_sales",
    "total_units_sold",
    "new_to_brand",
)
_ATTRIBUTED_COLUMNS = (
    "user_id",
    "ad_product_type",
    "campaign_id",
    "traffic_event_dt_utc",
    "conversion_event_dt_utc",
    "conversion_event_subtype",
    "tracked_asin",
    "purchases",
    "total_product_sales",
    "total_units_sold",
)
_TRAFFIC_TIME = "amazon_attributed_events_by_traffic_time"
_CONVERSION_TIME = "amazon_attributed_events_by_conversion_time"

BASE_TABLES: tuple[AmcTable, ...] = (
    AmcTable(
        "conversions_all",
        "event_dt_utc",
        _stored("conversions_all", *_CONVERSION_COLUMNS, "exposure_type"),
        "conversions_all",
    ),
    AmcTable("conversions", "event_dt_utc", _stored("conversions", *_CONVERSION_COLUMNS), "conversions"),
    # One row per relevant campaign: the sandbox gives each conversion one campaign.
    AmcTable(
        "conversions_with_relevance",
        "event_dt_utc",
        _stored("conversions_with_relevance", *_CONVERSION_COLUMNS),
        "conversions",
    ),
    AmcTable(
        "sponsored_ads_traffic",
        "event_dt_utc",
        _stored(
            "sponsored_ads_traffic",
            "user_id",
            "event_dt_utc",
            "event_date_utc",
            "ad_product_type",
            "campaign_id",
            "impressions",
            "clicks",
            "spend",  # microcents
        ),
        "sponsored_ads_traffic",
    ),
    AmcTable(
        "dsp_impressions",
        "impression_dt_utc",
        _stored(
            "dsp_impressions",
            "user_id",
            "impression_dt_utc",
            "impression_date_utc",
            "campaign_id",
            "impressions",
            "total_cost",  # millicents
        ),
        "dsp_impressions",
    ),
    AmcTable(
        _TRAFFIC_TIME, "traffic_event_dt_utc", _stored(_TRAFFIC_TIME, *_ATTRIBUTED_COLUMNS), _TRAFFIC_TIME
    ),
    # The same traffic-conversion pairs, windowed on the conversion's time instead of the traffic's.
    AmcTable(
        _CONVERSION_TIME,
        "conversion_event_dt_utc",
        _stored(_CONVERSION_TIME, *_ATTRIBUTED_COLUMNS),
        _TRAFFIC_TIME,
    ),
    # One DSP impression in 50 is clicked, up to ten minutes later; DSP buys by the impression, so a click
    # costs nothing of its own.
    AmcTable(
        "dsp_clicks",
        "click_dt_utc",
        _stored(
            "dsp_clicks",
            "user_id",
            "impression_dt_utc",
            "click_dt_utc",
            "campaign_id",
            "clicks",
            "click_cost",
        ),
        "dsp_impressions",
        rows=(
            "SELECT user_id, impression_dt_utc, "
            "impression_dt_utc + to_seconds(CAST(hash(user_id, impression_dt_utc, 'click') % 600 AS BIGINT)) "
            "AS click_dt_utc, campaign_id, CAST(1 AS BIGINT) AS clicks, CAST(0 AS BIGINT) AS click_cost "
            "FROM {source} WHERE impressions > 0 AND hash(user_id, impression_dt_utc, campaign_id) % 50 = 0"
        ),
    ),
    # Seven DSP impressions in ten were measured (a measurable row each); six in ten of those were viewable
    # (a viewable row as well): the page records an impression once per kind of view event.
    AmcTable(
        "dsp_views",
        "event_dt_utc",
        _stored(
            "dsp_views",
            "user_id",
            "event_dt_utc",
            "campaign_id",
            "events",
            "measurable_impressions",
            "viewable_impressions",
        ),
        "dsp_impressions",
        rows=(
            "WITH m AS (SELECT user_id, impression_dt_utc, campaign_id, "
            "hash(user_id, impression_dt_utc, campaign_id, 'view') % 100 AS draw "
            "FROM {source} WHERE impressions > 0) "
            "SELECT user_id, impression_dt_utc AS event_dt_utc, campaign_id, CAST(1 AS BIGINT) AS events, "
            "CAST(1 AS BIGINT) AS measurable_impressions, CAST(0 AS BIGINT) AS viewable_impressions "
            "FROM m WHERE draw < 70 "
            "UNION ALL SELECT user_id, impression_dt_utc, campaign_id, 1, 0, 1 FROM m WHERE draw < 42"
        ),
    ),
)


def audience_twin(table: AmcTable) -> AmcTable:
    """The ``_for_audiences`` twin of a table: the same columns, readable only by audience queries."""
    return AmcTable(
        table.name + AUDIENCE_SUFFIX, table.time_column, table.columns, table.stored_in, table.rows
    )


ALL_TABLES: dict[str, AmcTable] = {t.name: t for base in BASE_TABLES for t in (base, audience_twin(base))}

# The Parquet files the generator writes, each once (some tables read another's file).
STORED_FILES: tuple[str, ...] = tuple(dict.fromkeys(t.stored_in for t in BASE_TABLES))

"""The engine runs AMC SQL on DuckDB as AMC would: time windows, AMC functions, AMC's rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from amc_cltv.sandbox.engine import Engine, Failed, Rejected

START = datetime(2026, 1, 1)
END = datetime(2026, 2, 1)


@pytest.fixture
def engine() -> Engine:
    """Hand-made tables under AMC names, base and _for_audiences twin."""
    con = duckdb.connect()
    for name in ("conversions_all", "conversions_all_for_audiences"):
        con.execute(
            f"CREATE TABLE {name} (user_id VARCHAR, event_dt_utc TIMESTAMP, event_subtype VARCHAR, "
            "total_product_sales DECIMAL(38,4), exposure_type VARCHAR)"
        )
        con.execute(
            f"INSERT INTO {name} VALUES "
            "('a', '2025-12-31 23:59:59', 'order', 100, 'ad-exposed'),"  # before the window
            "('a', '2026-01-01 00:00:00', 'order', 10, 'ad-exposed'),"  # first instant: inside
            "('b', '2026-01-15 12:00:00', 'order', 20, 'non-ad-exposed'),"
            "('b', '2026-01-16 12:00:00', 'order', 5, 'non-ad-exposed'),"
            "('c', '2026-02-01 00:00:00', 'order', 1000, 'ad-exposed')"  # end is exclusive
        )
    con.execute(
        "CREATE TABLE dsp_impressions (user_id VARCHAR, impression_dt_utc TIMESTAMP, total_cost DOUBLE)"
    )
    con.execute("INSERT INTO dsp_impressions VALUES ('a', '2026-01-02', 500), ('a', '2025-06-01', 900)")
    return Engine(con)


def run(engine: Engine, sql: str, **kwargs: object) -> list[tuple[object, ...]]:
    return engine.execute(sql, time_window_start=START, time_window_end=END, **kwargs).rows  # type: ignore[arg-type]


def test_every_table_is_restricted_to_the_window_start_inclusive_end_exclusive(engine: Engine) -> None:
    """Rows before the start and at the end are invisible; the first instant is visible."""
    rows = run(engine, "SELECT COUNT(1) AS n, SUM(total_product_sales) AS s FROM conversions_all")
    assert rows == [(3, 35)]
    assert run(engine, "SELECT SUM(total_cost) AS c FROM dsp_impressions") == [(500.0,)]


def test_sandbox_schema_qualified_names_read_the_same_windowed_table(engine: Engine) -> None:
    """`sandbox.<table>` is the same table, windowed too; a string mentioning it is left alone."""
    rows = run(
        engine,
        "SELECT 'sandbox.conversions_all' AS label, COUNT(1) AS n FROM sandbox.conversions_all c "
        "JOIN sandbox.dsp_impressions d ON c.user_id = d.user_id",
    )
    assert rows == [("sandbox.conversions_all", 1)]


def test_amc_functions_map_onto_duckdb(engine: Engine) -> None:
    """SECONDS_BETWEEN is b - a in seconds; the built-in and custom parameters become literals."""
    rows = run(
        engine,
        "SELECT SECONDS_BETWEEN(MIN(event_dt_utc), MAX(event_dt_utc)) AS span, "
        "SECONDS_BETWEEN(BUILT_IN_PARAMETER('TIME_WINDOW_START'), "
        "BUILT_IN_PARAMETER('TIME_WINDOW_END')) AS w, "
        "CUSTOM_PARAMETER('label') AS label, MEDIAN(total_product_sales) AS med, "
        "MIN(CONVERT_TIME_ZONE_FROM_UTC(event_dt_utc, 'America/New_York')) AS first_local "
        "FROM conversions_all WHERE user_id = 'b'",
        parameters={"label": "it's 'quoted'"},
    )
    assert rows == [(86400, 31 * 86400, "it's 'quoted'", 12.5, datetime(2026, 1, 15, 7, 0))]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT * FROM conversions_all", "SELECT *"),
        ("SELECT COUNT(1) AS n FROM conversions_all LIMIT 5", "LIMIT"),
        ("SELECT COUNT(1) AS n FROM dsp_impressions d RIGHT JOIN conversions_all c ON true", "RIGHT JOIN"),
        ("SELECT user_id, COUNT(1) AS n FROM conversions_all GROUP BY user_id", "user_id"),
        ("SELECT c.user_id AS shopper FROM conversions_all c", "user_id"),
        ("SELECT COUNT(1) AS n FROM sponsored_ads_traffic", "not found"),
        ("SELECT COUNT(1) AS n FROM conversions_all_for_audiences", "audience"),
        ("SELECT CUSTOM_PARAMETER('missing') AS m FROM conversions_all", "missing"),
        ("SELECT no_such_column FROM conversions_all", "no_such_column"),
        ("SELEC 1", "parse"),
    ],
)
def test_amc_rule_violations_and_compile_errors_are_rejected(engine: Engine, sql: str, reason: str) -> None:
    """Each AMC rule violation or compile error raises Rejected with a reason naming the problem."""
    with pytest.raises(Rejected) as caught:
        run(engine, sql)
    assert reason.lower() in caught.value.status_reason.lower()


def test_user_id_output_is_allowed_when_aggregation_controls_are_disabled(engine: Engine) -> None:
    """disableAggregationControls (synthetic data only) lets event-level user_id through."""
    rows = run(engine, "SELECT DISTINCT user_id FROM conversions_all", disable_aggregation_controls=True)
    assert sorted(rows) == [("a",), ("b",)]


def test_runtime_errors_fail_with_the_engine_message(engine: Engine) -> None:
    """A query that compiles but breaks while running raises Failed, not Rejected."""
    with pytest.raises(Failed) as caught:
        run(engine, "SELECT CAST(event_subtype AS INTEGER) AS v FROM conversions_all")
    assert "convert" in caught.value.message.lower()


def test_audience_queries_must_read_audience_tables_and_select_user_id(engine: Engine) -> None:
    """AMC's own statusReason for base tables; user_id must be selected."""
    with pytest.raises(Rejected) as caught:
        run(engine, "SELECT user_id FROM conversions_all", audience=True)
    assert caught.value.status_reason == (
        "Invalid tables in the SQL query: Use audience-specific tables in the query."
    )
    with pytest.raises(Rejected):
        run(engine, "SELECT COUNT(1) AS n FROM conversions_all_for_audiences", audience=True)
    assert sorted(
        run(engine, "SELECT DISTINCT user_id FROM conversions_all_for_audiences", audience=True)
    ) == [
        ("a",),
        ("b",),
    ]


def test_results_split_into_parts_with_headers_and_at_most_five_files(engine: Engine, tmp_path: Path) -> None:
    """Above the row threshold the CSV is split; the file count never passes five."""
    result = engine.execute(
        "SELECT event_subtype, total_product_sales, event_dt_utc FROM conversions_all",
        time_window_start=START,
        time_window_end=END,
        disable_aggregation_controls=True,
    )
    paths = result.write_csv(tmp_path / "two", 2)
    assert [p.name for p in paths] == ["part-1.csv", "part-2.csv"]
    lines = [p.read_text().splitlines() for p in paths]
    assert lines[0][0] == "event_subtype,total_product_sales,event_dt_utc"
    assert lines[0][1] == "order,10.0000,2026-01-01T00:00:00.000"
    assert [len(chunk) - 1 for chunk in lines] == [2, 1]
    assert len(result.write_csv(tmp_path / "capped", 0)) <= 5


def test_a_hand_made_table_without_its_time_column_is_rejected_clearly() -> None:
    """The window cannot be applied without the AMC event timestamp: a clear Rejected, not a crash."""
    con = duckdb.connect()
    con.execute("CREATE TABLE sponsored_ads_traffic (user_id VARCHAR, spend BIGINT)")
    with pytest.raises(Rejected) as caught:
        Engine(con).execute(
            "SELECT SUM(spend) AS s FROM sponsored_ads_traffic", time_window_start=START, time_window_end=END
        )
    assert "sponsored_ads_traffic" in caught.value.status_reason

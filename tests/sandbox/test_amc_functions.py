"""AMC's SQL functions and rules on the sandbox engine (docs/sandbox.md#amc-sql): each function of AMC's
functions page with AMC's meaning, EXTEND_TIME_WINDOW, and AMC-style refusals of what AMC does not support."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from amc_cltv.sandbox import GenerationStats
from amc_cltv.sandbox.engine import Engine, Rejected

START, END = datetime(2026, 6, 1), datetime(2026, 7, 1)


@pytest.fixture(scope="module")
def engine(small_data: GenerationStats) -> Engine:
    return Engine.over_parquet(small_data.out_dir)


def _value(engine: Engine, expression: str) -> object:
    result = engine.execute(
        f"SELECT MIN({expression}) AS v FROM conversions", time_window_start=START, time_window_end=END
    )
    try:
        return result.rows[0][0]
    finally:
        result.close()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("DAYOFWEEK(DATE '2026-12-06')", 1),  # a Sunday: AMC counts 1 (Sunday) to 7
        ("DAYOFWEEK(DATE '2026-12-12')", 7),
        ("REGEXP_REPLACE('a-b-c', '-', '+')", "a+b+c"),  # every match, not only the first
        ("REGEXP_SUBSTR('order 123 of 456', '[0-9]+')", "123"),
        ("REGEXP_SPLIT('a1b2c', '[0-9]')", ["a", "b", "c"]),
        ("CHARINDEX('b', 'abcb')", 2),
        ("CHARINDEX('b', 'abcb', 3)", 4),
        ("LOCATE('z', 'abc')", 0),
        ("NVL(NULL, 2)", 2),
        ("NVL2(1, 'set', 'unset')", "set"),
        ("ROUND(E(), 5)", 2.71828),
        ("LOG(2, 8)", 3.0),
        ("ARRAY_COMPLEMENT([1, 2, 3], [2])", [1, 3]),
        ("ARRAY_REMOVE([1, 2, 1], 1)", [2]),
        ("ARRAY_SORT(ARRAY_UNION([3, 1], [1, 2]))", [1, 2, 3]),
        ("CARDINALITY([4, 5, 6])", 3),
        ("ARRAY_CONTAINS([1, 2], 2)", True),
        ("STR_TO_MAP('a:1,b:2', ',', ':')['b']", "2"),
        ("EPOCH_TO_UTC_TIMESTAMP(1700000000)", datetime(2023, 11, 14, 22, 13, 20)),
        ("EPOCH_TO_UTC_TIMESTAMP(1700000000000)", datetime(2023, 11, 14, 22, 13, 20)),
        ("SECONDS_BETWEEN(TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP '2026-01-01 00:01:30')", 90),
        ("FROM_VARBINARY(TO_VARBINARY('414D43', 'hex'), 'utf-8')", "AMC"),
        ("NAMED_ROW('first', 1, 'second', 'x')", {"first": 1, "second": "x"}),
        ("CAST('today' AS DATE) = CURRENT_DATE", True),
        ("IF(1 > 0, 'yes', 'no')", "yes"),
        ("CAST(CAST('7' AS BYTE) AS LONG) + CAST(CAST(1 AS SYMBOL) AS SHORT)", 8),  # AMC's cast type names
    ],
)
def test_amc_functions_have_amcs_meaning(engine: Engine, expression: str, expected: object) -> None:
    assert _value(engine, expression) == expected


def test_aggregates_of_the_functions_page_compile(engine: Engine) -> None:
    """COLLECT, PERCENTILE, APPROX_PERCENTILE, MEDIAN and the deviations, as AMC's page writes them."""
    columns = engine.compile(
        "SELECT event_subtype, CARDINALITY(COLLECT(DISTINCT tracked_asin)) AS asins, "
        "PERCENTILE(total_product_sales, 0.9) AS p90, APPROX_PERCENTILE(total_product_sales, 0.1) AS p10, "
        "MEDIAN(total_product_sales) AS median, STDDEV_POP(total_units_sold) AS sd, "
        "VAR_SAMP(total_units_sold) AS var, SKEWNESS(total_units_sold) AS skew, HASH64(event_subtype) AS h "
        "FROM conversions GROUP BY event_subtype",
        time_window_start=START,
        time_window_end=END,
    )
    assert columns == ["event_subtype", "asins", "p90", "p10", "median", "sd", "var", "skew", "h"]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT GETDATE() AS now, COUNT(1) AS n FROM conversions", "GETDATE() is not supported in AMC SQL"),
        (
            "SELECT LIST_FILTERED(tracked_asin) AS x FROM conversions",
            "Function LIST_FILTERED is not supported",
        ),
        ("SELECT event_subtype, COUNT(1) AS n FROM conversions GROUP BY 1 ORDER BY 2", "ORDER BY is only"),
    ],
)
def test_unsupported_sql_is_rejected_naming_what(engine: Engine, sql: str, reason: str) -> None:
    with pytest.raises(Rejected) as caught:
        engine.compile(sql, time_window_start=START, time_window_end=END)
    assert reason in caught.value.status_reason


def test_order_by_inside_a_cte_and_a_values_list_are_accepted(engine: Engine) -> None:
    """Amazon's instructional queries order rows inside a CTE and list constants with VALUES."""
    engine.compile(
        "WITH kinds (event_subtype) AS (VALUES ('order'), ('detailPageView')), "
        "c AS (SELECT event_subtype, COUNT(1) AS n FROM conversions GROUP BY 1 ORDER BY 1) "
        "SELECT c.event_subtype, c.n FROM c JOIN kinds k ON k.event_subtype = c.event_subtype",
        time_window_start=START,
        time_window_end=END,
    )


def _count(engine: Engine, table_expression: str) -> int:
    result = engine.execute(
        f"SELECT COUNT(1) AS n, MIN(event_dt_utc) AS first_event FROM {table_expression}",
        time_window_start=START,
        time_window_end=END,
    )
    try:
        (count, first_event), *_ = result.rows
        assert first_event is None or first_event >= datetime(2026, 5, 4)  # type: ignore[operator]
        return int(count)  # type: ignore[call-overload]
    finally:
        result.close()


def test_extend_time_window_widens_one_table_by_iso_durations(engine: Engine) -> None:
    """TABLE(EXTEND_TIME_WINDOW('t', 'P28D', 'P0D')) reads 28 days before the window; comments may sit
    between its tokens, as in Amazon's queries."""
    plain = _count(engine, "conversions")
    extended = _count(engine, "TABLE( -- widened\n EXTEND_TIME_WINDOW('conversions', 'P28D', 'P0D') ) c")
    assert extended > plain > 0
    result = engine.execute(
        "SELECT MIN(event_date_utc) AS first_day, MAX(event_date_utc) AS last_day "
        "FROM TABLE(EXTEND_TIME_WINDOW('conversions', 'P28D', 'P2D'))",
        time_window_start=START,
        time_window_end=END,
    )
    assert result.rows == [(date(2026, 5, 4), date(2026, 7, 2))]
    result.close()


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        ("EXTEND_TIME_WINDOW('no_such_table', 'P1D', 'P0D')", "Table or view not found: no_such_table."),
        ("EXTEND_TIME_WINDOW('conversions', '28 days', 'P0D')", "ISO 8601 durations"),
    ],
)
def test_extend_time_window_refuses_unknown_tables_and_bad_durations(
    engine: Engine, call: str, reason: str
) -> None:
    with pytest.raises(Rejected) as caught:
        engine.compile(
            f"SELECT COUNT(1) AS n FROM TABLE({call})", time_window_start=START, time_window_end=END
        )
    assert reason in caught.value.status_reason


def test_extend_time_window_inside_a_string_is_left_alone(engine: Engine) -> None:
    text = "TABLE(EXTEND_TIME_WINDOW('conversions', 'P1D', 'P0D'))"
    assert _value(engine, f"'{text.replace(chr(39), chr(39) * 2)}'") == text

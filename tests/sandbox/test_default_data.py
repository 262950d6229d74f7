"""The default data set (50,000 users, seed 7) carries the demo: every segment, and a big enough audience."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amc_cltv.audience.rules import SEGMENTS, Segment
from amc_cltv.orchestration.cohorts import summarize
from amc_cltv.sandbox import generate
from amc_cltv.sandbox.engine import Engine
from amc_cltv.sandbox.reporting import typed_parameters
from amc_cltv.sandbox.settings import SandboxSettings
from amc_cltv.workflows import catalog

from .conftest import DATA_END


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    defaults = SandboxSettings()
    out = tmp_path_factory.mktemp("default-data")
    generate(defaults.users, defaults.seed, out, end_date=DATA_END)
    return Engine.over_parquet(out)


def _run(engine: Engine, name: str) -> list[tuple[object, ...]]:
    return _run_with_columns(engine, name)[1]


def _run_with_columns(engine: Engine, name: str) -> tuple[list[str], list[tuple[object, ...]]]:
    rendered = catalog.render(name)
    end = datetime(DATA_END.year, DATA_END.month, DATA_END.day, tzinfo=UTC) - timedelta(days=2)
    result = engine.execute(
        rendered.sql,
        time_window_start=end - timedelta(days=365),
        time_window_end=end,
        parameters=typed_parameters(list(rendered.input_parameters), dict(rendered.parameter_values)),
        audience=rendered.audience,
        disable_aggregation_controls=rendered.synthetic_only,
    )
    return result.columns, result.rows


def test_every_segment_occurs_and_high_value_is_well_over_2500(engine: Engine) -> None:
    """All four labels of the revenue x cost grid, with High Value Customers comfortably above AMC's floor."""
    segments = {str(row[0]): int(str(row[1])) for row in _run(engine, "segmentation")}
    assert set(segments) == {
        "High Value Customer",
        "Revenue Potential Customer",
        "Growth Potential Customer",
        "Low Value Customer",
    }
    assert segments["High Value Customer"] > 5000
    assert min(segments.values()) > 1000


def test_every_segment_holds_a_plausible_share_and_money_is_realistic(engine: Engine) -> None:
    """Each label holds at least 5 % of customers; per customer, sales are tens of dollars and ad cost is
    15-60 % of sales (the CLTV playbook's example, docs/segments.md §1, has $9-19 of sales and $2.8-5.6 of
    spend per user)."""
    rows = _run(engine, "segmentation")
    customers = sum(int(str(row[1])) for row in rows)
    sales = sum(int(str(row[1])) * float(str(row[2])) for row in rows) / customers
    spend = sum(int(str(row[1])) * float(str(row[3])) for row in rows) / customers
    for label, num_users, *_ in rows:
        assert int(str(num_users)) >= 0.05 * customers, label
    assert 10 < sales < 80
    assert 0.15 < spend / sales < 0.6


@pytest.mark.parametrize("segment", list(SEGMENTS.values()), ids=list(SEGMENTS))
def test_each_segments_audience_query_selects_exactly_that_segments_customers(
    engine: Engine, segment: Segment
) -> None:
    """Same data, same window: each audience's users are the users customer-labels gives that label, and
    as many as num_users of the segment's row in segmentation."""
    segments = {str(row[0]): int(str(row[1])) for row in _run(engine, "segmentation")}
    columns, labels = _run_with_columns(engine, "customer-labels")
    user, label = columns.index("user_id"), columns.index("customer_audience_segment")
    labelled = {row[user] for row in labels if row[label] == segment.label}
    audience = [row[0] for row in _run(engine, segment.workflow)]
    assert len(audience) == len(set(audience))
    assert set(audience) == labelled
    assert len(audience) == segments[segment.label] > 1000
    assert None not in audience


def test_cohorts_differ_in_worth_and_one_looks_profitable_but_is_not(engine: Engine) -> None:
    """Acquisition quality varies by month: cohort CLTVs spread out, and at least one cohort sells at or above
    the all-customer average per customer while its CLTV is below the average (the flag of run's table)."""
    columns, rows = _run_with_columns(engine, "cohorts")
    summary = summarize(dict(zip(columns, row, strict=True)) for row in rows)
    months = [c for c in summary.cohorts if c.cohort_month != "existing"]
    assert len(months) >= 12
    assert max(c.cltv for c in months) > 1.3 * min(c.cltv for c in months)
    assert summary.flagged, [(c.cohort_month, c.total_sales, c.cltv) for c in summary.cohorts]
    assert all(c.num_users > 100 for c in summary.flagged)


def test_default_settings_are_the_documented_ones() -> None:
    """50,000 users, seed 7, executions within a fraction of a second, AMC's limits."""
    defaults = SandboxSettings()
    assert (defaults.users, defaults.seed) == (50_000, 7)
    assert defaults.queue_s + defaults.run_s < 1
    assert (defaults.max_concurrent, defaults.url_expiry_s, defaults.min_audience_size) == (10, 600, 2000)
    assert defaults.activation_lag_s == 48 * 3600

"""Every workflow, run on generated sandbox data, agrees with the plain-Python reference of docs/segments.md:
segment sizes exactly, averages within 1e-9 relative; for several seeds and sizes and every parameter."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from amc_cltv.sandbox import generate
from amc_cltv.sandbox.engine import Engine
from amc_cltv.workflows import catalog

from . import reference
from .runner import run_workflow

END_DATE = date(2026, 6, 30)
START = datetime(2025, 6, 30)
END = datetime(2026, 6, 30)
DATASETS = [(2000, 11), (4000, 23), (8000, 37)]


def close(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-12)


@pytest.fixture(scope="module", params=DATASETS, ids=[f"{u}users-seed{s}" for u, s in DATASETS])
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    users, seed = request.param
    out: Path = tmp_path_factory.mktemp(f"amc-{users}-{seed}")
    generate(users, seed, out, end_date=END_DATE)
    return Engine.over_parquet(out)


_loaded: dict[tuple[int, bool], tuple[Engine, reference.Tables]] = {}


def window_rows(dataset: Engine, shopping_insights: bool = True) -> reference.Tables:
    """The reference's rows of the window, read once per dataset and conversions table."""
    key = (id(dataset), shopping_insights)
    cached = _loaded.get(key)
    if cached is None or cached[0] is not dataset:  # the entry keeps its engine alive: ids are not reused
        tables = reference.load_tables(dataset.connection, START, END, shopping_insights=shopping_insights)
        _loaded[key] = cached = (dataset, tables)
    return cached[1]


@pytest.mark.parametrize("shopping_insights", [True, False])
@pytest.mark.parametrize("method", ["mean", "median", "p90"])
def test_segmentation_matches_reference(dataset: Engine, method: str, shopping_insights: bool) -> None:
    """Segment sizes are exact and the per-segment averages agree, for every threshold method and table."""
    rows = run_workflow(
        dataset,
        "segmentation",
        START,
        END,
        shopping_insights=shopping_insights,
        parameters={"threshold_method": method},
    )
    tables = window_rows(dataset, shopping_insights)
    expected = reference.segmentation(tables, method)
    actual = {row["customer_audience_segment"]: row for row in rows}
    assert set(actual) == set(expected)
    assert len(expected) == 4, "generated data should populate all four segments"
    for label, (num_users, sales, spend, cltv) in expected.items():
        row = actual[label]
        assert row["num_users"] == num_users, label
        assert close(row["total_sales"], sales), label
        assert close(row["total_spend"], spend), label
        assert close(row["cltv"], cltv), label


@pytest.mark.parametrize("method", ["mean", "p75"])
def test_high_value_audience_matches_reference(dataset: Engine, method: str) -> None:
    """The audience is exactly the reference's High Value customers."""
    rows = run_workflow(dataset, "high-value-audience", START, END, parameters={"threshold_method": method})
    tables = window_rows(dataset)
    expected = reference.high_value_audience(tables, method)
    users = [row["user_id"] for row in rows]
    assert len(users) == len(set(users))
    assert set(users) == expected
    assert expected


@pytest.mark.parametrize("method", ["mean", "median", "p60"])
def test_audience_size_equals_high_value_segment(dataset: Engine, method: str) -> None:
    """On the same data and window, the audience's user count is num_users of the High Value row."""
    parameters = {"threshold_method": method}
    segments = run_workflow(dataset, "segmentation", START, END, parameters=parameters)
    audience = run_workflow(dataset, "high-value-audience", START, END, parameters=parameters)
    (high_value,) = [row for row in segments if row["customer_audience_segment"] == "High Value Customer"]
    assert high_value["num_users"] == len(audience) > 0


@pytest.mark.parametrize("name", ["cltv", "cltv-ntb"])
def test_cltv_matches_reference(dataset: Engine, name: str) -> None:
    """Per-ASIN ratios, sums, scores and cltv agree with the reference (ntb: and the ntb customer count)."""
    rows = run_workflow(dataset, name, START, END)
    tables = window_rows(dataset)
    expected = reference.cltv(tables, new_to_brand_only=name == "cltv-ntb")
    actual = {row.pop("tracked_asin"): row for row in rows}
    assert set(actual) == set(expected)
    for asin, columns in expected.items():
        assert set(actual[asin]) == set(columns)
        for column, value in columns.items():
            assert close(actual[asin][column], value), (asin, column, actual[asin][column], value)


def test_loyalty_segments_match_reference(dataset: Engine) -> None:
    """Users per (ASIN, label) are exact; ratio averages, sums and cltv agree with the reference."""
    rows = run_workflow(dataset, "loyalty-segments", START, END)
    tables = window_rows(dataset)
    expected = reference.loyalty_segments(tables)
    actual = {(row.pop("tracked_asin"), row.pop("customer_audience_segment")): row for row in rows}
    assert set(actual) == set(expected)
    labels = {label for _, label in expected}
    assert {"High CLTV Customer", "Low CLTV Customer", "Non-Labeled"} <= labels
    for key, columns in expected.items():
        assert actual[key]["users"] == columns["users"], key
        for column, value in columns.items():
            assert close(actual[key][column], value), (key, column, actual[key][column], value)


def test_segment_conversion_rate_matches_reference(dataset: Engine) -> None:
    """Reached and purchased counts per (campaign, segment) are exact; the rate agrees."""
    rows = run_workflow(dataset, "segment-conversion-rate", START, END)
    tables = window_rows(dataset)
    expected = reference.segment_conversion_rate(tables)
    actual = {(row["campaign_id"], row["customer_audience_segment"]): row for row in rows}
    assert set(actual) == set(expected)
    for key, (reached, purchased, rate) in expected.items():
        assert actual[key]["unique_users_reached"] == reached, key
        assert actual[key]["unique_users_purchased"] == purchased, key
        assert close(actual[key]["user_conversion_rate"], rate), key


@pytest.mark.parametrize("shopping_insights", [True, False])
@pytest.mark.parametrize("method", ["mean", "median", "p75"])
def test_cohorts_match_reference(dataset: Engine, method: str, shopping_insights: bool) -> None:
    """Users per (acquisition month, segment) are exact and the averages agree, for every threshold method."""
    rows = run_workflow(
        dataset,
        "cohorts",
        START,
        END,
        shopping_insights=shopping_insights,
        parameters={"threshold_method": method},
    )
    tables = window_rows(dataset, shopping_insights)
    expected = reference.cohorts(tables, method)
    actual = {(row["cohort_month"], row["customer_audience_segment"]): row for row in rows}
    assert len(actual) == len(rows)
    assert set(actual) == set(expected)
    months = {month for month, _ in expected}
    assert reference.EXISTING in months and len(months) >= 12, sorted(months)
    for key, (num_users, sales, spend, cltv) in expected.items():
        row = actual[key]
        assert row["num_users"] == num_users, key
        assert close(row["total_sales"], sales), key
        assert close(row["total_spend"], spend), key
        assert close(row["cltv"], cltv), key


@pytest.mark.parametrize("method", ["mean", "median", "p90"])
def test_cohorts_add_up_to_segmentation_per_label(dataset: Engine, method: str) -> None:
    """The thresholds are global: per label, the cohorts' users sum to segmentation's num_users and their
    user-weighted averages are segmentation's averages."""
    parameters = {"threshold_method": method}
    segments = run_workflow(dataset, "segmentation", START, END, parameters=parameters)
    cohorts = run_workflow(dataset, "cohorts", START, END, parameters=parameters)
    for segment in segments:
        label = segment["customer_audience_segment"]
        members = [row for row in cohorts if row["customer_audience_segment"] == label]
        users = sum(row["num_users"] for row in members)
        assert users == segment["num_users"], label
        for column in ("total_sales", "total_spend", "cltv"):
            weighted = math.fsum(row["num_users"] * row[column] for row in members) / users
            assert close(weighted, segment[column]), (label, column)
    assert {row["customer_audience_segment"] for row in cohorts} == {
        row["customer_audience_segment"] for row in segments
    }


@pytest.mark.parametrize("name", catalog.names())
def test_every_workflow_computes_the_types_its_toml_declares(dataset: Engine, name: str) -> None:
    """The result is read as ``data_type`` says (amc_cltv.results): the runner holds every cell the query
    computes to that type, so a declaration that would mistype a column fails here, not in a report."""
    rows = run_workflow(dataset, name, START, END)
    assert rows, f"{name} computed no row to check"

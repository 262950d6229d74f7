"""The workflows on hand-built data whose every figure is worked out here (see fixtures.edge_cases)."""

from __future__ import annotations

import pytest

from amc_cltv.sandbox.engine import Engine

from . import reference
from .fixtures import END, START, edge_cases, same_lifetime, ties_on_every_branch
from .runner import run_workflow

# Customers: A sales 200 spend 0 | B 50, 2 | C 150, 4 | D 100, 1 | E 125, 3.
# Mean sales 625 / 5 = 125 (E's, exactly); mean spend 10 / 5 = 2 (B's, exactly).
HAND_WORKED_SEGMENTS = {
    "High Value Customer": (1, 200.0, 0.0, 200.0),  # A: organic, high revenue, no cost
    "Low Value Customer": (1, 50.0, 2.0, 48.0),  # B: single order, spend exactly at the mean
    "Revenue Potential Customer": (2, 137.5, 3.5, 134.0),  # C (non-ad-exposed only) and E (tie on sales)
    "Growth Potential Customer": (1, 100.0, 1.0, 99.0),  # D
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return edge_cases().engine()


def segments(rows: list[dict]) -> dict[str, tuple]:
    return {
        r["customer_audience_segment"]: (r["num_users"], r["total_sales"], r["total_spend"], r["cltv"])
        for r in rows
    }


def assert_segments(actual: dict[str, tuple], expected: dict[str, tuple]) -> None:
    assert set(actual) == set(expected)
    for label, values in expected.items():
        assert actual[label] == pytest.approx(values), label


def test_segmentation_counts_organic_single_order_and_non_ad_exposed_customers(engine: Engine) -> None:
    """An organic customer has spend 0 (not NULL), a single-order and a non-ad-exposed-only customer count;
    NULL users, rows outside the window, non-orders and zero-sales users change nothing."""
    rows = run_workflow(engine, "segmentation", START, END)
    assert_segments(segments(rows), HAND_WORKED_SEGMENTS)


def test_ties_exactly_at_the_average_count_as_high(engine: Engine) -> None:
    """E's sales equal the mean (high revenue: Revenue Potential, not Low Value); B's spend equals the mean
    (high cost: Low Value, not Growth Potential)."""
    rows = segments(run_workflow(engine, "segmentation", START, END))
    assert rows["Revenue Potential Customer"][0] == 2
    assert rows["Low Value Customer"][0] == 1
    assert "Growth Potential Customer" in rows and rows["Growth Potential Customer"][0] == 1


def test_every_branch_of_the_segment_rules_counts_a_tie_as_high() -> None:
    """T2 ties on sales with low cost: High Value. T1 ties on both: Revenue Potential (with T4). T3 ties on
    spend with low revenue: Low Value, not Growth Potential. The audience follows the same rules."""
    engine = ties_on_every_branch().engine()
    rows = segments(run_workflow(engine, "segmentation", START, END))
    assert {label: values[0] for label, values in rows.items()} == {
        "High Value Customer": 1,
        "Revenue Potential Customer": 2,
        "Low Value Customer": 1,
    }
    assert rows["Revenue Potential Customer"] == pytest.approx((2, 12.5, 2.5, 10.0))
    assert run_workflow(engine, "high-value-audience", START, END) == [{"user_id": "T2"}]


def test_reference_reproduces_the_hand_worked_figures(engine: Engine) -> None:
    """The reference implementation itself agrees with the figures worked out by hand."""
    tables = reference.load_tables(engine.connection, START, END)
    assert_segments(reference.segmentation(tables), HAND_WORKED_SEGMENTS)


def test_without_shopping_insights_only_ad_exposed_conversions_count(engine: Engine) -> None:
    """With conversions (not conversions_all), A and C are no customers: B 50/2, D 100/1, E 125/3;
    mean sales 275 / 3, mean spend 2."""
    rows = run_workflow(engine, "segmentation", START, END, shopping_insights=False)
    assert_segments(
        segments(rows),
        {
            "Low Value Customer": (1, 50.0, 2.0, 48.0),
            "High Value Customer": (1, 100.0, 1.0, 99.0),
            "Revenue Potential Customer": (1, 125.0, 3.0, 122.0),
        },
    )


def test_percentile_threshold_interpolates_between_ranks(engine: Engine) -> None:
    """p90 of five values sits at rank 1 + 4 * 0.9 = 4.6: sales 150 + 0.6 * 50 = 180, spend 3 + 0.6 * 1 = 3.6.
    Only A is high revenue (and low cost); only C is high cost."""
    rows = run_workflow(engine, "segmentation", START, END, parameters={"threshold_method": "p90"})
    assert {label: values[0] for label, values in segments(rows).items()} == {
        "High Value Customer": 1,
        "Growth Potential Customer": 3,
        "Low Value Customer": 1,
    }


def test_high_value_audience_is_the_high_value_segment(engine: Engine) -> None:
    """The audience (read from the _for_audiences twins) holds exactly A."""
    rows = run_workflow(engine, "high-value-audience", START, END)
    assert rows == [{"user_id": "A"}]


def test_cltv_for_an_asin_with_one_buyer(engine: Engine) -> None:
    """ASIN3 is bought once, by E (1 conversion, 3 units, lifetime 0, spend 3 = sponsored 1 + DSP 2).
    Seven (customer, ASIN) rows: 9 conversions, 12 units in all."""
    rows = {r.pop("tracked_asin"): r for r in run_workflow(engine, "cltv", START, END)}
    assert set(rows) == {"ASIN1", "ASIN2", "ASIN3"}
    assert rows["ASIN3"] == pytest.approx(
        {
            "avg_purchase_frequency_ratio": 1 / (9 / 7),
            "avg_purchase_quantity_ratio": 3 / (12 / 7),
            "avg_user_lifetime_ratio": 0.0,
            "total_sales": 100.0,
            "total_units_sold": 3,
            "dsp_spend": 2.0,
            "sponsored_spend": 1.0,
            "total_spend": 3.0,
            "avg_lifetime_score": 0.0,
            "avg_value_score": (100 - 3) / 3,
            "cltv": 0.0,
        }
    )


def test_cltv_ntb_keeps_new_to_brand_rows_and_leaves_organic_value_out(engine: Engine) -> None:
    """New-to-brand rows: (A, ASIN1), (B, ASIN2), (D, ASIN2), (E, ASIN3): 6 conversions, 9 units.
    A has no ad cost, so ASIN1 has no value_score and no cltv (NULL, not a division by zero)."""
    rows = {r.pop("tracked_asin"): r for r in run_workflow(engine, "cltv-ntb", START, END)}
    assert {asin: r["ntb_customers"] for asin, r in rows.items()} == {"ASIN1": 1, "ASIN2": 2, "ASIN3": 1}
    assert rows["ASIN1"]["avg_value_score"] is None and rows["ASIN1"]["cltv"] is None
    assert rows["ASIN3"]["avg_purchase_frequency_ratio"] == pytest.approx(1 / 1.5)
    assert rows["ASIN3"]["avg_purchase_quantity_ratio"] == pytest.approx(3 / 2.25)
    assert rows["ASIN2"]["avg_value_score"] == pytest.approx(((50 - 2) / 2 + (100 - 1) / 1) / 2)


def test_loyalty_segments_label_every_customer(engine: Engine) -> None:
    """Lifetime scores A 2.5, B 0, C 0, D 5/27, E 50/9 (mean 1.648); value scores B 24, C 36.5, D 99,
    E 122/3 (mean 50.04); A has none: Non-Labeled. Reported per ASIN each customer ordered."""
    rows = run_workflow(engine, "loyalty-segments", START, END)
    users = {(r["tracked_asin"], r["customer_audience_segment"]): r["users"] for r in rows}
    assert users == {
        ("ASIN1", "Non-Labeled"): 1,  # A
        ("ASIN2", "Low CLTV Customer"): 2,  # B, C
        ("ASIN1", "Low CLTV Customer"): 1,  # C
        ("ASIN2", "High Revenue Potential Customer"): 1,  # D
        ("ASIN2", "High Loyalty Customer"): 1,  # E
        ("ASIN3", "High Loyalty Customer"): 1,  # E
    }
    by_key = {(r["tracked_asin"], r["customer_audience_segment"]): r for r in rows}
    assert by_key[("ASIN3", "High Loyalty Customer")]["cltv"] == pytest.approx(50 / 9 * 122 / 3)
    assert by_key[("ASIN1", "Non-Labeled")]["cltv"] is None


def test_segment_conversion_rate_counts_customers_reached_and_purchased(engine: Engine) -> None:
    """Campaign 21 reached C and E (F is no customer), E bought; 22 reached D (E's row had no impression),
    D bought. The campaign id is AMC's LONG: no cast to an undocumented string type."""
    rows = run_workflow(engine, "segment-conversion-rate", START, END)
    assert {
        (r["campaign_id"], r["customer_audience_segment"]): (
            r["unique_users_reached"],
            r["unique_users_purchased"],
            r["user_conversion_rate"],
        )
        for r in rows
    } == {(21, "Revenue Potential Customer"): (2, 1, 0.5), (22, "Growth Potential Customer"): (1, 1, 1.0)}


def test_all_customers_with_the_same_lifetime_have_lifetime_ratio_one() -> None:
    """Three customers, each two orders 30 days apart: every lifetime ratio is exactly 1. Every ratio is 1,
    so every lifetime score ties with the average (high); value scores P 59, Q 9, R 37/3 (mean 26.8)."""
    engine = same_lifetime(30).engine()
    labels = {
        (r["tracked_asin"], r["customer_audience_segment"]): r["users"]
        for r in run_workflow(engine, "loyalty-segments", START, END)
    }
    assert labels == {
        ("ASIN1", "High CLTV Customer"): 1,  # P
        ("ASIN1", "High Loyalty Customer"): 1,  # Q
        ("ASIN2", "High Loyalty Customer"): 1,  # R
    }
    for name in ("loyalty-segments", "cltv"):
        rows = run_workflow(engine, name, START, END)
        assert rows
        column = "user_lifetime_ratio" if name == "loyalty-segments" else "avg_user_lifetime_ratio"
        assert {r[column] for r in rows} == {1.0}


def test_all_customers_with_lifetime_zero_have_no_lifetime_ratio() -> None:
    """Every customer buys on a single day: the average lifetime is 0, so the ratio is NULL (no division
    by zero), the lifetime score is NULL, and every customer is Non-Labeled."""
    engine = same_lifetime(0).engine()
    rows = run_workflow(engine, "loyalty-segments", START, END)
    assert {r["customer_audience_segment"] for r in rows} == {"Non-Labeled"}
    assert {r["user_lifetime_ratio"] for r in rows} == {None}
    cltv_rows = run_workflow(engine, "cltv", START, END)
    assert {r["avg_lifetime_score"] for r in cltv_rows} == {None}


def test_a_vcpm_cost_on_a_viewable_impression_counts_as_spend(engine: Engine) -> None:
    """E never clicks: its Sponsored Display vCPM cost sits on a viewable-impression row (clicks 0) and half
    its DSP cost on a row with impressions 0. Both count: E's spend is 3 (sponsored 1 + DSP 2), not 1."""
    rows = run_workflow(engine, "customer-labels", START, END)
    spend = {r["user_id"]: r["total_spend"] for r in rows}
    assert spend["E"] == pytest.approx(3.0)

"""The cohorts workflow on hand-built data whose acquisition months are worked out here
(see fixtures.cohort_cases)."""

from __future__ import annotations

from datetime import datetime

import pytest

from amc_cltv.sandbox.engine import Engine

from . import reference
from .fixtures import END, START, cohort_cases
from .runner import run_workflow

# Customers (sales, spend): L (100, 1), M (300, 5), W (200, 2), Z (80, 0), X (120, 2).
# Mean sales 800 / 5 = 160, mean spend 10 / 5 = 2 (X ties: high cost).
HAND_WORKED_COHORTS = {
    ("2026-02", "Revenue Potential Customer"): (2, 250.0, 3.5, 246.5),  # M (first of two) and W
    ("2026-03", "Growth Potential Customer"): (1, 100.0, 1.0, 99.0),  # L: acquired after a first order
    ("2026-05", "Growth Potential Customer"): (1, 80.0, 0.0, 80.0),  # Z: acquired by an order worth 0
    ("existing", "Low Value Customer"): (1, 120.0, 2.0, 118.0),  # X: acquired before the window
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return cohort_cases().engine()


def cohorts(rows: list[dict]) -> dict[tuple[str, str], tuple]:
    return {
        (r["cohort_month"], r["customer_audience_segment"]): (
            r["num_users"],
            r["total_sales"],
            r["total_spend"],
            r["cltv"],
        )
        for r in rows
    }


@pytest.mark.parametrize("shopping_insights", [True, False])
def test_each_customer_lands_in_the_month_of_their_first_new_to_brand_order(
    engine: Engine, shopping_insights: bool
) -> None:
    """A new-to-brand order after a first order, the first of two, one worth 0; none in the window: existing.
    Months without acquisitions (January, April, June) have no row."""
    rows = run_workflow(engine, "cohorts", START, END, shopping_insights=shopping_insights)
    actual = cohorts(rows)
    assert set(actual) == set(HAND_WORKED_COHORTS)
    for key, values in HAND_WORKED_COHORTS.items():
        assert actual[key] == pytest.approx(values), key
    assert not {"2026-01", "2026-04", "2026-06"} & {month for month, _ in actual}


def test_the_reference_reproduces_the_hand_worked_cohorts(engine: Engine) -> None:
    tables = reference.load_tables(engine.connection, START, END)
    expected = reference.cohorts(tables)
    assert set(expected) == set(HAND_WORKED_COHORTS)
    for key, values in HAND_WORKED_COHORTS.items():
        assert expected[key] == pytest.approx(values), key


def test_labels_use_thresholds_over_all_customers_not_per_cohort(engine: Engine) -> None:
    """Per label, the cohorts add up to segmentation. Against February's own mean sales (250) W would be low
    revenue; against all customers' (160) it is high, like M: both Revenue Potential."""
    segments = {
        r["customer_audience_segment"]: r["num_users"]
        for r in run_workflow(engine, "segmentation", START, END)
    }
    assert segments == {
        "Revenue Potential Customer": 2,
        "Growth Potential Customer": 2,
        "Low Value Customer": 1,
    }
    summed: dict[str, int] = {}
    for (_, label), (users, *_) in cohorts(run_workflow(engine, "cohorts", START, END)).items():
        summed[label] = summed.get(label, 0) + users
    assert summed == segments


def test_a_window_that_starts_after_the_first_acquisition_takes_the_next_one(engine: Engine) -> None:
    """From March on, M's February order is outside the window: its April new-to-brand order makes the cohort
    2026-04. L stays 2026-03, Z 2026-05, X existing; W, whose only order is in February, is no customer."""
    rows = run_workflow(engine, "cohorts", datetime(2026, 3, 1), END)
    months = {r["cohort_month"]: r["num_users"] for r in rows}
    assert months == {"2026-03": 1, "2026-04": 1, "2026-05": 1, "existing": 1}

"""The cohort view of a cohorts result: weighted averages, segment shares, and the looks-profitable flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.errors import NeedsHuman
from amc_cltv.orchestration.cohorts import read_cohorts, summarize

HEADER = "cohort_month,customer_audience_segment,num_users,total_sales,total_spend,cltv\n"


def row(month: str, label: str, users: int, sales: float, spend: float) -> dict[str, object]:
    return {
        "cohort_month": month,
        "customer_audience_segment": label,
        "num_users": users,
        "total_sales": sales,
        "total_spend": spend,
        "cltv": sales - spend,
    }


# All customers: 10 users, sales (3*40 + 1*10 + 2*30 + 4*20) / 10 = 27, spend (3*4 + 1*50 + 2*6 + 4*2) / 10
# = 8.2, CLTV 18.8.
ROWS = [
    row("2026-03", "High Value Customer", 3, 40.0, 4.0),  # 2026-03: sales 32.5 >= 27, CLTV 17 < 18.8
    row("2026-03", "Low Value Customer", 1, 10.0, 50.0),
    row("existing", "Revenue Potential Customer", 2, 30.0, 6.0),  # existing: sales 23.3 < 27
    row("existing", "Growth Potential Customer", 4, 20.0, 2.0),
]


def test_cohorts_are_weighted_by_users_and_existing_comes_first() -> None:
    summary = summarize(ROWS)
    assert [c.cohort_month for c in summary.cohorts] == ["existing", "2026-03"]
    existing, march = summary.cohorts
    assert (march.num_users, march.total_sales, march.total_spend, march.cltv) == pytest.approx(
        (4, 32.5, 15.5, 17.0)
    )
    assert march.segment_shares == pytest.approx(
        {
            "High Value Customer": 0.75,
            "Revenue Potential Customer": 0.0,
            "Growth Potential Customer": 0.0,
            "Low Value Customer": 0.25,
        }
    )
    assert existing.num_users == 6 and existing.total_sales == pytest.approx(140 / 6)
    everyone = summary.all_customers
    assert (everyone.num_users, everyone.total_sales, everyone.total_spend, everyone.cltv) == pytest.approx(
        (10, 27.0, 8.2, 18.8)
    )


def test_a_cohort_with_sales_at_or_above_average_and_cltv_below_is_flagged() -> None:
    """2026-03 sells 32.5 per customer (average 27) but keeps 17 (average 18.8); existing sells less."""
    summary = summarize(ROWS)
    assert [c.cohort_month for c in summary.flagged] == ["2026-03"]
    assert not summary.cohorts[0].looks_profitable_but_is_not


def test_sales_exactly_at_the_average_count_as_at_or_above() -> None:
    """Two cohorts with equal sales: both are exactly at the average; the one with the lower CLTV is flagged,
    the other (CLTV above the average) is not."""
    rows = [
        row("2026-01", "High Value Customer", 1, 20.0, 2.0),
        row("2026-02", "Low Value Customer", 1, 20.0, 8.0),
    ]
    summary = summarize(rows)
    assert summary.all_customers.total_sales == 20.0 and summary.all_customers.cltv == 15.0
    assert [c.cohort_month for c in summary.flagged] == ["2026-02"]


def test_json_keeps_every_cohort_and_the_all_customer_averages() -> None:
    payload = summarize(ROWS).as_json()
    assert [c["cohort_month"] for c in payload["cohorts"]] == ["existing", "2026-03"]
    assert payload["cohorts"][1]["looks_profitable_but_is_not"] is True
    assert set(payload["all_customers"]) == {
        "num_users",
        "total_sales",
        "total_spend",
        "cltv",
        "segment_shares",
    }


def test_read_cohorts_keeps_the_month_as_text_over_several_files(tmp_path: Path) -> None:
    """'2026-03' is read as the text AMC wrote, not as a date; rows are gathered from every part file."""
    first, second = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    first.write_text(
        HEADER + "2026-03,High Value Customer,3,40.0,4.0,36.0\n2026-03,Low Value Customer,1,10,50,-40\n"
    )
    second.write_text(
        HEADER
        + "existing,Revenue Potential Customer,2,30,6,24\nexisting,Growth Potential Customer,4,20,2,18\n"
    )
    summary = read_cohorts([first, second])
    assert [c.cohort_month for c in summary.cohorts] == ["existing", "2026-03"]
    assert summary.all_customers.num_users == 10
    assert [c.cohort_month for c in summary.flagged] == ["2026-03"]


def test_a_file_without_the_cohort_columns_is_named(tmp_path: Path) -> None:
    path = tmp_path / "part-1.csv"
    path.write_text("customer_audience_segment,num_users\nHigh Value Customer,3\n")
    with pytest.raises(NeedsHuman, match=r"part-1\.csv: not a cohorts result \(no column cohort_month"):
        read_cohorts([path])


def test_a_result_without_rows_has_no_cohorts_and_flags_nothing(tmp_path: Path) -> None:
    path = tmp_path / "part-1.csv"
    path.write_text(HEADER)
    summary = read_cohorts([path])
    assert summary.cohorts == () and summary.flagged == []
    assert summary.all_customers.num_users == 0

"""Rows AMC marked filtered (``filtered`` true: too few users, dimensions removed, values summed) reach no
cohort, no all-customer average and no segment table."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.orchestration.cohorts import read_cohorts
from amc_cltv.orchestration.summary import result_table

COHORTS = (
    "cohort_month,customer_audience_segment,num_users,total_sales,total_spend,cltv,filtered,filtered_reason\n"
    "2026-03,High Value Customer,3,40.0,4.0,36.0,false,\n"
    "existing,Growth Potential Customer,7,20.0,2.0,18.0,false,\n"
    # what AMC writes for rows under the threshold: no cohort, no segment, their values summed
    ",,500,900.0,10.0,890.0,true,'num_users' users < 100 required\n"
)


def test_a_filtered_row_is_no_cohort_and_does_not_move_the_all_customer_averages(tmp_path: Path) -> None:
    path = tmp_path / "part-1.csv"
    path.write_text(COHORTS)
    summary = read_cohorts([path])
    assert [c.cohort_month for c in summary.cohorts] == ["existing", "2026-03"]
    everyone = summary.all_customers
    assert everyone.num_users == 10
    assert (everyone.total_sales, everyone.cltv) == pytest.approx((26.0, 23.4))
    assert summary.filtered_rows == 1 and summary.as_json()["filtered_rows"] == 1


def test_the_segment_table_shows_no_filtered_row(tmp_path: Path) -> None:
    path = tmp_path / "part-1.csv"
    path.write_text(
        "customer_audience_segment,num_users,total_sales,filtered,filtered_reason\n"
        "High Value Customer,300,40.0,false,\n"
        ",12,900.0,true,'num_users' users < 100 required\n"
    )
    columns, rows = result_table([path], "segmentation")
    assert columns == ["customer_audience_segment", "num_users", "total_sales"]
    assert rows == [["High Value Customer", "300", "40.00"]]

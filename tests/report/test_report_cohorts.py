"""The Cohorts section against `cohorts` CSVs: segment mix, CLTV per cohort, the flagged cohorts, and how
cohorts moved over runs. Expected numbers are computed here from the rows, independently of the report."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from amc_cltv.cli import main
from tests.report.conftest import Downloads, figures, section_text, tables

COHORT_ROWS: list[dict[str, Any]] = [
    {"cohort_month": month, "customer_audience_segment": label, "num_users": users, "total_sales": sales,
     "total_spend": spend, "cltv": cltv}
    for month, label, users, sales, spend, cltv in (
        ("existing", "High Value Customer", 400, 50.0, 2.0, 48.0),
        ("existing", "Low Value Customer", 100, 20.0, 15.0, 5.0),
        ("2026-01", "High Value Customer", 80, 45.0, 3.0, 42.0),
        ("2026-01", "Growth Potential Customer", 120, 15.0, 1.0, 14.0),
        # 2026-02: no acquisitions
        ("2026-03", "Revenue Potential Customer", 150, 70.0, 40.0, 30.0),
        ("2026-03", "Low Value Customer", 50, 30.0, 25.0, 5.0),
        ("2026-04", "Growth Potential Customer", 90, 12.0, 1.0, 11.0),
    )
]  # fmt: skip


def _weighted(rows: list[dict[str, Any]], column: str) -> float:
    return sum(row["num_users"] * row[column] for row in rows) / sum(row["num_users"] for row in rows)


def _by_cohort(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    cohorts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        cohorts[row["cohort_month"]].append(row)
    return cohorts


def report(profile: Path, tmp_path: Path) -> str:
    out = tmp_path / "out" / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_cltv_per_cohort_and_the_all_customer_average_match_the_csv(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Each cohort's CLTV per customer is its rows' user-weighted average; the line is every customer's."""
    downloads.result("cohorts", "exec-cohorts", COHORT_ROWS, parts=3)
    page = report(profile, tmp_path)
    chart = figures(page)["cohort-cltv"]
    drawn = {
        x: y
        for trace in chart["data"]
        if trace["type"] == "bar"
        for x, y in zip(trace["x"], trace["y"], strict=True)
    }
    expected = {month: _weighted(rows, "cltv") for month, rows in _by_cohort(COHORT_ROWS).items()}
    assert drawn.pop("Existing") == pytest.approx(expected.pop("existing"))
    assert drawn == pytest.approx(expected)
    (line,) = chart["layout"]["shapes"]
    assert line["y0"] == line["y1"] == pytest.approx(_weighted(COHORT_ROWS, "cltv"))
    # Acquisition months in order, the month without acquisitions kept as an empty slot.
    assert chart["layout"]["xaxis"]["categoryarray"] == [
        "Existing", "2026-01", "2026-02", "2026-03", "2026-04"
    ]  # fmt: skip
    table = {row[0]: row for row in tables(page)["cohorts"][1:]}
    assert table["2026-03"][1:5] == ["200", "60.00", "36.25", "23.75"]
    # CLTV in terms of the time to buy: March 1 to the window's end (2026-11-22) is 266 days.
    assert table["2026-03"][5:7] == ["266", f"{23.75 * 30 / 266:,.2f}"]
    assert table["All customers"][5] == "365"
    assert table["All customers"][1] == f"{sum(row['num_users'] for row in COHORT_ROWS):,}"


def test_the_cohorts_that_look_profitable_but_are_not_are_flagged_and_named(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Flagged: average sales at or above every customer's, CLTV below every customer's (user-weighted)."""
    downloads.result("cohorts", "exec-cohorts", COHORT_ROWS)
    page = report(profile, tmp_path)
    all_sales, all_cltv = _weighted(COHORT_ROWS, "total_sales"), _weighted(COHORT_ROWS, "cltv")
    flagged = sorted(
        month
        for month, rows in _by_cohort(COHORT_ROWS).items()
        if _weighted(rows, "total_sales") >= all_sales and _weighted(rows, "cltv") < all_cltv
    )
    assert flagged == ["2026-03"]  # the fixture has one: sales 60.00 >= 40.89, CLTV 23.75 < 30.79
    rows = tables(page)["cohorts"][1:]
    assert [row[0] for row in rows if row[-1] == "yes"] == flagged
    (bars,) = [
        trace
        for trace in figures(page)["cohort-cltv"]["data"]
        if trace["name"] == "Looks profitable but is not"
    ]
    assert bars["x"] == flagged
    text = section_text(page, "cohorts")
    assert "Look profitable but are not: 2026-03 (sales 60.00, CLTV 23.75)" in text
    assert f"against average sales {all_sales:,.2f} and CLTV {all_cltv:,.2f} per customer" in text
    assert "Worth the most: existing customers (acquired before the window), CLTV per customer 39.40" in text


def test_segment_mix_per_cohort_is_stacked_shares_with_counts(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Each cohort's bars are its segments' shares of its customers (summing to 1), with the counts."""
    downloads.result("cohorts", "exec-cohorts", COHORT_ROWS)
    chart = figures(report(profile, tmp_path))["cohort-mix"]
    assert chart["layout"]["barmode"] == "stack"
    totals: dict[str, float] = defaultdict(float)
    for trace in chart["data"]:
        for x, share, users in zip(trace["x"], trace["y"], trace["customdata"], strict=True):
            month = "existing" if x == "Existing" else x
            rows = _by_cohort(COHORT_ROWS)[month]
            expected = sum(r["num_users"] for r in rows if r["customer_audience_segment"] == trace["name"])
            assert users == expected
            assert share == pytest.approx(expected / sum(r["num_users"] for r in rows))
            totals[month] += share
    assert totals == pytest.approx({month: 1.0 for month in _by_cohort(COHORT_ROWS)})


def test_no_flag_when_no_cohort_only_looks_profitable(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """A cohort with high sales and high CLTV is not flagged; the reading says none is."""
    rows = [row for row in COHORT_ROWS if row["cohort_month"] != "2026-03"]
    downloads.result("cohorts", "exec-cohorts", rows)
    page = report(profile, tmp_path)
    assert all(row[-1] == "" for row in tables(page)["cohorts"][1:])
    assert "No cohort looks profitable without being so." in section_text(page, "cohorts")


def test_cohorts_over_runs_follow_each_cohort_cltv_and_high_value_share(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Two monthly runs: one point per run for each cohort, CLTV per customer and High Value share."""
    later = [
        dict(row, cltv=row["cltv"] + (8.0 if row["cohort_month"] == "2026-01" else 0.0))
        for row in COHORT_ROWS
    ]
    downloads.result("cohorts", "exec-oct", COHORT_ROWS, window_end="2026-10-22")
    downloads.result("cohorts", "exec-nov", later, window_end="2026-11-22")
    page = report(profile, tmp_path)
    cltv = {trace["name"]: trace for trace in figures(page)["cohort-history-cltv"]["data"]}
    assert cltv["2026-01"]["x"] == ["2026-10-22", "2026-11-22"]
    assert cltv["2026-01"]["y"] == pytest.approx([25.2, 33.2])
    high = {trace["name"]: trace["y"] for trace in figures(page)["cohort-history-high-value"]["data"]}
    assert high["Existing"] == pytest.approx([0.8, 0.8])
    assert high["2026-04"] == [0.0, 0.0]
    assert "Moved the most: the 2026-01 cohort, CLTV per customer 25.20 → 33.20." in section_text(
        page, "cohorts"
    )


def test_one_run_says_later_runs_add_points(downloads: Downloads, profile: Path, tmp_path: Path) -> None:
    downloads.result("cohorts", "exec-cohorts", COHORT_ROWS)
    page = report(profile, tmp_path)
    assert "cohort-history-cltv" not in figures(page)
    assert "each later run (monthly: amc-cltv run --workflow cohorts ) adds a point" in section_text(
        page, "cohorts"
    )


def test_without_a_cohorts_result_the_section_names_the_command(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    page = report(profile, tmp_path)
    assert "cohort-mix" not in figures(page)
    assert "Run amc-cltv run --workflow cohorts ." in section_text(page, "cohorts")  # `code` spaced


def test_a_cohorts_result_without_cohort_month_names_the_column(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    rows = [{key: value for key, value in row.items() if key != "cohort_month"} for row in COHORT_ROWS]
    downloads.result("cohorts", "exec-cohorts", rows)
    page = report(profile, tmp_path)
    assert "has no column cohort_month" in section_text(page, "cohorts")
    assert "cohort-mix" not in figures(page)


def test_a_month_the_window_covers_in_part_is_labelled_and_not_followed_over_runs(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Windows starting 2025-10-22 and 2025-11-22: October, then November, hold only days of their month."""
    rows = [
        *COHORT_ROWS,
        {"cohort_month": "2025-11", "customer_audience_segment": "High Value Customer", "num_users": 30,
         "total_sales": 90.0, "total_spend": 1.0, "cltv": 89.0},
    ]  # fmt: skip
    downloads.result("cohorts", "exec-oct", rows, window_end="2026-10-22")
    downloads.result("cohorts", "exec-nov", rows, window_end="2026-11-22")
    page = report(profile, tmp_path)
    assert "2025-11 (partial)" in [row[0] for row in tables(page)["cohorts"][1:]]
    cltv = {trace["name"]: trace["y"] for trace in figures(page)["cohort-history-cltv"]["data"]}
    assert cltv["2025-11"] == [89.0, None]  # whole in the October run's window, partial in November's
    text = section_text(page, "cohorts")
    assert "Worth the most: existing customers" in text  # a partial month is never "worth the most"

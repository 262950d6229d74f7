"""The report over real runs: the CLI runs the workflows on the embedded sandbox, then the report's numbers
are checked against the CSVs it downloaded (read here with the csv module, independently of the report)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox, sandbox, sandbox_data  # noqa: F401  (the e2e fixtures)
from tests.report.conftest import figures, section_text, tables

pytestmark = pytest.mark.e2e


def _rows(result: dict[str, object]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in result["files"]:  # type: ignore[attr-defined]
        with Path(str(path)).open(newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_report_over_sandbox_runs_shows_the_downloaded_numbers(sandbox: Sandbox) -> None:  # noqa: F811
    """Segments, loyalty CLTV, top new-to-brand ASINs, conversion rates and the two-window history all equal
    the CSVs that `amc-cltv run` downloaded."""
    results = {}
    for workflow in ("segmentation", "loyalty-segments", "cltv-ntb", "segment-conversion-rate"):
        run = sandbox.cli("run", "--workflow", workflow, "--json")
        assert run.code == 0, run.stderr
        results[workflow] = run.json
    latest_end = date.fromisoformat(str(results["segmentation"]["time_window_end"])[:10])
    earlier = sandbox.cli(
        "run", "--workflow", "segmentation", "--window-end", str(latest_end - timedelta(days=7)), "--json"
    )
    assert earlier.code == 0, earlier.stderr

    out = sandbox.cwd / "report.html"
    report = sandbox.cli("report", "--out", str(out))
    assert report.code == 0, report.stderr
    page = out.read_text(encoding="utf-8")

    segments = {row["customer_audience_segment"]: row for row in _rows(results["segmentation"])}
    table = {cells[0]: cells for cells in tables(page)["segments"][1:]}
    assert set(table) == set(segments)
    for label, row in segments.items():
        assert table[label][1] == f"{int(row['num_users']):,}"
        assert table[label][5] == f"{float(row['cltv']):,.2f}"
    high = segments["High Value Customer"]
    users = sum(int(row["num_users"]) for row in segments.values())
    sales = sum(int(row["num_users"]) * float(row["total_sales"]) for row in segments.values())
    reading = (
        f"High Value Customer: {int(high['num_users']) / users:.0%} of customers, "
        f"{int(high['num_users']) * float(high['total_sales']) / sales:.0%} of sales"
    )
    assert reading in section_text(page, "segments")

    charts = figures(page)
    history = {trace["name"]: trace for trace in charts["history-users"]["data"]}
    earlier_rows = {row["customer_audience_segment"]: row for row in _rows(earlier.json)}
    assert history["High Value Customer"]["x"] == [str(latest_end - timedelta(days=7)), str(latest_end)]
    assert history["High Value Customer"]["y"] == [
        int(earlier_rows["High Value Customer"]["num_users"]),
        int(high["num_users"]),
    ]

    loyalty = {
        (row["tracked_asin"], row["customer_audience_segment"]): float(row["cltv"])
        for row in _rows(results["loyalty-segments"])
        if row["cltv"] and float(row["cltv"]) > 0
    }
    drawn = {
        (asin, trace["name"]): y
        for trace in charts["loyalty"]["data"]
        for asin, y in zip(trace["x"], trace["y"], strict=True)
    }
    assert drawn and all(loyalty[key] == pytest.approx(value) for key, value in drawn.items())

    ntb = sorted(
        (row for row in _rows(results["cltv-ntb"]) if row["cltv"]), key=lambda row: -float(row["cltv"])
    )[:10]
    assert [cells[0] for cells in tables(page)["cltv-ntb"][1:]] == [row["tracked_asin"] for row in ntb]

    rates = {
        (row["campaign_id"], row["customer_audience_segment"]): float(row["user_conversion_rate"]) * 100
        for row in _rows(results["segment-conversion-rate"])
    }
    drawn_rates = {
        (campaign, trace["name"]): y
        for trace in charts["conversion"]["data"]
        for campaign, y in zip(trace["x"], trace["y"], strict=True)
    }
    assert drawn_rates and all(rates[key] == pytest.approx(value) for key, value in drawn_rates.items())
    assert "amc-cltv run --workflow cltv" in section_text(page, "cltv")


def _weighted(rows: list[dict[str, str]], column: str) -> float:
    users = sum(int(row["num_users"]) for row in rows)
    return sum(int(row["num_users"]) * float(row[column]) for row in rows) / users


def test_cohorts_section_over_sandbox_runs_shows_the_downloaded_numbers(sandbox: Sandbox) -> None:  # noqa: F811
    """Two `cohorts` runs four weeks apart: CLTV per cohort, the all-customer line, the flagged cohorts and
    the High Value share over runs equal what the CSVs say (computed here, independently)."""
    newer = sandbox.cli("run", "--workflow", "cohorts", "--json")
    assert newer.code == 0, newer.stderr
    latest_end = date.fromisoformat(str(newer.json["time_window_end"])[:10])
    older = sandbox.cli(
        "run", "--workflow", "cohorts", "--window-end", str(latest_end - timedelta(days=28)), "--json"
    )
    assert older.code == 0, older.stderr
    out = sandbox.cwd / "report.html"
    report = sandbox.cli("report", "--out", str(out), "--workflow", "cohorts")
    assert report.code == 0, report.stderr
    page = out.read_text(encoding="utf-8")

    rows = _rows(newer.json)
    by_month: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_month.setdefault(row["cohort_month"], []).append(row)
    assert "existing" in by_month and len(by_month) > 3
    start = date.fromisoformat(str(newer.json["time_window_start"])[:10])
    partial = {f"{day:%Y-%m}" for day in (start, latest_end) if day.day != 1}
    label = {m: "Existing" if m == "existing" else f"{m} (partial)" if m in partial else m for m in by_month}
    charts = figures(page)
    drawn = {
        x: y
        for trace in charts["cohort-cltv"]["data"]
        if trace["type"] == "bar"
        for x, y in zip(trace["x"], trace["y"], strict=True)
    }
    assert drawn == pytest.approx({label[m]: _weighted(cohort, "cltv") for m, cohort in by_month.items()})
    all_sales, all_cltv = _weighted(rows, "total_sales"), _weighted(rows, "cltv")
    flagged = sorted(
        label[m]
        for m, cohort in by_month.items()
        if _weighted(cohort, "total_sales") >= all_sales and _weighted(cohort, "cltv") < all_cltv
    )
    assert flagged  # the synthetic data has cohorts that only look profitable
    table = tables(page)["cohorts"]
    assert sorted(cells[0] for cells in table[1:] if cells[-1] == "yes") == flagged
    assert table[-1][:2] == ["All customers", f"{sum(int(row['num_users']) for row in rows):,}"]
    text = section_text(page, "cohorts")
    for name in flagged:
        assert f"{name} (sales " in text

    high_value = {trace["name"]: trace for trace in charts["cohort-history-high-value"]["data"]}
    existing = high_value["Existing"]
    assert existing["x"] == [str(latest_end - timedelta(days=28)), str(latest_end)]
    for day_rows, share in zip((_rows(older.json), rows), existing["y"], strict=True):
        mine = [row for row in day_rows if row["cohort_month"] == "existing"]
        high = sum(
            int(r["num_users"]) for r in mine if r["customer_audience_segment"] == "High Value Customer"
        )
        assert share == pytest.approx(high / sum(int(r["num_users"]) for r in mine))

"""The report's numbers are the downloaded CSVs' numbers: tables, chart series and one-line readings."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta
from pathlib import Path

import pytest

from amc_cltv.audience.rules import SEGMENTS as AUDIENCE_SEGMENTS
from amc_cltv.cli import main
from amc_cltv.clock import FakeClock, use_clock
from tests.report.conftest import NOW, SEGMENTS, Downloads, figures, record_audience, section_text, tables

LOYALTY_LABELS = [
    "High CLTV Customer",
    "High Loyalty Customer",
    "High Revenue Potential Customer",
    "Low CLTV Customer",
]


def report(profile: Path, tmp_path: Path, *options: str) -> str:
    out = tmp_path / "out" / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out), *options]) == 0
    return out.read_text(encoding="utf-8")


def test_segment_table_and_chart_match_the_segmentation_csv(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Every segment row (over all part files) appears with users, averages and CLTV, in table and chart."""
    downloads.result("segmentation", "exec-seg", SEGMENTS, parts=3)
    page = report(profile, tmp_path)

    table = tables(page)["segments"]
    assert table[0][:2] == ["Segment", "Customers"]
    assert table[0][5] == "CLTV per customer (currency)"
    assert [row[0] for row in table[1:]] == [row["customer_audience_segment"] for row in SEGMENTS]
    for cells, row in zip(table[1:], SEGMENTS, strict=True):
        assert cells[1] == f"{row['num_users']:,}"
        assert cells[3:6] == [
            f"{row['total_sales']:,.2f}",
            f"{row['total_spend']:,.2f}",
            f"{row['cltv']:,.2f}",
        ]

    chart = figures(page)["segments"]
    series = {trace["name"]: trace["y"] for trace in chart["data"]}
    assert series["Average sales"] == [row["total_sales"] for row in SEGMENTS]
    assert series["Average ad spend"] == [row["total_spend"] for row in SEGMENTS]
    assert series["CLTV per customer"] == [row["cltv"] for row in SEGMENTS]
    assert chart["layout"]["yaxis"]["title"]["text"] == "Average per customer (currency)"
    labels = {trace["name"]: trace["text"] for trace in chart["data"]}
    assert labels["Average ad spend"] == [f"{row['total_spend']:,.2f}" for row in SEGMENTS]  # small bars read


def test_segment_reading_gives_the_high_value_share_of_customers_and_of_sales(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """The reading is computed: 300 of 1,600 customers (19%) and 300×180.5 of all sales (44%)."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    text = section_text(report(profile, tmp_path), "segments")
    users = sum(row["num_users"] for row in SEGMENTS)
    sales = sum(row["num_users"] * row["total_sales"] for row in SEGMENTS)
    share_users = round(300 / users * 100)
    share_sales = round(300 * 180.5 / sales * 100)
    assert (share_users, share_sales) == (19, 44)
    assert f"High Value Customer: {share_users}% of customers, {share_sales}% of sales" in text


def test_times_are_shown_in_the_instance_time_zone_and_name_it(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """With `time_zone = "America/New_York"`, usable_in_dsp_at 11:00 UTC reads 06:00 EST."""
    profile.write_text(profile.read_text().replace("[paths]", 'time_zone = "America/New_York"\n[paths]'))
    record_audience(
        downloads,
        requested_at=NOW,
        status="SUCCEEDED",
        audience_count=2600,
        usable_in_dsp_at=NOW + timedelta(hours=47),
    )
    with use_clock(FakeClock(NOW)):
        page = report(profile, tmp_path)
    assert tables(page)["audiences"][1][6] == "2026-11-27 06:00 EST"
    assert "generated 2026-11-25 07:00 EST" in page


def test_loyalty_chart_groups_positive_cltv_by_asin_and_segment(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """One bar series per loyalty label; each bar is the CSV's CLTV; rows with CLTV <= 0 are left out."""
    rows = [
        {
            "tracked_asin": f"ASIN{100 + a}",
            "customer_audience_segment": label,
            "users": 10,
            "cltv": (a + 1) * (j + 1),
        }
        for a in range(4)
        for j, label in enumerate(LOYALTY_LABELS)
    ]
    rows.append(
        {"tracked_asin": "ASIN999", "customer_audience_segment": "Low CLTV Customer", "users": 5, "cltv": -3}
    )
    downloads.result("loyalty-segments", "exec-loy", rows)
    page = report(profile, tmp_path)

    chart = figures(page)["loyalty"]
    assert [trace["name"] for trace in chart["data"]] == LOYALTY_LABELS
    # One row per segment, each on its own y axis (small scores stay readable beside large ones).
    assert [trace["yaxis"] for trace in chart["data"]] == ["y", "y2", "y3", "y4"]
    assert chart["layout"]["xaxis"]["categoryarray"] == ["ASIN103", "ASIN102", "ASIN101", "ASIN100"]
    for trace in chart["data"]:
        expected = {
            row["tracked_asin"]: row["cltv"]
            for row in rows
            if row["customer_audience_segment"] == trace["name"]
        }
        assert dict(zip(trace["x"], trace["y"], strict=True)) == {k: v for k, v in expected.items() if v > 0}
    assert "ASIN999" not in {asin for trace in chart["data"] for asin in trace["x"]}
    assert {chart["layout"][f"yaxis{n}"]["type"] for n in ("", "2", "3", "4")} == {"linear"}
    assert "Highest lifetime × value score: ASIN103 among Low CLTV Customer (16.00)" in section_text(
        page, "loyalty"
    )


def test_top_new_to_brand_asins_are_the_ten_highest_cltv_rows(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """The cltv-ntb section ranks ASINs by CLTV, keeps ten, and shows their new-to-brand customers."""
    rng = random.Random(7)
    scores = [(rng.uniform(0.2, 5), rng.uniform(0, 10)) for _ in range(15)]
    rows = [
        {
            "tracked_asin": f"ASIN{200 + i}",
            "avg_lifetime_score": lifetime,
            "avg_value_score": value,
            "cltv": lifetime * value,
            "total_sales": 100.0 + i,
            "total_spend": 4.0,
            "total_units_sold": 3 + i,
            "ntb_customers": 20 + i,
        }
        for i, (lifetime, value) in enumerate(scores)
    ]
    downloads.result("cltv-ntb", "exec-ntb", rows)
    page = report(profile, tmp_path)

    top = sorted(rows, key=lambda row: -row["cltv"])[:10]
    table = tables(page)["cltv-ntb"]
    assert [cells[0] for cells in table[1:]] == [row["tracked_asin"] for row in top]
    assert [cells[-1] for cells in table[1:]] == [str(row["ntb_customers"]) for row in top]
    chart = figures(page)["cltv-ntb"]["data"][0]
    assert chart["y"] == [row["tracked_asin"] for row in reversed(top)]
    assert chart["x"] == [row["cltv"] for row in reversed(top)]
    text = section_text(page, "cltv-ntb")
    assert (
        f"{top[0]['tracked_asin']} leads with a lifetime × value score of {top[0]['cltv']:,.2f} "
        f"({top[0]['ntb_customers']}" in text
    )
    assert table[0][1] == "Lifetime × value score = lifetime × value"
    # The score is rebuilt from its table: lifetime × value, to the table's two decimals.
    for cells, row in zip(table[1:], top, strict=True):
        lifetime, value = row["avg_lifetime_score"], row["avg_value_score"]
        assert (cells[2], cells[3]) == (f"{lifetime:,.2f}", f"{value:,.2f}")
        assert lifetime * value == pytest.approx(row["cltv"], rel=1e-6)
    assert "margin per 1 of ad spend" in str(figures(page)["cltv-ntb"]["layout"]["xaxis"]["title"])
    median = statistics.median(row["cltv"] for row in rows)
    assert f"the median is {median:,.2f}" in text


def test_conversion_chart_is_the_csv_rate_in_percent_by_campaign_and_segment(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Each bar is user_conversion_rate × 100; the reading pools purchasers over users reached per segment."""
    rows = [
        {
            "campaign_id": 5000 + c,
            "customer_audience_segment": label,
            "unique_users_reached": 1000,
            "unique_users_purchased": purchased,
            "user_conversion_rate": purchased / 1000,
        }
        for c in range(3)
        for label, purchased in (("High Value Customer", 50 + c), ("Low Value Customer", 20 + c))
    ]
    downloads.result("segment-conversion-rate", "exec-conv", rows)
    page = report(profile, tmp_path)

    chart = figures(page)["conversion"]
    for trace in chart["data"]:
        expected = {
            str(row["campaign_id"]): row["user_conversion_rate"] * 100
            for row in rows
            if row["customer_audience_segment"] == trace["name"]
        }
        assert dict(zip(trace["x"], trace["y"], strict=True)) == pytest.approx(expected)
    assert chart["layout"]["yaxis"]["title"]["text"].endswith("(%)")
    # High Value: (50+51+52)/3000 = 5.1%; Low Value: (20+21+22)/3000 = 2.1%.
    assert "High Value Customer converts 5.1% of users reached, Low Value Customer 2.1%" in section_text(
        page, "conversion"
    )
    # Campaigns read best first: 5002 converts (52+22)/2000, 5001 (51+21)/2000, 5000 (50+20)/2000.
    assert chart["layout"]["xaxis"]["categoryarray"] == ["5002", "5001", "5000"]


def test_history_has_one_point_per_window_and_a_rerun_replaces_its_window(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Segment sizes over every successful run in the ledger; a rerun of a window shows its newest result."""
    ends = ["2025-11-22", "2026-05-22", "2026-11-22"]
    for index, end in enumerate(ends):
        grown = [dict(row, num_users=row["num_users"] + 100 * index) for row in SEGMENTS]
        downloads.result("segmentation", f"exec-{index}", grown, window_end=end)
    rerun = [dict(row, num_users=row["num_users"] + 1000) for row in SEGMENTS]
    downloads.result("segmentation", "exec-0-rerun", rerun, window_end=ends[0], submitted_at=NOW)
    page = report(profile, tmp_path)

    users = {trace["name"]: trace for trace in figures(page)["history-users"]["data"]}
    high = users["High Value Customer"]
    assert high["x"] == ends
    assert high["y"] == [1300, 400, 500]
    cltv = {trace["name"]: trace["y"] for trace in figures(page)["history-cltv"]["data"]}
    assert cltv["Low Value Customer"] == [27.0, 27.0, 27.0]
    assert "High Value Customer: 1,300 → 500 customers (-61.5%)" in section_text(page, "history")
    layout = figures(page)["history-users"]["layout"]
    assert layout["xaxis"]["type"] == "date"  # uneven windows are spaced by time
    assert layout["xaxis"]["title"]["text"] == "End of the 365-day time window"


def _per_user(labels: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            "user_id": user,
            "customer_audience_segment": label,
            "total_sales": 10.0 + i,
            "total_spend": 1.0 + i % 3,
        }
        for i, (user, label) in enumerate(sorted(labels.items()))
    ]


def test_migration_counts_users_moving_between_the_last_two_per_user_runs(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """From→to counts per pair of labels; users new or gone count against "(not a customer)"."""
    before = {f"u{i}": "High Value Customer" if i < 6 else "Low Value Customer" for i in range(10)}
    after = dict(before, u0="Low Value Customer", u7="High Value Customer", u10="High Value Customer")
    del after["u9"]
    downloads.result(
        "user-segments", "exec-users-old", _per_user(before), window_end="2026-05-22", record=False
    )
    downloads.result(
        "user-segments", "exec-users-new", _per_user(after), window_end="2026-11-22", record=False
    )
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    page = report(profile, tmp_path)

    heat = figures(page)["migration"]["data"][0]
    cells = {
        (y, x): heat["customdata"][i][j] for i, y in enumerate(heat["y"]) for j, x in enumerate(heat["x"])
    }
    shares = {(y, x): heat["z"][i][j] for i, y in enumerate(heat["y"]) for j, x in enumerate(heat["x"])}
    # Colour is the share of the earlier segment: 5 of the 6 High Value customers stayed.
    assert shares[("High Value Customer", "High Value Customer")] == pytest.approx(5 / 6)
    assert shares[("Low Value Customer", "(not a customer)")] == pytest.approx(1 / 4)
    assert all(sum(share or 0 for share in line) == pytest.approx(1) for line in heat["z"])
    # Nobody is "not a customer" in both runs: that cell is empty, not "0 %".
    absent = "(not a customer)"
    if absent in heat["y"] and absent in heat["x"]:
        i, j = heat["y"].index(absent), heat["x"].index(absent)
        assert heat["z"][i][j] is None and heat["text"][i][j] == ""
    assert cells[("High Value Customer", "High Value Customer")] == 5
    assert cells[("High Value Customer", "Low Value Customer")] == 1
    assert cells[("Low Value Customer", "High Value Customer")] == 1
    assert cells[("Low Value Customer", "Low Value Customer")] == 2
    assert cells[("Low Value Customer", "(not a customer)")] == 1
    assert cells[("(not a customer)", "High Value Customer")] == 1
    assert "Of 9 customers in both runs, 7 (78%) kept their segment" in section_text(page, "history")


def test_scatter_draws_every_per_user_row_coloured_by_segment(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """The newest per-user result is drawn: sales on x, spend on y, one series per label."""
    labels = {f"u{i:03d}": ("High Value Customer", "Growth Potential Customer")[i % 2] for i in range(40)}
    rows = _per_user(labels)
    downloads.result("user-segments", "exec-users", rows, record=False)
    page = report(profile, tmp_path)

    traces = {trace["name"]: trace for trace in figures(page)["scatter"]["data"]}
    assert set(traces) == {"High Value Customer", "Growth Potential Customer"}
    for name, trace in traces.items():
        mine = [row for row in rows if row["customer_audience_segment"] == name]
        assert sorted(zip(trace["x"], trace["y"], strict=True)) == sorted(
            (row["total_sales"], row["total_spend"]) for row in mine
        )
    layout = figures(page)["scatter"]["layout"]
    assert layout["xaxis"]["title"]["text"] == "Sales per customer (currency)"
    assert "40 customers" in section_text(page, "scatter")


def test_scatter_absent_without_per_user_output_says_why(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Aggregated results only: the scatter section explains AMC's aggregation thresholds, no chart."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    page = report(profile, tmp_path)
    assert "scatter" not in figures(page)
    assert "aggregation controls off" in section_text(page, "scatter")
    assert "needs per-user labels" in section_text(page, "history")
    assert "amc-cltv run --workflow customer-labels" in section_text(page, "scatter")
    assert "amc-cltv run --workflow customer-labels" in section_text(page, "history")


def test_audiences_show_status_size_and_usable_in_dsp_at(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """The audiences section lists what the ledger recorded; "usable now" compares usable_in_dsp_at to now."""
    record_audience(
        downloads,
        requested_at=NOW - timedelta(days=3),
        audience_execution_id="aud-exec-1",
        status="SUCCEEDED",
        audience_count=3456,
        created_at=NOW - timedelta(days=3),
        usable_in_dsp_at=NOW - timedelta(days=1),
    )
    with use_clock(FakeClock(NOW)):
        page = report(profile, tmp_path)

    table = tables(page)["audiences"]
    assert table[1][:5] == ["amc-cltv-high-value", "high-value", "aud-exec-1", "SUCCEEDED", "3,456"]
    assert table[1][7] == "yes"
    assert figures(page)["audiences"]["data"][0]["y"] == [3456]
    assert "is SUCCEEDED with 3,456 users, usable in DSP since" in section_text(page, "audiences")


def test_audiences_list_each_segment_with_state_size_usable_from_and_recommended_use(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """The trader's table: one row per segment in the grid's order (a segment without an audience says so and
    the note names the command), then the lookalike; each with its state, size, usable-from time and use."""
    usable = NOW - timedelta(days=1)
    record_audience(
        downloads,
        requested_at=NOW - timedelta(days=3),
        audience_execution_id="aud-hv",
        status="SUCCEEDED",
        audience_count=4100,
        succeeded_at=NOW - timedelta(days=3),
        usable_in_dsp_at=usable,
    )
    record_audience(
        downloads,
        segment="low-value",
        requested_at=NOW,
        audience_execution_id="aud-lv",
        status="SUCCEEDED",
        audience_count=5200,
        succeeded_at=NOW,
        usable_in_dsp_at=NOW + timedelta(hours=48),
    )
    record_audience(
        downloads,
        audience_type="LOOKALIKE",
        expected_reach="MOST_SIMILAR",
        requested_at=NOW,
        audience_execution_id="aud-lal",
        status="RUNNING",
    )
    with use_clock(FakeClock(NOW)):
        page = report(profile, tmp_path)

    rows = tables(page)["audience-segments"]
    assert rows[0] == [
        "Segment",
        "Audience",
        "Recommended use",
        "Name",
        "State",
        "Users",
        "Usable in DSP from",
    ]
    assert rows[1] == [
        "high-value",
        "rule-based",
        AUDIENCE_SEGMENTS["high-value"].use,
        "amc-cltv-high-value",
        "usable",
        "4,100",
        "2026-11-24 12:00 UTC",
    ]
    assert rows[2][:5] == [
        "growth-potential",
        "rule-based",
        AUDIENCE_SEGMENTS["growth-potential"].use,
        "not activated",
        "-",
    ]
    assert rows[3][3] == "not activated"
    assert rows[4][3:] == ["amc-cltv-low-value", "pending lag", "5,200", "2026-11-27 12:00 UTC"]
    assert rows[5][:2] == ["high-value", "lookalike (most-similar)"] and rows[5][4] == "running"
    assert rows[5][2].startswith("prospect")
    assert "Not activated: growth-potential, revenue-potential. Run" in section_text(page, "audiences")


def test_history_draws_one_window_length_and_names_the_runs_it_leaves_out(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """A one-off 90-day window is not comparable with the 365-day ones: only the length with the most windows
    is drawn, the other run is named in a note and still listed in the table with its length."""
    downloads.result("segmentation", "exec-365-a", SEGMENTS, window_end="2026-10-22")
    downloads.result("segmentation", "exec-365-b", SEGMENTS, window_end="2026-11-15")
    downloads.result("segmentation", "exec-90", SEGMENTS, window_end="2026-11-22", window_days=90)
    page = report(profile, tmp_path)
    assert figures(page)["history-users"]["data"][0]["x"] == ["2026-10-22", "2026-11-15"]
    text = section_text(page, "history")
    assert "draws only the runs over 365-day windows" in text
    assert "Not drawn: 1 over 90-day windows." in text
    assert [row[:2] for row in tables(page)["history"][1:]] == [
        ["2026-10-22", "365-day windows"],
        ["2026-11-15", "365-day windows"],
        ["2026-11-22", "90-day windows"],
    ]


def test_history_never_mixes_threshold_methods(downloads: Downloads, profile: Path, tmp_path: Path) -> None:
    """Runs with the median threshold are drawn apart from runs with the mean, even over the same window."""
    mean = {"threshold_method": "mean", "threshold_quantile": "0.5"}
    median = {"threshold_method": "median", "threshold_quantile": "0.5"}
    downloads.result("segmentation", "exec-mean-1", SEGMENTS, window_end="2026-11-01", parameters=mean)
    downloads.result("segmentation", "exec-median", SEGMENTS, window_end="2026-11-15", parameters=median)
    downloads.result("segmentation", "exec-mean-2", SEGMENTS, window_end="2026-11-22", parameters=mean)
    page = report(profile, tmp_path)
    assert figures(page)["history-users"]["data"][0]["x"] == ["2026-11-01", "2026-11-22"]
    text = section_text(page, "history")
    assert "over 365-day windows, threshold_method mean, one per time window" in text
    assert "Not drawn: 1 over 365-day windows, threshold_method median." in text


def test_an_audience_not_yet_usable_says_from_when(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Before usable_in_dsp_at the audience is "not usable now" and the reading says from when it will be."""
    record_audience(
        downloads,
        requested_at=NOW,
        status="SUCCEEDED",
        audience_count=2600,
        usable_in_dsp_at=NOW + timedelta(hours=47),
    )
    with use_clock(FakeClock(NOW)):
        page = report(profile, tmp_path)
    assert tables(page)["audiences"][1][6:] == ["2026-11-27 11:00 UTC", "no"]
    assert "usable in DSP from 2026-11-27 11:00 UTC" in section_text(page, "audiences")


def test_a_loyalty_row_turns_logarithmic_when_its_scores_span_orders_of_magnitude(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """In one segment's row, one ASIN 1,000× the others would flatten every other bar: that row goes log
    and says so; the other rows stay linear."""
    rows = [
        {"tracked_asin": f"ASIN{a}", "customer_audience_segment": label, "users": 10, "cltv": 10.0 + a}
        for a in range(4)
        for label in LOYALTY_LABELS[1:]
    ]
    rows += [
        {
            "tracked_asin": f"ASIN{a}",
            "customer_audience_segment": LOYALTY_LABELS[0],
            "users": 10,
            "cltv": cltv,
        }
        for a, cltv in enumerate((50_000.0, 12.0, 30.0, 4.0))
    ]
    downloads.result("loyalty-segments", "exec-loy", rows)
    layout = figures(report(profile, tmp_path))["loyalty"]["layout"]
    assert layout["yaxis"]["type"] == "log"  # the first segment's row
    assert layout["yaxis"]["title"]["text"] == "score, log"
    assert [layout[f"yaxis{n}"]["type"] for n in (2, 3, 4)] == ["linear"] * 3


def test_a_large_scatter_draws_a_regular_sample_and_says_so(
    downloads: Downloads, profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the point budget one customer in N is drawn per segment, and the reading says N."""
    monkeypatch.setattr("amc_cltv.report.segments.SCATTER_POINTS", 10)
    labels = {f"u{i:03d}": "High Value Customer" for i in range(25)}
    downloads.result("user-segments", "exec-users", _per_user(labels), record=False)
    page = report(profile, tmp_path)
    trace = figures(page)["scatter"]["data"][0]
    assert len(trace["x"]) == 9  # 25 customers, one in 3
    assert "25 customers" in section_text(page, "scatter")
    assert "One customer in 3 is drawn." in section_text(page, "scatter")


def test_a_row_amc_marked_filtered_is_left_out_and_said(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """AMC's one row of filtered users (no ASIN, summed scores) is never drawn as an ASIN; a note says so."""
    rows: list[dict[str, object]] = [
        {"tracked_asin": f"ASIN{i}", "cltv": 10.0 + i, "total_sales": 20.0, "filtered": "false"}
        for i in range(3)
    ]
    rows.append({"tracked_asin": "", "cltv": 999.0, "total_sales": 5.0, "filtered": "true"})
    downloads.result("cltv", "exec-cltv", rows, parts=1)
    page = report(profile, tmp_path)
    assert [cells[0] for cells in tables(page)["cltv"][1:]] == ["ASIN2", "ASIN1", "ASIN0"]
    assert "AMC marked 1 row(s) of this result filtered" in section_text(page, "cltv")


def test_one_segmentation_run_is_named_as_such(downloads: Downloads, profile: Path, tmp_path: Path) -> None:
    """With one `segmentation` run, the over-time reading names that workflow: the same section's migration
    compares two windows of `customer-labels`, so a bare "one run so far" would contradict it."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    text = section_text(report(profile, tmp_path), "history").replace("`", "")
    assert "One segmentation run so far" in text and "One run so far" not in text

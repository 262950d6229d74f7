"""``amc-cltv run --workflow cohorts`` end to end, and the monthly cadence that AMC cannot schedule."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox

pytestmark = pytest.mark.e2e

RUN = ("run", "--workflow", "cohorts")


def cohorts_from_csv(
    files: list[Path],
) -> tuple[dict[str, tuple[int, float, float]], tuple[int, float, float]]:
    """Per cohort (users, sales, CLTV per customer) and the same over all customers, straight from the CSV."""
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    everyone: list[dict[str, str]] = []
    for path in files:
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                groups[row["cohort_month"]].append(row)
                everyone.append(row)

    def weighted(rows: list[dict[str, str]]) -> tuple[int, float, float]:
        users = sum(int(r["num_users"]) for r in rows)
        sales = math.fsum(int(r["num_users"]) * float(r["total_sales"]) for r in rows) / users
        cltv = math.fsum(int(r["num_users"]) * float(r["cltv"]) for r in rows) / users
        return users, sales, cltv

    return {month: weighted(rows) for month, rows in groups.items()}, weighted(everyone)


def test_cltv_is_put_per_30_days_a_cohort_has_had_to_buy() -> None:
    """A cohort acquired three days before the window ends has had 3 days to buy, the existing customers
    the whole window: CLTV per 30 days puts them on one scale; the first and last months are partial."""
    from datetime import UTC, datetime

    from amc_cltv.cli.cohort_table import buying_days
    from amc_cltv.timewindow import TimeWindow

    window = TimeWindow(datetime(2025, 12, 4, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC), "UTC")
    assert buying_days("existing", window) == (365, False)
    assert buying_days("2025-12", window) == (365, True)
    assert buying_days("2026-06", window) == (186, False)
    assert buying_days("2026-12", window) == (3, True)


def test_a_terminal_run_prints_one_line_per_cohort_and_flags_the_deceptive_ones(sandbox: Sandbox) -> None:
    """Every cohort of the CSV is a row, existing first, with the all-customer row last; the cohorts the
    CSV says sell at or above average but keep less than the average CLTV are flagged and named."""
    result = sandbox.cli(*RUN)
    assert result.code == 0, result.stderr
    folder = next((sandbox.cwd / "results").glob("*/cohorts/*"))
    cohorts, (users, sales, cltv) = cohorts_from_csv(sorted(folder.glob("part-*.csv")))
    lines = result.stdout.splitlines()
    body = [line.replace("*", "") for line in lines if line.startswith("│")]
    months = sorted(m for m in cohorts if m != "existing")
    assert [line.split("│")[1].strip() for line in body] == ["existing", *months, "all customers"]
    # The window starts and ends inside a month: those two are marked partial, and only those.
    marked = [line.split("│")[1].strip() for line in lines if line.startswith("│") and "*" in line]
    assert marked == [f"{months[0]}*", f"{months[-1]}*"]
    assert f"{users:,}" in body[-1] and f"{sales:,.2f}" in body[-1] and f"{cltv:,.2f}" in body[-1]
    deceptive = sorted(m for m, (_, s, c) in cohorts.items() if s >= sales and c < cltv)
    assert deceptive, "the sandbox data should hold a cohort that looks profitable but is not"
    flagged = sorted(line.split("│")[1].strip() for line in body if "looks profitable, is not" in line)
    assert flagged == deceptive
    (reading,) = [line for line in lines if line.startswith("Looks profitable but is not:")]
    assert all(month in reading for month in deceptive)
    for month, (n, s, c) in cohorts.items():
        (row,) = [line for line in body if line.split("│")[1].strip() == month]
        assert f"{n:,}" in row and f"{s:,.2f}" in row and f"{c:,.2f}" in row, month


def test_json_adds_the_cohorts_and_they_add_up_to_segmentation(sandbox: Sandbox) -> None:
    """The run object (docs/contract.md) plus the cohorts; on the same window the cohorts' users are
    segmentation's customers."""
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    payload = result.json
    for key in (
        "workflow",
        "execution_id",
        "status",
        "time_window_start",
        "time_window_end",
        "files",
        "rows",
    ):
        assert key in payload
    assert payload["workflow"] == "cohorts" and payload["status"] == "SUCCEEDED"
    cohorts = payload["cohorts"]
    assert cohorts[0]["cohort_month"] == "existing"
    assert any(c["looks_profitable_but_is_not"] for c in cohorts)
    for cohort in cohorts:
        assert math.isclose(sum(cohort["segment_shares"].values()), 1.0)
    segmentation = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert segmentation.code == 0, segmentation.stderr
    assert segmentation.json["time_window_end"] == payload["time_window_end"]
    folder = Path(segmentation.json["files"][0]).parent
    with (folder / "part-1.csv").open(newline="") as handle:
        customers = sum(int(row["num_users"]) for row in csv.DictReader(handle))
    assert sum(c["num_users"] for c in cohorts) == payload["all_customers"]["num_users"] == customers


def test_schedule_apply_refuses_monthly_and_says_to_use_cron(sandbox: Sandbox) -> None:
    """AMC has no monthly schedule: --monthly is one line, exit 2, nothing sent; a weekly schedule of the
    monthly workflow is created with a note that says so."""
    refused = sandbox.cli("schedule", "apply", "cohorts", "--monthly")
    assert refused.code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert "daily or weekly only" in line and "amc-cltv run --workflow cohorts" in line and "cron" in line
    assert sandbox.app.store.all("schedule") == [] and sandbox.app.store.all("workflow") == []

    weekly = sandbox.cli("schedule", "apply", "cohorts", "--weekly", "monday", "--hour-utc", "6")
    assert weekly.code == 0, weekly.stderr
    assert "created" in weekly.stdout and len(sandbox.app.store.all("schedule")) == 1
    assert "meant to run monthly" in weekly.stderr and "cron" in weekly.stderr
    quiet = sandbox.cli("schedule", "apply", "segmentation", "--daily")
    assert quiet.code == 0 and "monthly" not in quiet.stderr


def test_on_a_narrow_terminal_the_flag_becomes_a_mark_on_the_cohort() -> None:
    """80 columns cannot hold the flag's words: the flagged cohort is marked '!' and every column stays whole;
    a wide terminal spells the flag out in its own column."""
    import io

    from rich.console import Console

    from amc_cltv.cli.cohort_table import FLAG, fitting_cohort_table
    from amc_cltv.orchestration.cohorts import summarize

    def row(month: str, label: str, users: int, sales: float, spend: float) -> dict[str, object]:
        return {
            "cohort_month": month,
            "customer_audience_segment": label,
            "num_users": users,
            "total_sales": sales,
            "total_spend": spend,
            "cltv": sales - spend,
        }

    summary = summarize(
        [
            row("existing", "Growth Potential Customer", 16_975, 22.54, 5.56),
            row("2026-09", "Low Value Customer", 2_814, 27.38, 12.41),
            row("2026-06", "High Value Customer", 2_100, 30.09, 4.77),
        ]
    )
    for width, wide in ((80, False), (140, True)):
        screen = io.StringIO()
        console = Console(file=screen, width=width)
        table, chosen = fitting_cohort_table(console, summary, "cohorts")
        console.print(table)
        text = screen.getvalue()
        assert chosen is wide
        assert max(len(line) for line in text.splitlines()) <= width
        assert "…" not in text
        (flagged,) = [line for line in text.splitlines() if "2026-09" in line]
        assert ("2026-09 !" in flagged) is not wide and (FLAG in flagged) is wide
        assert "27.38" in flagged and "2,814" in flagged

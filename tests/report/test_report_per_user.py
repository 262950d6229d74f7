"""The per-user sections over real runs: `amc-cltv run --workflow customer-labels` on the embedded sandbox
(synthetic data, aggregation controls off) over two windows, then the report's audience scatter and segment
migration are checked against the downloaded CSVs (read here with the csv module, independently)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox, sandbox, sandbox_data  # noqa: F401  (the e2e fixtures)
from tests.report.conftest import figures, section_text

pytestmark = pytest.mark.e2e

ABSENT = "(not a customer)"


def _rows(result: dict[str, object]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in result["files"]:  # type: ignore[attr-defined]
        with Path(str(path)).open(newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_customer_labels_runs_draw_the_scatter_and_the_migration(sandbox: Sandbox) -> None:  # noqa: F811
    """Two customer-labels runs (windows four weeks apart): the scatter draws every customer of the newer
    run at its sales and spend under its label, and the migration counts equal the users' label pairs."""
    newer = sandbox.cli("run", "--workflow", "customer-labels", "--json")
    assert newer.code == 0, newer.stderr
    latest_end = date.fromisoformat(str(newer.json["time_window_end"])[:10])
    older = sandbox.cli(
        "run", "--workflow", "customer-labels", "--window-end", str(latest_end - timedelta(days=28)), "--json"
    )
    assert older.code == 0, older.stderr
    (execution,) = [e for e in sandbox.executions() if e["workflowExecutionId"] == newer.json["execution_id"]]
    assert execution["disableAggregationControls"] is True and execution["requireSyntheticData"] is True
    segmentation = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert segmentation.code == 0, segmentation.stderr

    newer_rows, older_rows = _rows(newer.json), _rows(older.json)
    assert len({row["user_id"] for row in newer_rows}) == len(newer_rows) > 1000
    num_users = {row["customer_audience_segment"]: int(row["num_users"]) for row in _rows(segmentation.json)}
    assert Counter(row["customer_audience_segment"] for row in newer_rows) == num_users

    out = sandbox.cwd / "report.html"
    report = sandbox.cli("report", "--out", str(out))
    assert report.code == 0, report.stderr
    page = out.read_text(encoding="utf-8")
    charts = figures(page)

    traces = {trace["name"]: trace for trace in charts["scatter"]["data"]}
    assert set(traces) == set(num_users)
    for label, trace in traces.items():
        drawn = sorted(zip(trace["x"], trace["y"], strict=True))
        expected = sorted(
            (float(row["total_sales"]), float(row["total_spend"]))
            for row in newer_rows
            if row["customer_audience_segment"] == label
        )
        assert drawn == expected
    assert f"{len(newer_rows):,} customers" in section_text(page, "scatter")

    before = {row["user_id"]: row["customer_audience_segment"] for row in older_rows}
    after = {row["user_id"]: row["customer_audience_segment"] for row in newer_rows}
    moves = Counter(
        (before.get(user, ABSENT), after.get(user, ABSENT)) for user in before.keys() | after.keys()
    )
    heatmap = charts["migration"]["data"][0]
    cells = {
        (source, target): heatmap["customdata"][i][j]
        for i, source in enumerate(heatmap["y"])
        for j, target in enumerate(heatmap["x"])
    }
    assert {key: value for key, value in cells.items() if value} == dict(moves)
    both = sum(n for (source, target), n in moves.items() if ABSENT not in (source, target))
    kept = sum(n for (source, target), n in moves.items() if source == target != ABSENT)
    assert 0 < kept < both
    assert f"Of {both:,} customers in both runs, {kept:,} (" in section_text(page, "history")

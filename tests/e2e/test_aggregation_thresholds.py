"""AMC's aggregation thresholds: the sandbox filters rows under a threshold (setting aggregation_threshold)
the way AMC does when asked to mark them; the run says how many rows AMC filtered and why, in the summary,
manifest.json and --json."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .conftest import Sandbox


def _reach(path: str) -> list[int]:
    with open(path, newline="") as handle:
        return sorted(int(row["unique_users_reached"]) for row in csv.DictReader(handle))


def _threshold(sandbox: Sandbox) -> int:
    """The median reach of the (campaign, segment) rows: half of them fall under it."""
    first = sandbox.cli("run", "--workflow", "segment-conversion-rate", "--json")
    assert first.code == 0, first.stderr
    assert first.json["aggregation_filtered"] == {"rows": 0, "reasons": []}
    reach = _reach(first.json["files"][0])
    threshold = reach[len(reach) // 2]
    sandbox.app.configure(aggregation_threshold=threshold)
    return threshold


def test_filtered_rows_are_counted_in_json_and_manifest(sandbox: Sandbox) -> None:
    threshold = _threshold(sandbox)
    result = sandbox.cli("run", "--workflow", "segment-conversion-rate", "--json", "--force-rerun")
    assert result.code == 0, result.stderr
    payload = result.json
    filtered = payload["aggregation_filtered"]
    assert filtered["rows"] == 1
    assert filtered["reasons"] == [f"'unique_users_reached' users < {threshold} required"]
    folder = Path(payload["files"][0]).parent
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["aggregation_filtered"] == filtered
    with open(payload["files"][0], newline="") as handle:
        rows = list(csv.DictReader(handle))
    marked = [row for row in rows if row["filtered"] == "true"]
    assert len(marked) == 1
    assert marked[0]["campaign_id"] == "" and marked[0]["customer_audience_segment"] == ""
    kept = [row for row in rows if row["filtered"] == "false"]
    assert kept and all(int(row["unique_users_reached"]) >= threshold for row in kept)


def test_the_summary_says_how_many_rows_were_filtered_and_why(sandbox: Sandbox) -> None:
    threshold = _threshold(sandbox)
    result = sandbox.cli(
        "--log-format", "console", "run", "--workflow", "segment-conversion-rate", "--force-rerun"
    )
    assert result.code == 0, result.stderr
    assert "AMC filtered 1 row(s) below its aggregation threshold" in result.stdout
    assert f"'unique_users_reached' users < {threshold} required" in result.stdout
    assert "filtered_reason" not in result.stdout.split("AMC filtered")[0]  # the marks are not table columns

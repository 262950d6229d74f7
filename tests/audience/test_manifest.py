"""``audience manifest``: the hand-off file's fields, the ASINs per segment, CSV and JSON, the atomic write.
The real CLI against the sandbox in process; served over loopback, and with no secret in it, in
tests/audience/test_e2e_segments.py."""

from __future__ import annotations

import csv
import errno
import io
import json
from pathlib import Path
from typing import Any

import pytest

from amc_cltv.audience.manifest import FIELDS
from amc_cltv.audience.rules import SEGMENTS
from tests.audience.sandbox_fixtures import Workspace

pytestmark = pytest.mark.e2e


def _expected_top_asins(folder: Path, label: str) -> list[str]:
    """The segment's five ASINs with the highest sales, read from the segment-asins CSV independently."""
    (path,) = (folder / "results").rglob("segment-asins/*/part-*.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["customer_audience_segment"] == label]
    rows.sort(key=lambda row: (-float(row["total_sales"]), row["tracked_asin"]))
    return [row["tracked_asin"] for row in rows[:5]]


def _segment_sizes(folder: Path) -> dict[str, int]:
    (path,) = (folder / "results").rglob("segmentation/*/part-*.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["customer_audience_segment"]: int(row["num_users"]) for row in csv.DictReader(handle)}


def check_entries(audiences: list[dict[str, Any]], folder: Path) -> None:
    sizes = _segment_sizes(folder)
    by_type = {(a["segment"], a["audience_type"]): a for a in audiences}
    assert set(by_type) == {(key, "RULE_BASED") for key in SEGMENTS} | {("high-value", "LOOKALIKE")}
    for key, segment in SEGMENTS.items():
        entry = by_type[(key, "RULE_BASED")]
        assert list(entry) == list(FIELDS)
        assert entry["action"] == segment.action and entry["recommended_use"] == segment.use
        assert entry["seed_count"] == entry["audience_count"] == sizes[segment.label]
        assert entry["status"] == "SUCCEEDED" and entry["state"] == "pending lag"
        assert entry["audience_execution_id"] and entry["usable_in_dsp_at"]
        assert entry["refresh_rate_days"] == 7 and len(entry["rules_sha256"]) == 64
        assert entry["time_window_start"].endswith("Z") and entry["time_window_end"].endswith("Z")
        assert entry["top_asins"] == _expected_top_asins(folder, segment.label) and entry["top_asins"]
    lookalike = by_type[("high-value", "LOOKALIKE")]
    assert lookalike["expected_reach"] == "BALANCED" and lookalike["action"] == "prospect"
    assert lookalike["seed_count"] == sizes["High Value Customer"]
    assert lookalike["top_asins"] == by_type[("high-value", "RULE_BASED")]["top_asins"]


def prepare(cli_json: Any) -> None:
    assert cli_json("audience", "activate", "--segment", "all")[0] == 0
    assert cli_json("audience", "lookalike", "--segment", "high-value")[0] == 0
    assert cli_json("run", "--workflow", "segment-asins")[0] == 0


def test_manifest_lists_every_audience_with_its_fields_csv_and_json(workspace: Workspace) -> None:
    """After activate --segment all and a lookalike: one entry per audience with every field; the CSV file
    holds the same rows as the JSON; DSP ids appear once AMC reports them (after the lag)."""
    prepare(workspace.cli_json)
    code, manifest = workspace.cli_json("audience", "manifest")
    assert code == 0, manifest
    assert manifest["notes"] == [] and len(manifest["audiences"]) == len(SEGMENTS) + 1
    check_entries(manifest["audiences"], workspace.folder)

    code, out, err = workspace.cli("audience", "manifest", "--out", "handoff/audiences.csv")
    assert code == 0, err
    assert "wrote 5 audience(s) to handoff/audiences.csv" in out
    text = (workspace.folder / "handoff" / "audiences.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == FIELDS
    as_json = {row["audience_name"]: row for row in rows}
    for entry in manifest["audiences"]:
        row = as_json[entry["audience_name"]]
        assert row["top_asins"] == ";".join(entry["top_asins"])
        assert row["seed_count"] == str(entry["seed_count"]) and row["dsp_audience_id"] == ""

    workspace.clock.advance(48 * 3600)
    code, later = workspace.cli_json("audience", "manifest", "--out", "handoff/audiences.json")
    assert code == 0
    written = json.loads((workspace.folder / "handoff" / "audiences.json").read_text(encoding="utf-8"))
    assert written["audiences"] == later["audiences"]
    assert all(entry["dsp_audience_id"] and entry["state"] == "usable" for entry in written["audiences"])


def test_without_a_segment_asins_result_the_manifest_says_how_to_get_one(workspace: Workspace) -> None:
    assert workspace.cli_json("audience", "activate", "--segment", "high-value")[0] == 0
    code, out, err = workspace.cli("audience", "manifest")
    assert code == 0, err
    assert "top_asins are empty: no segment-asins result" in err
    assert "amc-cltv run --workflow segment-asins" in err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["top_asins"] == "" and row["action"] == "bid up"


def test_a_failed_write_leaves_the_previous_manifest_whole(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills at the rename: exit 7 in one line, the previous file unchanged, no temporary left."""
    assert workspace.cli_json("audience", "activate", "--segment", "high-value")[0] == 0
    target = workspace.folder / "audiences.csv"
    target.write_text("the previous manifest\n", encoding="utf-8")

    def full_disk(source: object, destination: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("amc_cltv.orchestration.download.os.replace", full_disk)
    code, _, err = workspace.cli("audience", "manifest", "--out", str(target))
    assert code == 7 and "No space left on device" in err
    (failure,) = [json.loads(line) for line in err.splitlines() if '"command_failed"' in line]
    assert failure["exit_code"] == 7 and "audience manifest" in failure["message"]
    assert "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "the previous manifest\n"
    assert sorted(p.name for p in workspace.folder.iterdir() if p.name.startswith(".audiences")) == []

"""Every segment as an audience: the real CLI against the sandbox, in process and served over loopback.

Each audience AMC builds holds exactly its segment's customers (as labelled by the reports), ``--segment all``
skips a segment under its guard and says why, and its creates are spaced under AMC's audience rate.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from amc_cltv.audience.every import CREATE_SPACING_S
from amc_cltv.audience.rules import SEGMENTS
from amc_cltv.sandbox import embedded_app
from tests.audience.sandbox_fixtures import Served, Workspace
from tests.audience.test_manifest import check_entries

pytestmark = pytest.mark.e2e


def _result_rows(folder: Path, workflow: str) -> list[dict[str, Any]]:
    files = sorted(str(p) for p in (folder / "results").rglob(f"{workflow}/*/part-*.csv"))
    assert files, f"no {workflow} result under {folder}"
    with duckdb.connect() as db:
        cursor = db.execute("SELECT * FROM read_csv($files, all_varchar = true)", {"files": files})
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _segment_sizes(folder: Path) -> dict[str, int]:
    rows = _result_rows(folder, "segmentation")
    return {row["customer_audience_segment"]: int(row["num_users"]) for row in rows}


def _members(state: Path, audience_execution_id: str) -> set[str]:
    """The users of an audience as AMC (the sandbox) builds it: its stored query run by the sandbox engine."""
    from amc_cltv.sandbox.lifecycle import parse_iso

    app = embedded_app(state)
    audience = app.store.get("audience", audience_execution_id)
    assert audience is not None
    result = app.lifecycle.engine().execute(
        audience["resolvedQuery"],
        time_window_start=parse_iso(audience["timeWindowStart"]),
        time_window_end=parse_iso(audience["timeWindowEnd"]),
        parameters=audience.get("resolvedParameters") or {},
        audience=True,
    )
    try:
        return {str(row[0]) for row in result.rows}
    finally:
        result.close()


def _assert_each_audience_is_its_segment(activated: dict[str, Any], folder: Path, state: Path) -> None:
    """Every segment activated; each audience's AMC count and members are exactly the segment's customers."""
    sizes = _segment_sizes(folder)
    labels = _result_rows(folder, "customer-labels")
    assert activated["activated"] == list(SEGMENTS) and activated["skipped"] == activated["failed"] == []
    for entry in activated["segments"]:
        segment = SEGMENTS[entry["segment"]]
        assert entry["status"] == "SUCCEEDED" and entry["action"] == "created", entry
        assert entry["audience_count"] == entry["segment_size"] == sizes[segment.label]
        expected = {row["user_id"] for row in labels if row["customer_audience_segment"] == segment.label}
        assert _members(state, entry["audience_execution_id"]) == expected
    assert sum(entry["audience_count"] for entry in activated["segments"]) == len(labels)


def test_all_activates_every_segment_with_exactly_its_customers(workspace: Workspace) -> None:
    """In process: one audience per segment; each holds exactly the users customer-labels gives its label,
    as many as segmentation's num_users; the creates were spaced under AMC's rate."""
    code, activated = workspace.cli_json("audience", "activate", "--segment", "all")
    assert code == 0, activated
    assert workspace.cli_json("run", "--workflow", "customer-labels")[0] == 0
    state = workspace.folder / ".amc-cltv" / "sandbox"
    _assert_each_audience_is_its_segment(activated, workspace.folder, state)
    names = [a.audience_name for a in workspace.amc_audiences()]
    assert sorted(names) == sorted(entry["name"] for entry in activated["segments"])
    assert workspace.clock.sleeps.count(CREATE_SPACING_S) == len(SEGMENTS) - 1

    code, again = workspace.cli_json("audience", "activate", "--segment", "all")
    assert code == 0 and {entry["action"] for entry in again["segments"]} == {"reused"}
    assert len(workspace.amc_audiences()) == len(SEGMENTS)


def test_served_over_loopback_every_segment_the_lookalike_and_a_manifest_without_secrets(
    served: Served,
) -> None:
    """Against a ``sandbox serve`` process with real-looking credentials in the environment: what AMC built
    over the wire is each segment exactly; then the lookalike and the manifest, which carries no secret,
    token or URL."""
    code, activated = served.cli_json("audience", "activate", "--segment", "all")
    assert code == 0, activated
    assert served.cli_json("run", "--workflow", "customer-labels")[0] == 0
    _assert_each_audience_is_its_segment(activated, served.folder, served.server_state)

    code, lookalike = served.cli_json("audience", "lookalike", "--reach", "balanced")
    assert code == 0, lookalike
    assert lookalike["status"] == "SUCCEEDED" and lookalike["audience_count"] == 2_000_000
    assert served.cli_json("run", "--workflow", "segment-asins")[0] == 0
    code, manifest = served.cli_json("audience", "manifest", "--out", "audiences.csv")
    assert code == 0, manifest
    check_entries(manifest["audiences"], served.folder)
    written = (served.folder / "audiences.csv").read_text(encoding="utf-8") + json.dumps(manifest)
    secrets = [os.environ[name] for name in ("AMC_CLTV_CLIENT_SECRET", "AMC_CLTV_REFRESH_TOKEN")]
    assert all(secret and secret not in written for secret in secrets)
    assert "Atza|" not in written and "http" not in written


def test_all_skips_the_segment_under_its_guard_and_says_why(workspace: Workspace) -> None:
    """min_size just above the smallest segment: that one is skipped with its size and the minimum, nothing
    is sent for it, the three others are activated, exit 0."""
    assert workspace.cli_json("run", "--workflow", "segmentation")[0] == 0
    sizes = _segment_sizes(workspace.folder)
    smallest_label = min(sizes, key=lambda label: sizes[label])
    smallest = next(s for s in SEGMENTS.values() if s.label == smallest_label)
    assert sorted(sizes.values())[1] > sizes[smallest_label] + 1 >= 2000
    profile = workspace.profile(
        "guard.toml", audience=f"min_size = {sizes[smallest_label] + 1}", workflows="shopping_insights = true"
    )

    code, out, err = workspace.cli("--config", profile, "audience", "activate", "--segment", "all")
    assert code == 0, err
    assert f"== {smallest.key}: skipped" in out and "below the minimum" in out
    code, activated = workspace.cli_json("--config", profile, "audience", "activate", "--segment", "all")
    assert code == 0, activated
    (skipped,) = activated["skipped"]
    assert skipped["segment"] == smallest.key
    reason = skipped["reason"]
    assert f"{sizes[smallest_label]:,} users, below the minimum of {sizes[smallest_label] + 1:,}" in reason
    assert activated["activated"] == [key for key in SEGMENTS if key != smallest.key]
    on_amc = {a.audience_name.split()[1] for a in workspace.amc_audiences()}
    assert on_amc == set(SEGMENTS) - {smallest.key}


def test_all_reports_a_segment_amc_failed_and_exits_1_while_the_others_are_activated(
    workspace: Workspace,
) -> None:
    """AMC fails the first audience created (high-value): that segment is failed with AMC's reason (exit 1),
    the other three are activated."""
    reason = "Invalid tables in the SQL query: Use audience-specific tables in the query."
    workspace.sandbox.faults.script(
        [
            {
                "kind": "execution_outcome",
                "status": "FAILED",
                "status_reason": reason,
                "match": "^POST /amc/audiences/query$",
                "times": 1,
            },
        ]
    )
    code, activated = workspace.cli_json("audience", "activate", "--segment", "all")
    assert code == 1, activated
    assert [f["segment"] for f in activated["failed"]] == ["high-value"]
    assert reason in activated["failed"][0]["reason"] and activated["exit_code"] == 1
    assert activated["activated"] == [key for key in SEGMENTS if key != "high-value"]
    assert activated["segments"][0]["status"] == "FAILED"


def test_lookalike_of_high_value_end_to_end_with_lag_and_reuse(workspace: Workspace) -> None:
    """In process: a campaign start inside the lag is refused (exit 1, nothing sent); then the lookalike is
    created from the high-value seed, SUCCEEDED at its reach's size, pending the lag; run again: reused."""
    soon = (workspace.clock.now() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%MZ")
    code, refused = workspace.cli_json("audience", "lookalike", "--needed-by", soon)
    assert code == 1 and refused["exit_code"] == 1
    assert workspace.amc_audiences() == []

    code, created = workspace.cli_json(
        "audience", "lookalike", "--segment", "high-value", "--reach", "most-similar"
    )
    assert code == 0, created
    assert created["action"] == "created" and created["audience_type"] == "LOOKALIKE"
    assert created["expected_reach"] == "MOST_SIMILAR" and created["status"] == "SUCCEEDED"
    assert created["audience_count"] == 500_000 and created["state"] == "pending lag"
    assert created["segment_size"] == _segment_sizes(workspace.folder)["High Value Customer"]
    (on_amc,) = workspace.amc_audiences()
    assert on_amc.audience_type == "LOOKALIKE" and on_amc.lookalike_audience_expected_reach == "MOST_SIMILAR"

    code, again = workspace.cli_json("audience", "lookalike", "--reach", "most-similar")
    assert code == 0 and again["action"] == "reused" and len(workspace.amc_audiences()) == 1

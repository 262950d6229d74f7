"""``audience activate --json`` when activation fails: the one JSON object on stdout still says what is
known (name, AMC id, segment, AMC status and reason) beside the error and the exit code. The real CLI
against the embedded sandbox, with linked clocks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.audience.sandbox_fixtures import Workspace
from tests.stderr import failure

pytestmark = pytest.mark.e2e

KNOWN_KEYS = {"name", "audience_execution_id", "segment", "status", "status_reason", "error", "exit_code"}
PER_AUDIENCE_GET = "^GET /amc/audiences/query/"


def _activate_failing(workspace: Workspace, *args: str) -> tuple[int, dict[str, Any], str]:
    """``audience activate ARGS --json``: the exit code, the one JSON object, the one error line."""
    code, out, err = workspace.cli(*args, "audience", "activate", "--json")
    assert len(out.splitlines()) == 1, out
    return code, json.loads(out), failure(err)


def test_failed_carries_the_audience_and_amc_reason(workspace: Workspace) -> None:
    """AMC finishes the audience FAILED: exit 1; the JSON names the audience, its AMC id (the one AMC holds),
    FAILED and AMC's statusReason, with the error and exit code."""
    reason = "Audience size 1200 is below the minimum audience size of 2000 records."
    workspace.sandbox.faults.script(
        [
            {
                "kind": "execution_outcome",
                "status": "FAILED",
                "status_reason": reason,
                "match": "POST /amc/audiences",
            }
        ]
    )
    code, failed, error = _activate_failing(workspace)
    assert code == 1
    assert set(failed) >= KNOWN_KEYS
    (on_amc,) = workspace.amc_audiences()
    assert failed["name"] == on_amc.audience_name and failed["name"].startswith("amc-cltv high-value ")
    assert failed["audience_execution_id"] == on_amc.audience_execution_id
    assert failed["segment"] == "high-value" and failed["action"] == "created"
    assert failed["status"] == "FAILED" and failed["state"] == "failed"
    assert failed["status_reason"] == reason
    assert failed["error"] == error and reason in error and failed["exit_code"] == 1


def test_below_the_minimum_carries_the_size_and_no_audience(workspace: Workspace) -> None:
    """Refused below [audience] min_size: exit 1; the JSON names the audience that was not requested, no AMC
    id or status, the segment's size and the minimum."""
    profile = workspace.profile("strict.toml", audience="min_size = 100000")
    code, refused, error = _activate_failing(workspace, "--config", profile)
    assert code == 1
    assert set(refused) >= KNOWN_KEYS
    assert refused["name"].startswith("amc-cltv high-value ") and refused["segment"] == "high-value"
    assert refused["audience_execution_id"] is None and refused["action"] is None
    assert refused["status"] is None and refused["status_reason"] is None
    assert refused["min_size"] == 100000 and 0 < refused["segment_size"] < 100000
    assert f"{refused['segment_size']:,} users" in error and refused["exit_code"] == 1
    assert workspace.amc_audiences() == []


def test_still_running_carries_the_audience_being_built(workspace: Workspace) -> None:
    """AMC keeps the audience RUNNING past [polling] max_wait_s: exit 4; the JSON has its id and status."""
    profile = Path(workspace.profile("patient.toml"))
    text = profile.read_text(encoding="utf-8")
    # A few polls, not hundreds: long intervals and a short bound (the clocks are fake either way).
    for setting, value in (("initial_interval_s", "5"), ("max_interval_s", "30"), ("max_wait_s", "60")):
        text = re.sub(rf"(?m)^{setting} = .*$", f"{setting} = {value}", text)
    profile.write_text(text, encoding="utf-8")
    workspace.sandbox.faults.script(
        [{"kind": "unknown_status", "status": "RUNNING", "match": PER_AUDIENCE_GET, "times": 0}]
    )
    code, running, error = _activate_failing(workspace, "--config", str(profile))
    assert code == 4 and running["exit_code"] == 4 and "run the same command again" in error
    (on_amc,) = workspace.amc_audiences()
    assert running["audience_execution_id"] == on_amc.audience_execution_id
    assert running["name"] == on_amc.audience_name
    assert running["status"] == "RUNNING" and running["state"] == "running"


def test_amc_unavailable_carries_the_audience_already_created(workspace: Workspace) -> None:
    """Every status call answers 503 beyond the retry budget after the POST succeeded: exit 5; the JSON still
    has the created audience's AMC id and the status AMC gave on creation."""
    workspace.sandbox.faults.script(
        [{"kind": "status", "status": 503, "match": PER_AUDIENCE_GET, "times": 0}]
    )
    code, unavailable, _ = _activate_failing(workspace)
    workspace.sandbox.faults.clear()
    assert code == 5 and unavailable["exit_code"] == 5
    (on_amc,) = workspace.amc_audiences()
    assert unavailable["audience_execution_id"] == on_amc.audience_execution_id
    assert unavailable["status"] == "PENDING" and unavailable["status_reason"] is None

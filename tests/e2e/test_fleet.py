"""``run --all`` over more instances than it runs at once: submitted together, waited for together."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Sandbox
from tests.e2e.test_run import RUN

pytestmark = pytest.mark.e2e

INSTANCES = 12  # more than the 8 profiles the submit and finish steps work on at a time
RUN_S = 60.0


def _profiles(folder: Path, state_dir: Path, count: int) -> Path:
    """``count`` profiles of the embedded sandbox, one per instance, sharing one state folder."""
    profiles = folder / "profiles"
    profiles.mkdir()
    embedded = (ROOT / "configs" / "sandbox.toml").read_text()
    for number in range(1, count + 1):
        instance = f"amcsandbox{number:02d}"
        (profiles / f"{instance}.toml").write_text(
            embedded.replace('"amcsandbox01"', f'"{instance}"').replace(
                'state_dir  = ".amc-cltv"', f'state_dir  = "{state_dir}"'
            )
        )
    return profiles


def test_every_instance_is_submitted_before_any_is_waited_for(sandbox: Sandbox, tmp_path: Path) -> None:
    """Twelve instances whose executions take a minute of sandbox time: all twelve executions are created
    within moments of each other (a pool of 8 threads that each wait would create the last four only
    after the first finished), and each one succeeds, is downloaded and is reported."""
    sandbox.app.configure(instances=INSTANCES, run_s=RUN_S)
    profiles = _profiles(tmp_path, sandbox.state_dir, INSTANCES)
    result = sandbox.cli(*RUN, "--all", "--config-dir", str(profiles), "--json")
    assert result.code == 0, result.stderr
    runs = result.json["runs"]
    assert [r["status"] for r in runs] == ["SUCCEEDED"] * INSTANCES
    assert {r["rows"] for r in runs} == {4} and all(r["files"] for r in runs)
    executions = sandbox.executions()
    assert sorted(e["instanceId"] for e in executions) == [f"amcsandbox{n:02d}" for n in range(1, 13)]
    created = [datetime.fromisoformat(e["createTime"].replace("Z", "+00:00")) for e in executions]
    assert (max(created) - min(created)).total_seconds() < RUN_S / 2
    assert {r["execution_id"] for r in runs} == {e["workflowExecutionId"] for e in executions}


def test_a_fleet_still_running_at_max_wait_exits_4_and_the_next_run_resumes_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The wait runs out before AMC finishes: every profile reports exit 4 with its execution; run again,
    the same executions are followed to the end and nothing is submitted twice."""
    sandbox.app.configure(instances=3, run_s=3600)
    profiles = _profiles(tmp_path, sandbox.state_dir, 3)
    first = sandbox.cli(*RUN, "--all", "--config-dir", str(profiles), "--max-wait", "30", "--json")
    assert first.code == 4, first.stderr
    assert {r["exit_code"] for r in first.json["runs"]} == {4}
    assert all(r["execution_id"] and r["status"] in ("PENDING", "RUNNING") for r in first.json["runs"])
    sandbox.clock.sleep(3600)  # an hour later
    second = sandbox.cli(*RUN, "--all", "--config-dir", str(profiles), "--json")
    assert second.code == 0, second.stderr
    assert [r["execution_id"] for r in second.json["runs"]] == [r["execution_id"] for r in first.json["runs"]]
    assert len(sandbox.executions()) == 3


def test_a_fleet_asks_login_with_amazon_once_and_amc_only_what_it_needs(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """One process, one token: every profile (same credentials), the submit and the wait share one Login
    with Amazon grant. The finish step asks no status of an execution the wait saw end: it downloads. Each
    profile lists its instance's executions once: the adoption's list is the admission gate's count."""
    sandbox.app.configure(instances=INSTANCES, run_s=RUN_S)
    profiles = _profiles(tmp_path, sandbox.state_dir, INSTANCES)
    result = sandbox.cli("-v", *RUN, "--all", "--config-dir", str(profiles), "--json")
    assert result.code == 0, result.stderr
    assert len(sandbox.app.store.all("token")) == 1
    assert [r["status_calls"] for r in result.json["runs"]] == [0] * INSTANCES
    grants = [e for e in result.events("http_request") if "/auth/o2/token" in e["message"]]
    assert len(grants) == 1
    listings = [
        e
        for e in result.events("http_request")
        if "GET" in e["message"] and "/workflowExecutions?" in e["message"]
    ]
    assert len(listings) == INSTANCES


def test_the_library_runs_a_fleet_and_refuses_a_wait_that_never_ends(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """``amc_cltv.run_fleet`` is what ``run --all`` calls: one result per profile, in name order, each with
    its ending; a NaN wait is refused before any profile is touched."""
    import amc_cltv
    from amc_cltv.errors import UsageError

    sandbox.app.configure(instances=2, run_s=RUN_S)
    profiles = _profiles(tmp_path, sandbox.state_dir, 2)
    with pytest.raises(UsageError, match="max_wait_s"):
        amc_cltv.run_fleet(profiles, "segmentation", max_wait_s=float("nan"))
    assert sandbox.executions() == []
    results = amc_cltv.run_fleet(profiles, "segmentation")
    assert [r.profile.name for r in results] == ["amcsandbox01.toml", "amcsandbox02.toml"]
    assert [r.ending for r in results] == [amc_cltv.Ending.SUCCEEDED] * 2
    assert len(sandbox.executions()) == 2

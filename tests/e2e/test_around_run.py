"""Around ``run``, end to end: the lock, status, executions, download, workflow sync, schedules, --all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from amc_cltv.client.models import Workflow
from amc_cltv.config import load_config
from amc_cltv.connect import open_client
from tests.e2e.conftest import ROOT, Sandbox, seed_sandbox
from tests.e2e.test_run import RUN, assert_intact
from tests.stderr import failure

pytestmark = pytest.mark.e2e

HOLD_LOCK = (
    "import sys\n"
    "from pathlib import Path\n"
    "from amc_cltv.locks import workflow_lock\n"
    "with workflow_lock(Path(sys.argv[1]), 'amcsandbox01', 'segmentation'):\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.read()\n"
)


def hold_lock(state_dir: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(state_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_invocation_exits_6_at_once_naming_the_holder(sandbox: Sandbox) -> None:
    holder = hold_lock(sandbox.state_dir)
    try:
        result = sandbox.cli(*RUN, "--json")
        assert result.code == 6
        assert f"pid {holder.pid}" in result.stderr and result.json["exit_code"] == 6
        assert sandbox.clock.sleeps == [] and sandbox.executions() == []
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_holder_is_taken_over(sandbox: Sandbox) -> None:
    holder = hold_lock(sandbox.state_dir)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 0, result.stderr


def test_status_shows_the_run_its_files_and_rows(sandbox: Sandbox) -> None:
    run = sandbox.cli(*RUN, "--json").json
    status = sandbox.cli("status", "--json")
    assert status.code == 0
    runs = status.json["runs"]
    assert [r["execution_id"] for r in runs] == [run["execution_id"]]
    assert runs[0]["state"] == "downloaded" and runs[0]["status"] == "SUCCEEDED" and runs[0]["rows"] == 4
    assert [f["path"] for f in runs[0]["files"]] == run["files"]
    assert status.json["audiences"] == []
    assert sandbox.cli("status").code == 0


def test_executions_list_status_and_cancel(sandbox: Sandbox) -> None:
    sandbox.app.configure(run_s=3600)
    submitted = sandbox.cli(*RUN, "--no-wait", "--json").json
    execution_id = submitted["execution_id"]
    listed = sandbox.cli("executions", "list", "--json")
    assert [e["workflow_execution_id"] for e in listed.json["executions"]] == [execution_id]
    shown = sandbox.cli("executions", "status", execution_id, "--json")
    assert shown.json["status"] in ("PENDING", "RUNNING")
    cancelled = sandbox.cli("executions", "cancel", execution_id, "--json")
    assert cancelled.code == 0 and cancelled.json["status"] == "CANCELLED"
    resumed = sandbox.cli(*RUN, "--json")
    assert resumed.code == 1 and resumed.json["status"] == "CANCELLED"


def test_download_fetches_a_finished_execution_into_a_folder(sandbox: Sandbox) -> None:
    run = sandbox.cli(*RUN, "--json").json
    out = sandbox.cwd / "copy"
    result = sandbox.cli("download", run["execution_id"], "--out", str(out), "--json")
    assert result.code == 0, result.stderr
    assert assert_intact(out) == 4 == result.json["rows"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["workflow"] == "segmentation" and manifest["execution_id"] == run["execution_id"]


def test_download_without_the_ledger_keeps_the_manifests_sql_sha256(sandbox: Sandbox) -> None:
    """The ledger no longer knows the execution (a new machine, a ledger moved aside): `download` rewrites
    manifest.json with the same sql_sha256 as the run wrote (the SQL AMC ran), not an empty one."""
    run = sandbox.cli(*RUN, "--json").json
    folder = Path(run["files"][0]).parent
    written = json.loads((folder / "manifest.json").read_text())["sql_sha256"]
    assert len(written) == 64
    for path in sandbox.state_dir.glob("ledger.sqlite*"):
        path.unlink()
    result = sandbox.cli("download", run["execution_id"], "--json")
    assert result.code == 0, result.stderr
    assert json.loads((folder / "manifest.json").read_text())["sql_sha256"] == written
    copy = sandbox.cwd / "copy"
    assert sandbox.cli("download", run["execution_id"], "--out", str(copy)).code == 0
    assert json.loads((copy / "manifest.json").read_text())["sql_sha256"] == written


def test_download_of_an_unknown_execution_is_one_line(sandbox: Sandbox) -> None:
    result = sandbox.cli("download", "no-such-execution")
    assert result.code != 0 and "no-such-execution" in failure(result.stderr)


def test_workflows_plan_apply_and_drift(sandbox: Sandbox) -> None:
    """create -> up to date -> changed on AMC by hand = drift (not overwritten) -> apply --force."""
    plan = sandbox.cli("workflows", "plan", "segmentation")
    assert plan.code == 0 and "will be created" in plan.stdout
    assert sandbox.cli("workflows", "apply", "segmentation").code == 0
    assert "up to date" in sandbox.cli("workflows", "plan", "segmentation").stdout
    with open_client(load_config("sandbox")) as client:
        remote = client.workflows.get("amc_cltv.segmentation")
        client.workflows.update(
            Workflow.model_validate({**remote.dump(), "sqlQuery": remote.sql_query + "\n-- edited by hand"})
        )
    drift = sandbox.cli("workflows", "plan", "segmentation")
    assert "drift" in drift.stdout and "-- edited by hand" in drift.stdout
    refused = sandbox.cli("workflows", "apply", "segmentation")
    assert refused.code == 3 and "drift" in refused.stderr
    blocked_run = sandbox.cli(*RUN, "--json")
    assert blocked_run.code == 3 and sandbox.executions() == []
    assert sandbox.cli("workflows", "apply", "segmentation", "--force").code == 0
    assert "up to date" in sandbox.cli("workflows", "plan", "segmentation").stdout


def test_schedule_apply_list_delete(sandbox: Sandbox) -> None:
    applied = sandbox.cli("schedule", "apply", "segmentation", "--weekly", "monday", "--hour-utc", "6")
    assert applied.code == 0, applied.stderr
    assert "week just before it" in applied.stderr and "48-hour data lag" in applied.stderr
    assert "amc-cltv run --workflow segmentation" in applied.stderr
    listed = sandbox.cli("schedule", "list", "--json").json["schedules"]
    assert [(s["workflowId"], s["aggregationPeriod"], s["aggregationStartDay"], s["aggregationHourUtc"])
            for s in listed] == [("amc_cltv.segmentation", "Weekly", "Monday", 6)]  # fmt: skip
    again = sandbox.cli("schedule", "apply", "segmentation", "--daily", "--hour-utc", "7")
    assert again.code == 0 and "updated" in again.stdout and "day just before it" in again.stderr
    assert sandbox.cli("schedule", "delete", "segmentation").code == 0
    assert sandbox.cli("schedule", "list", "--json").json["schedules"] == []
    assert sandbox.cli("schedule", "apply", "segmentation", "--hour-utc", "7").code == 2


def test_run_all_runs_every_profile_and_returns_the_worst_exit_code(
    sandbox: Sandbox, sandbox_data: Path, tmp_path: Path
) -> None:
    """Two sandbox instances in one folder, one with a FAILED execution: one summary, exit 1."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    embedded = (ROOT / "configs" / "sandbox.toml").read_text()
    for name in ("east", "west"):
        folder = tmp_path / name
        folder.mkdir()
        (profiles / f"{name}.toml").write_text(
            embedded.replace('state_dir  = ".amc-cltv"', f'state_dir  = "{folder / ".amc-cltv"}"').replace(
                'output_dir = "results"', f'output_dir = "{folder / "results"}"'
            )
        )
        app = seed_sandbox(folder / ".amc-cltv", sandbox_data)
        sandbox.clock.followers.append(app.clock.advance)
        if name == "west":
            failure = {"kind": "execution_outcome", "match": "workflowExecutions$", "status": "FAILED"}
            app.faults.script([{**failure, "status_reason": "west failed"}])
    result = sandbox.cli(*RUN, "--all", "--config-dir", str(profiles), "--json")
    assert result.code == 1
    runs = {Path(r["profile"]).stem: r for r in result.json["runs"]}
    assert runs["east"]["status"] == "SUCCEEDED" and runs["east"]["exit_code"] == 0
    assert runs["west"]["status"] == "FAILED" and runs["west"]["status_reason"] == "west failed"
    (profiles / "broken.toml").write_text("[amc]\napi_url = 'embedded'\n")  # no instance_id
    again = sandbox.cli(*RUN, "--all", "--config-dir", str(profiles), "--json")
    assert again.code == 2  # the worst of 0 (east, reused), 1 (west) and 2 (broken)
    by_profile = {Path(r["profile"]).stem: r for r in again.json["runs"]}
    assert by_profile["broken"]["exit_code"] == 2 and "instance_id" in by_profile["broken"]["error"]
    assert by_profile["east"]["reused"] is True
    assert (tmp_path / "east" / "results" / "amcsandbox01" / "segmentation").is_dir()


def test_a_full_instance_is_not_submitted_into(sandbox: Sandbox) -> None:
    """Ten executions already running on the instance: --no-wait exits 4 and submits nothing."""
    from amc_cltv.client.models import CreateWorkflowExecution

    sandbox.app.configure(run_s=3600)
    assert sandbox.cli("workflows", "apply", "segmentation").code == 0
    with open_client(load_config("sandbox")) as client:
        for day in range(1, 11):
            client.executions.create(
                CreateWorkflowExecution(
                    workflow_id="amc_cltv.segmentation",
                    time_window_type="EXPLICIT",
                    time_window_start=f"2026-10-{day:02d}T00:00:00",
                    time_window_end=f"2026-10-{day + 1:02d}T00:00:00",
                    require_synthetic_data=True,
                )
            )
    result = sandbox.cli(*RUN, "--no-wait", "--json")
    assert result.code == 4 and "already runs 10 executions" in result.stderr
    assert result.json["execution_id"] is None
    assert len(sandbox.executions()) == 10


def test_workflows_apply_uploads_the_saved_reporting_workflows_of_the_profile(sandbox: Sandbox) -> None:
    """By default: every reporting workflow; never the audience query (it travels with the audience); the
    per-user workflow only on synthetic data, and asking for it by name on real data is exit 2."""
    assert sandbox.cli("workflows", "apply").code == 0
    uploaded = {workflow["workflowId"] for workflow in sandbox.app.store.all("workflow")}
    assert "amc_cltv.customer-labels" in uploaded and "amc_cltv.segmentation" in uploaded
    assert "amc_cltv.high-value-audience" not in uploaded

    real = sandbox.cwd / "real.toml"
    real.write_text(
        (ROOT / "configs" / "sandbox.toml")
        .read_text()
        .replace("synthetic_data = true", "synthetic_data = false")
    )
    plan = sandbox.cli("--config", str(real), "workflows", "plan")
    assert plan.code == 0 and "customer-labels" not in plan.stdout and "segmentation" in plan.stdout
    refused = sandbox.cli("--config", str(real), "workflows", "apply", "customer-labels")
    assert refused.code == 2 and "synthetic data" in refused.stderr

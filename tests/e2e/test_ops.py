"""Operator-facing edges: refusals that used to be silent, finished executions, ids, offline commands."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from amc_cltv.cli import main
from amc_cltv.orchestration.summary import result_table
from amc_cltv.sandbox.serve import make_sandbox_server
from tests.e2e.conftest import ROOT, Sandbox
from tests.e2e.test_run import RUN

pytestmark = pytest.mark.e2e


def test_schedule_apply_refuses_an_audience_query(sandbox: Sandbox) -> None:
    result = sandbox.cli("schedule", "apply", "high-value-audience", "--daily", "--hour-utc", "6")
    assert result.code == 2 and "audience query" in result.stderr
    assert sandbox.app.store.all("schedule") == []


def test_activate_audience_is_refused_after_another_workflow_and_under_all(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    other = sandbox.cli("run", "--workflow", "cltv", "--activate-audience", "--json")
    assert other.code == 2 and "--activate-audience follows a segmentation run" in other.json["error"]
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    every = sandbox.cli("run", "--all", "--config-dir", str(fleet), *RUN[1:], "--activate-audience")
    assert every.code == 2 and "not supported with --all" in every.stderr
    assert sandbox.executions() == []


def test_config_with_all_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    profile = tmp_path / "one.toml"
    profile.write_text('[amc]\ninstance_id = "a"\nadvertiser_id = "b"\nmarketplace_id = "c"\n')
    sandbox.capsys.readouterr()
    code = main(["--config", str(profile), "run", "--all", "--config-dir", str(tmp_path), *RUN[1:]])
    assert code == 2 and "--config is not used with --all" in sandbox.capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_max_wait_must_be_a_finite_number(sandbox: Sandbox, value: str) -> None:
    result = sandbox.cli(*RUN, "--max-wait", value)
    assert result.code == 2 and "--max-wait must be a number of seconds" in result.stderr
    assert sandbox.executions() == []


def test_cancelling_a_finished_execution_says_so(sandbox: Sandbox) -> None:
    done = sandbox.cli(*RUN, "--json").json
    result = sandbox.cli("executions", "cancel", done["execution_id"])
    assert result.code == 0
    assert f"{done['execution_id']}: already finished (SUCCEEDED), nothing to cancel" in result.stdout
    as_json = sandbox.cli("executions", "cancel", done["execution_id"], "--json")
    assert as_json.code == 0 and as_json.json["cancel_requested"] is False
    assert as_json.json["status"] == "SUCCEEDED"


def test_workflows_plan_diff_ends_with_a_newline(sandbox: Sandbox) -> None:
    result = sandbox.cli("workflows", "plan", "segmentation")
    assert result.code == 0 and "+++ local:amc_cltv.segmentation" in result.stdout
    assert result.stdout.endswith("\n") and not result.stdout.endswith("\n\n")


def test_ids_in_the_terminal_table_are_text(tmp_path: Path) -> None:
    csv = tmp_path / "part-1.csv"
    csv.write_text(
        "campaign_id,customer_audience_segment,unique_users_reached,user_conversion_rate\n"
        "5001,High Value Customer,12345,0.5\n"
    )
    columns, rows = result_table([csv], "segment-conversion-rate")
    assert columns[:3] == ["campaign_id", "customer_audience_segment", "unique_users_reached"]
    assert rows == [["5001", "High Value Customer", "12,345", "0.50"]]


def test_offline_commands_need_no_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real profile, no AMC_CLTV_* variables, nothing listening: commands that send nothing still work."""
    profile = tmp_path / "real.toml"
    profile.write_text(
        '[amc]\napi_url = "https://advertising-api.amazon.com"\ninstance_id = "amc1234abcd"\n'
        'advertiser_id = "ENTITY1"\nmarketplace_id = "ATVPDKIKX0DER"\n'
        '[audience]\ndsp_advertiser_id = "5550001234"\n'  # a real profile names its own DSP advertiser
    )
    for args in (
        ["status", "--json"],
        ["run", "--workflow", "segmentation", "--dry-run"],
        ["audience", "activate", "--segment", "high-value", "--dry-run", "--json"],
        ["report", "--out", str(tmp_path / "report.html")],
    ):
        capsys.readouterr()
        code = main(["--config", str(profile), "--log-format", "json", *args])
        err = capsys.readouterr().err
        assert "is not set" not in err, (args, err)
        assert code in (0, 1), (args, code, err)  # 1: report has no results yet; never the secrets' exit 2
    capsys.readouterr()
    assert main(["--config", str(profile), "executions", "list"]) == 2  # this one talks to AMC
    assert "AMC_CLTV_CLIENT_ID is not set" in capsys.readouterr().err


def test_download_out_naming_a_file_is_a_local_fault(sandbox: Sandbox) -> None:
    done = sandbox.cli(*RUN, "--json").json
    target = sandbox.cwd / "copy"
    target.write_text("a file")
    result = sandbox.cli("download", done["execution_id"], "--out", str(target), "--json")
    assert result.code == 7 and str(target) in result.json["error"]
    assert target.read_text() == "a file"


def test_sandbox_generate_out_naming_a_file_is_a_local_fault(sandbox: Sandbox) -> None:
    target = sandbox.cwd / "data"
    target.write_text("a file")
    result = sandbox.cli("sandbox", "generate", "--users", "10", "--out", str(target))
    assert result.code == 7 and f"cannot write the sandbox tables to {target}" in result.stderr


def test_sandbox_serve_logs_no_presigned_url_credentials(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = make_sandbox_server(tmp_path / "sandbox", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            url = f"http://127.0.0.1:{server.server_port}/s3/bucket/part-1.csv"
            httpx.get(url, params={"X-Amz-Credential": "AKIASECRET/x", "X-Amz-Signature": "deadbeef"})
    finally:
        server.shutdown()
        server.server_close()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/s3/bucket/part-1.csv" in logged
    assert "deadbeef" not in logged and "AKIASECRET" not in logged and "X-Amz" not in logged


SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
TIME_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def _walk(value: object, where: str = "") -> list[str]:
    """Every key that is not snake_case and every time that is not RFC 3339 UTC ``Z``."""
    problems = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not SNAKE.match(str(key)):
                problems.append(f"{where}.{key}: not snake_case")
            if key != "request":  # the exact AMC request of a dry run keeps AMC's own names
                problems.extend(_walk(item, f"{where}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(_walk(item, f"{where}[{index}]"))
    elif isinstance(value, str) and TIME_WITH_OFFSET.match(value) and not value.endswith("Z"):
        problems.append(f"{where}: {value} is not UTC with Z")
    return problems


def test_every_json_object_is_snake_case_with_utc_z_times(sandbox: Sandbox) -> None:
    run = sandbox.cli(*RUN, "--json")
    assert run.json["time_window_end"].endswith("T00:00:00Z")
    outputs = [run.json]
    for args in (
        ("status", "--json"),
        ("executions", "list", "--json"),
        ("executions", "status", run.json["execution_id"], "--json"),
        ("audience", "activate", "--segment", "high-value", "--dry-run", "--json"),
        ("audience", "status", "--json"),
    ):
        result = sandbox.cli(*args)
        assert result.code == 0, (args, result.stderr)
        outputs.append(result.json)
    assert [problem for output in outputs for problem in _walk(output)] == []


def test_sandbox_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """SIGTERM is how a server is stopped: exit 0, no "interrupted" line (that is for resumable commands)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", "sandbox", "serve", "--port", "0", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None and "listening on" in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and "interrupted" not in err

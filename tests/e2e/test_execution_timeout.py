"""The timeout every execution is sent with: AMC's 21,600 s by default, the profile's when it sets one; the
sandbox fails an execution that runs past it, and refuses one outside AMC's range."""

from __future__ import annotations

from pathlib import Path

from .conftest import Sandbox


def _profile(sandbox: Sandbox, workflows: str) -> Path:
    """The embedded profile written out with ``workflows`` lines and a slow polling (sandbox time)."""
    from amc_cltv.config import embedded_profile_path

    text = embedded_profile_path().read_text()
    text = text.replace("[workflows]", f"[workflows]\n{workflows}", 1)
    text = text.replace("initial_interval_s = 0.2", "initial_interval_s = 120")
    text = text.replace("max_interval_s     = 2", "max_interval_s     = 300")
    text = text.replace("max_wait_s         = 600", "max_wait_s         = 7200")
    text = text.replace("max_sleep_s        = 12", "max_sleep_s        = 300")
    path = sandbox.cwd / "timeout.toml"
    path.write_text(text)
    return path


def test_a_run_sends_amcs_default_timeout(sandbox: Sandbox) -> None:
    result = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert result.code == 0, result.stderr
    (execution,) = sandbox.executions()
    assert execution["workflowExecutionTimeoutSeconds"] == 21600


def test_a_profiles_timeout_is_sent_and_an_execution_running_past_it_fails(sandbox: Sandbox) -> None:
    sandbox.app.configure(run_s=1000)  # the query runs 1,000 s (sandbox time): past a 900 s limit
    profile = _profile(sandbox, "execution_timeout_s = 900")
    result = sandbox.cli("--config", str(profile), "run", "--workflow", "segmentation", "--json")
    (execution,) = sandbox.executions()
    assert execution["workflowExecutionTimeoutSeconds"] == 900
    assert result.code == 1, result.stderr
    assert result.json["status"] == "FAILED"
    assert "timed out after 900 seconds" in result.json["status_reason"]

"""The public Python API against the embedded sandbox: the README's example, and the submit/wait steps."""

from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import amc_cltv
import amc_cltv.errors
from amc_cltv import clock
from amc_cltv.orchestration.run import plan_run
from tests.e2e.conftest import ROOT, Sandbox

pytestmark = pytest.mark.e2e


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the README's Python API section holds one example"
    return blocks[0]


def test_the_readme_example_runs_as_written(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    """The example's calls, against the embedded sandbox: run, then submit and wait on one execution."""
    exec(compile(_readme_example(), "README.md", "exec"), {})  # our own README's example
    printed = capsys.readouterr().out.split()
    assert printed[:2] == ["SUCCEEDED", "4"] and printed[2].endswith(".csv")
    workflows = sorted(e["workflowId"] for e in sandbox.executions())
    assert len(workflows) == 2 and len(set(workflows)) == 2  # one execution each, none submitted twice


def test_submit_returns_before_amc_finishes_and_wait_follows_the_same_execution(sandbox: Sandbox) -> None:
    """submit_workflow leaves the execution running (status PENDING/RUNNING, nothing downloaded);
    wait_for_workflow with max_wait_s=0 only looks; a longer wait downloads; nothing is sent twice."""
    sandbox.app.configure(queue_s=60, run_s=600)
    submitted = amc_cltv.submit_workflow("sandbox", "segmentation")
    assert submitted.status in ("PENDING", "RUNNING") and submitted.execution_id
    assert submitted.files == [] and submitted.still_running
    assert submitted.ending is amc_cltv.Ending.STILL_RUNNING and not submitted.succeeded
    looked = amc_cltv.wait_for_workflow("sandbox", "segmentation", max_wait_s=0)
    assert looked.execution_id == submitted.execution_id and looked.status in ("PENDING", "RUNNING")
    done = amc_cltv.wait_for_workflow("sandbox", "segmentation", max_wait_s=3600)
    assert (done.execution_id, done.status, done.rows) == (submitted.execution_id, "SUCCEEDED", 4)
    assert all(Path(path).is_file() for path in done.files)
    assert len(sandbox.executions()) == 1
    assert done.raise_for_status() is done


def test_a_failed_run_is_an_outcome_whose_message_names_parameters_not_flags(sandbox: Sandbox) -> None:
    """The library says ``force_rerun``; only the CLI speaks of ``--force-rerun``."""
    sandbox.app.faults.script([{"kind": "execution_outcome", "status": "FAILED", "times": 1}])
    first = amc_cltv.run_workflow("sandbox", "segmentation")
    again = amc_cltv.run_workflow("sandbox", "segmentation")
    assert (first.status, again.status) == ("FAILED", "FAILED")
    assert again.remedy == amc_cltv.errors.Remedy.FORCE_RERUN
    assert again.message is not None and "force_rerun=True" in again.message
    assert "--" not in again.message
    with pytest.raises(amc_cltv.ExecutionFailed):
        again.raise_for_status()
    cli = sandbox.cli("run", "--workflow", "segmentation")
    assert cli.code == 1 and "--force-rerun" in cli.stderr and "force_rerun=True" not in cli.stderr


def _to_half_an_hour_before_midnight(sandbox: Sandbox, time_zone: str) -> None:
    now = clock.current().now().astimezone(ZoneInfo(time_zone))
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    sandbox.clock.sleep((midnight - now).total_seconds() - 1800)


def test_a_wait_resumed_past_a_day_boundary_finishes_the_execution_it_submitted(sandbox: Sandbox) -> None:
    """The default window moves on at the profile's midnight; a follower of the submit's handle does not:
    it looks at, then downloads, the execution that was submitted, and AMC never sees a second one."""
    config = amc_cltv.load_config("sandbox")
    _to_half_an_hour_before_midnight(sandbox, config.amc.time_zone)
    sandbox.app.configure(queue_s=60, run_s=50 * 60)
    submitted = amc_cltv.submit_workflow(config, "segmentation")
    handle = submitted.handle
    assert handle is not None and handle.execution_id == submitted.execution_id
    sandbox.clock.sleep(40 * 60)  # the task is deferred; the day boundary passes
    today = plan_run(config, "segmentation", amc_cltv.RunOptions()).window
    assert today != handle.time_window  # "now" names another run
    looked = amc_cltv.wait_for_workflow(config, handle, max_wait_s=0)
    assert (looked.execution_id, looked.status) == (handle.execution_id, "RUNNING")
    assert looked.time_window == handle.time_window and looked.handle == handle
    done = amc_cltv.wait_for_workflow(config, handle.as_dict(), max_wait_s=3600)
    assert (done.execution_id, done.status, done.rows) == (handle.execution_id, "SUCCEEDED", 4)
    assert done.time_window == handle.time_window
    assert len(sandbox.executions()) == 1


def test_a_follower_without_the_ledger_records_the_execution_from_its_handle(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Another host (an empty ledger) follows the handle: no listing, no submit, the same execution."""
    from amc_cltv.ledger import Ledger

    sandbox.app.configure(queue_s=60, run_s=600)
    handle = amc_cltv.submit_workflow("sandbox", "segmentation").handle
    assert handle is not None
    with Ledger.open(tmp_path / "elsewhere") as elsewhere:
        done = amc_cltv.wait_for_workflow("sandbox", handle.as_dict(), max_wait_s=3600, ledger=elsewhere)
        assert elsewhere.run_by_execution(handle.execution_id) is not None
    assert (done.execution_id, done.status, done.rows) == (handle.execution_id, "SUCCEEDED", 4)
    assert len(sandbox.executions()) == 1


def test_the_async_wait_follows_the_handle_on_the_event_loop(sandbox: Sandbox) -> None:
    """wait_for_workflow_async polls with the async client, then downloads what was submitted."""
    import asyncio

    config = amc_cltv.load_config("sandbox")
    _to_half_an_hour_before_midnight(sandbox, config.amc.time_zone)
    sandbox.app.configure(queue_s=60, run_s=50 * 60)
    handle = amc_cltv.submit_workflow(config, "segmentation").handle
    assert handle is not None
    sandbox.clock.sleep(40 * 60)
    done = asyncio.run(amc_cltv.wait_for_workflow_async(config, handle.as_dict(), max_wait_s=3600))
    assert (done.execution_id, done.status, done.rows) == (handle.execution_id, "SUCCEEDED", 4)
    assert len(sandbox.executions()) == 1


@pytest.mark.parametrize("max_wait_s", [float("nan"), float("inf"), -1.0, "60"])
def test_a_wait_that_is_not_a_finite_number_of_seconds_is_refused_before_any_request(
    sandbox: Sandbox, max_wait_s: object
) -> None:
    """NaN would never end a wait: the API refuses it (as the CLI does) and sends nothing."""
    for call in (amc_cltv.run_workflow, amc_cltv.submit_workflow):
        with pytest.raises(amc_cltv.UsageError, match="max_wait_s"):
            call("sandbox", "segmentation", max_wait_s=max_wait_s)  # type: ignore[arg-type]
    with pytest.raises(amc_cltv.UsageError, match="max_wait_s"):
        amc_cltv.wait_for_workflow("sandbox", "segmentation", max_wait_s=max_wait_s)  # type: ignore[arg-type]
    assert sandbox.executions() == []


def test_a_handle_of_another_instance_or_a_malformed_one_is_refused(sandbox: Sandbox) -> None:
    sandbox.app.configure(queue_s=60, run_s=600)
    handle = amc_cltv.submit_workflow("sandbox", "segmentation").handle
    assert handle is not None
    foreign = {**handle.as_dict(), "instance_id": "amcother"}
    with pytest.raises(amc_cltv.UsageError, match="amcother"):
        amc_cltv.wait_for_workflow("sandbox", foreign)
    broken = {key: value for key, value in handle.as_dict().items() if key != "time_window_end"}
    with pytest.raises(amc_cltv.UsageError, match="time_window_end"):
        amc_cltv.wait_for_workflow("sandbox", broken)
    assert len(sandbox.executions()) == 1


def test_submitting_asks_amc_no_status_its_answer_already_gave(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """submit_workflow returns AMC's answer to the POST: no status GET follows it."""
    sandbox.app.configure(queue_s=60, run_s=600)
    with caplog.at_level(logging.INFO, logger="httpx"):
        submitted = amc_cltv.submit_workflow("sandbox", "segmentation")
    assert submitted.status == "PENDING" and submitted.still_running
    sent = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert any("POST" in line and line.split()[3].endswith("/workflowExecutions") for line in sent)
    assert not [line for line in sent if f"/workflowExecutions/{submitted.execution_id}" in line]


def test_the_sandbox_placeholder_dsp_advertiser_is_refused_on_a_real_profile_before_sending(
    sandbox: Sandbox,
) -> None:
    """A profile on real data that kept the sandbox's dsp_advertiser_id would create an audience for an
    advertiser nobody owns: refused (exit 2, naming the key) and no audience request reaches AMC."""
    real = sandbox.cwd / "real.toml"
    real.write_text(
        (ROOT / "configs" / "sandbox.toml")
        .read_text()
        .replace("synthetic_data = true", "synthetic_data = false")
    )
    refused = sandbox.cli("--config", str(real), "audience", "activate", "--segment", "high-value")
    assert refused.code == 2, refused.stderr
    assert "dsp_advertiser_id" in refused.stderr and "1234567890" in refused.stderr
    assert sandbox.app.store.all("audience") == []
    with pytest.raises(amc_cltv.ConfigError, match="dsp_advertiser_id"):
        amc_cltv.activate_audience(real)


def test_a_remedy_is_said_in_the_callers_words_never_rewritten(sandbox: Sandbox) -> None:
    """The library's StillRunning says ``call again``; the CLI's line says its command; neither is made
    by replacing words in the other's message (the error carries what happened and a typed remedy)."""
    sandbox.app.configure(queue_s=60, run_s=600)
    with pytest.raises(amc_cltv.StillRunning) as raised:
        amc_cltv.run_workflow("sandbox", "segmentation", max_wait_s=0).raise_for_status()
    assert raised.value.remedy == amc_cltv.errors.Remedy.RESUME
    assert str(raised.value).endswith("; call again to resume")
    assert "call again" not in raised.value.message
    cli = sandbox.cli("run", "--workflow", "segmentation", "--max-wait", "0")
    assert cli.code == 4 and "run the same command again to resume" in cli.stderr
    assert "call again" not in cli.stderr


REAL_PROFILE = (
    '[amc]\napi_url = "https://advertising-api.amazon.com"\ninstance_id = "amc1234abcd"\n'
    'advertiser_id = "ENTITY1"\nmarketplace_id = "ATVPDKIKX0DER"\n'
    '[audience]\ndsp_advertiser_id = "5550001234"\n'
)


def test_a_session_opens_only_what_is_used(tmp_path: Path) -> None:
    """A real profile and no secret in the environment: the ledger opens, the client names the variable;
    neither is opened before it is asked for (as ``status`` and ``executions list`` need)."""
    profile = tmp_path / "real.toml"
    profile.write_text(REAL_PROFILE)
    with amc_cltv.open_session(profile) as session:
        assert isinstance(session, amc_cltv.Session) and session.config.instance_id == "amc1234abcd"
        assert not session.config.state_dir.exists()
        assert session.ledger.runs(instance_id="amc1234abcd", limit=1) == []
        assert (session.config.state_dir / "ledger.sqlite").is_file()
        with pytest.raises(amc_cltv.ConfigError, match="AMC_CLTV_CLIENT_ID is not set"):
            session.client  # noqa: B018


def test_an_audience_dry_run_needs_no_secret_from_the_library_as_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI's --dry-run and the library's dry_run=True open the same offline session: the request that
    would be sent, nothing sent, no secret asked for."""
    from amc_cltv.cli import main

    profile = tmp_path / "real.toml"
    profile.write_text(REAL_PROFILE)
    outcome = amc_cltv.activate_audience(profile, dry_run=True)
    assert outcome.request is not None and outcome.request["method"] == "POST"
    code = main(["--config", str(profile), "audience", "activate", "--dry-run", "--json"])
    assert code == 0 and '"exit_code": 0' in capsys.readouterr().out

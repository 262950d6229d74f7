"""What the on-call operator reads: failures as JSON under cron, verbosity that adds detail, a ledger that
says what the logs say, and the terminal's progress and summary lines."""

from __future__ import annotations

import io
import json
import re
import signal
from datetime import UTC, datetime

import pytest

from amc_cltv.errors import Interrupted
from tests.e2e.conftest import Sandbox
from tests.e2e.test_around_run import hold_lock
from tests.e2e.test_run import RUN
from tests.stderr import failure

pytestmark = pytest.mark.e2e


def json_lines(stderr: str) -> list[dict[str, object]]:
    """Every line of ``stderr``, each parsed as one JSON object (fails on a plain-text line)."""
    return [json.loads(line) for line in stderr.splitlines()]


def assert_failure_event(stderr: str, code: int) -> dict[str, object]:
    """Every line on stderr is JSON, and the last is the failure, with its exit code and message."""
    events = json_lines(stderr)
    last = events[-1]
    assert last["event"] == "command_failed" and last["level"] == "error" and last["exit_code"] == code
    assert "amc-cltv: error" not in stderr
    return last


def test_a_usage_error_under_json_logs_is_one_json_event(sandbox: Sandbox) -> None:
    """Exit 2 (a window too far back): the error is a JSON line a cron log can parse with jq."""
    result = sandbox.cli(*RUN, "--window-days", "900")
    assert result.code == 2
    event = assert_failure_event(result.stderr, 2)
    assert "13 months" in str(event["message"]) and failure(result.stderr) == event["message"]


def test_amc_unavailable_under_json_logs_is_one_json_event(sandbox: Sandbox) -> None:
    """Exit 5 (every status call 503 beyond the retry budget)."""
    sandbox.faults({"kind": "status", "status": 503, "match": "^GET .*/workflowExecutions/", "times": 0})
    result = sandbox.cli(*RUN)
    assert result.code == 5
    assert_failure_event(result.stderr, 5)


def test_a_held_lock_under_json_logs_is_one_json_event(sandbox: Sandbox) -> None:
    """Exit 6: the holder's pid is in the JSON event's message."""
    holder = hold_lock(sandbox.state_dir)
    try:
        result = sandbox.cli(*RUN)
    finally:
        holder.kill()
        holder.wait()
    assert result.code == 6
    assert f"pid {holder.pid}" in str(assert_failure_event(result.stderr, 6)["message"])


def test_a_local_fault_under_json_logs_is_one_json_event(sandbox: Sandbox) -> None:
    """Exit 7: results cannot be written (a file where the folder should be)."""
    (sandbox.cwd / "results").write_text("not a folder")
    result = sandbox.cli(*RUN)
    assert result.code == 7
    assert "is a file, not a folder" in str(assert_failure_event(result.stderr, 7)["message"])


def test_a_failure_on_a_console_log_is_one_plain_line(sandbox: Sandbox) -> None:
    """--log-format console keeps the one readable line."""
    result = sandbox.cli("--log-format", "console", *RUN, "--window-days", "900")
    assert result.code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("amc-cltv: error: ")


def test_verbose_adds_every_http_exchange(sandbox: Sandbox) -> None:
    """-v: one ``http_request`` event per HTTP exchange (from httpx), each a JSON line; none without -v."""
    quiet = sandbox.cli(*RUN)
    assert quiet.code == 0 and not quiet.events("http_request")
    verbose = sandbox.cli("-v", *RUN, "--force-rerun")
    requests = verbose.events("http_request")
    assert verbose.code == 0 and requests and {e["logger"] for e in requests} == {"httpx"}
    assert any("POST" in str(e["message"]) and "workflowExecutions" in str(e["message"]) for e in requests)


def test_very_verbose_adds_the_connection_events_without_a_credential(served: Sandbox) -> None:
    """-vv over the network: httpcore's connection events too; pre-signed URLs keep no credential."""
    result = served.cli("-vv", *RUN)
    assert result.code == 0, result.stderr
    assert {str(e["logger"]).split(".")[0] for e in result.events("http_request")} == {"httpx", "httpcore"}
    assert "X-Amz-Signature=" in result.stderr and "X-Amz-Signature=***" in result.stderr
    assert not re.search(r"X-Amz-Signature=(?!\*\*\*)", result.stderr)


def test_the_ledger_says_running_as_soon_as_the_logs_do(sandbox: Sandbox) -> None:
    """Interrupted while AMC says RUNNING: the --json object and `status` say RUNNING, as the last
    execution_status log event does (not the PENDING of the submit)."""
    sandbox.app.configure(queue_s=1, run_s=3600)
    looks = []

    def interrupt_once_running(seconds: float) -> None:
        looks.append(seconds)
        if len(looks) == 3:
            raise Interrupted(signal.SIGTERM)

    sandbox.clock.followers.append(interrupt_once_running)
    result = sandbox.cli(*RUN, "--json")
    assert result.code == 143
    logged = [e["status"] for e in result.events("execution_status")]
    assert logged[-1] == "RUNNING" and result.json["status"] == "RUNNING"
    sandbox.clock.followers.clear()
    status = sandbox.cli("status", "--json")
    assert status.code == 0
    (run,) = [r for r in status.json["runs"] if r["execution_id"] == result.json["execution_id"]]
    assert run["status"] == "RUNNING"


def test_the_polling_line_says_the_bound_as_run_json_does() -> None:
    """A 0.2 s bound prints as 0.2 s, the figure of run --json, not "0 s"."""
    from amc_cltv.cli.run import polling_line

    class Outcome:
        status_calls = 3
        detection_delay_bound_s = 0.2

    assert polling_line(Outcome()) == "polling: 3 status call(s), end noticed within 0.2 s"  # type: ignore[arg-type]


def test_the_progress_line_says_resumed_for_a_run_it_did_not_submit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reused or resumed execution is not announced as "submitted"."""
    from rich.console import Console

    from amc_cltv.cli import common
    from amc_cltv.cli.run import _Progress

    monkeypatch.setattr(
        common, "stderr_console", lambda: Console(file=io.StringIO(), force_terminal=True, width=100)
    )
    common.reset_invocation()
    progress = _Progress("segmentation", interactive=True)
    try:
        assert progress.status is not None
        progress("submitted", {"execution_id": "e1", "status": "RUNNING", "reused": True})
        assert str(progress.status.renderable.text) == "segmentation e1: resumed"
        progress("submitted", {"execution_id": "e2", "status": "PENDING", "reused": False})
        assert str(progress.status.renderable.text) == "segmentation e2: submitted"
    finally:
        progress.stop()


def test_log_lines_follow_the_stderr_a_live_progress_line_redirects(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich shows the progress line by redirecting sys.stderr; a log line written while it shows must go
    through that redirect (printed above the line), not to the stderr of configuration time (over it)."""
    import sys

    from amc_cltv.log import configure_logging, get_logger

    configured_with = io.StringIO()
    monkeypatch.setattr(sys, "stderr", configured_with)
    configure_logging("json")
    redirected = io.StringIO()
    monkeypatch.setattr(sys, "stderr", redirected)
    get_logger("amc_cltv.test").info("while_the_progress_line_shows", at=datetime.now(UTC).isoformat())
    assert configured_with.getvalue() == ""
    assert json.loads(redirected.getvalue())["event"] == "while_the_progress_line_shows"


@pytest.mark.parametrize("width", [80, 120, 160])
def test_tables_never_cut_an_execution_id(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """`status` and `executions list` at 80 to 160 columns: every execution id whole (the one `cancel`,
    `status` and `download` take), the columns that did not fit named below the table."""
    import sys

    from rich.console import Console

    from amc_cltv.cli import common

    first = sandbox.cli(*RUN, "--json").json["execution_id"]
    second = sandbox.cli(*RUN, "--json", "--force-rerun").json["execution_id"]
    monkeypatch.setattr(common, "stdout_console", lambda: Console(file=sys.stdout, width=width))
    for command in (("status",), ("executions", "list")):
        result = sandbox.cli(*command)
        assert result.code == 0, result.stderr
        assert first in result.stdout and second in result.stdout, (command, result.stdout)
        assert "…" not in result.stdout
        assert max(len(line) for line in result.stdout.splitlines()) <= width

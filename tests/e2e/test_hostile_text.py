"""AMC's text and result data shown as text by the real CLI over the sandbox: no markup read, terminal
escapes shown escaped, secrets redacted in `--json` too."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox
from tests.e2e.test_run import RUN

pytestmark = pytest.mark.e2e

HOSTILE = "[/bold] \x1b[31mred\x1b[0m <a href=https://evil.example>x</a> Bearer Atza|leaked-access-token"


def _set_status_reason(sandbox: Sandbox, execution_id: str, reason: str) -> None:
    doc = sandbox.app.store.get("execution", execution_id)
    assert doc is not None
    doc["statusReason"] = reason
    sandbox.app.store.put("execution", execution_id, doc)


def test_executions_list_shows_hostile_text_as_text(sandbox: Sandbox) -> None:
    """`[/bold]` made `executions list` fail with MarkupError (exit 5); an escape reached the terminal."""
    done = sandbox.cli(*RUN, "--json").json
    doc = sandbox.app.store.get("execution", done["execution_id"])
    assert doc is not None
    doc.update(workflowId="[/bold]\x1b[31mw", statusReason=HOSTILE)
    sandbox.app.store.put("execution", done["execution_id"], doc)
    result = sandbox.cli("executions", "list")
    assert result.code == 0, result.stderr
    assert "[/bold]\\x1b[31mw" in result.stdout and "\x1b" not in result.stdout
    status = sandbox.cli("executions", "status", done["execution_id"])
    assert status.code == 0, status.stderr
    assert "[/bold] \\x1b[31mred" in status.stdout and "\x1b" not in status.stdout
    assert "leaked-access-token" not in status.stdout


def test_executions_list_json_redacts_the_status_reason(sandbox: Sandbox) -> None:
    """The ledger stored it redacted; `--json` printed AMC's text as it came."""
    done = sandbox.cli(*RUN, "--json").json
    _set_status_reason(sandbox, done["execution_id"], HOSTILE)
    result = sandbox.cli("executions", "list", "--json")
    assert result.code == 0, result.stderr
    assert "leaked-access-token" not in result.stdout
    (row,) = [e for e in result.json["executions"] if e["workflow_execution_id"] == done["execution_id"]]
    assert row["status_reason"].startswith("[/bold] \x1b[31mred")  # JSON keeps the text, escaped by JSON


def test_a_result_cell_with_markup_and_escapes_is_printed_as_text(sandbox: Sandbox) -> None:
    """A `[/bold]` cell in the CSV made `run` exit 5 after a successful download."""
    sandbox.app.configure(run_s=600)  # still running at the one look, however slow the machine
    first = sandbox.cli(*RUN, "--no-wait", "--json")
    assert first.code == 4, first.stderr
    execution_id = first.json["execution_id"]
    sandbox.app.clock.advance(3600)
    sandbox.app.tick()
    part = sandbox.state_dir / "sandbox" / "results" / execution_id / "part-1.csv"
    rows = list(csv.reader(io.StringIO(part.read_text())))
    rows[1][0] = "[/bold]\x1b[2J<b>x</b>"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    part.write_text(out.getvalue())
    result = sandbox.cli(*RUN)
    assert result.code == 0, result.stderr
    assert "[/bold]" in result.stdout and "\\x1b[2J" in result.stdout
    assert "\x1b" not in result.stdout


def test_an_error_quoting_amc_stays_one_line_without_escapes(sandbox: Sandbox, tmp_path: Path) -> None:
    """A FAILED execution's reason with a line break and an escape: one stderr line, escaped."""
    sandbox.app.faults.script([])
    done = sandbox.cli(*RUN, "--json").json
    doc = sandbox.app.store.get("execution", done["execution_id"])
    assert doc is not None
    doc.update(status="FAILED", statusReason="line one\nforged: ok\x1b[1m")
    sandbox.app.store.put("execution", done["execution_id"], doc)
    result = sandbox.cli("download", done["execution_id"])
    assert result.code == 1
    assert "\x1b" not in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("forged")]
    (failed,) = result.events("command_failed")
    assert "line one\\x0aforged: ok\\x1b[1m" in failed["message"]

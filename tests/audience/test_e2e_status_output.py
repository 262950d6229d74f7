"""``audience status`` as an operator reads it on an 80-column terminal: per audience the name and the plain
state first, then AMC's status, the size and when DSP can use it. The real CLI against the embedded
sandbox, with linked clocks."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.audience.sandbox_fixtures import Workspace

pytestmark = pytest.mark.e2e

HOUR = 3600.0
COLUMNS = 80


def _status_blocks(workspace: Workspace) -> dict[str, list[str]]:
    """``audience status`` (human), split into one block of lines per audience, keyed by audience name."""
    code, out, _ = workspace.cli("audience", "status")
    assert code == 0
    assert all(len(line) <= COLUMNS for line in out.splitlines()), out
    blocks = [block.splitlines() for block in out.strip().split("\n\n")]
    return {block[0].split(": ", 1)[0]: block for block in blocks}


def _utc(value: object) -> str:
    return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")


def test_rotation_reads_pending_lag_until_then_retired_then_usable_now(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within 80 columns: the new audience is 'pending lag until' its usable_in_dsp_at, the old one
    'retired'; each with AMC's status, user count and DSP time; once the lag passes, 'usable now'."""
    monkeypatch.setenv("COLUMNS", str(COLUMNS))
    old_rules = workspace.profile("old.toml", workflows="shopping_insights = true")
    new_rules = workspace.profile("new.toml", workflows="shopping_insights = false")
    assert workspace.cli_json("--config", old_rules, "audience", "activate")[0] == 0
    workspace.clock.advance(48 * HOUR)
    code, new = workspace.cli_json("--config", new_rules, "audience", "activate")
    assert code == 0 and new["retired"], new
    (old_name,) = new["retired"]

    blocks = _status_blocks(workspace)
    assert list(blocks) == [new["name"], old_name]
    pending = blocks[new["name"]]
    assert pending[0] == f"{new['name']}: pending lag until {_utc(new['usable_in_dsp_at'])}"
    assert pending[1] == (
        f"  AMC: SUCCEEDED, {new['audience_count']:,} users; DSP: usable from {_utc(new['usable_in_dsp_at'])}"
    )
    assert pending[2].startswith(f"  id {new['audience_execution_id']}, created ")
    assert blocks[old_name][0] == f"{old_name}: retired (in DSP until its replacement is usable)"

    workspace.clock.advance(48 * HOUR)
    assert workspace.cli("--config", new_rules, "audience", "activate")[0] == 0  # deletes the old one
    (usable,) = _status_blocks(workspace).values()
    assert usable[0] == f"{new['name']}: usable now"


def test_failed_reads_failed_with_amc_reason_wrapped_to_the_terminal(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAILED audience: 'failed: ' and AMC's reason, wrapped within 80 columns; DSP never gets it."""
    monkeypatch.setenv("COLUMNS", str(COLUMNS))
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
    assert workspace.cli("audience", "activate")[0] == 1
    ((name, block),) = _status_blocks(workspace).items()
    text = " ".join(line.strip() for line in block)
    assert text.startswith(f"{name}: failed: {reason}")
    assert len(block[0]) <= COLUMNS < len(f"{name}: failed: {reason}")
    assert "AMC: FAILED" in text and "DSP: not until AMC reports SUCCEEDED" in text

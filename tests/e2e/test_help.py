"""Every command of the nightly job and around it has help text with an example."""

from __future__ import annotations

import pytest

from amc_cltv.cli import main

COMMANDS = [
    ["run"],
    ["executions"],
    ["executions", "list"],
    ["executions", "status"],
    ["executions", "cancel"],
    ["download"],
    ["status"],
    ["schedule"],
    ["schedule", "list"],
    ["schedule", "apply"],
    ["schedule", "delete"],
    ["workflows", "plan"],
    ["workflows", "apply"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_an_example(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Example: amc-cltv " in text

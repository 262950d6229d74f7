"""The audience commands explain themselves: help text with an example for the group and each command."""

from __future__ import annotations

import pytest

from amc_cltv.cli import main


@pytest.mark.parametrize("command", [(), ("activate",), ("status",)])
def test_every_audience_command_has_help_with_an_example(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """``amc-cltv audience [COMMAND] --help`` exits 0 and shows an ``Example: amc-cltv audience ...`` line."""
    assert main(["audience", *command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example: amc-cltv audience" in out

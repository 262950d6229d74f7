"""The CLI is self-checking: every command, found by walking the whole command tree, has help with an
example, and bad flags are one clear line with exit code 2."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from amc_cltv.cli import app, main


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under ``command`` (groups and leaves)."""
    found = [path] if path else []
    for name, child in sorted(getattr(command, "commands", {}).items()):
        found.extend(walk(child, (*path, name)))
    return found


COMMANDS = walk(typer.main.get_command(app))


def test_the_tree_holds_every_contract_command() -> None:
    expected = {
        ("run",), ("workflows", "list"), ("workflows", "show"), ("workflows", "plan"), ("workflows", "apply"),
        ("executions", "list"), ("executions", "status"), ("executions", "cancel"), ("download",),
        ("audience", "activate"), ("audience", "status"), ("schedule", "list"), ("schedule", "apply"),
        ("schedule", "delete"), ("instances", "list"), ("status",), ("report",), ("sandbox", "serve"),
        ("sandbox", "generate"),
    }  # fmt: skip
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Example: amc-cltv " in text or "Examples:" in text, text


@pytest.mark.parametrize(
    "args", [["run", "--bogus"], ["--nope", "status"], ["audience", "activate", "--segment"]]
)
def test_a_wrong_flag_is_a_short_usage_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Error" in err and len(err.strip().splitlines()) <= 4

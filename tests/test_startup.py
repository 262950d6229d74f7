"""Start-up stays cheap: ``--help`` of every command, ``--version`` and ``import amc_cltv`` load no heavy
library (what it costs is measured by ``bench/startup_bench.py``, not here: no test is timed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from amc_cltv.cli import app, main

# What the commands need only once they run: validation models, terminal rendering, logging, the HTTP
# client, the ledger, the SQL engine, the sandbox's server, plotting.
HEAVY = (
    "pydantic",
    "rich",
    "structlog",
    "httpx",
    "tenacity",
    "sqlite3",
    "duckdb",
    "werkzeug",
    "filelock",
    "plotly",
    "asyncio",
    "ssl",
    "amc_cltv.config",
    "amc_cltv.client",
    "amc_cltv.ledger",
    "amc_cltv.workflows",
    "amc_cltv.sandbox",
    "amc_cltv.report",
)

# Runs in a fresh interpreter: imports the package, then the CLI, then asks every command for its help,
# and reports after each step which heavy modules are loaded.
PROBE = """
import contextlib, io, json, sys
heavy = json.loads(sys.argv[1])
loaded = lambda: sorted(name for name in heavy if name in sys.modules)
report = {}
import amc_cltv
report["import amc_cltv"] = loaded()
from amc_cltv.cli import main
report["import amc_cltv.cli"] = loaded()
for argv in json.loads(sys.argv[2]):
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    report[" ".join(argv)] = loaded() if code == 0 else [f"exit code {code}"]
print(json.dumps(report))
"""


def command_paths() -> list[list[str]]:
    """Every command and group of the CLI, as argument lists (``[]`` is the top level)."""
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        subcommands = getattr(command, "commands", {})
        for name in sorted(subcommands):
            walk(subcommands[name], [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_help_and_version_import_no_heavy_library() -> None:
    """Each step loads none of HEAVY: ``import amc_cltv`` (lazy exports), the CLI, every ``--help``."""
    argvs = [[*path, "--help"] for path in command_paths()] + [["--version"]]
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), json.dumps(argvs)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(probe.stdout)
    assert len(report) == len(argvs) + 2
    loaded = {step: modules for step, modules in report.items() if modules}
    assert not loaded, f"start-up imports what only running commands need: {loaded}"


@pytest.mark.parametrize("path", command_paths(), ids=lambda path: " ".join(path) or "top level")
def test_subcommand_help_is_typers_own(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """The help printed without parsing the global options is exactly what typer prints after parsing them."""
    argv = ["-v", "--config", "profile.toml", *path, "--help"]
    with pytest.raises(SystemExit) as typer_exit:
        app(args=argv, prog_name="amc-cltv")  # typer's own path: the global options parsed first
    assert typer_exit.value.code == 0
    expected = capsys.readouterr().out
    assert expected.startswith(" ".join(["Usage: amc-cltv", *path, "["]))
    assert main(argv) == 0
    assert capsys.readouterr().out == expected

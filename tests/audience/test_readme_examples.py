"""The README's examples, run: every ``amc-cltv`` line of its shell and cron blocks, in order, and its library
example, against the embedded sandbox. A reader who copies one gets what the README says, not an error.
(Here, beside the audience tests: their data set is large enough for AMC's 2,000-user audience minimum.)

The shell expands each line (so ``$(date …)`` is evaluated as a reader's shell would, on today's date); a
real instance's profile (``--config configs/….toml``) is replaced by the embedded sandbox, and the cron
job's folder of profiles by two embedded ones. Lines that are not ``amc-cltv`` commands (``make``, ``pip``,
``export``) and the Airflow block (Airflow lives in its own environment) are not run here.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.audience.sandbox_fixtures import Workspace
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

README = ROOT / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_REAL_PROFILE = re.compile(r"--config\s+configs/[\w.-]+\.toml\s*")


def blocks(kind: str) -> list[str]:
    """The README's fenced blocks of one kind (``sh``, ``cron``, ``python``), in order."""
    return [body for info, body in _FENCE.findall(README.read_text()) if info == kind]


def command_lines() -> list[str]:
    """Every ``amc-cltv`` invocation of the shell and cron blocks, in the README's order, continuation
    lines joined and output redirections dropped."""
    found = []
    for info, body in _FENCE.findall(README.read_text()):
        if info not in ("sh", "cron"):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            match = re.search(r"(?:^|\s|bin/)amc-cltv (.*)$", line)
            if match and not line.lstrip().startswith("#"):
                found.append(re.split(r"\s+2?>>", match.group(1))[0])
    return found


def expand(arguments: str) -> list[str]:
    """The arguments as the reader's shell would pass them (substitutions run, quotes and comments gone)."""
    done = subprocess.run(
        ["bash", "-c", f'printf "%s\\0" {arguments}'], capture_output=True, text=True, check=True
    )
    return done.stdout.split("\0")[:-1]


def test_the_readme_has_the_examples_this_test_runs() -> None:
    """The parser finds the examples (so the test below cannot pass by running nothing)."""
    lines = command_lines()
    assert len(lines) >= 12, lines
    assert any("customer-labels --window-end" in line for line in lines)
    assert any(line.startswith("run --all") or " run --all" in line for line in lines)
    assert blocks("python")


def test_every_readme_command_runs_on_the_embedded_sandbox(workspace: Workspace) -> None:
    """Each line exits 0, in the README's order (the report before any run included)."""
    nightly = workspace.folder / "configs" / "nightly"
    nightly.mkdir(parents=True)
    embedded = (ROOT / "configs" / "sandbox.toml").read_text()
    for number in (1, 2):
        instance = f"amcsandbox{number:02d}"
        profile = embedded.replace('"amcsandbox01"', f'"{instance}"')
        state_dir = workspace.folder / ".amc-cltv"
        (nightly / f"{instance}.toml").write_text(
            profile.replace('state_dir  = ".amc-cltv"', f'state_dir  = "{state_dir}"')
        )
    workspace.sandbox.configure(instances=2)
    for line in command_lines():
        code, out, err = workspace.cli(*expand(_REAL_PROFILE.sub("", line)))
        assert code == 0, f"README: amc-cltv {line}\n{out}\n{err}"


def test_the_readme_library_example_runs(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    """The Python example, as written, against the embedded sandbox (``load_config("sandbox")``)."""
    (example,) = [body for body in blocks("python") if "run_workflow" in body]
    exec(compile(example, str(README), "exec"), {})
    assert "SUCCEEDED" in capsys.readouterr().out

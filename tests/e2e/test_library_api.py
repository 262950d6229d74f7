"""The public Python API against the embedded sandbox: the README's example, and the submit/wait steps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import amc_cltv
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
    submitted = amc_cltv.submit_workflow(None, "segmentation")
    assert submitted.status in ("PENDING", "RUNNING") and submitted.execution_id
    assert submitted.files == [] and submitted.exit_code == 4
    looked = amc_cltv.wait_for_workflow(None, "segmentation", max_wait_s=0)
    assert looked.execution_id == submitted.execution_id and looked.status in ("PENDING", "RUNNING")
    done = amc_cltv.wait_for_workflow(None, "segmentation", max_wait_s=3600)
    assert (done.execution_id, done.status, done.rows) == (submitted.execution_id, "SUCCEEDED", 4)
    assert all(Path(path).is_file() for path in done.files)
    assert len(sandbox.executions()) == 1
    assert done.raise_for_status() is done


def test_a_failed_run_is_an_outcome_whose_message_names_parameters_not_flags(sandbox: Sandbox) -> None:
    """The library says ``force_rerun``; only the CLI speaks of ``--force-rerun``."""
    sandbox.app.faults.script([{"kind": "execution_outcome", "status": "FAILED", "times": 1}])
    first = amc_cltv.run_workflow(None, "segmentation")
    again = amc_cltv.run_workflow(None, "segmentation")
    assert (first.status, again.status) == ("FAILED", "FAILED")
    assert again.message is not None and "force_rerun=True" in again.message
    assert "--" not in again.message
    with pytest.raises(amc_cltv.ExecutionFailed):
        again.raise_for_status()
    cli = sandbox.cli("run", "--workflow", "segmentation")
    assert cli.code == 1 and "--force-rerun" in cli.stderr and "force_rerun=True" not in cli.stderr

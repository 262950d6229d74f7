"""AMC's rejection of one execution too many over the same data and days: the run ends REJECTED (exit 1) and
says what it means and what to do, in the CLI's words."""

from __future__ import annotations

from amc_cltv.workflows.rejections import likely_cause

from .conftest import Sandbox

AMC_SAYS = (
    'Execution "X" of workflow "Y" could not be run because too many workflows have already been run against '
    "the same input data sources in the same or overlapping time windows."
)


def test_the_overlap_rejection_is_explained_whatever_the_query_reads() -> None:
    for sql in ("SELECT 1 FROM conversions_all", "SELECT 1 FROM dsp_impressions"):
        cause = likely_cause(AMC_SAYS, sql)
        assert cause is not None and cause.startswith("AMC's privacy guard")
        assert "no forced rerun" in cause and "does not overlap" in cause


def test_a_forced_rerun_over_the_same_window_is_rejected_and_explained(sandbox: Sandbox) -> None:
    first = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert first.code == 0, first.stderr
    sandbox.app.configure(overlap_limit=1)
    again = sandbox.cli("run", "--workflow", "segmentation", "--force-rerun", "--json")
    assert again.code == 1, again.stderr
    assert again.json["status"] == "REJECTED"
    assert "overlapping time windows" in again.json["status_reason"]
    assert "AMC's privacy guard" in again.stderr
    assert "(no forced rerun)" in again.stderr and "force_rerun=True" not in again.stderr
    assert f"execution {first.json['execution_id']} holds this window's result" in again.stderr
    assert "run again with --force-rerun" not in again.stderr


def test_the_overlap_rejection_as_the_answer_to_the_post_is_exit_1_and_explained(sandbox: Sandbox) -> None:
    """AMC does not say whether the guard answers the POST or rejects the execution: as a 400 on the POST it
    is an AMC rejection (exit 1) with the same explanation, not a usage error."""
    sandbox.faults(
        {"kind": "status", "status": 400, "details": AMC_SAYS, "match": "^POST .*/workflowExecutions$"}
    )
    refused = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert refused.code == 1, refused.stderr
    assert refused.json["exit_code"] == 1
    assert "AMC's privacy guard" in refused.json["error"] and "(no forced rerun)" in refused.json["error"]

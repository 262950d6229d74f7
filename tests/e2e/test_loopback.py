"""``amc-cltv run`` over a real socket: a ``sandbox serve`` process on loopback, a profile pointing at it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Sandbox
from tests.e2e.test_run import EXECUTION_POST, RUN, assert_intact

pytestmark = pytest.mark.e2e


def test_happy_path_over_loopback(served: Sandbox) -> None:
    result = served.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    assert result.json["status"] == "SUCCEEDED" and result.json["rows"] == 4
    assert len(served.executions()) == 1
    folder = served.cwd / "results" / "amcsandbox01" / "segmentation" / result.json["execution_id"]
    assert assert_intact(folder) == 4
    again = served.cli(*RUN, "--json")
    assert again.code == 0 and again.json["reused"] is True and len(served.executions()) == 1


def test_a_connection_dropped_after_the_execution_post_leaves_exactly_one_execution(served: Sandbox) -> None:
    """The server creates the execution, then closes the socket unanswered: reconciled, adopted, no POST."""
    served.faults({"kind": "drop", "match": EXECUTION_POST, "times": 1})
    result = served.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    executions = served.executions()
    assert len(executions) == 1
    assert result.json["execution_id"] == executions[0]["workflowExecutionId"]
    assert result.events("submit_ambiguous") and result.events("execution_adopted")


def test_a_dropped_download_over_loopback_is_fetched_again(served: Sandbox) -> None:
    served.faults({"kind": "truncate", "match": "^GET /s3/", "times": 1})
    result = served.cli(*RUN, "--json")
    assert result.code == 0, result.stderr
    assert (
        assert_intact(served.cwd / "results" / "amcsandbox01" / "segmentation" / result.json["execution_id"])
        == 4
    )

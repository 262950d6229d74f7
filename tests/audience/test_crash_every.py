"""``kill -9`` of a real ``amc-cltv audience activate --segment all`` after AMC created the second segment's
audience but before the ledger recorded its id: the next run adopts it and creates no duplicate."""

from __future__ import annotations

import pytest

from amc_cltv.audience.rules import SEGMENTS
from tests.audience.sandbox_fixtures import Workspace
from tests.audience.test_crash import _audience_rows, kill_once_amc_has_it

pytestmark = [pytest.mark.crash, pytest.mark.e2e]


def test_kill_during_all_leaves_no_duplicate_audience(workspace: Workspace) -> None:
    """Every audience POST is held in the sandbox, so the test can take the ledger's write lock once the
    first audience is recorded and the second one's intent written: AMC then creates the second audience but
    the process cannot record its id, and is killed there. The next ``all`` adopts that audience, creates the
    other two, and AMC holds exactly one audience per segment."""
    ledger = workspace.folder / ".amc-cltv" / "ledger.sqlite"
    workspace.sandbox.faults.script(
        [{"kind": "latency", "seconds": 1, "match": "^POST /amc/audiences/query$", "times": 0}]
    )
    kill_once_amc_has_it(
        workspace,
        ["audience", "activate", "--segment", "all"],
        intent=lambda rows: [state for state, _ in rows] == ["created", "creating"],
        audiences_on_amc=2,
    )
    assert [aid is None for _, aid in _audience_rows(ledger)] == [False, True]

    second = {a.audience_name: a.audience_execution_id for a in workspace.amc_audiences()}
    workspace.sandbox.faults.clear()
    code, rerun = workspace.cli_json("audience", "activate", "--segment", "all")
    assert code == 0, rerun
    assert rerun["activated"] == list(SEGMENTS)
    by_segment = {entry["segment"]: entry for entry in rerun["segments"]}
    for name, audience_execution_id in second.items():
        (entry,) = [e for e in by_segment.values() if e["name"] == name]
        assert entry["audience_execution_id"] == audience_execution_id and entry["action"] == "reused"
    on_amc = [a.audience_name for a in workspace.amc_audiences()]
    assert len(on_amc) == len(set(on_amc)) == len(SEGMENTS)
    assert all(state == "created" and aid for state, aid in _audience_rows(ledger))

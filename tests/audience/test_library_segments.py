"""The same jobs through the public Python API, against the embedded sandbox: every segment, a lookalike,
one segment without waiting (then followed), and the manifest written to a file."""

from __future__ import annotations

import json

import pytest

import amc_cltv
from amc_cltv.audience.rules import SEGMENTS
from tests.audience.sandbox_fixtures import Workspace

pytestmark = pytest.mark.e2e


def test_the_python_api_activates_every_segment_a_lookalike_and_writes_the_manifest(
    workspace: Workspace,
) -> None:
    every = amc_cltv.activate_all_audiences("sandbox")
    assert every.failed == [] and not every.all_skipped
    assert [e.segment for e in every.segments] == list(SEGMENTS)
    assert all(e.outcome is not None and e.outcome.audience is not None for e in every.segments)

    lookalike = amc_cltv.create_lookalike_audience("sandbox", reach="similar")
    assert lookalike.audience_type == "LOOKALIKE" and lookalike.expected_reach == "SIMILAR"
    assert lookalike.audience is not None and lookalike.audience.status == "SUCCEEDED"

    manifest = amc_cltv.audience_manifest("sandbox", out=workspace.folder / "handoff.json", as_json=True)
    assert isinstance(manifest, amc_cltv.Manifest) and len(manifest.entries) == len(SEGMENTS) + 1
    written = json.loads((workspace.folder / "handoff.json").read_text(encoding="utf-8"))
    assert [a["audience_name"] for a in written["audiences"]] == [e.audience_name for e in manifest.entries]


def test_activate_audience_without_waiting_returns_once_amc_has_it(workspace: Workspace) -> None:
    """wait=False: the audience is on AMC (id known, not finished); calling again waits and reuses it."""
    started = amc_cltv.activate_audience("sandbox", segment="growth-potential", wait=False)
    assert started.action == "created" and started.audience is not None
    assert started.audience.audience_execution_id and started.audience.status in ("PENDING", "RUNNING")
    finished = amc_cltv.activate_audience("sandbox", segment="growth-potential")
    assert finished.action == "reused" and finished.audience is not None
    assert finished.audience.status == "SUCCEEDED"
    assert finished.audience.audience_execution_id == started.audience.audience_execution_id
    assert len(workspace.amc_audiences()) == 1

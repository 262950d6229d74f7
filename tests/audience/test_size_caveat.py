"""The summary never promises that the audience equals the report's segment on real AMC: it says what the size
guard read (the report's count) and why AMC's audience is usually smaller."""

from __future__ import annotations

import pytest

from tests.audience.sandbox_fixtures import Workspace

pytestmark = pytest.mark.e2e


def test_activation_summary_says_what_the_size_guard_cannot_know(workspace: Workspace) -> None:
    code, out, _ = workspace.cli("audience", "activate", "--segment", "high-value")
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.startswith("report's segment: "))
    assert "_for_audiences" in line and "usually smaller" in line and "2,000" in line

"""Polling learns over ``sandbox serve``: after a few runs, fewer status calls and the end seen sooner.

Executions take 200 seconds of sandbox time (the tool's sleeps advance the sandbox clock: nothing waits).
The profile's ``[polling]`` settings are seconds, not minutes: the same schedule as on AMC, scaled.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
import pytest

from amc_cltv.sandbox.control import control_headers
from tests.e2e.conftest import Sandbox, loopback_profile
from tests.e2e.test_run import RUN

pytestmark = pytest.mark.e2e

RUN_S = 200.0


def _looked(served: Sandbox, profile: Path, *extra: str) -> tuple[int, float, float | None]:
    """Run once: (status calls, seconds from AMC's end to the look that saw it, the reported bound)."""
    result = served.cli("--config", str(profile), *RUN, "--json", *extra)
    assert result.code == 0, result.stderr
    (finished,) = result.events("execution_finished")
    execution = next(
        e for e in served.executions() if e["workflowExecutionId"] == result.json["execution_id"]
    )
    took = (_at(execution["lastUpdatedTime"]) - _at(execution["createTime"])).total_seconds()
    assert took == pytest.approx(RUN_S + 1, abs=0.5)
    return result.json["status_calls"], finished["elapsed_s"] - took, result.json["detection_delay_bound_s"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_after_a_few_runs_the_next_one_makes_fewer_calls_and_notices_the_end_sooner(served: Sandbox) -> None:
    """The first run has no history: an early look, then one every max_interval_s (20 s). After three more
    runs the schedule sleeps through the part of the run that cannot be the end and looks around the
    usual end: fewer calls, and a shorter wait between the end and the look that sees it."""
    served.app.configure(run_s=RUN_S, queue_s=1)
    base_url = _base_url(served)
    profile = loopback_profile(served.cwd, base_url, initial_interval_s=5, max_interval_s=20, max_sleep_s=100)
    # The tool's sleeps move the sandbox clock at once; the server then finishes what became due before the
    # next look, as AMC would have in that time (its ticker may still be computing otherwise).
    control = httpx.Client(base_url=base_url, timeout=30, headers=control_headers(served.app.state_dir))
    served.clock.followers.append(lambda _: control.post("/_sandbox/tick").raise_for_status())
    # Another workflow first, so that the server's one-off data loading is not inside a measured run.
    warm = served.cli("--config", str(profile), "run", "--workflow", "cltv", "--json")
    assert warm.code == 0, warm.stderr
    first_calls, first_delay, first_bound = _looked(served, profile)
    assert first_calls >= RUN_S / 20  # no history: an early look, then one every max_interval_s
    assert first_bound == pytest.approx(20, abs=0.5) and first_delay <= first_bound + 1
    for _ in range(3):
        _looked(served, profile, "--force-rerun")
    calls, delay, bound = _looked(served, profile, "--force-rerun")
    assert calls < first_calls / 1.5
    assert bound is not None and bound < first_bound
    # Sooner than the first run's grid, whose expected delay is half its 20 s step.
    assert delay <= bound + 1 and delay < first_bound / 2
    control.close()
    # A run left running: ``status`` says when past runs say it will end.
    left = served.cli("--config", str(profile), *RUN, "--json", "--force-rerun", "--no-wait")
    assert left.code == 4, left.stderr
    runs = served.cli("--config", str(profile), "status", "--json").json["runs"]
    (running,) = [run for run in runs if run["execution_id"] == left.json["execution_id"]]
    predicted = _at(running["predicted_finish_at"]) - _at(running["submitted_at"])
    assert predicted.total_seconds() == pytest.approx(RUN_S + 1, abs=1)
    assert all(run["predicted_finish_at"] is None for run in runs if run is not running)


def _base_url(served: Sandbox) -> str:
    """The served sandbox's address, from the profile the fixture wrote."""
    text = Path(served.config_args[1]).read_text()
    line = next(line for line in text.splitlines() if line.startswith("api_url"))
    return line.split("=", 1)[1].strip().strip('"')

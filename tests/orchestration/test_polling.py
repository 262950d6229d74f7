"""The poll loop (docs/reliability.md §4; its schedule is tested as a pure function in
tests/core/test_cadence.py), and the plain ramp the admission gate waits on."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from amc_cltv.cadence import phase_of
from amc_cltv.client import AmcClient
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.clock import FakeClock, current, use_clock
from amc_cltv.config import PollingSettings
from amc_cltv.errors import StillRunning
from amc_cltv.orchestration.polling import base_interval, jittered, next_poll_delay, poll_until_done
from tests.orchestration.conftest import NOW, REPORTING, execution

CONTRACT = PollingSettings()  # 30 s, x1.5, cap 300 s, max_sleep_s 1800
FIRST = 300 * (1 - 0.05 * phase_of("e1"))  # the first look without history: the grid, moved with the id
NO_JITTER = 0.5  # a draw of 0.5 is the middle of the ±20 % band: the un-jittered interval


def schedule(polling: PollingSettings, polls: int) -> list[float]:
    elapsed, delays = 0.0, []
    for _ in range(polls):
        delay = next_poll_delay(elapsed, polling, lambda: NO_JITTER)
        delays.append(delay)
        elapsed += delay
    return delays


def test_schedule_starts_at_30s_grows_by_half_and_caps_at_300s() -> None:
    """The defaults (docs/contract.md §1) give 30, 45, 67.5, 101.25, 151.875, 227.8125, then 300 s always."""
    assert schedule(CONTRACT, 9) == pytest.approx([30, 45, 67.5, 101.25, 151.875, 227.8125, 300, 300, 300])


def test_six_polls_reach_the_cap_in_about_ten_minutes() -> None:
    """The policy's cost figure: the cap is reached after six polls, about 10 minutes in."""
    assert sum(schedule(CONTRACT, 6)) == pytest.approx(623.4375)
    assert base_interval(623.4375, CONTRACT) == 300


def test_cadence_is_derived_from_elapsed_time_so_a_resumed_process_keeps_it() -> None:
    """A process that resumes 80 s or 2 hours after the submit picks the step that time falls in."""
    assert base_interval(0, CONTRACT) == 30
    assert base_interval(29.9, CONTRACT) == 30
    assert base_interval(30, CONTRACT) == 45
    assert base_interval(80, CONTRACT) == 67.5
    assert base_interval(7200, CONTRACT) == 300


def test_jitter_stays_within_twenty_percent_over_many_draws() -> None:
    """10,000 real draws stay inside [0.8, 1.2] x the interval and cover most of the band."""
    generator = random.Random(11)
    draws = [jittered(100.0, generator.random) for _ in range(10_000)]
    assert min(draws) >= 80.0 and max(draws) <= 120.0
    assert min(draws) < 81.0 and max(draws) > 119.0


def test_poll_follows_every_status_and_keeps_polling_an_unknown_one(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """PENDING -> RUNNING -> PUBLISHING -> an unknown status -> SUCCEEDED: without history the looks are the
    early one, then max_interval_s apart; PUBLISHING brings the next look to initial_interval_s."""
    statuses = ["PENDING", "RUNNING", "PUBLISHING", "QUEUED_FOR_REVIEW", "SUCCEEDED"]
    route = wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        side_effect=[httpx.Response(200, json=execution("e1", s)) for s in statuses]
    )
    with capture_logs() as logs:
        polled = poll_until_done(
            client.executions.get,
            "e1",
            submitted_at=NOW,
            polling=CONTRACT,
            max_wait_s=None,
            workflow="segmentation",
        )
    assert polled.execution.status == "SUCCEEDED" and polled.status_calls == 5
    assert route.call_count == 5
    assert fake_clock.sleeps == pytest.approx([FIRST, 300, 30, 45])
    assert polled.detection_delay_bound_s == pytest.approx(45)
    unknown = [e for e in logs if e["event"] == "unknown_status"]
    assert len(unknown) == 1 and unknown[0]["status"] == "QUEUED_FOR_REVIEW"
    assert unknown[0]["execution_id"] == "e1" and unknown[0]["workflow"] == "segmentation"
    finished = [e for e in logs if e["event"] == "execution_finished"]
    assert finished[0]["status_calls"] == 5 and finished[0]["detection_delay_bound_s"] == 45


def test_just_submitted_the_first_status_call_waits_for_the_first_look(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """AMC's answer to the submit is the first look: no GET right after it."""
    route = wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        side_effect=[httpx.Response(200, json=execution("e1", s)) for s in ("RUNNING", "SUCCEEDED")]
    )
    polled = poll_until_done(
        client.executions.get,
        "e1",
        submitted_at=NOW,
        polling=CONTRACT,
        max_wait_s=None,
        workflow="segmentation",
        just_submitted=True,
    )
    assert route.call_count == polled.status_calls == 2
    assert fake_clock.sleeps == pytest.approx([FIRST, 300 - 0])


def test_history_makes_fewer_calls_and_notices_the_end_sooner(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """An execution that ends after its usual hour: with ten past runs of about an hour it costs fewer
    status calls than without history, and the end is seen sooner."""
    usual = [3600.0 * f for f in (0.97, 1.02, 0.99, 1.03, 1.0, 0.98, 1.01, 1.0, 0.99, 1.02)]
    ends_at = NOW + timedelta(seconds=3640)

    def get_execution(execution_id: str) -> Any:
        status = "SUCCEEDED" if current().now() >= ends_at else "RUNNING"
        return client.executions.get(execution_id) if status == "SUCCEEDED" else running

    running = WorkflowExecution.model_validate(execution("e1", "RUNNING"))
    wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        return_value=httpx.Response(200, json=execution("e1", "SUCCEEDED"))
    )
    results = []
    for history in ([], usual):
        with use_clock(FakeClock(NOW)) as clock:
            polled = poll_until_done(
                get_execution,
                "e1",
                submitted_at=NOW,
                polling=CONTRACT,
                max_wait_s=None,
                workflow="segmentation",
                history=history,
                just_submitted=True,
            )
            results.append((polled.status_calls, (clock.now() - ends_at).total_seconds()))
    (plain_calls, plain_delay), (learnt_calls, learnt_delay) = results
    assert learnt_calls < plain_calls / 2
    assert learnt_delay < plain_delay


def test_a_resumed_poll_continues_on_the_grid_of_the_original_submit(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """Submitted an hour ago: one look at once, then the next look of the original grid, not a fresh start."""
    wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        side_effect=[httpx.Response(200, json=execution("e1", s)) for s in ("RUNNING", "SUCCEEDED")]
    )
    poll_until_done(
        client.executions.get,
        "e1",
        submitted_at=NOW - timedelta(hours=1),
        polling=CONTRACT,
        max_wait_s=None,
        workflow="segmentation",
    )
    grid_look = FIRST + 12 * 300  # the first look of the grid after 3,600 s
    assert fake_clock.sleeps == pytest.approx([grid_look - 3600])


def test_max_wait_raises_still_running_and_leaves_the_execution_running(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """After --max-wait the loop stops (exit 4) without cancelling: no PUT is sent."""
    wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        return_value=httpx.Response(200, json=execution("e1", "RUNNING"))
    )
    cancel = wire.put(f"{REPORTING}/workflowExecutions/e1").mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(StillRunning) as raised:
        poll_until_done(
            client.executions.get,
            "e1",
            submitted_at=NOW,
            polling=CONTRACT,
            max_wait_s=400,
            workflow="segmentation",
        )
    assert raised.value.context["status_calls"] == 3
    assert "call again to resume" in str(raised.value)  # library words; the CLI says its own
    assert sum(fake_clock.sleeps) == pytest.approx(400)
    assert fake_clock.sleeps == pytest.approx([FIRST, 400 - FIRST])
    assert cancel.call_count == 0


class CoarseClock(FakeClock):
    """A fake clock whose monotonic time moves in whole milliseconds, like a coarse system clock."""

    def monotonic(self) -> float:
        return int(super().monotonic() * 1000) / 1000


def test_a_remainder_too_small_for_the_clock_still_ends_the_wait(
    wire: respx.MockRouter, client: AmcClient
) -> None:
    """The wait is cut to what is left of --max-wait once; then the next look is the last, even when the
    clock cannot register so short a sleep (it used to poll on and on)."""
    wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        return_value=httpx.Response(200, json=execution("e1", "RUNNING"))
    )
    looks = 0

    def get_execution(execution_id: str) -> Any:
        nonlocal looks
        looks += 1
        assert looks < 50, "polled on past --max-wait"
        return client.executions.get(execution_id)

    coarse = CoarseClock(NOW)
    with use_clock(coarse), pytest.raises(StillRunning):
        poll_until_done(
            get_execution,
            "e1",
            submitted_at=NOW,
            polling=CONTRACT,
            max_wait_s=FIRST + 0.0004,
            workflow="segmentation",
        )
    assert len(coarse.sleeps) == 2 and coarse.sleeps[0] == pytest.approx(FIRST)
    assert 0 < coarse.sleeps[1] < 0.0015  # the sliver left, about what the clock registers
    assert looks == 3


def test_no_wait_looks_once(wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock) -> None:
    """--no-wait (max wait 0): one status call, no sleep, exit 4."""
    route = wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        return_value=httpx.Response(200, json=execution("e1", "PENDING"))
    )
    with pytest.raises(StillRunning):
        poll_until_done(
            client.executions.get,
            "e1",
            submitted_at=NOW,
            polling=CONTRACT,
            max_wait_s=0,
            workflow="segmentation",
        )
    assert route.call_count == 1 and fake_clock.sleeps == []


def test_a_transient_error_inside_a_poll_does_not_end_the_loop(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """A 503 on a status call is retried by the client (docs/reliability.md §3); polling reaches SUCCEEDED."""
    wire.get(f"{REPORTING}/workflowExecutions/e1").mock(
        side_effect=[
            httpx.Response(200, json=execution("e1", "RUNNING")),
            httpx.Response(503, json={"code": "503", "details": "busy"}),
            httpx.Response(200, json=execution("e1", "SUCCEEDED")),
        ]
    )
    polled = poll_until_done(
        client.executions.get,
        "e1",
        submitted_at=NOW,
        polling=CONTRACT,
        max_wait_s=None,
        workflow="segmentation",
    )
    assert polled.execution.status == "SUCCEEDED"
    assert fake_clock.sleeps[0] == pytest.approx(FIRST)  # the poll's wait, then the client's own backoff

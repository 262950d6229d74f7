"""The admission gate: never submit into an instance already running 10 executions."""

from __future__ import annotations

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.clock import FakeClock
from amc_cltv.config import PollingSettings
from amc_cltv.errors import StillRunning
from amc_cltv.orchestration.admission import wait_for_slot
from tests.orchestration.conftest import REPORTING, execution

LIST = f"{REPORTING}/workflowExecutions"


def page(*statuses: str) -> httpx.Response:
    return httpx.Response(200, json={"executions": [execution(f"e{i}", s) for i, s in enumerate(statuses)]})


def test_a_full_instance_is_waited_on_with_the_polling_schedule(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    """10 in progress (PENDING/RUNNING/PUBLISHING), then 9: one wait of 30 s, then admitted."""
    full = ["RUNNING"] * 6 + ["PENDING"] * 3 + ["PUBLISHING", "SUCCEEDED", "FAILED"]
    route = wire.get(LIST).mock(side_effect=[page(*full), page(*full[1:])])
    busy = wait_for_slot(
        lambda since: client.executions.list(min_creation_time=since, time_zone="UTC"),
        polling=PollingSettings(),
        max_wait_s=None,
        workflow="segmentation",
        draw=lambda: 0.5,
    )
    assert busy == 9
    assert route.call_count == 2 and fake_clock.sleeps == [30]
    assert route.calls[0].request.url.params["minCreationTime"] == "2026-11-24T12:00:00"


def test_a_full_instance_with_no_wait_left_submits_nothing_and_exits_4(
    wire: respx.MockRouter, client: AmcClient, fake_clock: FakeClock
) -> None:
    wire.get(LIST).mock(return_value=page(*["RUNNING"] * 10))
    post = wire.post(LIST).mock(return_value=httpx.Response(200, json=execution("x", "PENDING")))
    with pytest.raises(StillRunning) as raised:
        wait_for_slot(
            lambda since: client.executions.list(min_creation_time=since),
            polling=PollingSettings(),
            max_wait_s=0,
            workflow="segmentation",
        )
    assert "10 executions" in str(raised.value)
    assert post.call_count == 0 and fake_clock.sleeps == []

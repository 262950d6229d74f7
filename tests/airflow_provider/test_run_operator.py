"""``AmcRunWorkflowOperator`` and its trigger, driven step by step as Airflow drives them (execute, the
trigger's events, execute_complete, on_kill) against a real ``sandbox serve``, on the sandbox's clock."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from amc_cltv.clock import use_clock
from tests.airflow_provider.conftest import AUDIENCE_RUN_S, CONNECTION, Fleet, write_profile

SECRETS = (CONNECTION["password"], CONNECTION["extra"]["refresh_token"])  # type: ignore[index]
EXECUTION_GET = r"^GET /amc/reporting/[^/]+/workflowExecutions/[^/]+$"


def operator(fleet: Fleet, **kwargs: Any) -> Any:
    from amc_cltv.airflow import AmcRunWorkflowOperator

    return AmcRunWorkflowOperator(
        task_id="segmentation", workflow="segmentation", config=str(fleet.profile), **kwargs
    )


def deferred(task: Any) -> Any:
    """``task.execute`` up to its deferral: the ``TaskDeferred`` that Airflow would act on."""
    from airflow.sdk.exceptions import TaskDeferred

    with pytest.raises(TaskDeferred) as raised:
        task.execute(context={})
    return raised.value


def first_event(trigger: Any) -> dict[str, Any]:
    """Run the trigger as the triggerer does until it fires."""

    async def fire() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(fire())


def rebuilt(trigger: Any) -> Any:
    """The trigger as the triggerer makes it again from what was stored: its serialized arguments."""
    from importlib import import_module

    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    stored = json.loads(json.dumps(kwargs))  # the database keeps JSON
    return getattr(import_module(module), name)(**stored)


def move_sandbox_clock_to(fleet: Fleet, moment: datetime) -> None:
    seconds = (moment - fleet.clock.now()).total_seconds()
    assert seconds > 0
    fleet.http.post("/_sandbox/clock", json={"advance_s": seconds}).raise_for_status()


def test_a_task_deferred_across_the_profiles_day_boundary_finishes_the_execution_it_submitted(
    fleet: Fleet,
) -> None:
    """The default window is worked out once, when the task submits. The task defers at 23:20 in the
    profile's time zone (US Mountain), AMC runs the execution for an hour, so the day (and with it the
    default window) has changed when the task resumes: it downloads the one execution it submitted, over
    the window it submitted it for, and submits nothing."""
    zone = "America/Denver"
    write_profile(fleet.profile, fleet.base_url, time_zone=zone)
    local_now = fleet.clock.now().astimezone(ZoneInfo(zone))
    evening = datetime.combine(local_now.date(), time(23, 20), tzinfo=ZoneInfo(zone))
    move_sandbox_clock_to(fleet, evening if evening > local_now else evening + timedelta(days=1))

    task = operator(fleet, deferrable=True)
    with use_clock(fleet.clock):
        deferral = deferred(task)
        submitted_on = fleet.clock.now().astimezone(ZoneInfo(zone)).date()
        event = first_event(rebuilt(deferral.trigger))
        assert fleet.clock.now().astimezone(ZoneInfo(zone)).date() > submitted_on  # the day did change
        result = task.execute_complete(context={}, event=event)

    (execution,) = fleet.executions()
    assert event["status"] == "SUCCEEDED" and event["execution_id"] == execution["workflowExecutionId"]
    assert result["execution_id"] == execution["workflowExecutionId"]
    assert result["status"] == "SUCCEEDED" and result["rows"] > 0
    # The window of the submit: it ends two days before the evening it was submitted on.
    window_end = datetime.fromisoformat(result["time_window_end"])
    assert window_end.date() == submitted_on - timedelta(days=2)
    assert execution["timeWindowEnd"].startswith(window_end.date().isoformat())


def test_throttling_and_outages_while_deferred_are_waited_out_not_failed(fleet: Fleet) -> None:
    """AMC answers the trigger 429 with a Retry-After of an hour, then 503 more times than the client
    retries: the trigger waits (the hour AMC asked for, then its schedule) and looks again until AMC says
    the execution SUCCEEDED. It needs no profile file: it carries the profile, and no secret."""
    task = operator(fleet, deferrable=True)
    with use_clock(fleet.clock):
        deferral = deferred(task)
        assert deferral.method_name == "execute_complete"
        assert deferral.timeout == timedelta(seconds=43200)  # the profile's [polling] max_wait_s
        stored = json.dumps(deferral.trigger.serialize()[1])
        assert all(secret not in stored for secret in SECRETS)
        fleet.script_faults(
            {"kind": "status", "status": 429, "retry_after": 3600, "match": EXECUTION_GET, "times": 1},
            {"kind": "status", "status": 503, "match": EXECUTION_GET, "times": 8},
        )
        profile = fleet.profile.read_text()
        fleet.profile.unlink()  # a triggerer without the DAG folder's profiles
        event = first_event(rebuilt(deferral.trigger))
        fleet.profile.write_text(profile)
        result = task.execute_complete(context={}, event=event)

    assert fleet.faults_left() == []  # every error was answered to the trigger
    assert 3600 in fleet.clock.sleeps  # AMC's Retry-After, honoured
    assert event["status"] == "SUCCEEDED"
    (execution,) = fleet.executions()
    assert result["execution_id"] == execution["workflowExecutionId"] and result["status"] == "SUCCEEDED"


def test_an_error_that_cannot_pass_ends_the_wait_with_an_error_event(fleet: Fleet) -> None:
    """A 403 is no reason to wait: the trigger fires at once with an error event, and the task fails in one
    line naming the execution."""
    from airflow.sdk.exceptions import AirflowException

    task = operator(fleet, deferrable=True)
    with use_clock(fleet.clock):
        deferral = deferred(task)
        fleet.script_faults({"kind": "status", "status": 403, "match": EXECUTION_GET, "times": 1})
        event = first_event(rebuilt(deferral.trigger))
        assert event["status"] == "error" and "403" in event["message"]
        with pytest.raises(AirflowException, match=rf"following execution {event['execution_id']}: "):
            task.execute_complete(context={}, event=event)


@pytest.mark.parametrize("cancel_on_kill", [True, False])
def test_killing_the_deferred_task_cancels_the_execution_on_amc(fleet: Fleet, cancel_on_kill: bool) -> None:
    """A person kills the task while its trigger waits: the trigger's ``on_kill`` (Airflow 3.3) cancels the
    AMC execution, unless the operator was told not to."""
    task = operator(fleet, deferrable=True, cancel_on_kill=cancel_on_kill)
    with use_clock(fleet.clock):
        trigger = rebuilt(deferred(task).trigger)
        asyncio.run(trigger.on_kill())
    (execution,) = fleet.executions()
    assert (execution["status"] == "CANCELLED") is cancel_on_kill


class KilledWhileWaiting(BaseException):
    """What the worker's kill does to a task blocked in a wait."""


class KillingClock:
    """The sandbox's clock, but the first wait is where the worker receives the kill: Airflow calls the
    task's ``on_kill``, then the task stops."""

    def __init__(self, fleet: Fleet, task: Any) -> None:
        self._clock = fleet.clock
        self._task = task

    def now(self) -> datetime:
        return self._clock.now()

    def monotonic(self) -> float:
        return self._clock.monotonic()

    def sleep(self, seconds: float) -> None:
        self._task.on_kill()
        raise KilledWhileWaiting


def test_killing_a_task_that_waits_on_its_worker_cancels_the_execution_on_amc(fleet: Fleet) -> None:
    task = operator(fleet, deferrable=False)
    with use_clock(KillingClock(fleet, task)), pytest.raises(KilledWhileWaiting):
        task.execute(context={})
    (execution,) = fleet.executions()
    assert execution["status"] == "CANCELLED"
    assert task.followed is not None and task.followed.execution_id == execution["workflowExecutionId"]


def unstarted(**kwargs: Any) -> Any:
    """An operator as a DAG file declares it (nothing is read until it runs)."""
    from amc_cltv.airflow import AmcRunWorkflowOperator

    return AmcRunWorkflowOperator(
        task_id="segmentation", workflow="segmentation", config="/profiles/amc-eu.toml", **kwargs
    )


def test_deferrable_defaults_to_the_operators_default_deferrable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert unstarted().deferrable is False  # Airflow's own default
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    assert unstarted().deferrable is True
    assert unstarted(deferrable=False).deferrable is False


def test_the_map_index_is_the_profiles_name() -> None:
    from jinja2 import Environment

    task = unstarted()
    assert Environment().from_string(task.map_index_template).render(task=task) == "amc-eu"
    assert unstarted(map_index_template="{{ task.workflow }}").map_index_template == "{{ task.workflow }}"


def test_the_usable_sensor_defers_within_its_own_timeout_until_dsp_can_use_the_audience(fleet: Fleet) -> None:
    """The sensor's ``timeout`` bounds its deferral (as Airflow's own deferrable sensors do), and it
    succeeds once the moment has come and AMC still has the audience."""
    from amc_cltv.airflow import AmcAudienceUsableSensor, AmcHook
    from amc_cltv.client.models import AudienceRequest
    from amc_cltv.connect import open_client

    with open_client(AmcHook().config(fleet.profile)) as client:
        created = client.audiences.create(
            AudienceRequest(
                audience_name="amc-cltv high-value 0123abcd",
                advertiser_id="1234567890",
                time_window_start="2026-01-01T00:00:00Z",
                time_window_end="2026-02-01T00:00:00Z",
                query="SELECT user_id FROM conversions_for_audiences",
            )
        )
        statuses = []
        for _ in range(4):  # the sandbox moves the audience one step per look once its time has come
            fleet.clock.sleep(AUDIENCE_RUN_S)
            statuses.append(client.audiences.get(created.audience_execution_id).status)
        assert statuses[-1] == "SUCCEEDED", statuses
    built = fleet.clock.now()
    usable_at = built + timedelta(hours=48)
    audience = {
        "audience_execution_id": created.audience_execution_id,
        "name": "high-value",
        "usable_in_dsp_at": usable_at.isoformat(),
    }
    sensor = AmcAudienceUsableSensor(
        task_id="audience_usable",
        config=str(fleet.profile),
        audience=audience,
        timeout=timedelta(hours=50),
        deferrable=True,
    )
    with use_clock(fleet.clock):
        deferral = deferred(sensor)
        assert deferral.timeout == timedelta(hours=50)
        event = first_event(rebuilt(deferral.trigger))
        assert fleet.clock.now() >= usable_at
        assert sensor.execute_complete(context={}, event=event)["usable_now"] is True


def test_activating_waits_for_the_windows_segmentation_and_the_audience_in_the_triggerer(
    fleet: Fleet,
) -> None:
    """The activation over a given window whose segmentation is still running: the task follows that
    execution in the triggerer (not its own to cancel), then defers again while AMC builds the audience,
    and reports the audience over that window. One segmentation, one audience."""
    from airflow.sdk.exceptions import TaskDeferred

    from amc_cltv.airflow import AmcActivateAudienceOperator

    window_end = (fleet.clock.now() - timedelta(days=5)).date()
    task = AmcActivateAudienceOperator(
        task_id="activate_audience",
        config=str(fleet.profile),
        window_end=window_end.isoformat(),
        deferrable=True,
    )
    with use_clock(fleet.clock):
        segmentation = deferred(task)
        assert segmentation.method_name == "segmentation_complete"
        assert segmentation.trigger.serialize()[1]["cancel_on_kill"] is False
        event = first_event(rebuilt(segmentation.trigger))
        with pytest.raises(TaskDeferred) as building:
            task.segmentation_complete(context={}, event=event)
        assert building.value.method_name == "execute_complete"
        result = task.execute_complete(context={}, event=first_event(rebuilt(building.value.trigger)))

    (execution,) = fleet.executions()
    assert execution["timeWindowEnd"].startswith(window_end.isoformat())
    assert len(fleet.audiences()) == 1 and result["status"] == "SUCCEEDED"
    assert result["time_window_end"].startswith(window_end.isoformat())

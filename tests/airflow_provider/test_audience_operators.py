"""The audience operators against a real ``sandbox serve``, driven as the scheduler would (execute, the
deferral to the trigger, execute_complete): a second segment (growth-potential) and the high-value lookalike.
Each defers while AMC builds its audience and ends with the audience ready, exactly one on AMC."""

from __future__ import annotations

import asyncio
from typing import Any

from amc_cltv.clock import use_clock
from tests.airflow_provider.conftest import Fleet

try:
    from airflow.sdk.exceptions import TaskDeferred
except ImportError:  # Airflow 3.1 has it only in airflow.exceptions
    from airflow.exceptions import TaskDeferred


def _first_event(trigger: Any) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(first())


def _through_deferrals(operator: Any) -> tuple[dict[str, Any], list[str]]:
    """Run the task as the scheduler would: each deferral's trigger runs to its event, then the task
    resumes in the method it named. The result, and the methods it resumed in."""
    resumed: list[str] = []

    def step() -> Any:
        return operator.execute(context={})

    for _ in range(5):
        try:
            return dict(step()), resumed
        except TaskDeferred as deferred:
            event = _first_event(deferred.trigger)
            resumed.append(deferred.method_name)
            method = getattr(operator, deferred.method_name)

            def step(method: Any = method, event: dict[str, Any] = event) -> Any:
                return method(context={}, event=event)

    raise AssertionError(f"still deferring after {resumed}")


def test_a_second_segment_is_activated_deferring_while_amc_builds_it(fleet: Fleet) -> None:
    from amc_cltv.airflow import AmcActivateAudienceOperator

    operator = AmcActivateAudienceOperator(
        task_id="activate_growth", config=str(fleet.profile), segment="growth-potential", deferrable=True
    )
    with use_clock(fleet.clock):
        result, resumed = _through_deferrals(operator)
    assert resumed[-1] == "execute_complete"  # it deferred while AMC built the audience
    assert result["segment"] == "growth-potential" and result["status"] == "SUCCEEDED"
    assert result["name"].startswith("amc-cltv growth-potential ") and result["state"] == "pending lag"
    (audience,) = fleet.audiences()
    assert audience["audienceName"] == result["name"] and "'Growth Potential Customer'" in audience["query"]
    assert audience["audienceCount"] == result["audience_count"] > 2000


def test_the_lookalike_operator_creates_one_lookalike_of_high_value(fleet: Fleet) -> None:
    from amc_cltv.airflow import AmcLookalikeAudienceOperator

    operator = AmcLookalikeAudienceOperator(
        task_id="lookalike", config=str(fleet.profile), reach="most-similar", deferrable=True
    )
    assert "reach" in operator.template_fields
    with use_clock(fleet.clock):
        result, resumed = _through_deferrals(operator)
        again = operator.execute(context={})  # a retry, or the next night: the same lookalike, nothing sent
    assert resumed[-1] == "execute_complete"
    assert result["audience_type"] == "LOOKALIKE" and result["expected_reach"] == "MOST_SIMILAR"
    assert result["status"] == "SUCCEEDED" and result["audience_count"] == 500_000
    assert again["action"] == "reused" and again["name"] == result["name"]
    (audience,) = fleet.audiences()
    assert (
        audience["audienceType"] == "LOOKALIKE"
        and audience["lookalikeAudienceExpectedReach"] == "MOST_SIMILAR"
    )

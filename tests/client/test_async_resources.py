"""``AsyncAmcClient``'s accounts, instances, data sources and schedules on a respx-mocked wire: each call
puts on the wire exactly what the blocking resource does (method, path, header family, body), a listing
follows every page, and the answer comes back parsed."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from amc_cltv import AsyncAmcClient
from amc_cltv import clock as tool_clock
from amc_cltv.client.models import Schedule
from tests.client.conftest import INSTANCE, REPORTING, FakeClock, make_async_client, run
from tests.client.test_requests import CASES, SCHEDULE, _check_headers

AsyncCall = Callable[[AsyncAmcClient], Awaitable[Any]]

# The blocking table's cases (tests/client/test_requests.py), called through the async resources.
ASYNC_CALLS: dict[str, AsyncCall] = {
    "accounts.list": lambda c: c.accounts.list(),
    "instances.list": lambda c: c.instances.list(),
    "instances.get": lambda c: c.instances.get(),
    "instances.advertisers": lambda c: c.instances.advertisers(),
    "schedules.create": lambda c: c.schedules.create(SCHEDULE),
    "schedules.get": lambda c: c.schedules.get("nightly"),
    "schedules.list": lambda c: c.schedules.list(),
    "schedules.update": lambda c: c.schedules.update(SCHEDULE),
    "schedules.delete": lambda c: c.schedules.delete("nightly"),
}
BY_NAME = {case.name: case for case in CASES}


def _call(clock: FakeClock, call: AsyncCall, **overrides: Any) -> Any:
    async def scenario() -> Any:
        async with make_async_client(clock, **overrides) as client:
            return await call(client)

    return run(scenario())


@pytest.mark.parametrize("name", list(ASYNC_CALLS))
def test_an_async_call_sends_what_the_blocking_one_sends(
    name: str, wire: respx.MockRouter, clock: FakeClock
) -> None:
    case = BY_NAME[name]
    answer = httpx.Response(204) if case.answer is None else httpx.Response(200, json=case.answer)
    route = wire.route(method=case.method, path=case.path).mock(return_value=answer)
    _call(clock, ASYNC_CALLS[name])
    assert route.call_count == 1
    request = route.calls.last.request
    _check_headers(case, request.headers)
    if case.body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.body


# (what to call, the path, the key its page holds the items under, an item's id field, how to read an id)
LISTINGS: list[tuple[str, AsyncCall, str, str, str, Callable[[Any], str]]] = [
    (
        "accounts",
        lambda c: c.accounts.list(),
        "/amc/accounts",
        "amcAccounts",
        "accountId",
        lambda a: a.account_id,
    ),
    (
        "instances",
        lambda c: c.instances.list(),
        "/amc/instances",
        "instances",
        "instanceId",
        lambda i: i.instance_id,
    ),
    (
        "advertisers",
        lambda c: c.instances.advertisers(),
        f"/amc/instances/{INSTANCE}/advertisers",
        "advertisers",
        "id",
        lambda a: a.id,
    ),
    (
        "data_sources",
        lambda c: c.data_sources.list(),
        f"{REPORTING}/dataSources",
        "dataSources",
        "dataSourceId",
        lambda d: d.data_source_id,
    ),
    (
        "schedules",
        lambda c: c.schedules.list(),
        f"{REPORTING}/schedules",
        "schedules",
        "scheduleId",
        lambda s: s.schedule_id,
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "path", "key", "id_field", "read_id"), LISTINGS, ids=[listing[0] for listing in LISTINGS]
)
def test_an_async_listing_follows_every_page_and_parses_each_item(
    wire: respx.MockRouter,
    clock: FakeClock,
    name: str,
    call: AsyncCall,
    path: str,
    key: str,
    id_field: str,
    read_id: Callable[[Any], str],
) -> None:
    """Page one hands out ``nextToken``; the same call (same headers) is sent again with it, until a page
    gives none."""
    route = wire.get(path).mock(
        side_effect=[
            httpx.Response(200, json={key: [{id_field: "first"}], "nextToken": "p2"}),
            httpx.Response(200, json={key: [{id_field: "second"}, {id_field: "third"}]}),
        ]
    )
    items = _call(clock, call)
    assert [read_id(item) for item in items] == ["first", "second", "third"]
    assert route.call_count == 2
    first, second = (sent.request for sent in route.calls)
    assert "nextToken" not in first.url.params
    assert second.url.params["nextToken"] == "p2"
    assert {k: v for k, v in first.headers.items() if k.startswith("amazon-")} == {
        k: v for k, v in second.headers.items() if k.startswith("amazon-")
    }


def test_async_get_answers_are_parsed_from_their_envelopes(wire: respx.MockRouter, clock: FakeClock) -> None:
    """``instances.get`` and ``schedules.get`` read AMC's ``{"instance": ...}`` / ``{"schedule": ...}``."""
    wire.get(f"/amc/instances/{INSTANCE}").respond(
        json={"instance": {"instanceId": INSTANCE, "instanceName": "cltv", "apiEndpoint": "https://x.test"}}
    )
    wire.get(f"{REPORTING}/schedules/nightly").respond(
        json={"schedule": {"scheduleId": "nightly", "workflowId": "w", "aggregationPeriod": "Weekly"}}
    )

    async def scenario() -> tuple[Any, Schedule]:
        async with make_async_client(clock) as client:
            return await client.instances.get(), await client.schedules.get("nightly")

    instance, schedule = run(scenario())
    assert (instance.instance_id, instance.instance_name, instance.api_endpoint) == (
        INSTANCE,
        "cltv",
        "https://x.test",
    )
    assert (schedule.schedule_id, schedule.workflow_id, schedule.aggregation_period) == (
        "nightly",
        "w",
        "Weekly",
    )


def test_async_instances_list_uses_the_account_given(wire: respx.MockRouter, clock: FakeClock) -> None:
    route = wire.get("/amc/instances").respond(json={"instances": [{"instanceId": "amcother"}]})
    instances = _call(
        clock, lambda c: c.instances.list(advertiser_id="ENTITYOTHER", marketplace_id="A1PA6795UKMFR9")
    )
    assert [i.instance_id for i in instances] == ["amcother"]
    headers = route.calls.last.request.headers
    assert headers["amazon-advertising-api-advertiserid"] == "ENTITYOTHER"
    assert headers["amazon-advertising-api-marketplaceid"] == "A1PA6795UKMFR9"


def test_a_view_for_another_instance_calls_that_instances_paths(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    """``for_instance``: the new resources follow the view's instance, over the owner's token."""
    schedules = wire.get("/amc/reporting/amcother/schedules").respond(
        json={"schedules": [{"scheduleId": "s"}]}
    )
    sources = wire.get("/amc/reporting/amcother/dataSources").respond(json={"dataSources": []})

    async def scenario() -> list[str]:
        async with make_async_client(clock) as client:
            view = client.for_instance(instance_id="amcother", advertiser_id="E2", marketplace_id="M2")
            listed = await view.schedules.list()
            await view.data_sources.list()
            return [schedule.schedule_id for schedule in listed]

    assert run(scenario()) == ["s"]
    assert schedules.calls.last.request.headers["amazon-advertising-api-advertiserid"] == "E2"
    assert sources.call_count == 1
    assert wire.routes["token"].call_count == 1


def test_the_async_client_measures_an_http_date_retry_after_against_its_wall_clock(
    wire: respx.MockRouter, clock: FakeClock
) -> None:
    """The async transport reads the injected ``now``, not the machine's clock (years apart here)."""
    wall = tool_clock.FakeClock(start=datetime(2031, 6, 1, 12, 0, tzinfo=UTC))
    when = email.utils.format_datetime(wall.now() + timedelta(seconds=45), usegmt=True)
    wire.get(f"{REPORTING}/schedules/nightly").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": when}),
            httpx.Response(200, json={"scheduleId": "nightly"}),
        ]
    )
    schedule = _call(clock, lambda c: c.schedules.get("nightly"), now=wall.now)
    assert schedule.schedule_id == "nightly"
    assert clock.sleeps == [45.0]

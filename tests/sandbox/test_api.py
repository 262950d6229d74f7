"""The sandbox answers like AMC: LwA tokens, header families, workflows, executions, schedules, admin."""

from __future__ import annotations

import pytest

from amc_cltv.sandbox.app import SandboxApp

from .conftest import REPORTING, SQL, Api


def test_token_endpoint_accepts_any_non_empty_credentials_and_refuses_missing_ones(api: Api) -> None:
    """A refresh grant with any values gets an Atza| bearer token; a missing field is LwA's 400."""
    good = api.http.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "Atzr|x",
            "client_id": "a",
            "client_secret": "b",
        },
    )
    assert good.status_code == 200
    body = good.json()
    assert body["access_token"].startswith("Atza|")
    assert (body["token_type"], body["expires_in"], body["refresh_token"]) == ("bearer", 3600, "Atzr|x")
    missing = api.http.post("/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": "r"})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


def test_only_bearer_tokens_the_sandbox_issued_and_not_expired_are_accepted(
    app: SandboxApp, api: Api
) -> None:
    """No header, a foreign token, and an expired token (sandbox clock) are each AMC's 401."""
    headers = dict(api.reporting_headers)
    for authorization in (None, "Bearer Atza|forged"):
        if authorization is None:
            headers.pop("Authorization")
        else:
            headers["Authorization"] = authorization
        response = api.http.get(f"{REPORTING}/workflows", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "401"
    assert api.r("GET", "workflows").status_code == 200
    app.clock.advance(3600)
    expired = api.http.get(f"{REPORTING}/workflows", headers=api.reporting_headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["details"]


@pytest.mark.parametrize(
    ("header", "value", "status", "details"),
    [
        ("Amazon-Advertising-API-ClientId", None, 400, "ClientId"),
        ("Amazon-Advertising-API-AdvertiserId", None, 400, "entityId provided is null"),
        ("Amazon-Advertising-API-AdvertiserId", "ENTITYOTHER", 403, "ENTITYOTHER"),
        ("Amazon-Advertising-API-MarketplaceId", None, 400, "MarketplaceId"),
        ("Amazon-Advertising-API-MarketplaceId", "A1PA6795UKMFR9", 403, "A1PA6795UKMFR9"),
    ],
)
def test_reporting_header_family_is_checked(
    api: Api, header: str, value: str | None, status: int, details: str
) -> None:
    """Missing reporting headers are 400s, ids the sandbox does not serve are 403s, in AMC's body shape."""
    headers = dict(api.reporting_headers)
    if value is None:
        headers.pop(header)
    else:
        headers[header] = value
    response = api.http.get(f"{REPORTING}/workflows", headers=headers)
    assert response.status_code == status
    assert details in response.json()["details"]


def test_other_instances_and_audience_headers_get_amc_errors(api: Api) -> None:
    """Another instance id is not found; the audience family needs its own entity and instance headers."""
    other = api.http.get("/amc/reporting/amcother/workflows", headers=api.reporting_headers)
    assert other.status_code == 404
    wrong = dict(api.audience_headers, **{"Amazon-Marketing-Cloud-Audience-InstanceId": "amcother"})
    assert api.http.get("/amc/audiences/query", headers=wrong).status_code == 403
    reporting_only = api.http.get("/amc/audiences/query", headers=api.reporting_headers)
    assert reporting_only.status_code == 400


def test_workflow_crud_and_the_already_exists_error(api: Api) -> None:
    """Create/get/list/update/delete; a duplicate create is AMC's 400 with its exact message."""
    assert api.r("POST", "workflows", json={"workflowId": "cltv.v1", "sqlQuery": SQL}).json() == {}
    duplicate = api.r("POST", "workflows", json={"workflowId": "cltv.v1", "sqlQuery": SQL})
    assert duplicate.status_code == 400
    assert duplicate.json() == {"code": "400", "details": "Workflow with ID cltv.v1 already exists."}
    assert api.r("GET", "workflows/cltv.v1").json()["sqlQuery"] == SQL
    assert (
        api.r(
            "PUT", "workflows/cltv.v1", json={"workflowId": "cltv.v1", "sqlQuery": "SELECT 1 AS one"}
        ).json()
        == {}
    )
    assert api.r("GET", "workflows/cltv.v1").json()["sqlQuery"] == "SELECT 1 AS one"
    assert [w["workflowId"] for w in api.r("GET", "workflows").json()["workflows"]] == ["cltv.v1"]
    assert api.r("POST", "workflows", json={"workflowId": "has space", "sqlQuery": SQL}).status_code == 400
    assert api.r("DELETE", "workflows/cltv.v1").json() == {}
    assert api.r("GET", "workflows/cltv.v1").status_code == 404


def test_schedules_crud_and_a_scheduled_workflow_cannot_be_deleted(api: Api) -> None:
    """Schedules are stored as given; AMC refuses to delete a workflow a schedule references."""
    api.r("POST", "workflows", json={"workflowId": "w", "sqlQuery": SQL})
    schedule = {
        "scheduleId": "nightly",
        "workflowId": "w",
        "aggregationPeriod": "Daily",
        "aggregationHourUtc": 6,
    }
    assert api.r("POST", "schedules", json=schedule).json() == {}
    assert api.r("POST", "schedules", json=schedule).status_code == 400
    assert api.r("GET", "schedules/nightly").json()["aggregationHourUtc"] == 6
    assert api.r("PUT", "schedules/nightly", json={**schedule, "aggregationPeriod": "Weekly"}).json() == {}
    assert [s["aggregationPeriod"] for s in api.r("GET", "schedules").json()["schedules"]] == ["Weekly"]
    assert (
        api.r(
            "POST", "schedules", json={**schedule, "scheduleId": "x", "aggregationPeriod": "Hourly"}
        ).status_code
        == 400
    )
    assert api.r("DELETE", "workflows/w").status_code == 400
    assert api.r("DELETE", "schedules/nightly").json() == {}
    assert api.r("GET", "schedules/nightly").status_code == 404
    assert api.r("DELETE", "workflows/w").status_code == 200


def test_accounts_instances_and_advertisers_list_the_sandbox_ids(api: Api) -> None:
    """The ids of configs/sandbox.toml, with the instance marked SANDBOX and its endpoint on this host."""
    accounts = api.http.get(
        "/amc/accounts",
        headers={k: v for k, v in api.reporting_headers.items() if "Id" not in k or "Client" in k},
    )
    assert accounts.json()["amcAccounts"] == [
        {
            "accountId": "ENTITYSANDBOX0001",
            "accountName": "AMC sandbox account",
            "marketplaceId": "ATVPDKIKX0DER",
        }
    ]
    instances = api.r("GET", "/amc/instances").json()["instances"]
    assert [(i["instanceId"], i["instanceType"], i["apiEndpoint"]) for i in instances] == [
        ("amcsandbox01", "SANDBOX", "http://sandbox.test")
    ]
    assert api.r("GET", "/amc/instances/amcsandbox01").json()["instance"]["instanceId"] == "amcsandbox01"
    assert (
        api.r("GET", "/amc/instances/amcsandbox01/advertisers").json()["advertisers"][0]["type"] == "DISPLAY"
    )
    sources = api.r("GET", "dataSources").json()["dataSources"]
    assert "conversions_all_for_audiences" in {s["dataSourceId"] for s in sources}


def test_execution_list_filters_sorts_and_pages(app: SandboxApp, api: Api) -> None:
    """workflowId or minCreationTime required; newest first; CANCELLED hidden by default; nextToken pages."""
    app.configure(queue_s=3600)
    ids = []
    for _ in range(3):
        ids.append(api.submit()["workflowExecutionId"])
        app.clock.advance(60)
    assert api.r("PUT", f"workflowExecutions/{ids[0]}", json={"status": "CANCELLED"}).json() == {}
    assert api.r("GET", "workflowExecutions").status_code == 400
    listed = api.r("GET", "workflowExecutions", params={"minCreationTime": "2026-11-25T00:00:00"}).json()
    assert [e["workflowExecutionId"] for e in listed["executions"]] == [ids[2], ids[1]]
    everything = api.r(
        "GET",
        "workflowExecutions",
        params={
            "minCreationTime": "2026-11-25T00:00:00",
            "includeCancelled": "true",
            "sortAscending": "true",
            "limit": 2,
        },
    ).json()
    assert [e["workflowExecutionId"] for e in everything["executions"]] == ids[:2]
    rest = api.r(
        "GET",
        "workflowExecutions",
        params={
            "minCreationTime": "2026-11-25T00:00:00",
            "includeCancelled": "true",
            "sortAscending": "true",
            "limit": 2,
            "nextToken": everything["nextToken"],
        },
    ).json()
    assert [e["workflowExecutionId"] for e in rest["executions"]] == ids[2:]
    assert rest.get("nextToken") is None
    late = api.r("GET", "workflowExecutions", params={"minCreationTime": "2026-11-25T12:01:30"}).json()
    assert [e["workflowExecutionId"] for e in late["executions"]] == [ids[2]]


def test_execution_create_validates_like_amc(api: Api) -> None:
    """Bad time formats, both workflowId and workflow, an out-of-range timeout, unknown parameters: 400s."""
    assert (
        api.r(
            "POST", "workflowExecutions", json={"workflowId": "w", "workflow": {"sqlQuery": SQL}}
        ).status_code
        == 400
    )
    bad_time = api.r(
        "POST",
        "workflowExecutions",
        json={
            "workflow": {"sqlQuery": SQL},
            "timeWindowType": "EXPLICIT",
            "timeWindowStart": "2026-01-01",
            "timeWindowEnd": "2026-02-01",
        },
    )
    assert bad_time.status_code == 400
    assert "yyyy-MM-ddTHH:mm:ss" in bad_time.json()["details"]
    body = {"workflow": {"sqlQuery": SQL}, "workflowExecutionTimeoutSeconds": 60}
    assert api.r("POST", "workflowExecutions", json=body).status_code == 400
    body = {"workflow": {"sqlQuery": SQL}, "parameterValues": {"undeclared": "1"}}
    assert api.r("POST", "workflowExecutions", json=body).status_code == 400
    assert api.r("POST", "workflowExecutions", json={"workflowId": "missing"}).status_code == 404


def test_the_served_ids_are_those_written_in_configs_sandbox_toml() -> None:
    """The embedded profile and the emulator agree on the instance, advertiser and marketplace ids."""
    import tomllib
    from pathlib import Path

    from amc_cltv.sandbox import wire

    profile = tomllib.loads((Path(__file__).parents[2] / "configs" / "sandbox.toml").read_text())["amc"]
    served = (wire.INSTANCE_ID, wire.ADVERTISER_ID, wire.MARKETPLACE_ID)
    assert (profile["instance_id"], profile["advertiser_id"], profile["marketplace_id"]) == served


def test_dsp_advertisers_have_no_marketplace_and_sponsored_ads_ones_have_theirs(
    app: SandboxApp, api: Api
) -> None:
    """As AMC's administration spec has it: a DISPLAY advertiser has no marketplaceId (left out, never a
    JSON null the spec's string type refuses); marketplaces=2 adds a sponsored ads advertiser in DE."""
    app.configure(marketplaces=2)
    listed = api.r("GET", "/amc/instances/amcsandbox01/advertisers").json()["advertisers"]
    assert all("marketplaceId" in a for a in listed if a["type"] != "DISPLAY")
    by_type = {(a["type"], a.get("marketplaceId", "absent")) for a in listed}
    assert by_type == {
        ("DISPLAY", "absent"),
        ("SPONSORED_ADS", "ATVPDKIKX0DER"),
        ("SPONSORED_ADS", "A1PA6795UKMFR9"),
    }


def test_an_execution_restricted_to_sponsored_ads_advertisers_reads_no_dsp_rows(
    app: SandboxApp, api: Api
) -> None:
    """An ``advertisers`` restriction leaving out every DSP advertiser leaves the DSP tables empty to it."""
    sql = "SELECT COUNT(*) AS n FROM dsp_impressions"
    only_ads = [{"id": "ENTITYSANDBOX0001", "marketplaceId": "ATVPDKIKX0DER", "type": "SPONSORED_ADS"}]
    restricted = api.submit(sql, advertisers=only_ads)["workflowExecutionId"]
    kept = api.submit(sql, advertisers=[*only_ads, {"id": "1234567890", "type": "DISPLAY"}])[
        "workflowExecutionId"
    ]
    app.clock.advance(1)
    counts = []
    for execution_id in (restricted, kept):
        url = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"][0]
        counts.append(int(api.http.get(url).text.splitlines()[1]))
    assert counts[0] == 0 and counts[1] > 0

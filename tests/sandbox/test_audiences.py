"""Rule-based audiences: AMC's table rule, the 2,000 minimum, audienceCount, the activation lag."""

from __future__ import annotations

from typing import Any

from amc_cltv.sandbox.app import SandboxApp

from .conftest import Api

AUDIENCE_SQL = (
    "SELECT user_id FROM conversions_all_for_audiences WHERE event_subtype = 'order' GROUP BY user_id"
)


def _body(query: str = AUDIENCE_SQL, **extra: Any) -> dict[str, Any]:
    return {
        "audienceName": "High value",
        "advertiserId": "1234567890",
        "query": query,
        "timeWindowStart": "2026-01-01T00:00:00Z",
        "timeWindowEnd": "2026-11-01T00:00:00Z",
        "refreshRateDays": 7,
        "timeWindowRelative": True,
        **extra,
    }


def _create(api: Api, **kwargs: Any) -> str:
    response = api.r("POST", "/amc/audiences/query", json=_body(**kwargs))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "PENDING"
    assert (
        body["audienceExecutionDescription"] == "Successfully started the simple audience creation workflow!"
    )
    return str(body["audienceExecutionId"])


def _get(api: Api, audience_id: str) -> dict[str, Any]:
    return dict(api.r("GET", f"/amc/audiences/query/{audience_id}").json())


def test_audience_succeeds_with_count_and_dsp_id_only_after_the_activation_lag(
    app: SandboxApp, api: Api
) -> None:
    """PENDING -> RUNNING -> SUCCEEDED with audienceCount; dspAudienceId appears 48 h (sandbox time) later."""
    app.configure(min_audience_size=100, audience_run_s=600)
    audience_id = _create(api)
    assert _get(api, audience_id)["status"] == "PENDING"
    app.clock.advance(300)
    assert _get(api, audience_id)["status"] == "RUNNING"
    app.clock.advance(300)
    done = _get(api, audience_id)
    assert done["status"] == "SUCCEEDED"
    assert done["audienceCount"] > 100
    assert "dspAudienceId" not in done
    app.clock.advance(48 * 3600 - 1)
    assert "dspAudienceId" not in _get(api, audience_id)
    app.clock.advance(1)
    assert _get(api, audience_id)["dspAudienceId"]


def test_audience_below_two_thousand_users_fails_with_a_reason(app: SandboxApp, api: Api) -> None:
    """The small test data has far fewer than 2,000 buyers in the window: FAILED, and it says why."""
    audience_id = _create(api)
    app.clock.advance(1)
    failed = _get(api, audience_id)
    assert failed["status"] == "FAILED"
    assert "minimum audience size of 2000" in failed["statusReason"]


def test_audience_reading_base_tables_fails_with_amcs_status_reason(app: SandboxApp, api: Api) -> None:
    """Reading conversions_all (not the _for_audiences twin) is AMC's 'Invalid tables' failure."""
    audience_id = _create(api, query="SELECT user_id FROM conversions_all")
    app.clock.advance(1)
    failed = _get(api, audience_id)
    assert (failed["status"], failed["statusReason"]) == (
        "FAILED",
        "Invalid tables in the SQL query: Use audience-specific tables in the query.",
    )


def test_only_failed_audiences_update_and_pending_ones_cannot_be_deleted(app: SandboxApp, api: Api) -> None:
    """Update a FAILED audience to re-run it; a PENDING one refuses update and delete; delete is 204."""
    app.configure(min_audience_size=100)
    audience_id = _create(api, query="SELECT user_id FROM conversions_all")
    assert api.r("DELETE", f"/amc/audiences/query/{audience_id}").status_code == 400
    app.clock.advance(1)
    fixed = api.r("PUT", f"/amc/audiences/query/{audience_id}", json=_body(audienceType="RULE_BASED"))
    assert fixed.json()["status"] == "PENDING"
    renamed = api.r("PUT", f"/amc/audiences/query/{audience_id}", json=_body(audienceName="Other"))
    assert renamed.status_code == 400
    app.clock.advance(1)
    assert _get(api, audience_id)["status"] == "SUCCEEDED"
    assert api.r("PUT", f"/amc/audiences/query/{audience_id}", json=_body()).status_code == 400
    assert api.r("DELETE", f"/amc/audiences/query/{audience_id}").status_code == 204
    assert api.r("GET", f"/amc/audiences/query/{audience_id}").status_code == 404


def test_audience_list_pages_with_max_results(app: SandboxApp, api: Api) -> None:
    """executionMetadata, maxResults, nextToken null at the end."""
    ids = [_create(api) for _ in range(3)]
    first = api.r("GET", "/amc/audiences/query", params={"maxResults": 2}).json()
    assert [a["audienceExecutionId"] for a in first["executionMetadata"]] == ids[:2]
    rest = api.r(
        "GET", "/amc/audiences/query", params={"maxResults": 2, "nextToken": first["nextToken"]}
    ).json()
    assert [a["audienceExecutionId"] for a in rest["executionMetadata"]] == ids[2:]
    assert rest.get("nextToken") is None


def test_audience_requests_are_validated(api: Api) -> None:
    """Missing fields, both query and workflowId, a refresh rate over 21: AMC's 400 with requestId."""
    missing = api.r("POST", "/amc/audiences/query", json={"audienceName": "x"})
    assert missing.status_code == 400
    assert "requestId" in missing.json()
    assert api.r("POST", "/amc/audiences/query", json=_body(workflowId="w")).status_code == 400
    assert api.r("POST", "/amc/audiences/query", json=_body(refreshRateDays=30)).status_code == 400


def test_audience_input_parameters_with_undocumented_fields_are_rejected(api: Api) -> None:
    """The audience schema's inputParameters hold name, dataType, defaultValue, description: a workflow-only
    field such as displayName is a 400 naming it; the documented fields are accepted."""
    documented = {"name": "m", "dataType": "STRING", "defaultValue": "mean", "description": "method"}
    undocumented = [{**documented, "displayName": "m"}]
    bad = api.r("POST", "/amc/audiences/query", json=_body(inputParameters=undocumented))
    assert bad.status_code == 400
    assert "displayName" in bad.text
    assert _create(api, inputParameters=[documented])


def test_an_audience_a_dsp_campaign_uses_is_not_deletable_and_its_delete_is_refused(
    app: SandboxApp, api: Api
) -> None:
    """With audiences_in_use, an audience DSP has reads deletable false and its DELETE is a 400 that says
    deletion is not allowed at this time; before DSP has it, and once nothing uses it, it may be deleted."""
    app.configure(min_audience_size=100, audiences_in_use=True)
    audience_id = _create(api)
    app.clock.advance(1)
    assert _get(api, audience_id)["deletable"] is True  # SUCCEEDED, not yet in DSP
    app.clock.advance(48 * 3600)
    used = _get(api, audience_id)
    assert used["status"] == "SUCCEEDED" and "dspAudienceId" in used and used["deletable"] is False
    refused = api.r("DELETE", f"/amc/audiences/query/{audience_id}")
    assert refused.status_code == 400
    assert "deletion is not allowed for this audience at this time" in refused.text.lower()
    assert _get(api, audience_id)["status"] == "SUCCEEDED"
    app.configure(audiences_in_use=False)  # the trader took it off the line items
    assert _get(api, audience_id)["deletable"] is True
    assert api.r("DELETE", f"/amc/audiences/query/{audience_id}").status_code == 204


def test_only_failed_or_succeeded_audiences_are_deletable(app: SandboxApp, api: Api) -> None:
    """A RUNNING audience reads deletable false and its DELETE names the states that may be deleted."""
    app.configure(min_audience_size=100, audience_run_s=600)
    audience_id = _create(api)
    app.clock.advance(300)
    running = _get(api, audience_id)
    assert running["status"] == "RUNNING" and running["deletable"] is False
    refused = api.r("DELETE", f"/amc/audiences/query/{audience_id}")
    assert refused.status_code == 400 and "FAILED or SUCCEEDED" in refused.text

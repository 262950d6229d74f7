"""The lookalike endpoint (``POST /amc/audiences/lookalike``): the spec's request and answer, the 7-21 day
refresh range, the 500 to 500,000 seed, the size per expected reach, and the activation lag."""

from __future__ import annotations

from typing import Any

import pytest

from amc_cltv.sandbox.app import SandboxApp
from amc_cltv.sandbox.lifecycle import LOOKALIKE_REACH

from .conftest import Api
from .test_audiences import _body, _get

LOOKALIKE = "/amc/audiences/lookalike"
# A seed of every buyer (thousands on the test data) and one of a handful of users.
SMALL_SEED = (
    "SELECT user_id FROM conversions_all_for_audiences WHERE event_subtype = 'order' "
    "AND total_product_sales > 10000 GROUP BY user_id"
)


def _lookalike(api: Api, **extra: Any) -> Any:
    return api.r("POST", LOOKALIKE, json=_body(audienceName="Lookalike", **extra))


def test_a_lookalike_answers_as_the_spec_says_and_is_read_through_the_query_endpoint(
    app: SandboxApp, api: Api
) -> None:
    """200 with audienceExecutionId, audienceExecutionDescription and PENDING in the lookalike media type;
    GET /query shows audienceType LOOKALIKE with its reach, SUCCEEDED at the low end of the reach's range
    (the seed's own users are not the count), DSP ids only after the lag."""
    app.configure(audience_run_s=600)
    response = _lookalike(api, lookalikeAudienceExpectedReach="SIMILAR")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"audienceExecutionId", "audienceExecutionDescription", "status"}
    assert answer["status"] == "PENDING"
    audience_id = answer["audienceExecutionId"]
    app.clock.advance(600)
    done = _get(api, audience_id)
    assert done["audienceType"] == "LOOKALIKE" and done["lookalikeAudienceExpectedReach"] == "SIMILAR"
    assert done["status"] == "SUCCEEDED" and done["audienceCount"] == LOOKALIKE_REACH["SIMILAR"] == 1_500_000
    assert "dspAudienceId" not in done
    app.clock.advance(48 * 3600)
    assert _get(api, audience_id)["dspAudienceId"]
    listed = api.r("GET", "/amc/audiences/query").json()["executionMetadata"]
    assert [a["audienceExecutionId"] for a in listed] == [audience_id]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "lookalikeAudienceExpectedReach is required"),
        ({"lookalikeAudienceExpectedReach": "WIDE"}, "must be one of MOST_SIMILAR"),
        ({"lookalikeAudienceExpectedReach": "BALANCED", "refreshRateDays": 0}, "from 7 to 21"),
        ({"lookalikeAudienceExpectedReach": "BALANCED", "refreshRateDays": 22}, "from 7 to 21"),
    ],
)
def test_a_lookalike_without_a_reach_or_with_a_rule_based_refresh_rate_is_a_400(
    api: Api, extra: dict[str, Any], message: str
) -> None:
    response = _lookalike(api, **extra)
    assert response.status_code == 400 and message in response.text
    assert api.r("GET", "/amc/audiences/query").json()["executionMetadata"] == []


def test_a_lookalike_seeded_by_under_500_users_fails_with_the_reason(app: SandboxApp, api: Api) -> None:
    """AMC models a lookalike from 500 to 500,000 seed users: a smaller seed ends FAILED saying so."""
    response = _lookalike(api, query=SMALL_SEED, lookalikeAudienceExpectedReach="BALANCED")
    assert response.status_code == 200, response.text
    app.clock.advance(60)
    failed = _get(api, response.json()["audienceExecutionId"])
    assert failed["status"] == "FAILED"
    assert "between 500 and 500000 user_ids" in failed["statusReason"]


def test_a_failed_lookalike_is_updated_keeping_its_type_and_reach(app: SandboxApp, api: Api) -> None:
    """PUT on a FAILED lookalike keeps audienceType and lookalikeAudienceExpectedReach; changing either is
    a 400."""
    created = _lookalike(api, query=SMALL_SEED, lookalikeAudienceExpectedReach="BALANCED").json()
    audience_id = created["audienceExecutionId"]
    app.clock.advance(60)
    path = f"/amc/audiences/query/{audience_id}"
    fixed = _body(
        audienceName="Lookalike", audienceType="LOOKALIKE", lookalikeAudienceExpectedReach="BALANCED"
    )
    changed = api.r("PUT", path, json={**fixed, "lookalikeAudienceExpectedReach": "BROAD"})
    assert changed.status_code == 400 and "cannot be changed" in changed.text
    assert api.r("PUT", path, json=fixed).status_code == 200
    app.clock.advance(60)
    done = _get(api, audience_id)
    assert done["status"] == "SUCCEEDED" and done["audienceType"] == "LOOKALIKE"
    assert done["audienceCount"] == LOOKALIKE_REACH["BALANCED"]

"""``audience lookalike`` on a mocked wire: the request against AMC's published spec, the seed guard, the
lag and idempotency (a crash or a lost answer never makes a second lookalike), and its own rotation line."""

from __future__ import annotations

import pytest
import respx

from amc_cltv.audience import activate, known_on_error
from amc_cltv.audience.lookalike import create_lookalike
from amc_cltv.audience.sizing import SEED_GUARD
from amc_cltv.client import AmcClient
from amc_cltv.config import Config
from amc_cltv.errors import Refused, UsageError
from amc_cltv.ledger import Ledger
from tests.audience.conftest import INSTANCE, FakeAudiences, record_segmentation

Amc = tuple[respx.MockRouter, FakeAudiences]

# AMC's Rule-Based Audiences OpenAPI spec (docs/amc-api.md §4.6): AMCLookalikeAudiencesRequest is
# AMCQueryBasedAudiencesRequest (these properties) plus lookalikeAudienceExpectedReach.
SPEC_PROPERTIES = {
    "advertiserId",
    "audienceDescription",
    "audienceName",
    "countryCode",
    "inputParameters",
    "parameterValues",
    "query",
    "refreshRateDays",
    "timeWindowEnd",
    "timeWindowRelative",
    "timeWindowStart",
    "workflowId",
    "lookalikeAudienceExpectedReach",
}
SPEC_REQUIRED = {
    "advertiserId",
    "audienceName",
    "timeWindowEnd",
    "timeWindowStart",
    "lookalikeAudienceExpectedReach",
}
SPEC_REACH = {"MOST_SIMILAR", "SIMILAR", "BALANCED", "BROAD", "MOST_BROAD"}
SPEC_REQUEST_TYPE = "application/vnd.amcquerybasedaudience.v1+json"
SPEC_ANSWER_TYPE = "application/vnd.amclookalikeaudience.v1+json"


@pytest.mark.parametrize(
    ("reach", "expected"),
    [("most-similar", "MOST_SIMILAR"), ("balanced", "BALANCED"), ("MOST_BROAD", "MOST_BROAD")],
)
def test_the_lookalike_request_has_the_shape_of_amcs_spec(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, reach: str, expected: str
) -> None:
    """One POST to /amc/audiences/lookalike (none to /query) in the spec's media types, with only the spec's
    fields, all its required ones, the reach in its enum, the refresh rate in 7..21 and the segment's
    audience query (over _for_audiences tables) as the seed."""
    router, fake = amc
    record_segmentation(config, ledger, 3200)
    outcome = create_lookalike(config, client, ledger, segment="high-value", reach=reach)
    assert router["create_lookalike"].call_count == 1 and router["create"].call_count == 0
    body, headers = fake.posts[0], fake.post_headers[0]
    assert set(body) <= SPEC_PROPERTIES and set(body) >= SPEC_REQUIRED | {"query"}
    assert "workflowId" not in body
    assert body["lookalikeAudienceExpectedReach"] == expected and expected in SPEC_REACH
    assert 7 <= body["refreshRateDays"] <= 21
    assert headers["Content-Type"] == SPEC_REQUEST_TYPE and headers["Accept"] == SPEC_ANSWER_TYPE
    assert "_for_audiences" in body["query"] and "'High Value Customer'" in body["query"]
    assert body["audienceName"] == outcome.name
    assert body["audienceName"].startswith(
        f"amc-cltv high-value lookalike-{expected.lower().replace('_', '-')} "
    )
    assert outcome.action == "created" and outcome.audience_type == "LOOKALIKE"
    assert outcome.audience is not None and outcome.audience.status == "SUCCEEDED"
    row = ledger.audience_by_name(INSTANCE, outcome.name)
    assert row is not None and row.audience_type == "LOOKALIKE" and row.expected_reach == expected
    assert row.seed_count == 3200 and row.refresh_rate_days == body["refreshRateDays"]


@pytest.mark.parametrize(
    ("seed", "words"), [(499, "below the lookalike seed minimum of 500"), (500_001, "above")]
)
def test_a_seed_outside_amcs_range_is_refused_and_nothing_is_sent(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc, seed: int, words: str
) -> None:
    router, fake = amc
    record_segmentation(config, ledger, seed)
    with pytest.raises(Refused, match=words) as refused:
        create_lookalike(config, client, ledger)
    assert refused.value.context["guard"] == SEED_GUARD
    assert fake.posts == [] and router["create_lookalike"].call_count == 0
    known = known_on_error(refused.value)
    assert known is not None and known.segment_size == seed


def test_a_second_lookalike_call_reuses_it_and_sends_nothing(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    router, _ = amc
    record_segmentation(config, ledger, 3200)
    first = create_lookalike(config, client, ledger)
    second = create_lookalike(config, client, ledger)
    assert second.action == "reused" and second.name == first.name
    assert router["create_lookalike"].call_count == 1


def test_a_lost_answer_to_the_lookalike_post_is_adopted_never_resent(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """AMC creates the lookalike but the answer times out: the list is read, the lookalike adopted."""
    router, fake = amc
    record_segmentation(config, ledger, 3200)
    fake.post_faults = ["timeout"]
    outcome = create_lookalike(config, client, ledger)
    assert router["create_lookalike"].call_count == 1 and len(fake.audiences) == 1
    assert outcome.audience is not None and outcome.audience.status == "SUCCEEDED"


def test_a_lookalike_and_the_segments_audience_live_side_by_side(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    """The lookalike of high-value does not retire the high-value audience (nor the reverse)."""
    _, fake = amc
    record_segmentation(config, ledger, 3200)
    audience = activate(config, client, ledger)
    lookalike = create_lookalike(config, client, ledger)
    assert lookalike.retired == [] and lookalike.action == "created"
    again = activate(config, client, ledger)
    assert again.retired == [] and again.name == audience.name
    assert fake.deleted == [] and len(fake.audiences) == 2


def test_only_the_high_value_segment_seeds_a_lookalike_and_the_reach_is_checked(
    config: Config, client: AmcClient, ledger: Ledger, amc: Amc
) -> None:
    with pytest.raises(UsageError, match="seeded by high-value only"):
        create_lookalike(config, client, ledger, segment="low-value")
    with pytest.raises(UsageError, match="unknown reach 'wide'; allowed: most-similar, similar, balanced"):
        create_lookalike(config, client, ledger, reach="wide")
    assert amc[1].posts == []

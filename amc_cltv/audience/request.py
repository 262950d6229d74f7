"""The ``POST /amc/audiences/query`` body for a segment (docs/amc-api.md §4.2), and the lookalike body it
seeds (§4.6), in AMC's field names."""

from __future__ import annotations

from typing import Any

from amc_cltv.audience.rules import AudienceRules
from amc_cltv.config import PLACEHOLDER_DSP_ADVERTISER_ID, Config
from amc_cltv.errors import ConfigError
from amc_cltv.timewindow import TimeWindow


def lookalike_body(
    rules: AudienceRules, config: Config, window: TimeWindow, name: str, reach: str
) -> dict[str, Any]:
    """The ``POST /amc/audiences/lookalike`` body (docs/amc-api.md §4.6): the segment's audience query is
    the seed; AMC builds only the lookalike, refreshed every ``lookalike_refresh_rate_days`` (7 to 21)."""
    body = create_body(rules, config, window)
    body["audienceName"] = name
    body["audienceDescription"] = (
        f"amc-cltv: lookalike ({reach}) of the customers labelled '{rules.segment.label}' by the "
        f"segmentation rules (rules sha256 {rules.rules_sha256[:16]})"
    )
    body["refreshRateDays"] = config.profile.audience.lookalike_refresh_rate_days
    body["lookalikeAudienceExpectedReach"] = reach
    return body


def require_dsp_advertiser(config: Config) -> None:
    """Refuse (ConfigError) a profile on real data that kept the sandbox's placeholder DSP advertiser: its
    audience would go to an advertiser nobody owns. Called before any audience request is sent."""
    dsp = config.profile.audience.dsp_advertiser_id
    if not config.amc.synthetic_data and dsp == PLACEHOLDER_DSP_ADVERTISER_ID:
        raise ConfigError(
            f"[audience] dsp_advertiser_id in {config.label} is {PLACEHOLDER_DSP_ADVERTISER_ID}, "
            "the sandbox's placeholder: set it to the Amazon DSP advertiser that receives the audience"
        )


def create_body(rules: AudienceRules, config: Config, window: TimeWindow) -> dict[str, Any]:
    """The rule-based audience request; AMC refreshes it (relative window, ``refreshRateDays``)."""
    settings = config.profile.audience
    body: dict[str, Any] = {
        "audienceName": rules.audience_name,
        "audienceDescription": (
            f"amc-cltv: customers labelled '{rules.segment.label}' by the segmentation rules "
            f"(rules sha256 {rules.rules_sha256[:16]})"
        ),
        "advertiserId": settings.dsp_advertiser_id,
        "query": rules.query,
        "timeWindowStart": window.audience_start,
        "timeWindowEnd": window.audience_end,
        # AMC moves the window forward at each refresh, so the tool never re-creates the audience.
        "timeWindowRelative": True,
        "refreshRateDays": settings.refresh_rate_days,
    }
    if rules.input_parameters:
        body["inputParameters"] = [dict(p) for p in rules.input_parameters]
    if rules.parameter_values:
        body["parameterValues"] = dict(rules.parameter_values)
    return body

"""One currency per result: on an instance whose advertisers span several marketplaces, every execution reads
only the advertisers of the profile's marketplace (AMC's ``advertisers`` execution field)."""

from __future__ import annotations

import pytest

from amc_cltv.client.models import Advertiser
from amc_cltv.errors import UsageError
from amc_cltv.orchestration.marketplaces import marketplace_scope

from .conftest import Sandbox

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"


def test_an_instance_spanning_marketplaces_is_restricted_to_the_profiles(sandbox: Sandbox) -> None:
    sandbox.app.configure(marketplaces=2)
    result = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert result.code == 0, result.stderr
    (execution,) = sandbox.executions()
    assert execution["advertisers"] == [{"id": "1234567890", "marketplaceId": US, "type": "DISPLAY"}]
    doctor = sandbox.cli("doctor")
    assert doctor.code == 0, doctor.stdout
    assert f"span {DE}, {US}" in doctor.stdout and "one currency" in doctor.stdout


def test_an_instance_in_one_marketplace_sends_no_restriction(sandbox: Sandbox) -> None:
    result = sandbox.cli("run", "--workflow", "segmentation")
    assert result.code == 0, result.stderr
    (execution,) = sandbox.executions()
    assert execution.get("advertisers") is None


def test_a_profile_marketplace_with_no_advertiser_is_a_config_error() -> None:
    advertisers = [Advertiser(id="1", marketplace_id=US), Advertiser(id="2", marketplace_id=DE)]
    with pytest.raises(UsageError, match="none in the profile's marketplace_id A1VC38T7YXB528"):
        marketplace_scope(advertisers, "A1VC38T7YXB528")
    assert [a.id for a in marketplace_scope(advertisers, DE)] == ["2"]
    assert marketplace_scope(advertisers[:1], DE) == ()

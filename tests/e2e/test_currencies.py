"""One currency per result, no DSP spend dropped: on an instance whose sponsored ads advertisers span several
marketplaces, every execution reads the advertisers of the profile's marketplace and every DSP advertiser
(AMC gives those no marketplace), through AMC's ``advertisers`` execution field."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.client.models import Advertiser
from amc_cltv.errors import UsageError
from amc_cltv.orchestration.marketplaces import marketplace_scope

from .conftest import Sandbox

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
DSP_ADVERTISER = {"id": "1234567890", "type": "DISPLAY"}
US_ADVERTISER = {"id": "ENTITYSANDBOX0001", "marketplaceId": US, "type": "SPONSORED_ADS"}


def test_an_instance_spanning_marketplaces_keeps_its_dsp_advertisers(sandbox: Sandbox) -> None:
    sandbox.app.configure(marketplaces=2)
    result = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert result.code == 0, result.stderr
    (execution,) = sandbox.executions()
    assert execution["advertisers"] == [US_ADVERTISER, DSP_ADVERTISER]
    doctor = sandbox.cli("doctor")
    assert doctor.code == 0, doctor.stdout
    assert f"span {DE}, {US}" in doctor.stdout and "one currency" in doctor.stdout


def test_dsp_spend_is_the_same_whether_or_not_the_instance_spans_marketplaces(sandbox: Sandbox) -> None:
    """The restriction keeps the DSP data: the segments' spend per customer equals that of the unrestricted
    run (the sandbox reads a left-out advertiser type's tables as empty)."""
    first = sandbox.cli("run", "--workflow", "segmentation", "--json")
    assert first.code == 0, first.stderr
    sandbox.app.configure(marketplaces=2)
    second = sandbox.cli("run", "--workflow", "segmentation", "--force-rerun", "--json")
    assert second.code == 0, second.stderr
    assert [e.get("advertisers") for e in sandbox.executions()].count(None) == 1

    unrestricted, restricted = _rows(first.json), _rows(second.json)
    assert restricted == unrestricted and len(restricted) > 1


def _rows(result: dict[str, object]) -> list[str]:
    """Every line of a run's result files, sorted (the header included)."""
    files = result["files"]
    assert isinstance(files, list)
    return sorted(line for path in files for line in Path(path).read_text(encoding="utf-8").splitlines())


def test_an_instance_in_one_marketplace_sends_no_restriction(sandbox: Sandbox) -> None:
    result = sandbox.cli("run", "--workflow", "segmentation")
    assert result.code == 0, result.stderr
    (execution,) = sandbox.executions()
    assert execution.get("advertisers") is None


def test_dsp_advertisers_without_a_marketplace_are_kept_and_a_missing_marketplace_is_a_config_error() -> None:
    advertisers = [
        Advertiser(id="1", marketplace_id=US, type="SPONSORED_ADS"),
        Advertiser(id="2", marketplace_id=DE, type="SPONSORED_ADS"),
        Advertiser(id="3", marketplace_id=None, type="DISPLAY"),
    ]
    with pytest.raises(UsageError, match="none in the profile's marketplace_id A1VC38T7YXB528"):
        marketplace_scope(advertisers, "A1VC38T7YXB528")
    assert [(a.id, a.type) for a in marketplace_scope(advertisers, DE)] == [
        ("2", "SPONSORED_ADS"),
        ("3", "DISPLAY"),
    ]
    assert marketplace_scope([advertisers[0], advertisers[2]], US) == ()

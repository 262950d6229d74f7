"""`amc-cltv instances list`: the real CLI, on a mocked wire and on the embedded sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from amc_cltv.cli import main
from tests.client.conftest import API, CLIENT_ID, TOKEN_URL, token_response
from tests.stderr import failure

PROFILE = f"""
[amc]
api_url = "{API}"
token_url = "{TOKEN_URL}"
instance_id = "amcconfigured"
advertiser_id = "ENTITYCONFIGURED"
marketplace_id = "ATVPDKIKX0DER"
"""


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "instance.toml"
    path.write_text(PROFILE, encoding="utf-8")
    monkeypatch.setenv("AMC_CLTV_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AMC_CLTV_CLIENT_SECRET", "amzn1.oa2-cs.v1.cli-secret")
    monkeypatch.setenv("AMC_CLTV_REFRESH_TOKEN", "Atzr|cli-refresh")
    return path


@pytest.fixture
def wire() -> respx.MockRouter:
    with respx.mock(base_url=API, assert_all_mocked=True) as router:
        router.post(TOKEN_URL).mock(return_value=token_response())
        yield router


def test_lists_every_instance_of_every_account_with_that_accounts_ids(
    profile: Path, wire: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    """Instances are listed per AMC account (its AdvertiserId and MarketplaceId); each row says which."""
    wire.get("/amc/accounts").respond(
        json={
            "amcAccounts": [
                {"accountId": "ENTITYUS", "accountName": "US brand", "marketplaceId": "ATVPDKIKX0DER"},
                {"accountId": "ENTITYDE", "accountName": "DE brand", "marketplaceId": "A1PA6795UKMFR9"},
            ]
        }
    )

    def instances_for(request: httpx.Request) -> httpx.Response:
        account = request.headers["amazon-advertising-api-advertiserid"]
        instance = {
            "instanceId": f"amc{account[-2:].lower()}",
            "instanceName": f"{account} main",
            "instanceType": "STANDARD",
            "apiEndpoint": "https://advertising-api-eu.amazon.com" if account.endswith("DE") else API,
        }
        return httpx.Response(200, json={"instances": [instance]})

    wire.get("/amc/instances").mock(side_effect=instances_for)
    code = main(["--config", str(profile), "instances", "list", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)["instances"]
    assert [(r["instance_id"], r["advertiser_id"], r["marketplace_id"], r["api_endpoint"]) for r in rows] == [
        ("amcus", "ENTITYUS", "ATVPDKIKX0DER", API),
        ("amcde", "ENTITYDE", "A1PA6795UKMFR9", "https://advertising-api-eu.amazon.com"),
    ]


def test_without_amc_accounts_the_configured_ids_are_used(
    profile: Path, wire: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    """Instant self-service instances have no AMC account: list with the profile's advertiser_id instead."""
    wire.get("/amc/accounts").respond(json={"amcAccounts": []})
    route = wire.get("/amc/instances").respond(json={"instances": [{"instanceId": "amcself"}]})
    assert main(["--config", str(profile), "instances", "list"]) == 0
    assert route.calls.last.request.headers["amazon-advertising-api-advertiserid"] == "ENTITYCONFIGURED"
    assert "amcself" in capsys.readouterr().out


def test_an_amc_refusal_is_one_line_and_exit_2(
    profile: Path, wire: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 403 prints one error line with AMC's words (no traceback); --json still prints one object."""
    wire.get("/amc/accounts").respond(403, json={"message": "Unauthorized", "requestId": "rq-9"})
    assert main(["--config", str(profile), "instances", "list", "--json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["exit_code"] == 2
    error = failure(captured.err)
    assert "Unauthorized" in error and "rq-9" in error
    assert "Traceback" not in captured.err


@pytest.mark.e2e
def test_embedded_sandbox_lists_its_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no config the embedded sandbox answers through the same client: its ids match sandbox.toml."""
    monkeypatch.chdir(tmp_path)
    assert main(["instances", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["instances"]
    assert {(r["instance_id"], r["advertiser_id"], r["marketplace_id"]) for r in rows} == {
        ("amcsandbox01", "ENTITYSANDBOX0001", "ATVPDKIKX0DER")
    }

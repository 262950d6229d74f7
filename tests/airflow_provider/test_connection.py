"""The ``amc`` connection and the profile it completes; the library's errors as one-line task failures;
and ``amc_cltv`` staying free of Airflow until its provider is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amc_cltv.airflow.profile import connection_config, payload_config, profile_payload
from amc_cltv.errors import ConfigError
from tests.airflow_provider.conftest import CONNECTION, Fleet, write_profile

PROFILE_URL = "https://advertising-api.amazon.com"


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profiles" / "us.toml"
    write_profile(path, PROFILE_URL)
    return path


def test_the_connection_gives_the_secrets_and_its_extra_overrides_profile_keys(profile: Path) -> None:
    config = connection_config(
        profile,
        login="client-id",
        password="client-secret",
        extra={"refresh_token": "Atzr|token", "instance_id": "amcother02", "polling.max_wait_s": 60},
        conn_id="amc_us",
    )
    assert config.instance_id == "amcother02"
    assert config.profile.polling.max_wait_s == 60
    assert config.profile.polling.initial_interval_s == 60  # the rest of the profile stays
    assert config.credentials.client_id == "client-id"
    assert config.credentials.client_secret.get_secret_value() == "client-secret"
    assert config.credentials.refresh_token.get_secret_value() == "Atzr|token"
    assert "client-secret" not in repr(config) and "Atzr|token" not in repr(config)
    # Paths resolve against the profile's folder, as the CLI's do.
    assert config.state_dir == (profile.parent / "state" / "sandbox-us").resolve()


def test_a_connection_without_the_refresh_token_is_one_line_naming_it(profile: Path) -> None:
    with pytest.raises(ConfigError, match=r"connection 'amc_us': extra refresh_token not set"):
        connection_config(profile, login="id", password="secret", extra={}, conn_id="amc_us")


def test_an_override_of_an_unknown_key_names_the_key(profile: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'polling.max_wiat_s'"):
        connection_config(
            profile,
            login="id",
            password="secret",
            extra={"refresh_token": "t", "polling.max_wiat_s": 1},
            conn_id="amc_us",
        )


def test_the_hook_reads_the_connection_from_its_json_environment_variable(profile: Path) -> None:
    from amc_cltv.airflow import AmcHook

    config = AmcHook().config(profile)  # AIRFLOW_CONN_AMC_DEFAULT, set for the session
    assert config.credentials.client_id == CONNECTION["login"]
    assert config.credentials.refresh_token.get_secret_value() == CONNECTION["extra"]["refresh_token"]  # type: ignore[index]


def test_a_missing_profile_fails_the_task_without_retries_in_one_line(tmp_path: Path) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from amc_cltv.airflow import AmcRunWorkflowOperator

    operator = AmcRunWorkflowOperator(
        task_id="segmentation", workflow="segmentation", config=str(tmp_path / "missing.toml")
    )
    with pytest.raises(AirflowFailException, match=r"missing\.toml: config file not found$"):
        operator.execute(context={})  # type: ignore[arg-type]


def test_importing_amc_cltv_does_not_import_airflow() -> None:
    probe = (
        "import sys, amc_cltv, amc_cltv.cli, amc_cltv.orchestration.run, amc_cltv.airflow.profile\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import json\n{probe}"], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "from airflow.sdk import BaseOperator\n"
            "from amc_cltv.airflow import AmcRunWorkflowOperator, AmcActivateAudienceOperator, "
            "AmcAudienceUsableSensor\n"
            "print(all(issubclass(op, BaseOperator) for op in (AmcRunWorkflowOperator, "
            "AmcActivateAudienceOperator, AmcAudienceUsableSensor)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "True"


def test_the_connection_form_is_declared_in_provider_info_and_airflow_draws_it() -> None:
    """Airflow's provider manager reads the form from provider info without importing the hook: the
    hook's name, the hidden and relabelled fields, and the refresh token as a password field."""
    from airflow.providers_manager import ProvidersManager

    from amc_cltv.airflow.provider_info import get_provider_info

    (declared,) = get_provider_info()["connection-types"]
    assert declared["hook-name"] == "Amazon Marketing Cloud"
    assert declared["conn-fields"]["refresh_token"]["schema"]["format"] == "password"

    manager = ProvidersManager()
    widget = manager.connection_form_widgets["extra__amc__refresh_token"]
    assert widget.is_sensitive and widget.field["schema"]["title"] == "LwA refresh token"
    # What the UI's connection page lists for the type (hooks not imported).
    (listed,) = [m for m in manager.iter_connection_type_hook_ui_metadata() if m.connection_type == "amc"]
    assert listed.hook_name == "Amazon Marketing Cloud"
    assert listed.hook_class_name == "amc_cltv.airflow.hooks.AmcHook"
    assert listed.field_behaviour is not None
    assert set(listed.field_behaviour["hidden_fields"]) == {"host", "port", "schema"}
    assert listed.field_behaviour["relabeling"] == {"login": "LwA client id", "password": "LwA client secret"}


def test_the_hook_answers_with_the_same_form_for_airflow_releases_that_ask_it() -> None:
    from amc_cltv.airflow import AmcHook

    assert AmcHook.get_ui_field_behaviour()["hidden_fields"] == ["host", "port", "schema"]


def test_a_refresh_token_entered_in_the_form_is_the_secret_not_a_profile_key(profile: Path) -> None:
    config = connection_config(
        profile,
        login="id",
        password="secret",
        extra={"extra__amc__refresh_token": "Atzr|from-the-form"},
        conn_id="amc_us",
    )
    assert config.credentials.refresh_token.get_secret_value() == "Atzr|from-the-form"


def test_the_profile_a_trigger_carries_holds_no_secret_and_gives_the_same_config(profile: Path) -> None:
    """The trigger's copy of the profile, overrides applied, completed by the connection's secrets in the
    triggerer: the same Config as the task's, with no secret in what is stored."""
    extra = {"refresh_token": "Atzr|token", "instance_id": "amcother02"}
    config = connection_config(profile, login="client-id", password="client-secret", extra=extra, conn_id="c")
    payload = json.loads(json.dumps(profile_payload(config)))
    assert "client-secret" not in json.dumps(payload) and "Atzr|token" not in json.dumps(payload)
    again = payload_config(payload, login="client-id", password="client-secret", extra=extra, conn_id="c")
    assert again.profile == config.profile and again.instance_id == "amcother02"
    assert (again.state_dir, again.output_dir) == (config.state_dir, config.output_dir)
    assert again.credentials == config.credentials


def test_testing_the_connection_gets_a_token_and_finds_the_instance(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI's Test button: Login with Amazon, AMC's accounts, the instance the extra names; a failure is
    one line without the secret."""
    from amc_cltv.airflow import AmcHook

    extra = {
        "refresh_token": "Atzr|tested-token",
        "api_url": fleet.base_url,
        "token_url": f"{fleet.base_url}/auth/o2/token",
    }
    connection = {"conn_type": "amc", "login": "id", "password": "tested-secret"}
    monkeypatch.setenv("AIRFLOW_CONN_AMC_TESTED", json.dumps({**connection, "extra": extra}))
    assert AmcHook("amc_tested").test_connection() == (
        True,
        "Login with Amazon and AMC answer (1 AMC accounts)",
    )
    instance = {"instance_id": "amcsandbox01", "advertiser_id": "ENTITYSANDBOX0001"}
    found = {**extra, **instance, "marketplace_id": "ATVPDKIKX0DER"}
    monkeypatch.setenv("AIRFLOW_CONN_AMC_TESTED", json.dumps({**connection, "extra": found}))
    ok, message = AmcHook("amc_tested").test_connection()
    assert ok and "amcsandbox01" in message, message
    fleet.script_faults({"kind": "status", "status": 403, "match": "^GET /amc/accounts", "times": 0})
    ok, message = AmcHook("amc_tested").test_connection()
    assert not ok and "403" in message
    assert "tested-secret" not in message and "Atzr|tested-token" not in message

"""The ``amc`` connection and the profile it completes; the library's errors as one-line task failures;
and ``amc_cltv`` staying free of Airflow until its provider is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amc_cltv.airflow.profile import connection_config
from amc_cltv.errors import ConfigError
from tests.airflow_provider.conftest import CONNECTION, write_profile

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
            "from amc_cltv.airflow import AmcRunWorkflowOperator, AmcActivateAudienceOperator, "
            "AmcAudienceUsableSensor; print(AmcRunWorkflowOperator.__mro__[1].__name__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "BaseOperator"

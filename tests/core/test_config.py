"""Instance profiles: defaults, path resolution, secrets from the environment, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.config import load_config
from amc_cltv.errors import ConfigError

MINIMAL = """
[amc]
instance_id    = "amc1234abcd"
advertiser_id  = "ENTITY1AA1AA11AAA1"
marketplace_id = "ATVPDKIKX0DER"
"""
SECRETS = {
    "AMC_CLTV_CLIENT_ID": "amzn1.application-oa2-client.abc",
    "AMC_CLTV_CLIENT_SECRET": "super-secret-value",
    "AMC_CLTV_REFRESH_TOKEN": "Atzr|refresh-token-value",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return path


def test_minimal_profile_takes_every_documented_default(tmp_path: Path) -> None:
    """Only the three ids are required; everything else has its default (docs/contract.md §1)."""
    config = load_config(write(tmp_path, MINIMAL), environ=SECRETS)
    profile = config.profile
    assert profile.amc.api_url == "https://advertising-api.amazon.com"
    assert profile.amc.token_url == "https://api.amazon.com/auth/o2/token"
    assert (profile.amc.time_zone, profile.amc.synthetic_data) == ("UTC", False)
    assert (profile.audience.min_size, profile.audience.refresh_rate_days) == (2500, 7)
    assert profile.audience.activation_lag_hours == 48
    # conversions_all needs a paid subscription: a real profile never assumes it (docs/amc-api.md §5.3).
    assert profile.workflows.shopping_insights is False
    assert (profile.polling.initial_interval_s, profile.polling.multiplier) == (30, 1.5)
    assert (profile.polling.max_interval_s, profile.polling.max_wait_s) == (300, 43200)
    assert config.state_dir == tmp_path / ".amc-cltv"
    assert config.output_dir == tmp_path / "results"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    text = MINIMAL + '[paths]\nstate_dir = "state"\noutput_dir = "/abs/out"\n'
    config = load_config(write(tmp_path, text), environ=SECRETS, cwd=Path("/"))
    assert config.state_dir == tmp_path / "state"
    assert config.output_dir == Path("/abs/out")


def test_the_sandbox_is_loaded_when_asked_for_by_name_without_credentials(tmp_path: Path) -> None:
    config = load_config("sandbox", environ={}, cwd=tmp_path)
    assert config.source is None and config.amc.embedded
    assert config.profile.workflows.shopping_insights is True  # the sandbox has the paid dataset
    assert config.state_dir == tmp_path / ".amc-cltv"
    assert config.credentials.client_id


def test_no_profile_and_no_environment_variable_is_an_error_not_the_sandbox(tmp_path: Path) -> None:
    """A library caller that forgot the profile must not run against synthetic data unawares."""
    with pytest.raises(ConfigError, match=r'AMC_CLTV_CONFIG.*load_config\("sandbox"\)'):
        load_config(None, environ={}, cwd=tmp_path)


def test_environment_variable_selects_the_profile(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    config = load_config(None, environ={**SECRETS, "AMC_CLTV_CONFIG": str(path)})
    assert config.source == path and config.instance_id == "amc1234abcd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL + "[polling]\ninitial_intervl_s = 3\n", "unknown key 'polling.initial_intervl_s'"),
        (MINIMAL.replace('instance_id    = "amc1234abcd"\n', ""), "missing key 'amc.instance_id'"),
        (MINIMAL + '[audience]\nmin_size = "many"\n', "invalid value for 'audience.min_size'"),
        (MINIMAL + "[audience]\nmin_size = 1500\n", "invalid value for 'audience.min_size'"),
        (
            MINIMAL + "[audience]\nlookalike_min_seed = 499\n",
            "invalid value for 'audience.lookalike_min_seed'",
        ),
        (
            MINIMAL + "[audience]\nlookalike_refresh_rate_days = 0\n",
            "invalid value for 'audience.lookalike_refresh_rate_days'",
        ),
        (MINIMAL.replace("[amc]", '[amc]\napi_url = "http://amc.example.com"'), "must use https://"),
        (MINIMAL.replace("[amc]", '[amc]\napi_url = "not a url"'), "invalid value for 'amc.api_url'"),
        (MINIMAL.replace("[amc]", '[amc]\ntime_zone = "Mars/Olympus"'), "unknown time zone"),
        ("[amc\n", "not valid TOML"),
    ],
)
def test_bad_profiles_are_one_line_errors_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=SECRETS)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(str(path)) and "\n" not in message


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_plain_http_is_accepted_on_loopback_only(tmp_path: Path, host: str) -> None:
    text = MINIMAL.replace(
        "[amc]", f'[amc]\napi_url = "http://{host}:8765"\ntoken_url = "http://{host}:8765/t"'
    )
    assert load_config(write(tmp_path, text), environ=SECRETS).amc.api_url == f"http://{host}:8765"


def test_missing_secret_names_the_variable_and_never_reads_the_file_for_it(tmp_path: Path) -> None:
    env = {k: v for k, v in SECRETS.items() if k != "AMC_CLTV_REFRESH_TOKEN"}
    config = load_config(write(tmp_path, MINIMAL), environ=env)  # offline commands need no secrets
    with pytest.raises(ConfigError, match="AMC_CLTV_REFRESH_TOKEN is not set"):
        config.credentials  # noqa: B018  (the first command that talks to AMC)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('synthetic_data = "yes"', "amc.synthetic_data"),
        ('[audience]\nactivation_lag_hours = "48"', "audience.activation_lag_hours"),
        ("[polling]\nmax_wait_s = inf", "polling.max_wait_s"),
        ("[polling]\ninitial_interval_s = nan", "polling.initial_interval_s"),
        ('[workflows]\nshopping_insights = "true"', "workflows.shopping_insights"),
    ],
)
def test_values_are_strict_a_quoted_number_or_yes_is_refused_naming_the_key(
    tmp_path: Path, line: str, key: str
) -> None:
    with pytest.raises(ConfigError, match=rf"invalid value for '{key}'"):
        load_config(write(tmp_path, MINIMAL + "\n" + line + "\n"), environ=SECRETS)


def test_secrets_never_show_in_the_config_repr(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), environ=SECRETS)
    text = repr(config)
    assert "super-secret-value" not in text and "refresh-token-value" not in text
    assert config.credentials.client_secret.get_secret_value() == "super-secret-value"


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", environ=SECRETS)


def test_shipped_example_profile_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "configs" / "example-production.toml"
    config = load_config(example, environ=SECRETS)
    assert config.instance_id == "amc1234abcd" and not config.amc.embedded

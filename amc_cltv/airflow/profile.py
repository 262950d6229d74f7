"""An instance profile for an Airflow task: the profile's TOML, overridden by the ``amc`` connection.

The connection carries the Login with Amazon secrets (login = client id, password = client secret,
extra ``refresh_token``); any other key of its extra overrides a profile key, written ``section.key``
(``polling.max_wait_s``) or, for the ``[amc]`` section, the bare key (``instance_id``). This module does
not import Airflow: the operators hand it the connection's fields.

A trigger runs in the triggerer, which may have neither the DAG folder nor the profile's TOML: the operator
hands it the resolved profile (``profile_payload``, no secrets), and the trigger completes it with the
connection's secrets (``payload_config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from amc_cltv.config import Config, Credentials, Profile, parse_profile, read_profile_toml
from amc_cltv.errors import ConfigError

REFRESH_TOKEN_KEY = "refresh_token"
# What the connection form stores for its refresh token field (provider_info's ``conn-fields``), beside the
# bare key a JSON connection uses.
FORM_REFRESH_TOKEN_KEY = "extra__amc__refresh_token"
SECRET_KEYS = frozenset({REFRESH_TOKEN_KEY, FORM_REFRESH_TOKEN_KEY, "client_id", "client_secret"})


def _merged(raw: dict[str, Any], overrides: Mapping[str, Any], source: str) -> dict[str, Any]:
    merged = {
        section: dict(values) if isinstance(values, dict) else values for section, values in raw.items()
    }
    for key, value in overrides.items():
        if key in SECRET_KEYS:
            continue
        section, _, name = key.rpartition(".")
        section = section or "amc"
        target = merged.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{source}: connection extra {key!r} names no profile section")
        target[name] = value
    return merged


def connection_config(
    config: str | Path,
    *,
    login: str | None,
    password: str | None,
    extra: Mapping[str, Any],
    conn_id: str,
) -> Config:
    """The ``Config`` of profile ``config`` with the connection's secrets and overrides.

    Raises ConfigError naming the profile (or the connection) and the key.
    """
    path = Path(config).resolve()
    profile = parse_profile(
        _merged(read_profile_toml(path), extra, str(path)), f"{path} (connection {conn_id!r})"
    )
    credentials = _credentials(profile, login, password, extra, conn_id, path.name)
    return Config(
        profile,
        path,
        credentials,
        _resolve(path.parent, profile.paths.state_dir),
        _resolve(path.parent, profile.paths.output_dir),
    )


def _credentials(
    profile: Profile, login: str | None, password: str | None, extra: Mapping[str, Any], conn_id: str, of: str
) -> Credentials:
    refresh_token = extra.get(REFRESH_TOKEN_KEY) or extra.get(FORM_REFRESH_TOKEN_KEY)
    secrets = {
        "login": (login or "").strip(),
        "password": (password or "").strip(),
        "extra refresh_token": str(refresh_token or "").strip(),
    }
    if profile.amc.embedded:  # the sandbox accepts any non-empty credentials
        secrets = {name: value or "sandbox" for name, value in secrets.items()}
    missing = [name for name, value in secrets.items() if not value]
    if missing:
        raise ConfigError(
            f"connection {conn_id!r}: {', '.join(missing)} not set (the AMC credentials of {of})"
        )
    return Credentials(
        client_id=secrets["login"],
        client_secret=SecretStr(secrets["password"]),
        refresh_token=SecretStr(secrets["extra refresh_token"]),
    )


def connection_only_config(
    *, login: str | None, password: str | None, extra: Mapping[str, Any], conn_id: str
) -> Config:
    """A profile made of the connection alone (the URLs and instance its extra names, else AMC's), for
    testing the connection where no profile is at hand. Raises ConfigError."""
    source = f"connection {conn_id!r}"
    unnamed = {"amc": {"instance_id": "unnamed", "advertiser_id": "unnamed", "marketplace_id": "unnamed"}}
    profile = parse_profile(_merged(unnamed, extra, source), source)
    here = Path.cwd()
    return Config(profile, None, _credentials(profile, login, password, extra, conn_id, source), here, here)


def profile_payload(config: Config) -> dict[str, Any]:
    """The resolved profile of ``config`` as JSON for a trigger's arguments: no secret is in it."""
    return {
        "profile": config.profile.model_dump(mode="json"),
        "source": str(config.source),
        "state_dir": str(config.state_dir),
        "output_dir": str(config.output_dir),
    }


def payload_config(
    payload: Mapping[str, Any],
    *,
    login: str | None,
    password: str | None,
    extra: Mapping[str, Any],
    conn_id: str,
) -> Config:
    """The ``Config`` a ``profile_payload`` describes, with the connection's secrets (its overrides are
    already in the payload). Raises ConfigError."""
    source = str(payload.get("source") or "profile")
    profile = parse_profile(dict(payload["profile"]), f"{source} (as the task resolved it)")
    return Config(
        profile,
        Path(source),
        _credentials(profile, login, password, extra, conn_id, Path(source).name),
        Path(payload["state_dir"]),
        Path(payload["output_dir"]),
    )


def _resolve(folder: Path, path: Path) -> Path:
    return (path if path.is_absolute() else folder / path).resolve()

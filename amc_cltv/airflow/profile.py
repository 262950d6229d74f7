"""An instance profile for an Airflow task: the profile's TOML, overridden by the ``amc`` connection.

The connection carries the Login with Amazon secrets (login = client id, password = client secret,
extra ``refresh_token``); any other key of its extra overrides a profile key, written ``section.key``
(``polling.max_wait_s``) or, for the ``[amc]`` section, the bare key (``instance_id``). This module does
not import Airflow: the operators hand it the connection's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from amc_cltv.config import Config, Credentials, parse_profile, read_profile_toml
from amc_cltv.errors import ConfigError

REFRESH_TOKEN_KEY = "refresh_token"
SECRET_KEYS = frozenset({REFRESH_TOKEN_KEY, "client_id", "client_secret"})


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
    secrets = {
        "login": (login or "").strip(),
        "password": (password or "").strip(),
        "extra refresh_token": str(extra.get(REFRESH_TOKEN_KEY) or "").strip(),
    }
    if profile.amc.embedded:  # the sandbox accepts any non-empty credentials
        secrets = {name: value or "sandbox" for name, value in secrets.items()}
    missing = [name for name, value in secrets.items() if not value]
    if missing:
        raise ConfigError(
            f"connection {conn_id!r}: {', '.join(missing)} not set (the AMC credentials of {path.name})"
        )
    credentials = Credentials(
        client_id=secrets["login"],
        client_secret=SecretStr(secrets["password"]),
        refresh_token=SecretStr(secrets["extra refresh_token"]),
    )
    return Config(
        profile,
        path,
        credentials,
        _resolve(path.parent, profile.paths.state_dir),
        _resolve(path.parent, profile.paths.output_dir),
    )


def _resolve(folder: Path, path: Path) -> Path:
    return (path if path.is_absolute() else folder / path).resolve()

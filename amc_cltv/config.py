"""Instance profiles: one TOML file per AMC instance, validated; secrets only from the environment.

The profile is chosen by ``--config FILE``, else ``AMC_CLTV_CONFIG``, else the embedded sandbox
(``configs/sandbox.toml`` written out). Every problem is one ``ConfigError`` line naming the file and the
key or variable.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from amc_cltv.errors import ConfigError

EMBEDDED = "embedded"
CONFIG_ENV = "AMC_CLTV_CONFIG"
SECRET_ENV = ("AMC_CLTV_CLIENT_ID", "AMC_CLTV_CLIENT_SECRET", "AMC_CLTV_REFRESH_TOKEN")

# The ids the embedded sandbox serves; configs/sandbox.toml writes the same values out.
SANDBOX_INSTANCE_ID = "amcsandbox01"
SANDBOX_ADVERTISER_ID = "ENTITYSANDBOX0001"
SANDBOX_MARKETPLACE_ID = "ATVPDKIKX0DER"

# AMC's workflowExecutionTimeoutSeconds: its range and the default its execute-workflow guide shows.
MIN_EXECUTION_TIMEOUT_S = 900
MAX_EXECUTION_TIMEOUT_S = 86_400
DEFAULT_EXECUTION_TIMEOUT_S = 21_600


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(value: str) -> str:
    """An https URL, or http on a loopback host (local emulators and tests)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"must use https:// (http:// is allowed only on a loopback host), got {value!r}")
    return value.rstrip("/")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmcSettings(_Section):
    api_url: str = "https://advertising-api.amazon.com"
    token_url: str = "https://api.amazon.com/auth/o2/token"
    instance_id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")]
    advertiser_id: Annotated[str, Field(min_length=1)]
    marketplace_id: Annotated[str, Field(min_length=1)]
    time_zone: str = "UTC"
    synthetic_data: Annotated[bool, Field(strict=True)] = False

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return value if value == EMBEDDED else check_url(value)

    @field_validator("token_url")
    @classmethod
    def _token_url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a TZ-database name such as 'UTC')") from exc
        return value

    @property
    def embedded(self) -> bool:
        return self.api_url == EMBEDDED


PLACEHOLDER_DSP_ADVERTISER_ID = "1234567890"  # the sandbox's; a real profile must name its DSP advertiser


class AudienceSettings(_Section):
    dsp_advertiser_id: Annotated[str, Field(min_length=1)] = PLACEHOLDER_DSP_ADVERTISER_ID
    min_size: Annotated[int, Field(ge=2000, strict=True)] = 2500
    refresh_rate_days: Annotated[int, Field(ge=0, le=21, strict=True)] = 7
    activation_lag_hours: Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)] = 48
    # A lookalike's seed: AMC fails it under 500 users or over 500,000 (docs/amc-api.md §4.6).
    lookalike_min_seed: Annotated[int, Field(ge=500, le=500_000, strict=True)] = 500
    # A lookalike's refreshRateDays: AMC takes 7 to 21 for a lookalike (not 0 to 21).
    lookalike_refresh_rate_days: Annotated[int, Field(ge=7, le=21, strict=True)] = 7


class WorkflowSettings(_Section):
    # Revenue from conversions_all, which reporting queries may read only with AMC's paid Flexible Shopping
    # Insights subscription (docs/amc-api.md §5.3): off unless the profile says so (the sandbox's does);
    # `amc-cltv doctor` tells whether the instance has it.
    shopping_insights: Annotated[bool, Field(strict=True)] = False
    # workflowExecutionTimeoutSeconds of every execution: AMC allows 900 to 86,400 and shows 21,600 as its
    # default (docs/amc-api.md §3.10). None here: a workflow's own value, else AMC's default.
    execution_timeout_s: Annotated[int | None, Field(strict=True)] = None

    @field_validator("execution_timeout_s")
    @classmethod
    def _execution_timeout(cls, value: int | None) -> int | None:
        if value is not None and not MIN_EXECUTION_TIMEOUT_S <= value <= MAX_EXECUTION_TIMEOUT_S:
            raise ValueError(
                f"must be {MIN_EXECUTION_TIMEOUT_S} to {MAX_EXECUTION_TIMEOUT_S} seconds (AMC's range for "
                f"workflowExecutionTimeoutSeconds), got {value}"
            )
        return value

    def execution_timeout(self, workflow_timeout_s: int | None) -> int:
        """The timeout an execution is sent with: the profile's, else the workflow's, else AMC's default."""
        return self.execution_timeout_s or workflow_timeout_s or DEFAULT_EXECUTION_TIMEOUT_S


class PollingSettings(_Section):
    # Strict: a quoted "30" or "yes" is a mistake to name, not a value to guess at; nan and inf are refused.
    initial_interval_s: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = 30
    multiplier: Annotated[float, Field(ge=1, strict=True, allow_inf_nan=False)] = 1.5
    max_interval_s: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = 300
    max_wait_s: Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)] = 43200
    # The longest sleep while past runs say the execution cannot be done yet: how late a failure in the
    # middle of a run can be noticed (docs/polling.md).
    max_sleep_s: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = 1800
    # What a schedule learnt from past runs saves: status calls ("fewer-calls") or detection delay ("sooner").
    aim: Literal["fewer-calls", "sooner"] = "fewer-calls"


class LimitSettings(_Section):
    """Bounds on what AMC (or anything answering in its place) may send (docs/reliability.md §6)."""

    max_answer_mib: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = 64
    max_list_pages: Annotated[int, Field(ge=1, strict=True)] = 1000
    max_list_items: Annotated[int, Field(ge=1, strict=True)] = 200_000
    max_download_gib: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = 50
    max_decompression_ratio: Annotated[float, Field(ge=1, strict=True, allow_inf_nan=False)] = 200


class PathSettings(_Section):
    state_dir: Path = Path(".amc-cltv")
    output_dir: Path = Path("results")


class Profile(_Section):
    """The validated contents of one instance profile."""

    amc: AmcSettings
    audience: AudienceSettings = AudienceSettings()
    workflows: WorkflowSettings = WorkflowSettings()
    polling: PollingSettings = PollingSettings()
    limits: LimitSettings = LimitSettings()
    paths: PathSettings = PathSettings()


@dataclass(frozen=True)
class Credentials:
    """LwA credentials from the environment. ``repr`` never shows the secrets."""

    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr


@dataclass(frozen=True)
class Config:
    """A loaded profile with its paths resolved and its credentials attached.

    The credentials are checked when a command first needs them (``credentials``), so that commands that
    work offline (``status``, ``report``, ``--dry-run``) run on a host without the secrets.
    """

    profile: Profile
    source: Path | None  # None: the embedded sandbox default
    secrets: Credentials | None
    state_dir: Path
    output_dir: Path
    missing_secret: str | None = None  # why ``secrets`` is None: the ConfigError message

    @property
    def credentials(self) -> Credentials:
        """The LwA credentials; ConfigError naming the variable when one is not set."""
        if self.secrets is None:
            raise ConfigError(self.missing_secret or "the AMC credentials are not set")
        return self.secrets

    @property
    def amc(self) -> AmcSettings:
        return self.profile.amc

    @property
    def instance_id(self) -> str:
        return self.profile.amc.instance_id

    @property
    def label(self) -> str:
        return str(self.source) if self.source else "the embedded sandbox"


def embedded_profile_path() -> Path:
    """configs/sandbox.toml, from the source tree or the installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "configs" / "sandbox.toml", here / "_configs" / "sandbox.toml"):
        if candidate.is_file():
            return candidate
    raise ConfigError("the embedded sandbox profile configs/sandbox.toml is missing from the installation")


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_profile(raw: dict[str, Any], source: str) -> Profile:
    """Validate a parsed TOML document; the first problem becomes one ConfigError line."""
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = _location(error["loc"]) or "(top level)"
        kind = error["type"]
        if kind == "extra_forbidden":
            raise ConfigError(
                f"{source}: unknown key '{key}' (is it misspelt? see configs/example-production.toml)"
            ) from None
        if kind == "missing":
            raise ConfigError(f"{source}: missing key '{key}'") from None
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{source}: invalid value for '{key}': {message}") from None


def read_profile_toml(path: Path) -> dict[str, Any]:
    """The profile file's TOML, unvalidated; ConfigError (one line naming the file) when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def read_profile(path: Path) -> Profile:
    """Read and validate one TOML profile."""
    return parse_profile(read_profile_toml(path), str(path))


def _credentials(profile: Profile, source: str, environ: dict[str, str] | os._Environ[str]) -> Credentials:
    values = {name: environ.get(name, "").strip() for name in SECRET_ENV}
    if profile.amc.embedded:
        # The sandbox accepts any non-empty credentials.
        values = {name: value or f"sandbox-{name.lower()}" for name, value in values.items()}
    for name, value in values.items():
        if not value:
            raise ConfigError(
                f"{source}: environment variable {name} is not set (secrets never live in the file)"
            )
    return Credentials(
        client_id=values["AMC_CLTV_CLIENT_ID"],
        client_secret=SecretStr(values["AMC_CLTV_CLIENT_SECRET"]),
        refresh_token=SecretStr(values["AMC_CLTV_REFRESH_TOKEN"]),
    )


SANDBOX = "sandbox"  # what ``load_config`` is told to mean the embedded synthetic sandbox


def load_config(
    path: Path | str | None = None,
    *,
    environ: dict[str, str] | os._Environ[str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Load the profile at ``path``, else the one ``AMC_CLTV_CONFIG`` names; ``"sandbox"`` is the embedded
    synthetic sandbox, which is never a silent default (the CLI falls back to it, as its contract says).

    Raises ConfigError naming the file and the key or variable, or saying that no profile was given.
    """
    env = os.environ if environ is None else environ
    base = (cwd or Path.cwd()).resolve()
    if path is None and env.get(CONFIG_ENV):
        path = Path(env[CONFIG_ENV])
    if path is None:
        raise ConfigError(
            f"no profile given: pass a profile's path, set {CONFIG_ENV}, "
            f'or load_config("{SANDBOX}") for the embedded synthetic sandbox'
        )
    if path == SANDBOX:
        profile = read_profile(embedded_profile_path())
        source: Path | None = None
        folder = base
    else:
        path = Path(path)
        path = (base / path).resolve() if not path.is_absolute() else path
        profile = read_profile(path)
        source = path
        folder = path.parent
    try:
        credentials: Credentials | None = _credentials(profile, str(source or "embedded sandbox"), env)
        missing = None
    except ConfigError as error:
        credentials, missing = None, error.message
    state_dir = (
        profile.paths.state_dir if profile.paths.state_dir.is_absolute() else folder / profile.paths.state_dir
    )
    output_dir = (
        profile.paths.output_dir
        if profile.paths.output_dir.is_absolute()
        else folder / profile.paths.output_dir
    )
    return Config(profile, source, credentials, state_dir.resolve(), output_dir.resolve(), missing)

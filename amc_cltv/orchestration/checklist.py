"""The vocabulary of ``doctor``'s checklist: a check's state, the kind of a problem and the verdict of the
whole list, the time budget it runs within, and how an API error reads, named after the component that
failed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amc_cltv.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    RetryBudgetExhausted,
)
from amc_cltv.private import private_dir

if TYPE_CHECKING:
    from amc_cltv.config import Config


class State(StrEnum):
    """What became of one check."""

    OK = "ok"
    PROBLEM = "problem"
    SKIPPED = "skipped"  # not run: what it needs failed first, or doctor's budget ran out


class Kind(StrEnum):
    """What kind of problem a check found (docs/real-instance.md, "doctor"): what a person does about it."""

    CONFIG = "config"  # the profile, the secrets or an id is wrong: fix them
    UNREACHABLE = "unreachable"  # AMC or Login with Amazon did not answer (or not in time): try later
    CHECK = "check"  # AMC answered, and tonight's run would fail (or the machine is not ready)


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    name: str
    state: State
    detail: str
    fix: str | None = None
    kind: Kind | None = None

    @property
    def ok(self) -> bool:
        return self.state is State.OK

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "ok": self.ok,
            "state": str(self.state),
            "detail": self.detail,
            "fix": self.fix,
            "kind": None if self.kind is None else str(self.kind),
        }


def ok(name: str, detail: str) -> Check:
    return Check(name, State.OK, detail)


def problem(name: str, detail: str, fix: str, kind: Kind = Kind.CHECK) -> Check:
    return Check(name, State.PROBLEM, detail, fix, kind)


def skipped(name: str, why: str) -> Check:
    return Check(name, State.SKIPPED, why)


def verdict(checks: list[Check]) -> Kind | None:
    """The checklist's verdict: None when no check found a problem; else the kind that decides, something
    that did not answer first (nothing else can be trusted until it does), then a config problem, then a
    check. Skipped checks count for nothing: the problem that made them skip has its own line."""
    failed = {check.kind for check in checks if check.state is State.PROBLEM}
    if not failed:
        return None
    if Kind.UNREACHABLE in failed:
        return Kind.UNREACHABLE
    return Kind.CONFIG if Kind.CONFIG in failed else Kind.CHECK


class Budget:
    """The seconds the whole checklist may take, on the tool's clock (``monotonic``)."""

    def __init__(self, seconds: float, monotonic: Callable[[], float]) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        self._started = monotonic()

    def remaining(self) -> float:
        return max(0.0, self.seconds - (self._monotonic() - self._started))

    def spent(self) -> bool:
        return self.remaining() <= 0

    def describe(self) -> str:
        return f"doctor's budget of {self.seconds:g} s"


def _status_said(error: APIError) -> str:
    status = f"HTTP {error.status_code}" if isinstance(error, APIStatusError) else error.__class__.__name__
    return f"{status}: {error}"


def _unavailable(name: str, error: APIError, who: str, key: str, url: str) -> Check | None:
    """``who`` did not answer (check ``[amc] key``), or answered a server error or rate limit beyond the
    retries (try later, nothing to change); None for any other error."""
    if isinstance(error, APIConnectionError):
        reason = error.context.get("reason") or "no answer"
        return problem(
            name,
            f"{who} did not answer at {url} ({reason})",
            f"check the network and [amc] {key}, then run doctor again",
            Kind.UNREACHABLE,
        )
    if isinstance(error, InternalServerError | RateLimitError | RetryBudgetExhausted):
        return problem(
            name,
            f"{who} answered with an error ({_status_said(error)})",
            f"{who} is failing or rate-limiting these calls: run doctor again later (nothing to change)",
            Kind.UNREACHABLE,
        )
    return None


def login_problem(name: str, error: APIError, token_url: str) -> Check:
    """The token grant failed: Login with Amazon refused it, did not answer, or had trouble."""
    if isinstance(error, AuthenticationError):
        said = error.details or str(error)
        return problem(
            name,
            f"the token grant was refused: {said}",
            "check AMC_CLTV_CLIENT_ID, AMC_CLTV_CLIENT_SECRET and AMC_CLTV_REFRESH_TOKEN (a refresh "
            "token for this client id, from the Login with Amazon consent)",
            Kind.CONFIG,
        )
    failed = _unavailable(name, error, "Login with Amazon", "token_url", token_url)
    return failed or problem(name, f"the token grant failed: {error}", "see Login with Amazon's message")


def amc_problem(name: str, error: APIError, api_url: str) -> Check:
    """A check that could not be made because AMC answered with an error, or not at all."""
    failed = _unavailable(name, error, "AMC", "api_url", api_url)
    if failed is not None:
        return failed
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return problem(
            name,
            f"AMC refused the request: {error}",
            "check that the credentials' Amazon Ads account has access to this AMC instance",
            Kind.CONFIG,
        )
    return problem(name, f"AMC answered with an error: {error}", "see AMC's message", Kind.CHECK)


def writable(label: str, folder: Path) -> Check:
    """``folder`` can be created and a file in it written and synced."""
    try:
        private_dir(folder)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True) as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return problem(
            label,
            f"{folder} is not writable: {error.strerror or error}",
            f"create it or give this user write access, or set [paths] {label}",
        )
    return ok(label, f"{folder} is writable")


PLACEHOLDER_DSP_ADVERTISER_ID = "1234567890"  # the sandbox profile's; no real DSP advertiser has it


def local_checks(config: Config) -> Iterator[Check]:
    """What this machine and the profile need whatever AMC says: a real DSP advertiser, writable folders."""
    dsp = config.profile.audience.dsp_advertiser_id
    if not config.amc.synthetic_data and dsp == PLACEHOLDER_DSP_ADVERTISER_ID:
        yield problem(
            "DSP advertiser",
            f"[audience] dsp_advertiser_id is {dsp}, the sandbox's placeholder",
            "set [audience] dsp_advertiser_id to the Amazon DSP advertiser that receives the audience",
            Kind.CONFIG,
        )
    else:
        yield ok("DSP advertiser", f"audiences go to DSP advertiser {dsp}")
    for label, folder in (("state_dir", config.state_dir), ("output_dir", config.output_dir)):
        yield writable(label, folder)

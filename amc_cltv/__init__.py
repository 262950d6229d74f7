"""amc-cltv: customer lifetime value and high-value audiences on Amazon Marketing Cloud.

The public Python API (the CLI is a thin layer over it)::

    from amc_cltv import load_config, run_workflow

    config = load_config("configs/my-instance.toml")   # or "sandbox": the embedded synthetic sandbox
    outcome = run_workflow(config, "segmentation")     # submit (or adopt, or reuse), wait, download
    outcome.raise_for_status()                         # ExecutionFailed / StillRunning otherwise

    run_workflow           submit, wait and download in one call (blocks up to ``[polling] max_wait_s``)
    submit_workflow        submit or adopt, return at once; ``outcome.handle`` names the execution
    wait_for_workflow      follow that handle: wait up to ``max_wait_s`` (0: look once), download if done
    run_fleet, FleetResult run_workflow on every profile of a folder at once: one result per profile
    RunOutcome, Ending     what a run came to: ``ending`` SUCCEEDED, UNSUCCESSFUL or STILL_RUNNING
    wait_for_workflow_async    the same for a coroutine (waits on the event loop)
    watch_execution, watch_audience   the waiting alone, on the event loop (an Airflow trigger)
    ExecutionHandle        execution id, pinned window and parameter values (``as_dict()`` is plain JSON)
    activate_audience      create or reuse a segment's rule-based audience and wait for AMC
    activate_all_audiences every segment that clears its guard; create_lookalike_audience; audience_manifest
    AmcClient, AsyncAmcClient   the AMC API itself (resources: workflows, executions, audiences, ...)
    open_client, open_async_client   a client for a loaded profile
    open_session, Session  a profile with its client and ledger, opened on first use (what the CLI uses)
    AmcCltvError and its subclasses  the error tree (``amc_cltv.errors``)

Names are imported on first use (module ``__getattr__``), so ``import amc_cltv`` stays cheap: the CLI's
start-up depends on it, and ``tests/test_startup.py`` fails if importing the package loads pydantic, httpx
and the like. Importing
the package puts a redacting filter on the ``httpx``, ``httpcore`` and ``amc_cltv`` standard loggers, so no
logging configuration can print a token, a client secret or a pre-signed URL's signature.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from amc_cltv.redact import install_log_filter

__version__ = "0.1.0"  # the one place the version is written: pyproject.toml reads it from here

install_log_filter()

_EXPORTS: dict[str, str] = {
    "AmcClient": "amc_cltv.client",
    "AsyncAmcClient": "amc_cltv.client",
    "Config": "amc_cltv.config",
    "load_config": "amc_cltv.config",
    "RunOptions": "amc_cltv.orchestration.outcome",
    "RunOutcome": "amc_cltv.orchestration.outcome",
    "Ending": "amc_cltv.orchestration.ending",
    "ExecutionHandle": "amc_cltv.orchestration.handle",
    "ActivationOutcome": "amc_cltv.audience",
    "EveryActivation": "amc_cltv.audience",
    "Manifest": "amc_cltv.audience.manifest",
    "run_workflow": "amc_cltv.api",
    "run_fleet": "amc_cltv.api",
    "FleetResult": "amc_cltv.orchestration.fleet",
    "submit_workflow": "amc_cltv.api",
    "wait_for_workflow": "amc_cltv.api",
    "wait_for_workflow_async": "amc_cltv.api",
    "watch_execution": "amc_cltv.api",
    "watch_audience": "amc_cltv.api",
    "activate_audience": "amc_cltv.api",
    "activate_all_audiences": "amc_cltv.api",
    "create_lookalike_audience": "amc_cltv.api",
    "audience_manifest": "amc_cltv.api",
    "open_client": "amc_cltv.api",
    "open_async_client": "amc_cltv.api",
    "open_session": "amc_cltv.api",
    "Session": "amc_cltv.api",
}
_ERRORS = (
    "AmcCltvError",
    "ConfigError",
    "UsageError",
    "WorkflowLintError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "AmbiguousSubmitError",
    "MalformedResponseError",
    "ResponseLimitExceeded",
    "RetryBudgetExhausted",
    "DownloadError",
    "DownloadUrlExpired",
    "DownloadRefused",
    "ExecutionFailed",
    "AudienceFailed",
    "Refused",
    "NeedsHuman",
    "MalformedResult",
    "StillRunning",
    "LockHeld",
    "LocalFault",
)
_EXPORTS.update(dict.fromkeys(_ERRORS, "amc_cltv.errors"))

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ActivationOutcome",
    "AmbiguousSubmitError",
    "AmcClient",
    "AmcCltvError",
    "AsyncAmcClient",
    "AudienceFailed",
    "AuthenticationError",
    "BadRequestError",
    "Config",
    "ConfigError",
    "ConflictError",
    "DownloadError",
    "DownloadRefused",
    "DownloadUrlExpired",
    "Ending",
    "EveryActivation",
    "ExecutionFailed",
    "ExecutionHandle",
    "FleetResult",
    "InternalServerError",
    "LocalFault",
    "LockHeld",
    "MalformedResponseError",
    "MalformedResult",
    "Manifest",
    "NeedsHuman",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Refused",
    "ResponseLimitExceeded",
    "RetryBudgetExhausted",
    "RunOptions",
    "RunOutcome",
    "Session",
    "StillRunning",
    "UnprocessableEntityError",
    "UsageError",
    "WorkflowLintError",
    "__version__",
    "activate_all_audiences",
    "activate_audience",
    "audience_manifest",
    "create_lookalike_audience",
    "load_config",
    "open_async_client",
    "open_client",
    "open_session",
    "run_fleet",
    "run_workflow",
    "submit_workflow",
    "wait_for_workflow",
    "wait_for_workflow_async",
    "watch_audience",
    "watch_execution",
]

if TYPE_CHECKING:
    from amc_cltv.api import (
        Session,
        activate_all_audiences,
        activate_audience,
        audience_manifest,
        create_lookalike_audience,
        open_async_client,
        open_client,
        open_session,
        run_fleet,
        run_workflow,
        submit_workflow,
        wait_for_workflow,
        wait_for_workflow_async,
        watch_audience,
        watch_execution,
    )
    from amc_cltv.audience import ActivationOutcome, EveryActivation
    from amc_cltv.audience.manifest import Manifest
    from amc_cltv.client import AmcClient, AsyncAmcClient
    from amc_cltv.config import Config, load_config
    from amc_cltv.errors import (
        AmbiguousSubmitError,
        AmcCltvError,
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AudienceFailed,
        AuthenticationError,
        BadRequestError,
        ConfigError,
        ConflictError,
        DownloadError,
        DownloadRefused,
        DownloadUrlExpired,
        ExecutionFailed,
        InternalServerError,
        LocalFault,
        LockHeld,
        MalformedResponseError,
        MalformedResult,
        NeedsHuman,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        Refused,
        ResponseLimitExceeded,
        RetryBudgetExhausted,
        StillRunning,
        UnprocessableEntityError,
        UsageError,
        WorkflowLintError,
    )
    from amc_cltv.orchestration.ending import Ending
    from amc_cltv.orchestration.fleet import FleetResult
    from amc_cltv.orchestration.handle import ExecutionHandle
    from amc_cltv.orchestration.outcome import RunOptions, RunOutcome


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'amc_cltv' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})

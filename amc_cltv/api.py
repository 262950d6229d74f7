"""The public Python API: one call per job, in parameters and AMC's words (the CLI maps them to flags).

    run_workflow(config, workflow, ...)       -> RunOutcome   submit or adopt, wait, download (blocks)
    submit_workflow(config, workflow, ...)    -> RunOutcome   submit or adopt, return without waiting
    wait_for_workflow(config, workflow, ...)  -> RunOutcome   the same run: wait up to max_wait_s, download
    activate_audience(config, ...)            -> ActivationOutcome
    open_client(config) / open_async_client(config)

``config`` is a loaded ``Config``, a profile path, or None (``$AMC_CLTV_CONFIG``, else the embedded
sandbox). Each call opens the profile's client and ledger unless given ``client=`` and ``ledger=``. A run is
named by its workflow, window and parameters, so ``submit_workflow`` then ``wait_for_workflow`` with the same
arguments (in this process or another, hours later) follow the same AMC execution: nothing is submitted
twice. Errors are the ``amc_cltv.errors`` tree; a finished run that failed is an outcome, not an error
(``outcome.raise_for_status()`` turns it into ``ExecutionFailed``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from os import PathLike
from typing import TYPE_CHECKING

from amc_cltv.config import Config, load_config

if TYPE_CHECKING:
    from amc_cltv.audience import ActivationOutcome
    from amc_cltv.client import AmcClient, AsyncAmcClient
    from amc_cltv.ledger import Ledger
    from amc_cltv.orchestration.outcome import RunOptions, RunOutcome

ConfigLike = Config | str | PathLike[str] | None

__all__ = [
    "activate_audience",
    "open_async_client",
    "open_client",
    "run_workflow",
    "submit_workflow",
    "wait_for_workflow",
]


def _config(config: ConfigLike) -> Config:
    if isinstance(config, Config):
        return config
    from pathlib import Path

    return load_config(Path(config) if config is not None else None)


def open_client(config: ConfigLike = None) -> AmcClient:
    """An ``AmcClient`` for the profile's instance; close it (or use ``with``) when done."""
    from amc_cltv import connect

    return connect.open_client(_config(config))


def open_async_client(config: ConfigLike = None) -> AsyncAmcClient:
    """An ``AsyncAmcClient`` for the profile's instance; ``await client.aclose()`` (or ``async with``)."""
    from amc_cltv import connect

    return connect.open_async_client(_config(config))


@dataclass(frozen=True)
class _Session:
    config: Config
    client: AmcClient
    ledger: Ledger


@contextmanager
def _session(config: ConfigLike, client: AmcClient | None, ledger: Ledger | None) -> Iterator[_Session]:
    """The profile with a client and a ledger: the caller's, or opened here and closed on the way out."""
    from amc_cltv import connect
    from amc_cltv.ledger import Ledger

    loaded = _config(config)
    with ExitStack() as stack:
        if client is None:
            client = stack.enter_context(connect.open_client(loaded))
        if ledger is None:
            ledger = stack.enter_context(Ledger.open(loaded.state_dir))
        yield _Session(loaded, client, ledger)


def _options(
    *,
    window_days: int | None,
    window_end: date | None,
    parameters: Mapping[str, str] | None,
    max_wait_s: float | None,
    force_rerun: bool,
    detach: bool,
) -> RunOptions:
    from amc_cltv.orchestration.outcome import RunOptions

    if max_wait_s is not None and max_wait_s < 0:
        from amc_cltv.errors import UsageError

        raise UsageError(f"max_wait_s must be at least 0, got {max_wait_s}")
    return RunOptions(
        window_days=window_days,
        window_end=window_end,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        parameters=dict(parameters or {}),
        detach=detach,
    )


def _run(
    config: ConfigLike, workflow: str, options: RunOptions, client: AmcClient | None, ledger: Ledger | None
) -> RunOutcome:
    from amc_cltv.orchestration import run

    with _session(config, client, ledger) as session:
        return run.run_workflow(session.config, session.client, session.ledger, workflow, options)


def run_workflow(
    config: ConfigLike,
    workflow: str,
    *,
    window_days: int | None = None,
    window_end: date | None = None,
    parameters: Mapping[str, str] | None = None,
    max_wait_s: float | None = None,
    force_rerun: bool = False,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> RunOutcome:
    """Run ``workflow`` over its window: sync it to AMC, submit once (or adopt, or reuse), wait, download.

    Waits up to ``max_wait_s`` (default ``[polling] max_wait_s``, up to 12 hours); the outcome's status is
    then PENDING/RUNNING and calling again resumes. ``force_rerun`` submits anew over a finished run.
    Raises UsageError/WorkflowLintError, NeedsHuman, LockHeld and the API errors.
    """
    options = _options(
        window_days=window_days,
        window_end=window_end,
        parameters=parameters,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        detach=False,
    )
    return _run(config, workflow, options, client, ledger)


def submit_workflow(
    config: ConfigLike,
    workflow: str,
    *,
    window_days: int | None = None,
    window_end: date | None = None,
    parameters: Mapping[str, str] | None = None,
    max_wait_s: float | None = None,
    force_rerun: bool = False,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> RunOutcome:
    """Submit ``workflow`` (or adopt the execution already there) and return without waiting for AMC.

    The outcome carries ``execution_id`` and AMC's status (PENDING/RUNNING), or the finished run when it
    was already done. ``max_wait_s`` bounds only the wait for a free slot on the instance (AMC runs 10
    executions at a time). Follow it with ``wait_for_workflow`` and the same arguments.
    """
    options = _options(
        window_days=window_days,
        window_end=window_end,
        parameters=parameters,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        detach=True,
    )
    return _run(config, workflow, options, client, ledger)


def wait_for_workflow(
    config: ConfigLike,
    workflow: str,
    *,
    window_days: int | None = None,
    window_end: date | None = None,
    parameters: Mapping[str, str] | None = None,
    max_wait_s: float | None = 0,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> RunOutcome:
    """Follow the run ``submit_workflow`` started: poll up to ``max_wait_s`` (0: look once), then download.

    Same arguments as the submit, so the same run is found; if none was submitted, this submits it.
    """
    return run_workflow(
        config,
        workflow,
        window_days=window_days,
        window_end=window_end,
        parameters=parameters,
        max_wait_s=max_wait_s,
        client=client,
        ledger=ledger,
    )


def activate_audience(
    config: ConfigLike,
    *,
    segment: str = "high-value",
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> ActivationOutcome:
    """Create (or reuse) the segment's rule-based audience and wait until AMC finishes it.

    ``needed_by`` is the campaign start the audience must be usable in DSP by (AMC's 48-hour lag);
    ``force`` goes ahead when it cannot be, and resubmits a FAILED audience. Raises Refused,
    AudienceFailed, StillRunning or NeedsHuman, each carrying what was learnt (``known_on_error``).
    """
    from amc_cltv import audience

    with _session(config, client, ledger) as session:
        return audience.activate(
            session.config,
            session.client,
            session.ledger,
            segment=segment,
            needed_by=needed_by,
            force=force,
            dry_run=dry_run,
        )

"""The public Python API: one call per job, in parameters and AMC's words (the CLI maps them to flags).

    run_workflow(config, workflow, ...)            -> RunOutcome   submit or adopt, wait, download (blocks)
    submit_workflow(config, workflow, ...)         -> RunOutcome   submit or adopt, return without waiting
    run_fleet(config_dir, workflow, ...)           -> list[FleetResult]   run_workflow on every profile
    wait_for_workflow(config, handle, ...)         -> RunOutcome   follow that execution, wait, download
    await wait_for_workflow_async(config, handle)  -> RunOutcome   the same, waiting on the event loop
    await watch_execution(config, handle)          -> WorkflowExecution | None   poll only (a trigger)
    await watch_audience(config, audience_id)      -> AudienceMetadata | None    poll only (a trigger)
    activate_audience(config, segment=...)         -> ActivationOutcome   one segment's rule-based audience
    activate_all_audiences(config, ...)            -> EveryActivation     every segment that clears its guard
    create_lookalike_audience(config, reach=...)   -> ActivationOutcome   a lookalike seeded by a segment
    audience_manifest(config, out=...)             -> Manifest            the hand-off for the DSP trader
    open_session(config)                           -> Session    the profile, its client and ledger
    open_client(config) / open_async_client(config)

``config`` is a loaded ``Config``, a profile path, ``"sandbox"`` (the embedded synthetic sandbox, never
a silent default), or None (the profile ``$AMC_CLTV_CONFIG`` names; ConfigError without it). Each call
works in a ``Session``: it opens the profile's client and ledger unless given ``client=`` and ``ledger=``.
The CLI goes through the same calls and sessions, so a profile, a wait or a dry run is checked the same way
from both.

A fresh invocation names its run by workflow, window and parameters (the default window worked out from
"now"), and adopts the execution AMC already has for that run rather than submitting twice. Once submitted,
the run is followed by its ``ExecutionHandle`` (``outcome.handle``: execution id, pinned window, parameter
values; ``as_dict()`` is plain JSON), so a follower that resumes hours later, past a day boundary, finishes
the execution that was submitted instead of naming a new run. Errors are the ``amc_cltv.errors`` tree; a
finished run that failed is an outcome, not an error (``outcome.raise_for_status()`` turns it into
``ExecutionFailed``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date, datetime
from os import PathLike
from typing import TYPE_CHECKING, Any

from amc_cltv.config import Config, load_config
from amc_cltv.errors import UsageError
from amc_cltv.orchestration.handle import ExecutionHandle

if TYPE_CHECKING:
    from amc_cltv.audience import ActivationOutcome, EveryActivation
    from amc_cltv.audience.manifest import Manifest
    from amc_cltv.client import AmcClient, AsyncAmcClient
    from amc_cltv.client.models import AudienceMetadata, WorkflowExecution
    from amc_cltv.ledger import Ledger
    from amc_cltv.orchestration.fleet import FleetResult
    from amc_cltv.orchestration.outcome import Observer, RunOptions, RunOutcome

ConfigLike = Config | str | PathLike[str] | None

HandleLike = ExecutionHandle | Mapping[str, Any]

__all__ = [
    "ExecutionHandle",
    "Session",
    "activate_all_audiences",
    "activate_audience",
    "audience_manifest",
    "check_wait",
    "create_lookalike_audience",
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


def _config(config: ConfigLike) -> Config:
    if isinstance(config, Config):
        return config
    if config is None or isinstance(config, str):
        return load_config(config)
    from pathlib import Path

    return load_config(Path(config))


def open_client(config: ConfigLike = None) -> AmcClient:
    """An ``AmcClient`` for the profile's instance; close it (or use ``with``) when done."""
    from amc_cltv import connect

    return connect.open_client(_config(config))


def open_async_client(config: ConfigLike = None) -> AsyncAmcClient:
    """An ``AsyncAmcClient`` for the profile's instance; ``await client.aclose()`` (or ``async with``)."""
    from amc_cltv import connect

    return connect.open_async_client(_config(config))


class Session:
    """A loaded profile with the client and the ledger the calls of this module work with.

    Each is the caller's, or opened on first use and closed with the session: a caller that only reads
    the ledger needs no secret, and one that only asks AMC writes no ledger.
    """

    def __init__(
        self,
        config: Config,
        resources: ExitStack,
        *,
        client: AmcClient | None = None,
        ledger: Ledger | None = None,
        offline: bool = False,
        retry_max_delay_s: float | None = None,
    ) -> None:
        self.config = config
        self._resources = resources
        self._client = client
        self._ledger = ledger
        self._offline = offline
        self._retry_max_delay_s = retry_max_delay_s

    @property
    def client(self) -> AmcClient:
        """The profile's ``AmcClient`` (ConfigError naming a missing secret, unless ``offline``)."""
        if self._client is None:
            from amc_cltv import connect

            opened = connect.open_client(
                self.config, offline=self._offline, retry_max_delay_s=self._retry_max_delay_s
            )
            self._client = self._resources.enter_context(opened)
        return self._client

    @property
    def ledger(self) -> Ledger:
        """The profile's ledger, in ``[paths] state_dir`` (LocalFault when it cannot be used)."""
        if self._ledger is None:
            from amc_cltv.ledger import Ledger

            self._ledger = self._resources.enter_context(Ledger.open(self.config.state_dir))
        return self._ledger


@contextmanager
def open_session(
    config: ConfigLike = None,
    *,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
    offline: bool = False,
    retry_max_delay_s: float | None = None,
) -> Iterator[Session]:
    """The profile (ConfigError on any problem with it, at once) with its client and ledger, each the
    caller's or opened on first use and closed on the way out.

    ``offline``: the client is only asked what it would send (a dry run), so the secrets need not be set.
    ``retry_max_delay_s``: a shorter bound than the retry policy's on the retries of one call.
    """
    loaded = _config(config)
    with ExitStack() as resources:
        yield Session(
            loaded,
            resources,
            client=client,
            ledger=ledger,
            offline=offline,
            retry_max_delay_s=retry_max_delay_s,
        )


def _options(
    *,
    window_days: int | None,
    window_end: date | None,
    parameters: Mapping[str, str] | None,
    max_wait_s: float | None,
    force_rerun: bool,
    detach: bool,
    observer: Observer | None = None,
) -> RunOptions:
    from amc_cltv.orchestration.outcome import RunOptions

    check_wait(max_wait_s)
    return RunOptions(
        window_days=window_days,
        window_end=window_end,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        parameters=dict(parameters or {}),
        detach=detach,
        observer=observer,
    )


def check_wait(max_wait_s: float | None, name: str = "max_wait_s") -> None:
    """A wait is None (the profile's) or a finite number of seconds, at least 0: NaN would never end.

    UsageError naming the value as ``name``: a parameter here, the flag in the CLI, which checks its own
    flag with this same function.
    """
    if max_wait_s is None:
        return
    if isinstance(max_wait_s, bool) or not isinstance(max_wait_s, int | float):
        raise UsageError(f"{name} must be a number of seconds, got {max_wait_s!r}")
    if not (math.isfinite(max_wait_s) and max_wait_s >= 0):
        raise UsageError(f"{name} must be a number of seconds, finite and at least 0, got {max_wait_s}")


def _handle(handle: HandleLike) -> ExecutionHandle:
    if isinstance(handle, ExecutionHandle):
        return handle
    if isinstance(handle, Mapping):
        return ExecutionHandle.from_dict(handle)
    raise UsageError(f"expected an ExecutionHandle or its as_dict(), got {type(handle).__name__}")


def _run(
    config: ConfigLike, workflow: str, options: RunOptions, client: AmcClient | None, ledger: Ledger | None
) -> RunOutcome:
    from amc_cltv.orchestration import run

    with open_session(config, client=client, ledger=ledger) as session:
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
    observer: Observer | None = None,
) -> RunOutcome:
    """Run ``workflow`` over its window: sync it to AMC, submit once (or adopt, or reuse), wait, download.

    Waits up to ``max_wait_s`` (default ``[polling] max_wait_s``, up to 12 hours; 0: look once); the
    outcome is then ``still_running`` (AMC's status PENDING/RUNNING) and calling again resumes.
    ``force_rerun`` submits anew over a finished run. ``observer`` is called with ("planned" | "submitted"
    | "poll" | "downloaded", details) as the run goes. Raises UsageError/WorkflowLintError, NeedsHuman,
    LockHeld and the API errors.
    """
    options = _options(
        window_days=window_days,
        window_end=window_end,
        parameters=parameters,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        detach=False,
        observer=observer,
    )
    return _run(config, workflow, options, client, ledger)


def run_fleet(
    config_dir: str | PathLike[str],
    workflow: str,
    *,
    window_days: int | None = None,
    window_end: date | None = None,
    parameters: Mapping[str, str] | None = None,
    max_wait_s: float | None = None,
    force_rerun: bool = False,
    no_wait: bool = False,
) -> list[FleetResult]:
    """``run_workflow`` on every instance profile (``*.toml``) of ``config_dir`` at once: each is submitted
    first, then every execution is waited for on one event loop, then each is downloaded; one client (one
    token, one retry budget) per set of credentials. One result per profile, in name order: its outcome,
    or the error that stopped it (a profile that cannot even be loaded is a result too, never the end of
    the others). ``no_wait`` submits and looks once. Raises UsageError for a folder without profiles.
    """
    from pathlib import Path

    from amc_cltv.orchestration.fleet import run_fleet as run_every_profile

    options = _options(
        window_days=window_days,
        window_end=window_end,
        parameters=parameters,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        detach=False,
    )
    return run_every_profile(Path(config_dir), workflow, replace(options, no_wait=no_wait))


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
    observer: Observer | None = None,
) -> RunOutcome:
    """Submit ``workflow`` (or adopt the execution already there) and return without waiting for AMC.

    The outcome carries ``execution_id`` and AMC's status (PENDING/RUNNING), or the finished run when it
    was already done. ``max_wait_s`` bounds only the wait for a free slot on the instance (AMC runs 10
    executions at a time). Follow it with ``wait_for_workflow`` and the same arguments. ``observer`` as
    for ``run_workflow``.
    """
    options = _options(
        window_days=window_days,
        window_end=window_end,
        parameters=parameters,
        max_wait_s=max_wait_s,
        force_rerun=force_rerun,
        detach=True,
        observer=observer,
    )
    return _run(config, workflow, options, client, ledger)


def wait_for_workflow(
    config: ConfigLike,
    handle: HandleLike | str,
    *,
    max_wait_s: float | None = 0,
    window_days: int | None = None,
    window_end: date | None = None,
    parameters: Mapping[str, str] | None = None,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> RunOutcome:
    """Follow the execution ``handle`` names (``submit_workflow(...).handle``, or its ``as_dict()``): poll up
    to ``max_wait_s`` (0: look once; None: ``[polling] max_wait_s``), then download its result.

    Never submits and never works the window out again from "now", so a wait resumed past a day boundary
    finishes the execution that was submitted. Given a workflow name instead of a handle, this is a fresh
    invocation (``run_workflow`` with ``window_days``, ``window_end`` and ``parameters``), which adopts the
    run of today's window or submits it. Raises UsageError for a malformed handle or one of another
    instance, and the errors of ``run_workflow``.
    """
    if isinstance(handle, str):
        return run_workflow(
            config,
            handle,
            window_days=window_days,
            window_end=window_end,
            parameters=parameters,
            max_wait_s=max_wait_s,
            client=client,
            ledger=ledger,
        )
    followed = _handle(handle)
    options = _options(
        window_days=None,
        window_end=None,
        parameters=None,
        max_wait_s=max_wait_s,
        force_rerun=False,
        detach=False,
    )
    from amc_cltv.orchestration import run

    with open_session(config, client=client, ledger=ledger) as session:
        return run.follow_execution(session.config, session.client, session.ledger, followed, options)


async def wait_for_workflow_async(
    config: ConfigLike,
    handle: HandleLike,
    *,
    max_wait_s: float | None = None,
    client: AsyncAmcClient | None = None,
) -> RunOutcome:
    """``wait_for_workflow`` for a coroutine: wait on the event loop, then record and download off it.

    Polls the handle's execution with ``client`` (an ``AsyncAmcClient`` of the profile, else one opened
    here) on the profile's schedule, up to ``max_wait_s`` (None: ``[polling] max_wait_s``); then the
    blocking part (the ledger and the download) runs in a worker thread through ``wait_for_workflow``.
    Raises what ``wait_for_workflow`` raises.
    """
    import asyncio

    check_wait(max_wait_s)
    loaded = _config(config)
    followed = _handle(handle)
    await watch_execution(loaded, followed, max_wait_s=max_wait_s, client=client)
    return await asyncio.to_thread(wait_for_workflow, loaded, followed, max_wait_s=0)


async def watch_execution(
    config: ConfigLike,
    execution: HandleLike | str,
    *,
    max_wait_s: float | None = None,
    client: AsyncAmcClient | None = None,
) -> WorkflowExecution | None:
    """Poll an execution on the event loop until AMC finishes it or ``max_wait_s`` runs out (None:
    ``[polling] max_wait_s``); AMC's last answer (``.status.terminal`` says which), None if none came.

    The waiting half of ``wait_for_workflow_async``, for a caller that records and downloads elsewhere (an
    Airflow trigger, whose task then calls ``wait_for_workflow`` with the same handle). ``execution`` is a
    handle, its ``as_dict()``, or a bare execution id (the schedule then counts from AMC's ``createTime``).
    The schedule is the profile's, learnt from the workflow's past executions on AMC (one list call);
    429 (after its ``Retry-After``), 5xx and lost connections are waited out until the bound. Raises
    UsageError for a malformed handle or one of another instance, and the API errors that are not transient.
    """
    from amc_cltv.orchestration.waiting import watch_execution as watch

    check_wait(max_wait_s)
    loaded = _config(config)
    followed = None if isinstance(execution, str) else _handle(execution)
    if followed is not None and followed.instance_id != loaded.instance_id:
        raise UsageError(
            f"execution {followed.execution_id} runs on instance {followed.instance_id}, "
            f"not on this profile's {loaded.instance_id}"
        )
    execution_id = followed.execution_id if followed is not None else str(execution)
    polling = loaded.profile.polling
    wait = polling.max_wait_s if max_wait_s is None else max_wait_s
    since = followed.submitted_at if followed is not None else None
    if client is not None:
        return await watch(client, execution_id, polling=polling, max_wait_s=wait, since=since)
    async with open_async_client(loaded) as opened:
        return await watch(opened, execution_id, polling=polling, max_wait_s=wait, since=since)


async def watch_audience(
    config: ConfigLike,
    audience_execution_id: str,
    *,
    max_wait_s: float | None = None,
    client: AsyncAmcClient | None = None,
) -> AudienceMetadata | None:
    """``watch_execution`` for a rule-based audience AMC is building: until SUCCEEDED, FAILED or
    DEACTIVATED, or the bound; AMC's last answer (None if none came)."""
    from amc_cltv.orchestration.waiting import watch_audience as watch

    check_wait(max_wait_s)
    loaded = _config(config)
    polling = loaded.profile.polling
    wait = polling.max_wait_s if max_wait_s is None else max_wait_s
    if client is not None:
        return await watch(client, audience_execution_id, polling=polling, max_wait_s=wait)
    async with open_async_client(loaded) as opened:
        return await watch(opened, audience_execution_id, polling=polling, max_wait_s=wait)


def activate_audience(
    config: ConfigLike,
    *,
    segment: str = "high-value",
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
    wait: bool = True,
    window_end: date | None = None,
    window_days: int | None = None,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> ActivationOutcome:
    """Create (or reuse) the segment's rule-based audience and wait until AMC finishes it.

    ``segment``: high-value, growth-potential, revenue-potential or low-value. ``needed_by`` is the
    campaign start the audience must be usable in DSP by (AMC's 48-hour lag); ``force`` goes ahead when it
    cannot be, and resubmits a FAILED audience. ``wait`` False returns once AMC has the audience
    (``outcome.audience.audience_execution_id``: follow it with ``watch_audience``, then call again to
    record the end). The window (``window_end``, ``window_days``: as for ``run_workflow``) is the one the
    segment is sized over and the new audience's first. ``dry_run`` sends nothing and needs no secret: the
    outcome's ``request`` is what would be sent. Raises Refused, AudienceFailed, StillRunning or NeedsHuman,
    each carrying what was learnt (``known_on_error``).
    """
    from amc_cltv import audience

    with open_session(config, client=client, ledger=ledger, offline=dry_run) as session:
        return audience.activate(
            session.config,
            session.client,
            session.ledger,
            segment=segment,
            needed_by=needed_by,
            force=force,
            dry_run=dry_run,
            wait=wait,
            window_end=window_end,
            window_days=window_days,
        )


def activate_all_audiences(
    config: ConfigLike,
    *,
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> EveryActivation:
    """Activate every segment that clears its guard (``audience activate --segment all``).

    One segment's error does not raise: the result names each segment ``activated``, ``skipped`` (under its
    size guard, with the reason) or ``failed`` (with the reason and the error's class, ``error``);
    ``all_skipped`` says when no segment cleared its guard. ``dry_run`` as for ``activate_audience``.
    """
    from amc_cltv import audience

    with open_session(config, client=client, ledger=ledger, offline=dry_run) as session:
        return audience.activate_every(
            session.config, session.client, session.ledger, needed_by=needed_by, force=force, dry_run=dry_run
        )


def create_lookalike_audience(
    config: ConfigLike,
    *,
    segment: str = "high-value",
    reach: str = "balanced",
    needed_by: datetime | None = None,
    force: bool = False,
    dry_run: bool = False,
    wait: bool = True,
    window_end: date | None = None,
    window_days: int | None = None,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> ActivationOutcome:
    """Create (or reuse) a lookalike audience seeded by the segment's audience query and wait for AMC.

    ``reach``: most-similar, similar, balanced, broad or most-broad (AMC's names work too). Raises
    UsageError, Refused (the seed outside ``lookalike_min_seed`` .. 500,000, or ``needed_by`` missed),
    AudienceFailed, StillRunning or NeedsHuman; ``wait``, ``dry_run`` and the window as for
    ``activate_audience``.
    """
    from amc_cltv.audience.lookalike import create_lookalike

    with open_session(config, client=client, ledger=ledger, offline=dry_run) as session:
        return create_lookalike(
            session.config,
            session.client,
            session.ledger,
            segment=segment,
            reach=reach,
            needed_by=needed_by,
            force=force,
            dry_run=dry_run,
            wait=wait,
            window_end=window_end,
            window_days=window_days,
        )


def audience_manifest(
    config: ConfigLike,
    *,
    out: str | PathLike[str] | None = None,
    as_json: bool = False,
    refresh: bool = True,
    client: AmcClient | None = None,
    ledger: Ledger | None = None,
) -> Manifest:
    """The hand-off manifest of every audience the tool created (statuses refreshed from AMC unless
    ``refresh`` is False); with ``out``, also written there atomically, as CSV or (``as_json``) JSON.

    Raises the API errors of a status call, LocalFault when ``out`` cannot be written.
    """
    from pathlib import Path

    from amc_cltv.audience.manifest import build_manifest, write_manifest

    with open_session(config, client=client, ledger=ledger) as session:
        manifest = build_manifest(session.config, session.client, session.ledger, refresh=refresh)
    if out is not None:
        write_manifest(manifest, Path(out), as_json=as_json)
    return manifest

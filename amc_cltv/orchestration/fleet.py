"""``run --all``: one workflow on every instance profile of a folder, without waiting in waves.

Three steps, so that N instances whose executions take an hour finish in about an hour, not in
ceil(N / 8) hours as a pool of threads that each wait for a whole execution would:

1. submit: every profile (a few at a time) is synced, admitted within its instance's limit of
   concurrent executions and submitted (or adopted, or reused), without waiting for AMC;
2. wait: every execution still running is polled at once on one event loop (``waiting``), each on the
   polling schedule;
3. finish: what the wait saw end is recorded, and each run goes once more through the same resumable
   pipeline as ``run`` (which downloads its results, or looks again at one the wait did not see end), a
   few at a time.

The process holds one client per set of credentials (``connect.SharedClients``): one Login with Amazon
token, one connection pool and one retry budget for every profile, each profile speaking to its own
instance through a view of it. Each profile has its own ledger and lock, and each instance stays within
its own quotas (the admission gate counts that instance's executions). A profile that cannot even be
loaded is reported with its error like any other (the CLI gives the folder the worst exit code of all).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from amc_cltv import clock
from amc_cltv.client import AmcClient
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import Config, load_config
from amc_cltv.connect import SharedClients
from amc_cltv.errors import LIBRARY_REMEDIES, AmcCltvError, Remedy, UsageError, with_remedy
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration.ending import Ending
from amc_cltv.orchestration.history import ledger_durations
from amc_cltv.orchestration.run import RunOptions, RunOutcome, record_finished, run_workflow
from amc_cltv.orchestration.waiting import Awaited, wait_for_all
from amc_cltv.redact import redact_text

MAX_PARALLEL = 8

log = get_logger("amc_cltv.fleet")


@dataclass(frozen=True)
class FleetResult:
    """One profile's part of ``run --all``: how its run ended, or the error that stopped it."""

    profile: Path
    instance_id: str
    execution_id: str | None
    status: ExecutionStatus | None
    rows: int
    ending: Ending | None  # None when an error stopped the profile
    message: str | None  # what went wrong, without the remedy
    outcome: dict[str, Any] | None
    remedy: Remedy | None = None
    error: type[Exception] | None = None  # the class of the error that stopped the profile

    def as_json(self, remedies: dict[Remedy, str] = LIBRARY_REMEDIES) -> dict[str, Any]:
        """The profile's ``run --all --json`` entry but for ``exit_code`` (the CLI's); a failure's remedy
        said in ``remedies``."""
        base: dict[str, Any] = {"profile": str(self.profile), "instance_id": self.instance_id}
        if self.outcome:
            base.update(self.outcome)
        else:
            error = with_remedy(self.message, self.remedy, remedies) if self.message else None
            base.update({"execution_id": None, "status": None, "rows": 0, "error": error})
        return base


def profiles(config_dir: Path) -> list[Path]:
    """The instance profiles (``*.toml``) of a folder; UsageError when there are none."""
    if not config_dir.is_dir():
        raise UsageError(f"--config-dir {config_dir}: not a folder")
    found = sorted(config_dir.glob("*.toml"))
    if not found:
        raise UsageError(f"--config-dir {config_dir}: no instance profiles (*.toml) in it")
    return found


@dataclass
class _Member:
    """One profile on its way through the three steps; its client and ledger stay open throughout."""

    path: Path
    instance_id: str
    config: Config | None = None
    client: AmcClient | None = None
    ledger: Ledger | None = None
    submitted_at: datetime | None = None
    outcome: RunOutcome | None = None
    result: FleetResult | None = None
    resources: ExitStack = field(default_factory=ExitStack)

    def awaited(self, workflow: str) -> Awaited | None:
        """What to wait for: the execution the submit left running (None when there is nothing)."""
        if self.result is not None or self.outcome is None or self.outcome.execution_id is None:
            return None
        assert self.config is not None and self.submitted_at is not None
        history = ledger_durations(self.ledger, self.instance_id, workflow) if self.ledger else []
        return Awaited(self.config, workflow, self.outcome.execution_id, self.submitted_at, history)


def _result(member: _Member, outcome: RunOutcome) -> FleetResult:
    return FleetResult(
        member.path,
        member.instance_id,
        outcome.execution_id,
        outcome.status,
        outcome.rows,
        outcome.ending,
        outcome.detail,
        outcome.as_json(),
        outcome.remedy,
    )


@contextmanager
def _step(member: _Member) -> Iterator[None]:
    """A step of one profile: its log context, and any error becomes that profile's result (one
    profile's failure never stops the others)."""
    structlog.contextvars.bind_contextvars(profile=member.path.name, instance_id=member.instance_id)
    try:
        yield
    except Exception as error:
        message = redact_text(error.what()) if isinstance(error, AmcCltvError) else repr(error)
        remedy = error.remedy if isinstance(error, AmcCltvError) else None
        log.error("profile_failed", error_type=type(error).__name__, error=redact_text(message))
        member.result = FleetResult(
            member.path, member.instance_id, None, None, 0, None, message, None, remedy, type(error)
        )
    finally:
        structlog.contextvars.clear_contextvars()


def _submit(member: _Member, workflow: str, options: RunOptions, shared: SharedClients) -> None:
    with _step(member):
        config = member.config = load_config(member.path)
        member.instance_id = config.instance_id
        member.client = shared.client(config)
        member.ledger = member.resources.enter_context(Ledger.open(config.state_dir))
        outcome = run_workflow(config, member.client, member.ledger, workflow, options)
        member.outcome, member.submitted_at = outcome, clock.current().now()
        if not outcome.still_running or options.no_wait:  # finished, failed or reused: nothing to wait for
            member.result = _result(member, outcome)


def _finish(member: _Member, workflow: str, options: RunOptions, seen: WorkflowExecution | None) -> None:
    with _step(member):
        if member.result is None:
            assert member.config is not None and member.client is not None and member.ledger is not None
            if seen is not None and seen.status.terminal:
                run = member.ledger.run_by_execution(seen.workflow_execution_id)
                if run is not None and run.finished_at is None:
                    record_finished(member.ledger, run, seen)
            outcome = run_workflow(member.config, member.client, member.ledger, workflow, options)
            member.result = _result(member, outcome)
    member.resources.close()


def _seen(member: _Member, seen: dict[str, WorkflowExecution | None]) -> WorkflowExecution | None:
    execution_id = member.outcome.execution_id if member.outcome is not None else None
    return seen.get(execution_id) if execution_id is not None else None


def _max_wait(options: RunOptions, members: list[_Member]) -> float | None:
    if options.max_wait_s is not None:
        return options.max_wait_s
    waits = [m.config.profile.polling.max_wait_s for m in members if m.config is not None]
    return max(waits) if waits else None


def run_fleet(
    config_dir: Path,
    workflow: str,
    options: RunOptions,
    *,
    open_async_client: Callable[[Config], Any] | None = None,
) -> list[FleetResult]:
    """Run ``workflow`` on every profile of ``config_dir`` at once; one result per profile, in name order.

    ``open_async_client`` builds the client the wait uses for a profile (default: the profile's own).
    """
    members = [_Member(path, path.stem) for path in profiles(config_dir)]
    workers = min(MAX_PARALLEL, len(members))
    shared = SharedClients()
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda m: _submit(m, workflow, replace(options, detach=True), shared), members))
        waiting = [(m, a) for m in members if (a := m.awaited(workflow)) is not None]
        seen: dict[str, WorkflowExecution | None] = {}
        if waiting:

            async def wait() -> list[WorkflowExecution | None]:
                try:
                    return await wait_for_all(
                        [a for _, a in waiting],
                        max_wait_s=_max_wait(options, members),
                        open_client=open_async_client or shared.async_client,
                    )
                finally:
                    await shared.aclose()

            found = asyncio.run(wait())
            seen = {a.execution_id: execution for (_, a), execution in zip(waiting, found, strict=True)}
        # What the wait saw end is recorded; then the pipeline downloads (or looks again at the others).
        finish = replace(options, max_wait_s=0.0)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda m: _finish(m, workflow, finish, _seen(m, seen)), members))
    finally:
        for member in members:
            member.resources.close()
        shared.close()
    return [m.result for m in members if m.result is not None]

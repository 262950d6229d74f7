"""AMC is the source of truth: before submitting, adopt an execution AMC already has for the same run.

The ledger is a cache. A new host, a wiped container, a restored backup or an unreadable ledger file loses
it; a task retried by a scheduler runs without it. So before any POST, the workflow's executions on AMC are
listed (every page, with their SQL) and one that is the same run is adopted instead of submitting a second
multi-hour execution. The list starts at the window's end: the tool never submits a window that ends within
the 48-hour data lag (``timewindow.resolve_window``), so an execution of this window was created at least
two days after its end, and the margin covers any clock. A nightly workflow's list is therefore its last few
nights, not every night it ever ran. When the window ended within ``INSTANCE_LIST_SPAN`` (every nightly run),
the list is the whole instance's rather than the workflow's: the admission gate counts its busy slots from
the same answer, so a night's submit costs one list call, not two.

The same run means (docs/ledger.md, "AMC is the source of truth"):

* the same ``workflowId`` (derived from the workflow's name, stable across releases and hosts);
* the same time window, compared as instants (AMC's ``...Original`` bounds and time zone when given);
* the same parameter values, when AMC reports them;
* the same SQL, when AMC reports it (``includeWorkflow``): an execution of an older definition is not ours;
* a status that can still give this run its result: SUCCEEDED, or PENDING/RUNNING/PUBLISHING.

A FAILED, REJECTED or CANCELLED execution is never adopted: without the ledger the tool cannot tell a
failure the operator has seen from one they have not, so it submits anew. Adoption is skipped only by
``--force-rerun``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from amc_cltv import clock
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.ledger import Ledger, RunRecord
from amc_cltv.log import get_logger
from amc_cltv.orchestration.admission import amc_time
from amc_cltv.orchestration.submit import ExecutionsApi, ExecutionSpec, matches

log = get_logger("amc_cltv.adopt")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A window that ended at most this long ago is looked up in a list of the instance's executions (every
# workflow's), which the admission gate reuses; an older one (a backfill) in the workflow's own list, so
# that a month of another team's executions is never paged through to find it.
INSTANCE_LIST_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class Listed:
    """AMC's executions created since a run's window ended; ``instance_wide``: every workflow's, not only
    the run's (what the admission gate can count from)."""

    executions: Sequence[WorkflowExecution]
    instance_wide: bool


def list_since_window(executions: ExecutionsApi, spec: ExecutionSpec, now: datetime) -> Listed:
    """The executions that could be ``spec``'s run, with their SQL (see the module docstring)."""
    instance_wide = spec.window.end >= now - INSTANCE_LIST_SPAN
    listed = executions.list(
        workflow_id=None if instance_wide else spec.workflow_id,
        min_creation_time=amc_time(spec.window.end.astimezone(UTC)),
        include_workflow=True,
        include_cancelled=False,
        time_zone="UTC",
    )
    return Listed(listed, instance_wide)


def same_sql(execution: WorkflowExecution, sql_sha256: str) -> bool:
    """Whether the execution ran this SQL (True when AMC did not say which SQL it ran)."""
    if not execution.sql_query:
        return True
    return hashlib.sha256(execution.sql_query.encode()).hexdigest() == sql_sha256


def find_on_amc(
    listed: Listed,
    spec: ExecutionSpec,
    sql_sha256: str,
    known_ids: frozenset[str] = frozenset(),
) -> WorkflowExecution | None:
    """The execution of ``listed`` that is this run (see the module docstring), or None.

    Among several, the newest SUCCEEDED one wins (its result is the run's result), else the newest still in
    progress. Executions in ``known_ids`` already belong to other runs of the ledger and are left alone.
    """
    found = [
        execution
        for execution in listed.executions
        if (execution.status == ExecutionStatus.SUCCEEDED or execution.status.in_progress)
        # an instance-wide list holds every workflow's: only one that names this workflow can be this run
        and (execution.workflow_id == spec.workflow_id or not listed.instance_wide)
        and execution.workflow_execution_id not in known_ids
        and matches(execution, spec)
        and same_sql(execution, sql_sha256)
    ]
    if not found:
        return None
    newest_first = sorted(found, key=lambda e: e.create_time or EPOCH, reverse=True)
    succeeded = [e for e in newest_first if e.status == ExecutionStatus.SUCCEEDED]
    return (succeeded or newest_first)[0]


def adopt_from_amc(
    executions: ExecutionsApi,
    ledger: Ledger,
    *,
    run_key: str,
    instance_id: str,
    spec: ExecutionSpec,
    sql_sha256: str,
    listed: Listed | None = None,
) -> RunRecord | None:
    """Look on AMC for this run and, when it is there, record it in ``ledger`` (state ``submitted``, with
    AMC's status) and return the record; None means nothing on AMC is this run: submitting is safe.

    ``listed`` is ``list_since_window``'s answer when the caller has it already (``run`` keeps it for the
    admission gate). For a library caller (a scheduler's task that may be retried on another worker) as
    much as for ``run``.
    """
    now = clock.current().now()
    listed = listed or list_since_window(executions, spec, now)
    known = frozenset(
        r.execution_id for r in ledger.runs(instance_id=instance_id, workflow=spec.workflow) if r.execution_id
    )
    execution = find_on_amc(listed, spec, sql_sha256, known)
    log.info(
        "amc_checked",
        workflow=spec.workflow,
        listed=len(listed.executions),
        instance_wide=listed.instance_wide,
        found=execution is not None,
    )
    if execution is None:
        return None
    created = execution.create_time or now
    log.info(
        "execution_adopted_from_amc",
        workflow=spec.workflow,
        execution_id=execution.workflow_execution_id,
        status=execution.status,
        create_time=created.astimezone(UTC).isoformat(),
    )
    return ledger.adopt_run(
        run_key=run_key,
        instance_id=instance_id,
        workflow=spec.workflow,
        workflow_id=spec.workflow_id,
        sql_sha256=sql_sha256,
        time_window_start=spec.window.start.isoformat(),
        time_window_end=spec.window.end.isoformat(),
        time_zone=spec.window.time_zone,
        parameters=spec.parameter_values,
        execution_id=execution.workflow_execution_id,
        status=execution.status,
        submitted_at=min(created, now),
        now=now,
    )

"""AMC is the source of truth: before submitting, adopt an execution AMC already has for the same run.

The ledger is a cache. A new host, a wiped container, a restored backup or an unreadable ledger file loses
it; a task retried by a scheduler runs without it. So before any POST, the workflow's executions on AMC are
listed (every page, with their SQL) and one that is the same run is adopted instead of submitting a second
multi-hour execution. The same run means (docs/ledger.md, "AMC is the source of truth"):

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
from datetime import UTC, datetime

from amc_cltv import clock
from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.ledger import Ledger, RunRecord
from amc_cltv.log import get_logger
from amc_cltv.orchestration.submit import ExecutionsApi, ExecutionSpec, matches

log = get_logger("amc_cltv.adopt")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def same_sql(execution: WorkflowExecution, sql_sha256: str) -> bool:
    """Whether the execution ran this SQL (True when AMC did not say which SQL it ran)."""
    if not execution.sql_query:
        return True
    return hashlib.sha256(execution.sql_query.encode()).hexdigest() == sql_sha256


def find_on_amc(
    executions: ExecutionsApi, spec: ExecutionSpec, sql_sha256: str, known_ids: frozenset[str] = frozenset()
) -> WorkflowExecution | None:
    """The execution on AMC that is this run (see the module docstring), or None.

    Among several, the newest SUCCEEDED one wins (its result is the run's result), else the newest still in
    progress. Executions in ``known_ids`` already belong to other runs of the ledger and are left alone.
    """
    listed = executions.list(
        workflow_id=spec.workflow_id, include_workflow=True, include_cancelled=False, time_zone="UTC"
    )
    found = [
        execution
        for execution in listed
        if (execution.status == ExecutionStatus.SUCCEEDED or execution.status.in_progress)
        and execution.workflow_execution_id not in known_ids
        and matches(execution, spec)
        and same_sql(execution, sql_sha256)
    ]
    log.info("amc_checked", workflow=spec.workflow, listed=len(listed), matching=len(found))
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
) -> RunRecord | None:
    """Look on AMC for this run and, when it is there, record it in ``ledger`` (state ``submitted``, with
    AMC's status) and return the record; None means nothing on AMC is this run: submitting is safe.

    For a library caller (a scheduler's task that may be retried on another worker) as much as for ``run``.
    """
    known = frozenset(
        r.execution_id for r in ledger.runs(instance_id=instance_id, workflow=spec.workflow) if r.execution_id
    )
    execution = find_on_amc(executions, spec, sql_sha256, known)
    if execution is None:
        return None
    now = clock.current().now()
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

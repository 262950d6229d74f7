"""Keeping AMC's saved workflows equal to the rendered ones: plan, apply, and drift.

A workflow is created when AMC does not have it and updated only when what is uploaded differs from what
AMC holds (compared by a hash of the definition). When the ledger has no apply of the workflow on the
instance, applying asks AMC to create it straight away: AMC refuses to create a workflow it already has,
so one request settles the common case (a new instance) and a refusal falls back to reading AMC's copy.
When AMC's copy differs from what this tool last applied (recorded in the ledger), someone changed it by
hand: that is drift, reported and never silently overwritten (``workflows apply --force`` overwrites it on
purpose).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from amc_cltv import clock
from amc_cltv.client.models import Workflow
from amc_cltv.client.resources.workflows import already_exists
from amc_cltv.errors import APIStatusError, NeedsHuman, NotFoundError
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.workflows.catalog import RenderedWorkflow

Action = Literal["create", "update", "none", "drift"]

log = get_logger("amc_cltv.sync")


class WorkflowsApi(Protocol):
    def create(self, workflow: Workflow) -> None: ...

    def get(self, workflow_id: str) -> Workflow: ...

    def upsert(self, workflow: Workflow) -> str: ...

    def update(self, workflow: Workflow) -> None: ...


def definition_hash(body: dict[str, Any], keys: list[str] | None = None) -> str:
    """sha256 of a workflow definition, over ``keys`` only (the ones this tool uploads)."""
    chosen = {key: body.get(key) for key in sorted(keys or body)}
    return hashlib.sha256(json.dumps(chosen, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class SyncPlan:
    """What applying a workflow would do, and why."""

    workflow: str
    workflow_id: str
    action: Action
    local_sha256: str
    remote_sha256: str | None
    applied_sha256: str | None
    diff: str  # unified diff of the SQL (remote -> local), empty when equal
    body: dict[str, Any]

    @property
    def summary(self) -> str:
        return {
            "create": "not on AMC yet: will be created",
            "update": "differs from AMC: will be updated",
            "none": "up to date",
            "drift": "changed on AMC since the last apply (drift): not overwritten without --force",
        }[self.action]


def _remote_body(workflows: WorkflowsApi, workflow_id: str) -> dict[str, Any] | None:
    try:
        remote = workflows.get(workflow_id)
    except NotFoundError:
        return None
    return remote.dump()


def _lines(sql: str) -> list[str]:
    """The SQL's lines, each ending with a newline (the last one too), so the diff ends with one."""
    return [f"{line}\n" for line in sql.splitlines()]


def _sql_diff(remote_sql: str, local_sql: str, workflow_id: str) -> str:
    return "".join(
        difflib.unified_diff(
            _lines(remote_sql),
            _lines(local_sql),
            fromfile=f"amc:{workflow_id}",
            tofile=f"local:{workflow_id}",
        )
    )


def _local(rendered: RenderedWorkflow) -> tuple[dict[str, Any], str]:
    """The body this tool uploads and its hash; both sides of a comparison pass through the same model, so
    only real differences count."""
    body = Workflow.model_validate(rendered.as_workflow_body()).dump()
    return body, definition_hash(body, sorted(body))


def _created(workflows: WorkflowsApi, rendered: RenderedWorkflow) -> SyncPlan | None:
    """Create the workflow when AMC does not have it (one request); None when AMC already has it."""
    body, local = _local(rendered)
    try:
        workflows.create(Workflow.model_validate(body))
    except APIStatusError as error:
        if not already_exists(error):
            raise
        return None  # AMC holds a copy (ours from another host, or someone's): compare it as usual
    diff = _sql_diff("", str(body.get("sqlQuery", "")), rendered.workflow_id)
    return SyncPlan(rendered.name, rendered.workflow_id, "create", local, None, None, diff, body)


def plan(workflows: WorkflowsApi, ledger: Ledger, instance_id: str, rendered: RenderedWorkflow) -> SyncPlan:
    """Compare the rendered workflow with AMC's copy and the last apply recorded in the ledger."""
    body, local = _local(rendered)
    keys = sorted(body)
    remote_body = _remote_body(workflows, rendered.workflow_id)
    applied = ledger.last_apply(instance_id, rendered.workflow_id)
    applied_sha = applied.definition_sha256 if applied else None
    if remote_body is None:
        action: Action = "create"
        remote = None
        diff = _sql_diff("", str(body.get("sqlQuery", "")), rendered.workflow_id)
    else:
        remote = definition_hash(remote_body, keys)
        diff = _sql_diff(
            str(remote_body.get("sqlQuery") or ""), str(body.get("sqlQuery", "")), rendered.workflow_id
        )
        if remote == local:
            action = "none"
        elif applied_sha is not None and remote != applied_sha:
            action = "drift"
        else:
            action = "update"
        if action != "none" and not diff:
            diff = f"(the SQL is the same; other fields of {rendered.workflow_id} differ)\n"
    return SyncPlan(rendered.name, rendered.workflow_id, action, local, remote, applied_sha, diff, body)


def apply(
    workflows: WorkflowsApi,
    ledger: Ledger,
    instance_id: str,
    rendered: RenderedWorkflow,
    *,
    force: bool = False,
) -> SyncPlan:
    """Create or update the workflow on AMC as planned; return the plan that was carried out.

    Raises NeedsHuman on drift unless ``force``.
    """
    created = None
    if ledger.last_apply(instance_id, rendered.workflow_id) is None:
        created = _created(workflows, rendered)
    planned = created or plan(workflows, ledger, instance_id, rendered)
    context = {"workflow": planned.workflow, "workflow_id": planned.workflow_id}
    if planned.action == "drift" and not force:
        raise NeedsHuman(
            f"workflow {planned.workflow_id} was changed on AMC since this tool last applied it (drift); "
            f"see `amc-cltv workflows plan {planned.workflow}` and overwrite it with "
            f"`amc-cltv workflows apply {planned.workflow} --force`"
        )
    if created is None:
        model = Workflow.model_validate(planned.body)
        if planned.action == "create":
            workflows.upsert(model)  # created by a concurrent apply meanwhile: replaced, not an error
        elif planned.action in ("update", "drift"):
            workflows.update(model)
    if planned.action != "none" or planned.applied_sha256 != planned.local_sha256:
        ledger.record_apply(
            instance_id=instance_id,
            workflow_id=planned.workflow_id,
            workflow=planned.workflow,
            definition_sha256=planned.local_sha256,
            now=clock.current().now(),
        )
    log.info("workflow_applied", action=planned.action, **context)
    return planned

"""Saved workflows: ``/amc/reporting/{instanceId}/workflows``."""

from __future__ import annotations

from typing import Any, Literal

from amc_cltv.client.base import AsyncBaseClient, BaseClient, Call, ClientBase, segment
from amc_cltv.client.models import Workflow, WorkflowsPage
from amc_cltv.client.retry import CallKind
from amc_cltv.errors import APIStatusError, UsageError


def already_exists(error: APIStatusError) -> bool:
    """AMC's answer to creating a workflow that exists: a 409, or any 4xx saying "already exists"."""
    if error.status_code == 409:
        return True
    text = f"{error.details or ''} {error.message}".lower()
    return 400 <= error.status_code < 500 and "already exists" in text


def _workflow_id(workflow: Workflow) -> str:
    if not workflow.workflow_id:
        raise UsageError("a saved workflow needs a workflow_id")
    return workflow.workflow_id


class WorkflowCalls:
    """What each saved-workflow call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def _path(self, workflow_id: str | None = None) -> str:
        path = f"{self._base.reporting_prefix}/workflows"
        return f"{path}/{segment(workflow_id)}" if workflow_id else path

    def create(self, workflow: Workflow) -> Call[Any]:
        _workflow_id(workflow)
        return Call(
            "POST",
            self._path(),
            self._base.reporting_headers(),
            kind=CallKind.IDEMPOTENT,
            body=workflow.dump(),
        )

    def get(self, workflow_id: str) -> Call[Workflow]:
        return Call("GET", self._path(workflow_id), self._base.reporting_headers(), Workflow)

    def list(self) -> Call[WorkflowsPage]:
        return Call("GET", self._path(), self._base.reporting_headers(), WorkflowsPage)

    def update(self, workflow: Workflow) -> Call[Any]:
        path = self._path(_workflow_id(workflow))
        return Call("PUT", path, self._base.reporting_headers(), body=workflow.dump())

    def delete(self, workflow_id: str) -> Call[Any]:
        return Call("DELETE", self._path(workflow_id), self._base.reporting_headers())


class Workflows:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = WorkflowCalls(base)

    def create(self, workflow: Workflow) -> None:
        """Create a saved workflow. Safe to retry: the id is ours, so a repeat fails as "already exists"."""
        self._base.send(self._calls.create(workflow))

    def get(self, workflow_id: str) -> Workflow:
        return self._base.fetch_call(self._calls.get(workflow_id))

    def list(self) -> list[Workflow]:
        """Every saved workflow of the instance (all pages)."""
        return [workflow for page in self._base.pages_of(self._calls.list()) for workflow in page.workflows]

    def update(self, workflow: Workflow) -> None:
        """Replace a saved workflow with ``workflow`` as a whole (PUT)."""
        self._base.send(self._calls.update(workflow))

    def delete(self, workflow_id: str) -> None:
        """Delete a saved workflow (AMC refuses while a schedule references it)."""
        self._base.send(self._calls.delete(workflow_id))

    def upsert(self, workflow: Workflow) -> Literal["created", "updated"]:
        """Create the workflow, or replace it when AMC says it already exists."""
        try:
            self.create(workflow)
        except APIStatusError as error:
            if not already_exists(error):
                raise
            self.update(workflow)
            return "updated"
        return "created"


class AsyncWorkflows:
    """``Workflows`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = WorkflowCalls(base)

    async def create(self, workflow: Workflow) -> None:
        await self._base.send(self._calls.create(workflow))

    async def get(self, workflow_id: str) -> Workflow:
        return await self._base.fetch_call(self._calls.get(workflow_id))

    async def list(self) -> list[Workflow]:
        return [w async for page in self._base.pages_of(self._calls.list()) for w in page.workflows]

    async def update(self, workflow: Workflow) -> None:
        await self._base.send(self._calls.update(workflow))

    async def delete(self, workflow_id: str) -> None:
        await self._base.send(self._calls.delete(workflow_id))

    async def upsert(self, workflow: Workflow) -> Literal["created", "updated"]:
        """See ``Workflows.upsert``."""
        try:
            await self.create(workflow)
        except APIStatusError as error:
            if not already_exists(error):
                raise
            await self.update(workflow)
            return "updated"
        return "created"

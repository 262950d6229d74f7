"""Saved workflows: ``/amc/reporting/{instanceId}/workflows``."""

from __future__ import annotations

from typing import Literal

from amc_cltv.client.base import BaseClient, segment
from amc_cltv.client.models import Workflow, WorkflowsPage
from amc_cltv.client.retry import CallKind
from amc_cltv.errors import APIStatusError, UsageError


def already_exists(error: APIStatusError) -> bool:
    """AMC's answer to creating a workflow that exists: a 409, or any 4xx saying "already exists"."""
    if error.status_code == 409:
        return True
    text = f"{error.details or ''} {error.message}".lower()
    return 400 <= error.status_code < 500 and "already exists" in text


class Workflows:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def _path(self, workflow_id: str | None = None) -> str:
        path = f"{self._base.reporting_prefix}/workflows"
        return f"{path}/{segment(workflow_id)}" if workflow_id else path

    @staticmethod
    def _id(workflow: Workflow) -> str:
        if not workflow.workflow_id:
            raise UsageError("a saved workflow needs a workflow_id")
        return workflow.workflow_id

    def create(self, workflow: Workflow) -> None:
        """Create a saved workflow. Safe to retry: the id is ours, so a repeat fails as "already exists"."""
        self._id(workflow)
        self._base.request(
            "POST",
            self._path(),
            headers=self._base.reporting_headers(),
            kind=CallKind.IDEMPOTENT,
            body=workflow.dump(),
        )

    def get(self, workflow_id: str) -> Workflow:
        return self._base.fetch(
            Workflow, "GET", self._path(workflow_id), headers=self._base.reporting_headers()
        )

    def list(self) -> list[Workflow]:
        """Every saved workflow of the instance (all pages)."""
        workflows: list[Workflow] = []
        for page in self._base.pages(WorkflowsPage, self._path(), headers=self._base.reporting_headers()):
            workflows.extend(page.workflows)
        return workflows

    def update(self, workflow: Workflow) -> None:
        """Replace a saved workflow with ``workflow`` as a whole (PUT)."""
        self._base.request(
            "PUT",
            self._path(self._id(workflow)),
            headers=self._base.reporting_headers(),
            body=workflow.dump(),
        )

    def delete(self, workflow_id: str) -> None:
        """Delete a saved workflow (AMC refuses while a schedule references it)."""
        self._base.request("DELETE", self._path(workflow_id), headers=self._base.reporting_headers())

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

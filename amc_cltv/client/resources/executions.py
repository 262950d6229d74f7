"""Workflow executions: ``/amc/reporting/{instanceId}/workflowExecutions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amc_cltv.client.base import BaseClient, segment
from amc_cltv.client.models import CreateWorkflowExecution, DownloadUrls, ExecutionsPage, WorkflowExecution
from amc_cltv.client.retry import CallKind
from amc_cltv.errors import UsageError

AMC_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def amc_time(value: datetime | str | None) -> str | None:
    """A time as AMC's list filters want it: ``yyyy-MM-ddTHH:mm:ss`` without an offset."""
    if value is None or isinstance(value, str):
        return value
    return value.strftime(AMC_TIME_FORMAT)


class Executions:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def _path(self, workflow_execution_id: str | None = None) -> str:
        path = f"{self._base.reporting_prefix}/workflowExecutions"
        return f"{path}/{segment(workflow_execution_id)}" if workflow_execution_id else path

    def create(self, request: CreateWorkflowExecution) -> WorkflowExecution:
        """Submit an execution (saved via ``workflow_id``, or ad hoc via an inline ``workflow``).

        Each POST starts a new execution, so it is never re-sent once it may have reached AMC: raises
        AmbiguousSubmitError then, and the caller reconciles by listing executions.
        """
        return self._base.fetch(
            WorkflowExecution,
            "POST",
            self._path(),
            headers=self._base.reporting_headers(),
            kind=CallKind.SUBMIT,
            body=request.dump(),
        )

    def get(self, workflow_execution_id: str, *, include_workflow: bool | None = None) -> WorkflowExecution:
        return self._base.fetch(
            WorkflowExecution,
            "GET",
            self._path(workflow_execution_id),
            headers=self._base.reporting_headers(),
            params={"includeWorkflow": include_workflow},
        )

    def list(
        self,
        *,
        workflow_id: str | None = None,
        min_creation_time: datetime | str | None = None,
        max_creation_time: datetime | str | None = None,
        include_cancelled: bool | None = None,
        sort_ascending: bool | None = None,
        include_workflow: bool | None = None,
        time_zone: str | None = None,
        limit: int | None = None,
    ) -> list[WorkflowExecution]:
        """Executions matching the filters, all pages. AMC needs ``workflow_id`` or ``min_creation_time``."""
        if workflow_id is None and min_creation_time is None:
            raise UsageError("listing executions needs a workflow_id or a min_creation_time")
        params: dict[str, Any] = {
            "workflowId": workflow_id,
            "minCreationTime": amc_time(min_creation_time),
            "maxCreationTime": amc_time(max_creation_time),
            "includeCancelled": include_cancelled,
            "sortAscending": sort_ascending,
            "includeWorkflow": include_workflow,
            "timeZone": time_zone,
            "limit": limit,
        }
        executions: list[WorkflowExecution] = []
        pages = self._base.pages(
            ExecutionsPage, self._path(), headers=self._base.reporting_headers(), params=params
        )
        for page in pages:
            executions.extend(page.executions)
        return executions

    def cancel(self, workflow_execution_id: str) -> None:
        """Ask AMC to cancel a pending or running execution (AMC answers 400 if it already finished)."""
        self._base.request(
            "PUT",
            self._path(workflow_execution_id),
            headers=self._base.reporting_headers(),
            body={"status": "CANCELLED"},
        )

    def download_urls(self, workflow_execution_id: str) -> DownloadUrls:
        """Fresh pre-signed URLs of the result files (they expire after 10 minutes)."""
        return self._base.fetch(
            DownloadUrls,
            "GET",
            f"{self._path(workflow_execution_id)}/downloadUrls",
            headers=self._base.reporting_headers(),
        )

"""Workflow executions: ``/amc/reporting/{instanceId}/workflowExecutions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amc_cltv.client.base import AsyncBaseClient, BaseClient, Call, ClientBase, segment
from amc_cltv.client.models import CreateWorkflowExecution, DownloadUrls, ExecutionsPage, WorkflowExecution
from amc_cltv.client.retry import CallKind
from amc_cltv.errors import UsageError

AMC_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def amc_time(value: datetime | str | None) -> str | None:
    """A time as AMC's list filters want it: ``yyyy-MM-ddTHH:mm:ss`` without an offset."""
    if value is None or isinstance(value, str):
        return value
    return value.strftime(AMC_TIME_FORMAT)


class ExecutionCalls:
    """What each executions call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def _path(self, workflow_execution_id: str | None = None) -> str:
        path = f"{self._base.reporting_prefix}/workflowExecutions"
        return f"{path}/{segment(workflow_execution_id)}" if workflow_execution_id else path

    def create(self, request: CreateWorkflowExecution) -> Call[WorkflowExecution]:
        return Call(
            "POST",
            self._path(),
            self._base.reporting_headers(),
            WorkflowExecution,
            kind=CallKind.SUBMIT,
            body=request.dump(),
        )

    def get(self, workflow_execution_id: str, include_workflow: bool | None) -> Call[WorkflowExecution]:
        return Call(
            "GET",
            self._path(workflow_execution_id),
            self._base.reporting_headers(),
            WorkflowExecution,
            params={"includeWorkflow": include_workflow},
        )

    def list(self, filters: dict[str, Any]) -> Call[ExecutionsPage]:
        if filters.get("workflow_id") is None and filters.get("min_creation_time") is None:
            raise UsageError("listing executions needs a workflow_id or a min_creation_time")
        params: dict[str, Any] = {
            "workflowId": filters.get("workflow_id"),
            "minCreationTime": amc_time(filters.get("min_creation_time")),
            "maxCreationTime": amc_time(filters.get("max_creation_time")),
            "includeCancelled": filters.get("include_cancelled"),
            "sortAscending": filters.get("sort_ascending"),
            "includeWorkflow": filters.get("include_workflow"),
            "timeZone": filters.get("time_zone"),
            "limit": filters.get("limit"),
        }
        return Call("GET", self._path(), self._base.reporting_headers(), ExecutionsPage, params=params)

    def cancel(self, workflow_execution_id: str) -> Call[Any]:
        return Call(
            "PUT",
            self._path(workflow_execution_id),
            self._base.reporting_headers(),
            body={"status": "CANCELLED"},
        )

    def download_urls(self, workflow_execution_id: str) -> Call[DownloadUrls]:
        return Call(
            "GET",
            f"{self._path(workflow_execution_id)}/downloadUrls",
            self._base.reporting_headers(),
            DownloadUrls,
        )


class Executions:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = ExecutionCalls(base)

    def create(self, request: CreateWorkflowExecution) -> WorkflowExecution:
        """Submit an execution (saved via ``workflow_id``, or ad hoc via an inline ``workflow``).

        Each POST starts a new execution, so it is never re-sent once it may have reached AMC: raises
        AmbiguousSubmitError then, and the caller reconciles by listing executions.
        """
        return self._base.fetch_call(self._calls.create(request))

    def get(self, workflow_execution_id: str, *, include_workflow: bool | None = None) -> WorkflowExecution:
        return self._base.fetch_call(self._calls.get(workflow_execution_id, include_workflow))

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
        call = self._calls.list(
            {
                "workflow_id": workflow_id,
                "min_creation_time": min_creation_time,
                "max_creation_time": max_creation_time,
                "include_cancelled": include_cancelled,
                "sort_ascending": sort_ascending,
                "include_workflow": include_workflow,
                "time_zone": time_zone,
                "limit": limit,
            }
        )
        return [execution for page in self._base.pages_of(call) for execution in page.executions]

    def cancel(self, workflow_execution_id: str) -> None:
        """Ask AMC to cancel a pending or running execution (AMC answers 400 if it already finished)."""
        self._base.send(self._calls.cancel(workflow_execution_id))

    def download_urls(self, workflow_execution_id: str) -> DownloadUrls:
        """Fresh pre-signed URLs of the result files (they expire after 10 minutes)."""
        return self._base.fetch_call(self._calls.download_urls(workflow_execution_id))


class AsyncExecutions:
    """``Executions`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = ExecutionCalls(base)

    async def create(self, request: CreateWorkflowExecution) -> WorkflowExecution:
        """See ``Executions.create`` (never re-sent once it may have reached AMC)."""
        return await self._base.fetch_call(self._calls.create(request))

    async def get(
        self, workflow_execution_id: str, *, include_workflow: bool | None = None
    ) -> WorkflowExecution:
        return await self._base.fetch_call(self._calls.get(workflow_execution_id, include_workflow))

    async def list(
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
        """See ``Executions.list``."""
        call = self._calls.list(
            {
                "workflow_id": workflow_id,
                "min_creation_time": min_creation_time,
                "max_creation_time": max_creation_time,
                "include_cancelled": include_cancelled,
                "sort_ascending": sort_ascending,
                "include_workflow": include_workflow,
                "time_zone": time_zone,
                "limit": limit,
            }
        )
        return [execution async for page in self._base.pages_of(call) for execution in page.executions]

    async def cancel(self, workflow_execution_id: str) -> None:
        await self._base.send(self._calls.cancel(workflow_execution_id))

    async def download_urls(self, workflow_execution_id: str) -> DownloadUrls:
        return await self._base.fetch_call(self._calls.download_urls(workflow_execution_id))

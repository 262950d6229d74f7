"""Rule-based audiences: ``/amc/audiences/query`` (instance and entity go in headers, not the path), and
their lookalikes: ``POST /amc/audiences/lookalike`` (docs/amc-api.md §4.6), read through ``/query`` after."""

from __future__ import annotations

from typing import Any

from amc_cltv.client.base import AUDIENCE_CONTENT_TYPE, AsyncBaseClient, BaseClient, Call, ClientBase, segment
from amc_cltv.client.models import (
    AudienceExecution,
    AudienceMetadata,
    AudienceRequest,
    AudiencesPage,
    LookalikeAudienceRequest,
)
from amc_cltv.client.retry import CallKind

RULE_BASED = "RULE_BASED"
PATH = "/amc/audiences/query"
LOOKALIKE_PATH = "/amc/audiences/lookalike"
# The lookalike create is sent as a rule-based body and answered in its own media type (spec-rba).
LOOKALIKE_ACCEPT = "application/vnd.amclookalikeaudience.v1+json"
PAGE_SIZE = 100


class AudienceCalls:
    """What each audience call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def create(self, request: AudienceRequest) -> Call[AudienceExecution]:
        return Call(
            "POST",
            PATH,
            self._base.audience_headers("POST"),
            AudienceExecution,
            kind=CallKind.SUBMIT,
            body=request.dump(),
            content_type=AUDIENCE_CONTENT_TYPE,
        )

    def create_lookalike(self, request: LookalikeAudienceRequest) -> Call[AudienceExecution]:
        return Call(
            "POST",
            LOOKALIKE_PATH,
            {**self._base.audience_headers("POST"), "Accept": LOOKALIKE_ACCEPT},
            AudienceExecution,
            kind=CallKind.SUBMIT,
            body=request.dump(),
            content_type=AUDIENCE_CONTENT_TYPE,
        )

    def get(self, audience_execution_id: str) -> Call[AudienceMetadata]:
        path = f"{PATH}/{segment(audience_execution_id)}"
        return Call("GET", path, self._base.audience_headers("GET"), AudienceMetadata)

    def list(self) -> Call[AudiencesPage]:
        headers = self._base.audience_headers("GET")
        return Call("GET", PATH, headers, AudiencesPage, params={"maxResults": PAGE_SIZE})

    def update(self, audience_execution_id: str, request: AudienceRequest) -> Call[AudienceExecution]:
        # The update body must name the audience's type (spec-rba), and every audience made here is a
        # query-based one: RULE_BASED unless the caller says otherwise.
        body = {"audienceType": RULE_BASED, **request.dump()}
        return Call(
            "PUT",
            f"{PATH}/{segment(audience_execution_id)}",
            self._base.audience_headers("PUT"),
            AudienceExecution,
            body=body,
            content_type=AUDIENCE_CONTENT_TYPE,
        )

    def delete(self, audience_execution_id: str) -> Call[Any]:
        path = f"{PATH}/{segment(audience_execution_id)}"
        return Call("DELETE", path, self._base.audience_headers("DELETE"))


class Audiences:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = AudienceCalls(base)

    def create(self, request: AudienceRequest) -> AudienceExecution:
        """Start creating an audience. Each POST may create another audience, so it is never re-sent
        once it may have reached AMC: raises AmbiguousSubmitError and the caller lists to reconcile."""
        return self._base.fetch_call(self._calls.create(request))

    def create_lookalike(self, request: LookalikeAudienceRequest) -> AudienceExecution:
        """Start creating a lookalike audience seeded by the request's query; never re-sent once it may
        have reached AMC (AmbiguousSubmitError, as ``create``)."""
        return self._base.fetch_call(self._calls.create_lookalike(request))

    def preview_create(self, request: AudienceRequest) -> dict[str, Any]:
        """What ``create`` (or ``create_lookalike``, for a lookalike request) would send (method, path,
        headers, JSON body), for a dry run; sends nothing.

        The Authorization header is added by the auth flow at send time, so it appears here masked."""
        if isinstance(request, LookalikeAudienceRequest):
            call = self._calls.create_lookalike(request)
        else:
            call = self._calls.create(request)
        headers = {"Authorization": "Bearer ***", **call.send_headers()}
        return {"method": call.method, "path": call.path, "headers": headers, "body": call.body}

    def get(self, audience_execution_id: str) -> AudienceMetadata:
        return self._base.fetch_call(self._calls.get(audience_execution_id))

    def list(self) -> list[AudienceMetadata]:
        """Every rule-based audience of the instance (all pages)."""
        pages = self._base.pages_of(self._calls.list())
        return [audience for page in pages for audience in page.execution_metadata]

    def update(self, audience_execution_id: str, request: AudienceRequest) -> AudienceExecution:
        """Replace a FAILED audience's definition (AMC refuses any other state)."""
        return self._base.fetch_call(self._calls.update(audience_execution_id, request))

    def delete(self, audience_execution_id: str) -> None:
        """Delete a FAILED or SUCCEEDED audience (and its DSP segment)."""
        self._base.send(self._calls.delete(audience_execution_id))


class AsyncAudiences:
    """``Audiences`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = AudienceCalls(base)

    async def create(self, request: AudienceRequest) -> AudienceExecution:
        """See ``Audiences.create`` (never re-sent once it may have reached AMC)."""
        return await self._base.fetch_call(self._calls.create(request))

    async def create_lookalike(self, request: LookalikeAudienceRequest) -> AudienceExecution:
        """See ``Audiences.create_lookalike``."""
        return await self._base.fetch_call(self._calls.create_lookalike(request))

    async def get(self, audience_execution_id: str) -> AudienceMetadata:
        return await self._base.fetch_call(self._calls.get(audience_execution_id))

    async def list(self) -> list[AudienceMetadata]:
        pages = self._base.pages_of(self._calls.list())
        return [audience async for page in pages for audience in page.execution_metadata]

    async def update(self, audience_execution_id: str, request: AudienceRequest) -> AudienceExecution:
        return await self._base.fetch_call(self._calls.update(audience_execution_id, request))

    async def delete(self, audience_execution_id: str) -> None:
        await self._base.send(self._calls.delete(audience_execution_id))

"""Rule-based audiences: ``/amc/audiences/query`` (instance and entity go in headers, not the path)."""

from __future__ import annotations

from typing import Any

from amc_cltv.client.base import AUDIENCE_CONTENT_TYPE, BaseClient, segment
from amc_cltv.client.models import AudienceExecution, AudienceMetadata, AudienceRequest, AudiencesPage
from amc_cltv.client.retry import CallKind

PATH = "/amc/audiences/query"
PAGE_SIZE = 100


class Audiences:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def create(self, request: AudienceRequest) -> AudienceExecution:
        """Start creating an audience. Each POST may create another audience, so it is never re-sent
        once it may have reached AMC: raises AmbiguousSubmitError and the caller lists to reconcile."""
        return self._base.fetch(
            AudienceExecution,
            "POST",
            PATH,
            headers=self._base.audience_headers("POST"),
            kind=CallKind.SUBMIT,
            body=request.dump(),
            content_type=AUDIENCE_CONTENT_TYPE,
        )

    def preview_create(self, request: AudienceRequest) -> dict[str, Any]:
        """What ``create`` would send (method, path, headers, JSON body), for a dry run; sends nothing.

        The Authorization header is added by the auth flow at send time, so it appears here masked."""
        headers = {"Authorization": "Bearer ***", **self._base.audience_headers("POST")}
        headers["Content-Type"] = AUDIENCE_CONTENT_TYPE
        return {"method": "POST", "path": PATH, "headers": headers, "body": request.dump()}

    def get(self, audience_execution_id: str) -> AudienceMetadata:
        return self._base.fetch(
            AudienceMetadata,
            "GET",
            f"{PATH}/{segment(audience_execution_id)}",
            headers=self._base.audience_headers("GET"),
        )

    def list(self) -> list[AudienceMetadata]:
        """Every rule-based audience of the instance (all pages)."""
        audiences: list[AudienceMetadata] = []
        pages = self._base.pages(
            AudiencesPage, PATH, headers=self._base.audience_headers("GET"), params={"maxResults": PAGE_SIZE}
        )
        for page in pages:
            audiences.extend(page.execution_metadata)
        return audiences

    def update(self, audience_execution_id: str, request: AudienceRequest) -> AudienceExecution:
        """Replace a FAILED audience's definition (AMC refuses any other state)."""
        return self._base.fetch(
            AudienceExecution,
            "PUT",
            f"{PATH}/{segment(audience_execution_id)}",
            headers=self._base.audience_headers("PUT"),
            body=request.dump(),
            content_type=AUDIENCE_CONTENT_TYPE,
        )

    def delete(self, audience_execution_id: str) -> None:
        """Delete a FAILED or SUCCEEDED audience (and its DSP segment)."""
        self._base.request(
            "DELETE",
            f"{PATH}/{segment(audience_execution_id)}",
            headers=self._base.audience_headers("DELETE"),
        )

"""The base client: the one place a resource call becomes headers, a retried request and pages.

AMC has two header families (amc-api.md §1.3): reporting and administration calls name the AMC account by
``Amazon-Advertising-API-AdvertiserId`` and ``-MarketplaceId``; rule-based audience calls name it by
``Amazon-Advertising-API-EntityId`` plus ``Amazon-Marketing-Cloud-Audience-InstanceId`` and use vendor media
types. They are kept as separate code paths so that neither leaks into the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from amc_cltv.client.models import AmcModel, parse_response
from amc_cltv.client.retry import CallKind, RetryPolicy
from amc_cltv.client.transport import Transport

JSON = "application/json"
AUDIENCE_CONTENT_TYPE = "application/vnd.amcquerybasedaudience.v1+json"
AUDIENCE_ACCEPT_GET = "application/vnd.amcquerybasedaudience.v1.2+json"

CLIENT_ID = "Amazon-Advertising-API-ClientId"
ADVERTISER_ID = "Amazon-Advertising-API-AdvertiserId"
MARKETPLACE_ID = "Amazon-Advertising-API-MarketplaceId"
ENTITY_ID = "Amazon-Advertising-API-EntityId"
AUDIENCE_INSTANCE_ID = "Amazon-Marketing-Cloud-Audience-InstanceId"

M = TypeVar("M", bound=AmcModel)


def segment(value: str) -> str:
    """An id made safe to put in a URL path."""
    return quote(value, safe="")


class BaseClient:
    """Owns the transport and the retry loop; resources only name paths, kinds and types."""

    def __init__(
        self,
        *,
        transport: Transport,
        retry: RetryPolicy,
        client_id: str,
        instance_id: str,
        advertiser_id: str,
        marketplace_id: str,
    ) -> None:
        self.transport = transport
        self.retry = retry
        self.client_id = client_id
        self.instance_id = instance_id
        self.advertiser_id = advertiser_id
        self.marketplace_id = marketplace_id

    @property
    def reporting_prefix(self) -> str:
        return f"/amc/reporting/{segment(self.instance_id)}"

    def account_headers(self) -> dict[str, str]:
        """``GET /amc/accounts`` needs the client id only."""
        return {CLIENT_ID: self.client_id, "Accept": JSON}

    def reporting_headers(
        self, *, advertiser_id: str | None = None, marketplace_id: str | None = None
    ) -> dict[str, str]:
        """Reporting and administration calls; plain JSON, which is what works in practice."""
        return {
            CLIENT_ID: self.client_id,
            ADVERTISER_ID: advertiser_id or self.advertiser_id,
            MARKETPLACE_ID: marketplace_id or self.marketplace_id,
            "Accept": JSON,
        }

    def audience_headers(self, method: str) -> dict[str, str]:
        """Rule-based audience calls: entity and instance by header, vendor media types."""
        headers = {
            CLIENT_ID: self.client_id,
            ENTITY_ID: self.advertiser_id,
            AUDIENCE_INSTANCE_ID: self.instance_id,
        }
        headers["Accept"] = AUDIENCE_ACCEPT_GET if method == "GET" else AUDIENCE_CONTENT_TYPE
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        kind: CallKind | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str = JSON,
    ) -> Any:
        """Send one logical call under the retry policy; the JSON body of the answer (None if empty).

        ``kind`` defaults to READ for GET and IDEMPOTENT otherwise; a POST that starts something new
        must say SUBMIT. Raises the ``amc_cltv.errors`` API errors.
        """
        kind = kind or (CallKind.READ if method == "GET" else CallKind.IDEMPOTENT)
        all_headers = dict(headers)
        if body is not None:
            all_headers["Content-Type"] = content_type
        query = {key: _param(value) for key, value in (params or {}).items() if value is not None}
        return self.retry.call(
            lambda: self.transport.send(
                method, path, headers=all_headers, params=query or None, json_body=body
            ),
            kind=kind,
            endpoint=f"{method} {path}",
        )

    def fetch(
        self,
        model: type[M],
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        kind: CallKind | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str = JSON,
    ) -> M:
        """``request``, with the answer validated as ``model`` (MalformedResponseError if it is not one)."""
        answer = self.request(
            method, path, headers=headers, kind=kind, params=params, body=body, content_type=content_type
        )
        return parse_response(model, answer, f"{method} {path}")

    def pages(
        self,
        model: type[M],
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, Any] | None = None,
        token_param: str = "nextToken",
    ) -> Iterator[M]:
        """GET every page of a list, following ``nextToken`` until AMC gives none (or an empty one)."""
        query = dict(params or {})
        seen: set[str] = set()
        while True:
            answer = self.request("GET", path, headers=headers, params=query)
            page = parse_response(model, answer, f"GET {path}")
            yield page
            token = answer.get("nextToken") if isinstance(answer, dict) else None
            if not token or token in seen:  # a repeated token would loop forever
                return
            seen.add(token)
            query[token_param] = token


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

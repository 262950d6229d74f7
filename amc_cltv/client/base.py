"""The base clients: the one place a resource call becomes headers, a retried request and pages.

A resource describes each call once as a ``Call`` (method, path, headers, kind, body, answer model);
``BaseClient`` sends it with blocking I/O and ``AsyncBaseClient`` awaits it, under the same retry policy.

AMC has two header families (docs/amc-api.md §2.3, §2.4): reporting and administration calls name the AMC
account by ``Amazon-Advertising-API-AdvertiserId`` and ``-MarketplaceId``; rule-based audience calls name it
by ``Amazon-Advertising-API-EntityId`` plus ``Amazon-Marketing-Cloud-Audience-InstanceId`` and use vendor
media types. They are kept as separate code paths so that neither leaks into the other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from amc_cltv.client.models import AmcModel, parse_response
from amc_cltv.client.retry import CallKind, RetryPolicy
from amc_cltv.client.transport import AsyncTransport, ReceiveLimits, Transport
from amc_cltv.errors import ResponseLimitExceeded

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


@dataclass(frozen=True)
class Call(Generic[M]):
    """One logical API call, described once for both clients: what to send, how safe it is to resend,
    and the model of the answer (None: the answer is ignored)."""

    method: str
    path: str
    headers: Mapping[str, str]
    model: type[M] | None = None
    kind: CallKind | None = None
    params: Mapping[str, Any] | None = None
    body: Any = None
    content_type: str = JSON

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"

    def call_kind(self) -> CallKind:
        """READ for GET and IDEMPOTENT otherwise, unless the call says (a POST that starts something new
        must say SUBMIT)."""
        return self.kind or (CallKind.READ if self.method == "GET" else CallKind.IDEMPOTENT)

    def send_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.body is not None:
            headers["Content-Type"] = self.content_type
        return headers

    def query(self) -> dict[str, str] | None:
        query = {key: _param(value) for key, value in (self.params or {}).items() if value is not None}
        return query or None

    def parse(self, answer: Any) -> M:
        """The answer validated as ``model`` (MalformedResponseError if it is not one)."""
        assert self.model is not None
        return parse_response(self.model, answer, self.endpoint)

    def next_page(self, answer: Any, seen: set[str]) -> Call[M] | None:
        """The call for the page after ``answer``; None when AMC gives no token (or one seen before).

        Every AMC listing (accounts, instances, advertisers, data sources, workflows, executions, schedules,
        audiences) takes the token back as the ``nextToken`` query parameter, in each of the OpenAPI specs.
        """
        token = answer.get("nextToken") if isinstance(answer, dict) else None
        if not token or token in seen:  # a repeated token would loop forever
            return None
        seen.add(token)
        return replace(self, params={**(self.params or {}), "nextToken": token})


class Listing:
    """One listing followed through its pages: the tokens seen (a repeated one ends it), and the pages and
    items received, refused past ``max_pages`` / ``max_items`` (a server handing out fresh tokens forever
    would otherwise hang the night and fill the memory)."""

    def __init__(self, limits: ReceiveLimits) -> None:
        self._limits = limits
        self._seen: set[str] = set()
        self._pages = 0
        self._items = 0

    def after(self, page: Call[M], answer: Any) -> Call[M] | None:
        """The call for the next page, None at the end; raises ResponseLimitExceeded past a bound."""
        self._pages += 1
        if isinstance(answer, dict):
            self._items += sum(len(value) for value in answer.values() if isinstance(value, list))
        if self._items > self._limits.max_items:
            raise ResponseLimitExceeded(
                f"{page.endpoint}: the listing passed {self._limits.max_items:,} items "
                "(limits.max_list_items); nothing of it is used"
            )
        following = page.next_page(answer, self._seen)
        if following is not None and self._pages >= self._limits.max_pages:
            raise ResponseLimitExceeded(
                f"{page.endpoint}: the listing still had more after {self._pages:,} pages "
                "(limits.max_list_pages); nothing of it is used"
            )
        return following


class ClientBase:
    """What both clients share: the identity a call names and the headers each API family wants."""

    def __init__(self, *, client_id: str, instance_id: str, advertiser_id: str, marketplace_id: str) -> None:
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


class BaseClient(ClientBase):
    """Owns the transport and the retry loop; resources only name paths, kinds and types."""

    def __init__(self, *, transport: Transport, retry: RetryPolicy, **identity: str) -> None:
        super().__init__(**identity)
        self.transport = transport
        self.retry = retry

    def send(self, call: Call[Any]) -> Any:
        """Send one logical call under the retry policy; the JSON body of the answer (None if empty).

        Raises the ``amc_cltv.errors`` API errors.
        """
        headers, query = call.send_headers(), call.query()
        return self.retry.call(
            lambda: self.transport.send(
                call.method, call.path, headers=headers, params=query, json_body=call.body
            ),
            kind=call.call_kind(),
            endpoint=call.endpoint,
        )

    def fetch_call(self, call: Call[M]) -> M:
        """``send``, with the answer validated as the call's model."""
        return call.parse(self.send(call))

    def pages_of(self, call: Call[M]) -> Iterator[M]:
        """GET every page of a list, following ``nextToken`` until AMC gives none (or an empty one).

        Raises ResponseLimitExceeded past the transport's page or item bound.
        """
        listing = Listing(self.transport.limits)
        page: Call[M] | None = call
        while page is not None:
            answer = self.send(page)
            parsed = page.parse(answer)
            page = listing.after(page, answer)
            yield parsed


class AsyncBaseClient(ClientBase):
    """``BaseClient`` for the async client: the same calls and retry decisions, awaited."""

    def __init__(self, *, transport: AsyncTransport, retry: RetryPolicy, **identity: str) -> None:
        super().__init__(**identity)
        self.transport = transport
        self.retry = retry

    async def send(self, call: Call[Any]) -> Any:
        """See ``BaseClient.send``."""
        headers, query = call.send_headers(), call.query()
        return await self.retry.acall(
            lambda: self.transport.send(
                call.method, call.path, headers=headers, params=query, json_body=call.body
            ),
            kind=call.call_kind(),
            endpoint=call.endpoint,
        )

    async def fetch_call(self, call: Call[M]) -> M:
        return call.parse(await self.send(call))

    async def pages_of(self, call: Call[M]) -> AsyncIterator[M]:
        """See ``BaseClient.pages_of``."""
        listing = Listing(self.transport.limits)
        page: Call[M] | None = call
        while page is not None:
            answer = await self.send(page)
            parsed = page.parse(answer)
            page = listing.after(page, answer)
            yield parsed


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

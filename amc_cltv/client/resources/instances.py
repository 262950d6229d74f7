"""AMC instances: ``/amc/instances``, one instance, and its advertisers."""

from __future__ import annotations

import builtins

from amc_cltv.client.base import AsyncBaseClient, BaseClient, Call, ClientBase, segment
from amc_cltv.client.models import Advertiser, AdvertisersPage, Instance, InstancesPage


class InstanceCalls:
    """What each instances call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def _path(self, instance_id: str | None) -> str:
        return f"/amc/instances/{segment(instance_id or self._base.instance_id)}"

    def list(self, advertiser_id: str | None, marketplace_id: str | None) -> Call[InstancesPage]:
        # Instances are listed per AMC account: the one asked for, not necessarily the configured one.
        headers = self._base.reporting_headers(advertiser_id=advertiser_id, marketplace_id=marketplace_id)
        return Call("GET", "/amc/instances", headers, InstancesPage)

    def get(self, instance_id: str | None) -> Call[Instance]:
        return Call("GET", self._path(instance_id), self._base.reporting_headers(), Instance)

    def advertisers(self, instance_id: str | None) -> Call[AdvertisersPage]:
        path = f"{self._path(instance_id)}/advertisers"
        return Call("GET", path, self._base.reporting_headers(), AdvertisersPage)


class Instances:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = InstanceCalls(base)

    def list(self, *, advertiser_id: str | None = None, marketplace_id: str | None = None) -> list[Instance]:
        """Every instance of an AMC account (default: the configured one), all pages."""
        pages = self._base.pages_of(self._calls.list(advertiser_id, marketplace_id))
        return [instance for page in pages for instance in page.instances]

    def get(self, instance_id: str | None = None) -> Instance:
        """One instance (default: the configured one)."""
        return self._base.fetch_call(self._calls.get(instance_id))

    def advertisers(self, instance_id: str | None = None) -> builtins.list[Advertiser]:
        """The advertisers linked to an instance (the ``advertiserId`` values audiences may target)."""
        pages = self._base.pages_of(self._calls.advertisers(instance_id))
        return [advertiser for page in pages for advertiser in page.advertisers]


class AsyncInstances:
    """``Instances`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = InstanceCalls(base)

    async def list(
        self, *, advertiser_id: str | None = None, marketplace_id: str | None = None
    ) -> list[Instance]:
        """See ``Instances.list``."""
        pages = self._base.pages_of(self._calls.list(advertiser_id, marketplace_id))
        return [instance async for page in pages for instance in page.instances]

    async def get(self, instance_id: str | None = None) -> Instance:
        return await self._base.fetch_call(self._calls.get(instance_id))

    async def advertisers(self, instance_id: str | None = None) -> builtins.list[Advertiser]:
        """See ``Instances.advertisers``."""
        pages = self._base.pages_of(self._calls.advertisers(instance_id))
        return [advertiser async for page in pages for advertiser in page.advertisers]

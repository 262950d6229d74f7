"""The tables an instance can read: ``GET /amc/reporting/{instanceId}/dataSources``."""

from __future__ import annotations

from amc_cltv.client.base import AsyncBaseClient, BaseClient, Call, ClientBase
from amc_cltv.client.models import DataSource, DataSourcesPage


class DataSourceCalls:
    """What each data sources call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def list(self) -> Call[DataSourcesPage]:
        path = f"{self._base.reporting_prefix}/dataSources"
        return Call("GET", path, self._base.reporting_headers(), DataSourcesPage)


class DataSources:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = DataSourceCalls(base)

    def list(self) -> list[DataSource]:
        """Every table and its columns, as the instance lists them (all pages): what its subscriptions and
        AMC's current schema let a query read."""
        return [source for page in self._base.pages_of(self._calls.list()) for source in page.data_sources]


class AsyncDataSources:
    """``DataSources`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = DataSourceCalls(base)

    async def list(self) -> list[DataSource]:
        """See ``DataSources.list``."""
        return [
            source async for page in self._base.pages_of(self._calls.list()) for source in page.data_sources
        ]

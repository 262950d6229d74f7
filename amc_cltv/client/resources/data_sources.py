"""The tables an instance can read: ``GET /amc/reporting/{instanceId}/dataSources``."""

from __future__ import annotations

from amc_cltv.client.base import BaseClient
from amc_cltv.client.models import DataSource, DataSourcesPage


class DataSources:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def list(self) -> list[DataSource]:
        """Every table and its columns, as the instance lists them (all pages): what its subscriptions and
        AMC's current schema let a query read."""
        path = f"{self._base.reporting_prefix}/dataSources"
        sources: list[DataSource] = []
        for page in self._base.pages(DataSourcesPage, path, headers=self._base.reporting_headers()):
            sources.extend(page.data_sources)
        return sources

"""AMC instances: ``/amc/instances``, one instance, and its advertisers."""

from __future__ import annotations

import builtins

from amc_cltv.client.base import BaseClient, segment
from amc_cltv.client.models import Advertiser, AdvertisersPage, Instance, InstancesPage


class Instances:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def list(self, *, advertiser_id: str | None = None, marketplace_id: str | None = None) -> list[Instance]:
        """Every instance of an AMC account (default: the configured one), all pages."""
        headers = self._base.reporting_headers(advertiser_id=advertiser_id, marketplace_id=marketplace_id)
        instances: list[Instance] = []
        for page in self._base.pages(InstancesPage, "/amc/instances", headers=headers):
            instances.extend(page.instances)
        return instances

    def get(self, instance_id: str | None = None) -> Instance:
        """One instance (default: the configured one)."""
        path = f"/amc/instances/{segment(instance_id or self._base.instance_id)}"
        return self._base.fetch(Instance, "GET", path, headers=self._base.reporting_headers())

    def advertisers(self, instance_id: str | None = None) -> builtins.list[Advertiser]:
        """The advertisers linked to an instance (the ``advertiserId`` values audiences may target)."""
        path = f"/amc/instances/{segment(instance_id or self._base.instance_id)}/advertisers"
        advertisers: builtins.list[Advertiser] = []
        for page in self._base.pages(AdvertisersPage, path, headers=self._base.reporting_headers()):
            advertisers.extend(page.advertisers)
        return advertisers

"""The AMC API client: ``AmcClient`` and its resources.

    AmcClient
    ├── accounts     GET /amc/accounts
    ├── instances    /amc/instances[/{id}[/advertisers]]
    ├── workflows    /amc/reporting/{instanceId}/workflows
    ├── executions   /amc/reporting/{instanceId}/workflowExecutions (+ downloadUrls)
    ├── schedules    /amc/reporting/{instanceId}/schedules
    ├── audiences    /amc/audiences/query
    └── open_download(url)   pre-signed result files, through a client with no credentials

Layers below: ``base`` (headers, retry loop, pages) -> ``retry`` (tenacity policy) -> ``transport`` (httpx,
error mapping) with ``auth`` (Login with Amazon).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from amc_cltv.client.auth import LwaAuth
from amc_cltv.client.base import BaseClient
from amc_cltv.client.resources import Accounts, Audiences, Executions, Instances, Schedules, Workflows
from amc_cltv.client.retry import RetryPolicy, RetryQuota
from amc_cltv.client.transport import Downloader, DownloadStream, Transport, wsgi_transport

__all__ = ["AmcClient", "DownloadStream", "wsgi_transport"]


class AmcClient:
    """One AMC instance, as seen through the API. Use as a context manager, or call ``close()``.

    ``transport`` (an httpx transport) serves both the API and downloads; None means the network.
    ``sleep``, ``monotonic`` and ``jitter`` are the retry policy's seams; ``retry_quota`` defaults to the
    one shared by the whole process.
    """

    def __init__(
        self,
        *,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        instance_id: str,
        advertiser_id: str,
        marketplace_id: str,
        transport: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        retry_quota: RetryQuota | None = None,
    ) -> None:
        self.auth = LwaAuth(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            monotonic=monotonic,
        )
        self._transport = Transport(base_url=api_url, auth=self.auth, transport=transport)
        self._downloader = Downloader(transport=transport)
        self.retry = RetryPolicy(sleep=sleep, monotonic=monotonic, jitter=jitter, quota=retry_quota)
        self._base = BaseClient(
            transport=self._transport,
            retry=self.retry,
            client_id=client_id,
            instance_id=instance_id,
            advertiser_id=advertiser_id,
            marketplace_id=marketplace_id,
        )
        self.accounts = Accounts(self._base)
        self.instances = Instances(self._base)
        self.workflows = Workflows(self._base)
        self.executions = Executions(self._base)
        self.schedules = Schedules(self._base)
        self.audiences = Audiences(self._base)

    @property
    def instance_id(self) -> str:
        return self._base.instance_id

    def open_download(self, url: str) -> AbstractContextManager[DownloadStream]:
        """Open a pre-signed result URL for streaming: ``with client.open_download(url) as stream: ...``.

        Raises DownloadUrlExpired when the URL has expired (ask for fresh URLs) and DownloadError otherwise.
        """
        return self._downloader.open(url)

    def close(self) -> None:
        self._transport.close()
        self._downloader.close()

    def __enter__(self) -> AmcClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

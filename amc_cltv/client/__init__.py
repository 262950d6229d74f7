"""The AMC API clients: ``AmcClient`` (blocking) and ``AsyncAmcClient`` (asyncio), and their resources.

    AmcClient / AsyncAmcClient
    ├── accounts     GET /amc/accounts
    ├── instances    /amc/instances[/{id}[/advertisers]]
    ├── workflows    /amc/reporting/{instanceId}/workflows
    ├── executions   /amc/reporting/{instanceId}/workflowExecutions (+ downloadUrls)
    ├── schedules    /amc/reporting/{instanceId}/schedules
    ├── audiences    /amc/audiences/query
    ├── data_sources /amc/reporting/{instanceId}/dataSources
    └── open_download(url)   pre-signed result files, through a client with no credentials

``AsyncAmcClient`` has every resource and the downloads of ``AmcClient``, awaited; the two share everything
but the I/O: the calls (each resource's ``*Calls``), the retry decisions and backoff (``retry``), the
models, the Login with Amazon flow (``auth``), the error mapping (``transport``) and the rules a download is
held to (``downloads``). Each client has its own refilling retry budget. A process that follows many
instances (``run --all``) holds one client and a view of it per instance (``for_instance``): one token, one
connection pool, one downloader, one retry budget; an ``AsyncAmcClient`` built with the same ``auth`` and
``retry_quota`` shares the token and the budget too.

Time is injected: ``sleep``, ``monotonic`` and ``jitter`` are the retry policy's seams, and ``now`` the wall
clock a ``Retry-After`` HTTP-date is measured against (default: the system clock of ``amc_cltv.clock``).

Layers below: ``base`` (headers, retry loop, pages) -> ``retry`` (tenacity policy) -> ``transport`` (httpx,
error mapping, downloads) with ``auth`` (Login with Amazon).
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import datetime
from typing import Any

from amc_cltv.client.auth import LwaAuth
from amc_cltv.client.base import AsyncBaseClient, BaseClient
from amc_cltv.client.downloads import is_loopback_url
from amc_cltv.client.resources import (
    Accounts,
    AsyncAccounts,
    AsyncAudiences,
    AsyncDataSources,
    AsyncExecutions,
    AsyncInstances,
    AsyncSchedules,
    AsyncWorkflows,
    Audiences,
    DataSources,
    Executions,
    Instances,
    Schedules,
    Workflows,
)
from amc_cltv.client.retry import MAX_DELAY_S, RetryPolicy, RetryQuota
from amc_cltv.client.transport import (
    SYSTEM_NOW,
    AsyncDownloader,
    AsyncDownloadStream,
    AsyncTransport,
    Downloader,
    DownloadStream,
    ReceiveLimits,
    Transport,
    async_wsgi_transport,
    wsgi_transport,
)
from amc_cltv.redact import install_log_filter

__all__ = [
    "AmcClient",
    "AsyncAmcClient",
    "AsyncDownloadStream",
    "DownloadStream",
    "ReceiveLimits",
    "async_wsgi_transport",
    "wsgi_transport",
]


class AmcClient:
    """One AMC instance, as seen through the API. Use as a context manager, or call ``close()``.

    ``transport`` (an httpx transport) serves both the API and downloads; None means the network.
    ``sleep``, ``monotonic`` and ``jitter`` are the retry policy's seams, ``now`` the wall clock a
    ``Retry-After`` HTTP-date is measured against; ``retry_quota`` defaults to a bucket of this client's own
    (pass one to share it between clients); ``retry_max_delay_s`` bounds the retries of one call
    (docs/reliability.md §3: 300 s). ``limits`` bounds what AMC may send (answer sizes, listings, downloads).
    Result files are fetched over https only, or plain http on a loopback host when ``api_url`` is itself on
    loopback (a local emulator).
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
        now: Callable[[], datetime] = SYSTEM_NOW,
        retry_quota: RetryQuota | None = None,
        retry_max_delay_s: float = MAX_DELAY_S,
        auth: LwaAuth | None = None,
        limits: ReceiveLimits = ReceiveLimits(),
    ) -> None:
        install_log_filter()
        self.auth = auth or _login(token_url, client_id, client_secret, refresh_token, monotonic, now)
        self._owner = True
        self._client_id = client_id
        self._transport = Transport(
            base_url=api_url, auth=self.auth, transport=transport, limits=limits, now=now
        )
        self._downloader = Downloader(
            transport=transport, limits=limits, allow_loopback_http=is_loopback_url(api_url)
        )
        self.retry = RetryPolicy(
            sleep=sleep, monotonic=monotonic, jitter=jitter, quota=retry_quota, max_delay_s=retry_max_delay_s
        )
        self._attach(instance_id=instance_id, advertiser_id=advertiser_id, marketplace_id=marketplace_id)

    def for_instance(self, *, instance_id: str, advertiser_id: str, marketplace_id: str) -> AmcClient:
        """The client of another instance over this one's token, connection pool, downloader and retry
        budget (a fleet's profiles in one process). Closing it closes nothing; close this client when all
        are done."""
        view = copy.copy(self)
        view._owner = False
        view._attach(instance_id=instance_id, advertiser_id=advertiser_id, marketplace_id=marketplace_id)
        return view

    def _attach(self, **instance: str) -> None:
        self._base = BaseClient(
            transport=self._transport, retry=self.retry, client_id=self._client_id, **instance
        )
        self.accounts = Accounts(self._base)
        self.instances = Instances(self._base)
        self.workflows = Workflows(self._base)
        self.executions = Executions(self._base)
        self.schedules = Schedules(self._base)
        self.audiences = Audiences(self._base)
        self.data_sources = DataSources(self._base)

    @property
    def instance_id(self) -> str:
        return self._base.instance_id

    @property
    def server_date(self) -> str | None:
        """The ``Date`` header of AMC's latest answer (an HTTP date), None before any answer."""
        return self._transport.last_date

    def open_download(self, url: str) -> AbstractContextManager[DownloadStream]:
        """Open a pre-signed result URL for streaming: ``with client.open_download(url) as stream: ...``.

        Raises DownloadUrlExpired when the URL has expired (ask for fresh URLs), DownloadRefused for a URL
        or a file the tool will not take, and DownloadError otherwise.
        """
        return self._downloader.open(url)

    def close(self) -> None:
        if self._owner:
            self._transport.close()
            self._downloader.close()

    def __enter__(self) -> AmcClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAmcClient:
    """``AmcClient`` on ``httpx.AsyncClient``: every resource, awaited, and ``open_download`` as an async
    context manager.

    Use as ``async with AsyncAmcClient(...) as client:``, or ``await client.aclose()``. ``transport`` is an
    httpx async transport (None: the network), serving the API and downloads; ``sleep`` is an async sleep,
    the retry policy's seam with ``monotonic`` and ``jitter``; ``now`` is the wall clock, as for
    ``AmcClient``. Many clients can share one event loop: a fleet of instances is polled by one thread.
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
        sleep: Callable[[float], Awaitable[None]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        now: Callable[[], datetime] = SYSTEM_NOW,
        retry_quota: RetryQuota | None = None,
        auth: LwaAuth | None = None,
        limits: ReceiveLimits = ReceiveLimits(),
    ) -> None:
        install_log_filter()
        self.auth = auth or _login(token_url, client_id, client_secret, refresh_token, monotonic, now)
        self._owner = True
        self._client_id = client_id
        self._transport = AsyncTransport(
            base_url=api_url, auth=self.auth, transport=transport, limits=limits, now=now
        )
        self._downloader = AsyncDownloader(
            transport=transport, limits=limits, allow_loopback_http=is_loopback_url(api_url)
        )
        self.retry = RetryPolicy(
            sleep=_no_blocking_sleep, asleep=sleep, monotonic=monotonic, jitter=jitter, quota=retry_quota
        )
        self._attach(instance_id=instance_id, advertiser_id=advertiser_id, marketplace_id=marketplace_id)

    def for_instance(self, *, instance_id: str, advertiser_id: str, marketplace_id: str) -> AsyncAmcClient:
        """``AmcClient.for_instance``: another instance over this client's token, pool, downloader and retry
        budget."""
        view = copy.copy(self)
        view._owner = False
        view._attach(instance_id=instance_id, advertiser_id=advertiser_id, marketplace_id=marketplace_id)
        return view

    def _attach(self, **instance: str) -> None:
        self._base = AsyncBaseClient(
            transport=self._transport, retry=self.retry, client_id=self._client_id, **instance
        )
        self.accounts = AsyncAccounts(self._base)
        self.instances = AsyncInstances(self._base)
        self.workflows = AsyncWorkflows(self._base)
        self.executions = AsyncExecutions(self._base)
        self.schedules = AsyncSchedules(self._base)
        self.audiences = AsyncAudiences(self._base)
        self.data_sources = AsyncDataSources(self._base)

    @property
    def instance_id(self) -> str:
        return self._base.instance_id

    def open_download(self, url: str) -> AbstractAsyncContextManager[AsyncDownloadStream]:
        """``AmcClient.open_download``, awaited: ``async with client.open_download(url) as stream:`` then
        ``async for chunk in stream.aiter_bytes(): ...``; the same errors."""
        return self._downloader.open(url)

    async def aclose(self) -> None:
        if self._owner:
            await self._transport.aclose()
            await self._downloader.aclose()

    async def __aenter__(self) -> AsyncAmcClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _login(
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    monotonic: Callable[[], float],
    now: Callable[[], datetime],
) -> LwaAuth:
    """The Login with Amazon flow of a client given none to share, on the client's clocks."""
    return LwaAuth(
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        monotonic=monotonic,
        now=now,
    )


def _no_blocking_sleep(seconds: float) -> None:
    raise RuntimeError("the async client never sleeps blocking")  # pragma: no cover - a wiring defect

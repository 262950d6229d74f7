"""The composition root: a loaded config in, a ready ``AmcClient`` (or ``AsyncAmcClient``) out.

A real profile talks to the configured AMC and Login with Amazon URLs over the network. The embedded
sandbox profile gets the same client, pointed at placeholder hosts and served in process by the sandbox's
WSGI app (which routes on the path only), so nothing above this module can tell the two apart.
"""

from __future__ import annotations

import threading
from typing import Any

from amc_cltv import clock
from amc_cltv.client import AmcClient, AsyncAmcClient, ReceiveLimits, async_wsgi_transport, wsgi_transport
from amc_cltv.client.auth import LwaAuth
from amc_cltv.client.retry import MAX_DELAY_S, RetryQuota
from amc_cltv.config import Config

SANDBOX_API_URL = "https://advertising-api.sandbox.invalid"
SANDBOX_TOKEN_URL = "https://api.sandbox.invalid/auth/o2/token"


# Credentials of a client that is only asked what it would send (a dry run): Login with Amazon refuses them.
OFFLINE_SECRET = "offline-dry-run"


def receive_limits(config: Config) -> ReceiveLimits:
    """The profile's ``[limits]`` as the client's bounds on what AMC may send."""
    limits = config.profile.limits
    return ReceiveLimits(
        max_answer_bytes=int(limits.max_answer_mib * (1 << 20)),
        max_pages=limits.max_list_pages,
        max_items=limits.max_list_items,
        max_download_bytes=int(limits.max_download_gib * (1 << 30)),
        max_decompression_ratio=limits.max_decompression_ratio,
    )


def _identity(config: Config, *, offline: bool = False) -> dict[str, Any]:
    amc = config.amc
    api_url, token_url = amc.api_url, amc.token_url
    if amc.embedded:
        api_url, token_url = SANDBOX_API_URL, SANDBOX_TOKEN_URL
    if offline and config.secrets is None:
        client_id = client_secret = refresh_token = OFFLINE_SECRET
    else:
        credentials = config.credentials  # ConfigError naming a missing variable
        client_id = credentials.client_id
        client_secret = credentials.client_secret.get_secret_value()
        refresh_token = credentials.refresh_token.get_secret_value()
    return {
        "api_url": api_url,
        "token_url": token_url,
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
        "instance_id": amc.instance_id,
        "advertiser_id": amc.advertiser_id,
        "marketplace_id": amc.marketplace_id,
        # The retry policy and the wall clock a Retry-After date is measured against read the process
        # clock, so a test's fake clock covers retries too.
        "monotonic": lambda: clock.current().monotonic(),
        "now": lambda: clock.current().now(),
        "limits": receive_limits(config),
    }


def _embedded_app(config: Config) -> Any:
    from amc_cltv.sandbox import embedded_app  # the sandbox is loaded only when it is used

    return embedded_app(config.state_dir / "sandbox")


def open_client(
    config: Config, *, offline: bool = False, retry_max_delay_s: float | None = None
) -> AmcClient:
    """An ``AmcClient`` for the profile's instance; close it (or use ``with``) when done.

    ``offline``: the caller only asks what requests would be sent (a dry run), so the secrets need not be
    set; a request that did go out would be refused by Login with Amazon. ``retry_max_delay_s``: a shorter
    bound than the policy's on the retries of one call (``doctor`` keeps within its own budget).
    """
    transport = wsgi_transport(_embedded_app(config)) if config.amc.embedded else None
    return AmcClient(
        **_identity(config, offline=offline),
        transport=transport,
        sleep=lambda seconds: clock.current().sleep(seconds),
        retry_max_delay_s=MAX_DELAY_S if retry_max_delay_s is None else retry_max_delay_s,
    )


def open_async_client(config: Config) -> AsyncAmcClient:
    """An ``AsyncAmcClient`` for the profile's instance; ``await client.aclose()`` when done."""
    transport = async_wsgi_transport(_embedded_app(config)) if config.amc.embedded else None
    # The retries wait on the process clock too, so a test clock covers them as it covers the sync client's.
    return AsyncAmcClient(**_identity(config), transport=transport, sleep=clock.asleep)


class SharedClients:
    """One client per set of credentials for a process that follows many profiles (``run --all``).

    Each profile gets a view of it (``for_instance``): one Login with Amazon token, one connection pool and
    one retry budget for the whole fleet, instead of one of each per profile and per execution. The blocking
    and the asyncio clients share the token and the budget. ``close`` (and, on the event loop, ``aclose``)
    closes what was opened. Safe to call from the threads of a pool.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._auth: dict[tuple[Any, ...], LwaAuth] = {}
        self._quotas: dict[tuple[Any, ...], RetryQuota] = {}
        self._sync: dict[tuple[Any, ...], AmcClient] = {}
        self._async: dict[tuple[Any, ...], AsyncAmcClient] = {}

    @staticmethod
    def _key(config: Config) -> tuple[Any, ...]:
        identity = _identity(config)
        embedded = str(config.state_dir) if config.amc.embedded else None
        return (*(identity[name] for name in _SHARED_IDENTITY), embedded)

    def _shared(self, key: tuple[Any, ...], config: Config) -> tuple[LwaAuth, RetryQuota]:
        if key not in self._auth:
            identity = _identity(config)
            self._auth[key] = LwaAuth(
                token_url=identity["token_url"],
                client_id=identity["client_id"],
                client_secret=identity["client_secret"],
                refresh_token=identity["refresh_token"],
                monotonic=identity["monotonic"],
                now=identity["now"],
            )
            self._quotas[key] = RetryQuota(monotonic=identity["monotonic"])
        return self._auth[key], self._quotas[key]

    def client(self, config: Config) -> AmcClient:
        """The profile's ``AmcClient`` (a view: closing it closes nothing)."""
        key = self._key(config)
        with self._lock:
            if key not in self._sync:
                auth, quota = self._shared(key, config)
                transport = wsgi_transport(_embedded_app(config)) if config.amc.embedded else None
                self._sync[key] = AmcClient(
                    **_identity(config),
                    transport=transport,
                    sleep=lambda seconds: clock.current().sleep(seconds),
                    retry_quota=quota,
                    auth=auth,
                )
            return self._sync[key].for_instance(**_instance_identity(config))

    def async_client(self, config: Config) -> AsyncAmcClient:
        """The profile's ``AsyncAmcClient`` (a view), for the event loop this is called on."""
        key = self._key(config)
        with self._lock:
            if key not in self._async:
                auth, quota = self._shared(key, config)
                transport = async_wsgi_transport(_embedded_app(config)) if config.amc.embedded else None
                self._async[key] = AsyncAmcClient(
                    **_identity(config),
                    transport=transport,
                    sleep=clock.asleep,
                    retry_quota=quota,
                    auth=auth,
                )
            return self._async[key].for_instance(**_instance_identity(config))

    def token_grants(self) -> int:
        """How many Login with Amazon grants the shared clients made."""
        return sum(auth.refresh_count for auth in self._auth.values())

    async def aclose(self) -> None:
        """Close the asyncio clients (on the loop that used them)."""
        with self._lock:
            opened, self._async = list(self._async.values()), {}
        for client in opened:
            await client.aclose()

    def close(self) -> None:
        with self._lock:
            opened, self._sync = list(self._sync.values()), {}
        for client in opened:
            client.close()


_SHARED_IDENTITY = ("api_url", "token_url", "client_id", "client_secret", "refresh_token", "limits")


def _instance_identity(config: Config) -> dict[str, str]:
    amc = config.amc
    return {
        "instance_id": amc.instance_id,
        "advertiser_id": amc.advertiser_id,
        "marketplace_id": amc.marketplace_id,
    }

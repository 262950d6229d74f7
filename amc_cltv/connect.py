"""The composition root: a loaded config in, a ready ``AmcClient`` (or ``AsyncAmcClient``) out.

A real profile talks to the configured AMC and Login with Amazon URLs over the network. The embedded
sandbox profile gets the same client, pointed at placeholder hosts and served in process by the sandbox's
WSGI app (which routes on the path only), so nothing above this module can tell the two apart.
"""

from __future__ import annotations

import asyncio
from typing import Any

from amc_cltv import clock
from amc_cltv.client import AmcClient, AsyncAmcClient, async_wsgi_transport, wsgi_transport
from amc_cltv.client.retry import MAX_DELAY_S
from amc_cltv.config import Config

SANDBOX_API_URL = "https://advertising-api.sandbox.invalid"
SANDBOX_TOKEN_URL = "https://api.sandbox.invalid/auth/o2/token"


# Credentials of a client that is only asked what it would send (a dry run): Login with Amazon refuses them.
OFFLINE_SECRET = "offline-dry-run"


def _identity(config: Config, *, offline: bool = False) -> dict[str, Any]:
    amc = config.amc
    api_url, token_url = amc.api_url, amc.token_url
    if amc.embedded:
        api_url, token_url = SANDBOX_API_URL, SANDBOX_TOKEN_URL
    if offline and config.secrets is None:
        client_id = client_secret = refresh_token = OFFLINE_SECRET
    else:
        credentials = config.credentials  # ConfigError (exit 2) naming a missing variable
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
        # The retry policy reads the process clock, so a test's fake clock covers retries too.
        "monotonic": lambda: clock.current().monotonic(),
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
    return AsyncAmcClient(**_identity(config), transport=transport, sleep=asyncio.sleep)

"""Login with Amazon: a refresh-token grant, cached, refreshed once on a 401 (not a retry).

One ``LwaAuth`` may serve many clients (the instances of a fleet, the blocking and the asyncio client of one
process): the token is asked for under a lock (a thread lock for the blocking flow, an asyncio lock for the
async one), so requests that find no valid token at once wait for one grant instead of each asking.

Every access token obtained, and the configured client secret and refresh token, are registered with
``amc_cltv.redact`` the moment they are known, so no log line or error can print them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from datetime import datetime
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from amc_cltv.client.transport import SYSTEM_NOW, status_error
from amc_cltv.errors import AuthenticationError, MalformedResponseError
from amc_cltv.redact import register_secret

# Refresh this long before the token expires, so that no request leaves with a token about to lapse.
REFRESH_MARGIN_S = 300.0
DEFAULT_EXPIRES_IN_S = 3600.0


class LwaAuth(httpx.Auth):
    """``httpx.Auth`` that adds ``Authorization: Bearer …`` from a cached LwA access token.

    ``monotonic`` times the token's life; ``now`` is the wall clock a ``Retry-After`` HTTP-date on a refused
    grant is measured against.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = SYSTEM_NOW,
    ) -> None:
        for secret in (client_secret, refresh_token):
            # Also as form-encoded, the way they travel to the token endpoint (and may be echoed back).
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                register_secret(form)
        self._token_url = token_url
        self._form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._monotonic = monotonic
        self._now = now
        self._access_token: str | None = None
        self._refresh_at = 0.0
        self.refresh_count = 0
        self._thread_lock = threading.Lock()
        self._loop_locks: dict[int, asyncio.Lock] = {}  # one per event loop that uses this auth

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._thread_lock:
            token = yield from self._locked_token(stale=None)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            with self._thread_lock:
                token = yield from self._locked_token(stale=token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        lock = self._loop_lock()
        async with lock:
            token = self._cached(stale=None)
            if token is None:
                answer = yield self._token_request()
                await answer.aread()
                token = self._accept(answer)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            stale = token
            async with lock:
                token = self._cached(stale=stale)
                if token is None:
                    answer = yield self._token_request()
                    await answer.aread()
                    token = self._accept(answer)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def _loop_lock(self) -> asyncio.Lock:
        loop = id(asyncio.get_running_loop())
        with self._thread_lock:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock

    def _cached(self, stale: str | None) -> str | None:
        """The token to send, or None when a grant is needed (none yet, expiring, or ``stale`` refused)."""
        token = self._access_token
        if token is None:
            return None
        if stale is None:
            return token if self._monotonic() < self._refresh_at else None
        return token if token != stale else None  # another request already refreshed it

    def _token_request(self) -> httpx.Request:
        return httpx.Request("POST", self._token_url, data=self._form, headers={"Accept": "application/json"})

    def _locked_token(self, stale: str | None) -> Generator[httpx.Request, httpx.Response, str]:
        token = self._cached(stale)
        if token is not None:
            return token
        answer = yield self._token_request()
        answer.read()
        return self._accept(answer)

    def _accept(self, response: httpx.Response) -> str:
        endpoint = "POST Login with Amazon token"
        if response.status_code != 200:
            error = status_error(response, endpoint, now=self._now())
            if 400 <= response.status_code < 500 and response.status_code != 429:
                raise AuthenticationError(
                    f"Login with Amazon refused the credentials (HTTP {response.status_code}"
                    + (f": {error.details}" if error.details else "")
                    + "); check AMC_CLTV_CLIENT_ID, AMC_CLTV_CLIENT_SECRET and AMC_CLTV_REFRESH_TOKEN",
                    status_code=response.status_code,
                    request_id=error.request_id,
                    details=error.details,
                )
            raise error
        try:
            body: Any = response.json()
            token = body["access_token"]
            expires_in = float(body.get("expires_in") or DEFAULT_EXPIRES_IN_S)
        except (ValueError, KeyError, TypeError):
            raise MalformedResponseError(f"{endpoint}: the answer holds no access token") from None
        if not isinstance(token, str) or not token:
            raise MalformedResponseError(f"{endpoint}: the answer holds no access token")
        register_secret(token)
        self._access_token = token
        self._refresh_at = self._monotonic() + expires_in - REFRESH_MARGIN_S
        self.refresh_count += 1
        return token

"""AMC accounts: ``GET /amc/accounts`` (the entity ids and marketplaces a config needs)."""

from __future__ import annotations

from amc_cltv.client.base import AsyncBaseClient, BaseClient, Call, ClientBase
from amc_cltv.client.models import AccountsPage, AmcAccount


class AccountCalls:
    """What each accounts call sends, described once for the sync and async resources."""

    def __init__(self, base: ClientBase) -> None:
        self._base = base

    def list(self) -> Call[AccountsPage]:
        return Call("GET", "/amc/accounts", self._base.account_headers(), AccountsPage)


class Accounts:
    def __init__(self, base: BaseClient) -> None:
        self._base = base
        self._calls = AccountCalls(base)

    def list(self) -> list[AmcAccount]:
        """Every AMC account the credentials can see (all pages)."""
        return [account for page in self._base.pages_of(self._calls.list()) for account in page.amc_accounts]


class AsyncAccounts:
    """``Accounts`` for the async client: the same calls, awaited."""

    def __init__(self, base: AsyncBaseClient) -> None:
        self._base = base
        self._calls = AccountCalls(base)

    async def list(self) -> list[AmcAccount]:
        """See ``Accounts.list``."""
        return [
            account async for page in self._base.pages_of(self._calls.list()) for account in page.amc_accounts
        ]

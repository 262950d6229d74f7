"""AMC accounts: ``GET /amc/accounts`` (the entity ids and marketplaces a config needs)."""

from __future__ import annotations

from amc_cltv.client.base import BaseClient
from amc_cltv.client.models import AccountsPage, AmcAccount


class Accounts:
    def __init__(self, base: BaseClient) -> None:
        self._base = base

    def list(self) -> list[AmcAccount]:
        """Every AMC account the credentials can see (all pages)."""
        accounts: list[AmcAccount] = []
        for page in self._base.pages(AccountsPage, "/amc/accounts", headers=self._base.account_headers()):
            accounts.extend(page.amc_accounts)
        return accounts

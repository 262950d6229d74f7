"""One currency per result: an execution reads only the advertisers of the profile's marketplace.

Sales (``total_product_sales``) and costs are in each marketplace's local currency (docs/amc-api.md §5.3),
and the workflows sum them. On an instance whose advertisers span several marketplaces, those sums would add
dollars to euros. The decision (workflows/README.md, "Currencies"): restrict every execution to the
advertisers of the profile's ``marketplace_id`` through AMC's ``advertisers`` execution field, so a result is
in that marketplace's currency; one profile per marketplace gives a result per currency.
"""

from __future__ import annotations

from amc_cltv.client.models import Advertiser, ExecutionAdvertiser
from amc_cltv.errors import UsageError


def marketplace_scope(advertisers: list[Advertiser], marketplace_id: str) -> tuple[ExecutionAdvertiser, ...]:
    """The ``advertisers`` of an execution: () when the instance has one marketplace (nothing to restrict),
    else the advertisers of ``marketplace_id``. Raises UsageError (exit 2) when it has none there."""
    marketplaces = {a.marketplace_id for a in advertisers if a.marketplace_id}
    if len(marketplaces) <= 1:
        return ()
    chosen = [a for a in advertisers if a.marketplace_id == marketplace_id and a.id]
    if not chosen:
        raise UsageError(
            f"the instance's advertisers are in marketplaces {', '.join(sorted(marketplaces))}, none in the "
            f"profile's marketplace_id {marketplace_id}: set [amc] marketplace_id to one of them"
        )
    return tuple(
        ExecutionAdvertiser(id=str(a.id), marketplace_id=a.marketplace_id, type=a.type) for a in chosen
    )


def spans_marketplaces(advertisers: list[Advertiser]) -> list[str]:
    """The marketplaces of an instance's advertisers, when there are several (else [])."""
    marketplaces = sorted({a.marketplace_id for a in advertisers if a.marketplace_id})
    return marketplaces if len(marketplaces) > 1 else []

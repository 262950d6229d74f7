"""One currency per result, and no advertiser's spend dropped: which advertisers an execution reads.

Sales (``total_product_sales``) and sponsored ads costs are in each marketplace's local currency
(docs/amc-api.md §5.3), and the workflows sum them. On an instance whose sponsored ads advertisers span
several marketplaces those sums would add dollars to euros, so every execution is restricted, through AMC's
``advertisers`` execution field, to the sponsored ads (and SAS) advertisers of the profile's
``marketplace_id`` and to **every DSP advertiser**: AMC gives a DSP advertiser no marketplace
(``marketplaceId`` null, docs/amc-api.md §3.9), so keeping only the profile's marketplace would drop all DSP
data and report DSP spend as 0. One profile per marketplace gives a result per currency. The decision and
its limit (a DSP account buying in another currency) are in workflows/README.md, "Currencies".
"""

from __future__ import annotations

from amc_cltv.client.models import Advertiser, ExecutionAdvertiser
from amc_cltv.errors import UsageError


def marketplace_scope(advertisers: list[Advertiser], marketplace_id: str) -> tuple[ExecutionAdvertiser, ...]:
    """The ``advertisers`` of an execution: () when the instance has one marketplace (nothing to restrict),
    else the advertisers of ``marketplace_id`` and every advertiser without a marketplace (DSP). Raises
    UsageError when it has none in ``marketplace_id``."""
    marketplaces = {a.marketplace_id for a in advertisers if a.marketplace_id}
    if len(marketplaces) <= 1:
        return ()
    chosen = [a for a in advertisers if a.marketplace_id == marketplace_id and a.id]
    if not chosen:
        raise UsageError(
            f"the instance's advertisers are in marketplaces {', '.join(sorted(marketplaces))}, none in the "
            f"profile's marketplace_id {marketplace_id}: set [amc] marketplace_id to one of them"
        )
    without_marketplace = [a for a in advertisers if not a.marketplace_id and a.id]
    return tuple(
        ExecutionAdvertiser(id=str(a.id), marketplace_id=a.marketplace_id, type=a.type)
        for a in [*chosen, *without_marketplace]
    )


def spans_marketplaces(advertisers: list[Advertiser]) -> list[str]:
    """The marketplaces of an instance's advertisers, when there are several (else [])."""
    marketplaces = sorted({a.marketplace_id for a in advertisers if a.marketplace_id})
    return marketplaces if len(marketplaces) > 1 else []

"""Every documented column of an emulated table, as SQL over the columns the generator stores.

The generator writes only the columns that carry the data's behaviour (users, event times, money, campaign
ids). The other columns of AMC's data-source pages (campaign and line item names, currency, supply source,
device, fees, the ``_clicks``/``_views`` split of attributed metrics, …) are derived per row from those and
from a hash of the row, in the view the engine reads, so they cost nothing unless a query reads them and the
stored data (and every figure computed from it) stays what it was. Values are plausible, not realistic: a
string column takes the example values its page gives, else a label; a timestamp is the event's time; a
metric without a stored source is 0.
"""

from __future__ import annotations

from amc_cltv.amc_schema import Column
from amc_cltv.sandbox.tables import AmcTable

# The campaigns the generator draws: sponsored ads 1001-1030, DSP 5001-5012.
DSP_CAMPAIGNS_FROM = 5000
ADVERTISER = "Widgets Inc"
ADVERTISER_TIMEZONE = "America/New_York"
CURRENCY_ISO_CODE = "USD"
CURRENCY_NAME = "Dollar (USA)"

# What identifies a row, hashed into ``__k`` for the columns drawn per row.
_ATTRIBUTED_KEY = "hash(user_id, traffic_event_dt_utc, conversion_event_dt_utc)"
_ROW_KEYS = {
    "conversions": "hash(conversion_id)",
    "conversions_all": "hash(conversion_id)",
    "conversions_with_relevance": "hash(conversion_id)",
    "sponsored_ads_traffic": "hash(user_id, event_dt_utc, campaign_id, spend)",
    "dsp_impressions": "hash(user_id, impression_dt_utc, campaign_id, total_cost)",
    "dsp_clicks": "hash(user_id, click_dt_utc, campaign_id)",
    "dsp_views": "hash(user_id, event_dt_utc, campaign_id, viewable_impressions)",
    "amazon_attributed_events_by_traffic_time": _ATTRIBUTED_KEY,
    "amazon_attributed_events_by_conversion_time": _ATTRIBUTED_KEY,
}

_CAMPAIGN = (
    "CASE WHEN campaign_id >= {dsp} THEN printf('DSP_Widgets_%d', campaign_id) "
    "ELSE printf('SA_Widgets_%d', campaign_id) END"
)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _draw(name: str, modulus: int) -> str:
    """A per-row draw in [0, modulus) of its own for column ``name``."""
    return f"CAST(hash(__k, {_literal(name)}) % {int(modulus)} AS BIGINT)"


def _attributed_metric(name: str) -> str | None:
    """An attributed-events metric from the stored purchases, sales and units, split by traffic kind."""
    base = name.removeprefix("new_to_brand_")
    kind = ""
    for suffix in ("_clicks", "_views"):
        if base.endswith(suffix) and base != suffix[1:]:
            base, kind = base.removesuffix(suffix), suffix
    sources = {
        "purchases": "purchases",
        "total_purchases": "purchases",
        "product_sales": "total_product_sales",
        "total_product_sales": "total_product_sales",
        "combined_sales": "total_product_sales",
        "units_sold": "total_units_sold",
        "total_units_sold": "total_units_sold",
    }
    if name in ("impressions", "clicks"):
        return (
            "CASE WHEN __click THEN 1 ELSE 0 END"
            if name == "clicks"
            else "CASE WHEN __click THEN 0 ELSE 1 END"
        )
    source = sources.get(base)
    if source is None:
        return None
    conditions = []
    if kind:
        conditions.append("__click" if kind == "_clicks" else "NOT __click")
    if name.startswith("new_to_brand_"):
        conditions.append("__ntb")
    if not conditions:
        return source
    return f"CASE WHEN {' AND '.join(conditions)} THEN {source} ELSE 0 END"


def _specific(table: AmcTable, column: Column, ts: str) -> str | None:
    name = column.name
    family = table.name.removesuffix("_for_audiences")
    if name == "campaign":
        return _CAMPAIGN.format(dsp=DSP_CAMPAIGNS_FROM)
    if name == "campaign_id":
        return "campaign_id"
    if name == "campaign_id_string":
        return "CAST(campaign_id AS VARCHAR)"
    if name == "advertiser":
        return _literal(ADVERTISER)
    if name == "advertiser_id":
        return f"CASE WHEN campaign_id >= {DSP_CAMPAIGNS_FROM} THEN 582001 ELSE 582002 END"
    if name == "advertiser_timezone":
        return _literal(ADVERTISER_TIMEZONE)
    if name in ("currency_iso_code", "purchase_currency"):
        return _literal(CURRENCY_ISO_CODE)
    if name == "currency_name":
        return _literal(CURRENCY_NAME)
    if name == "line_item_price_type":
        if family == "sponsored_ads_traffic":
            # A vCPM cost sits on a viewable-impression row with spend; everything else is billed per click.
            return "CASE WHEN impressions > 0 AND spend > 0 THEN 'VCPM' ELSE 'CPC' END"
        return (
            f"CASE WHEN campaign_id >= {DSP_CAMPAIGNS_FROM} OR campaign_id IS NULL THEN 'CPM' ELSE 'CPC' END"
        )
    if name in ("line_item", "ad_group"):
        return f"printf('%s_Line_%d', {_CAMPAIGN.format(dsp=DSP_CAMPAIGNS_FROM)}, 1 + {_draw('line', 3)})"
    if name in ("line_item_id", "ad_group_id"):
        return f"campaign_id * 10 + 1 + {_draw('line', 3)}"
    if name == "creative":
        return f"printf('Widgets_Creative_%d', campaign_id * 10 + {_draw('creative', 4)})"
    if name == "creative_id":
        return f"campaign_id * 100 + {_draw('creative', 4)}"
    if family == "dsp_impressions":
        fees = {
            "impression_cost": "round(total_cost)",  # millicents, as total_cost
            "supply_cost": "round(total_cost * 700)",  # microcents: 70 % of the cost
            "platform_fee": "round(total_cost * 200)",  # 20 %
            "third_party_fees": "round(total_cost * 100)",  # 10 %
            "bid_price": "round(total_cost * 1200)",
        }
        if name in fees:
            return fees[name]
    if family == "sponsored_ads_traffic" and name == "viewable_impressions":
        return "impressions"
    if family.startswith("amazon_attributed_events"):
        if name == "traffic_event_type":
            return "CASE WHEN __click THEN 'click' ELSE 'impression' END"
        if name in ("conversion_event_date", "conversion_event_date_utc"):
            return "CAST(conversion_event_dt_utc AS DATE)"
        if name in ("conversion_event_dt",):
            return "conversion_event_dt_utc"
        metric = _attributed_metric(name) if column.column_type == "METRIC" else None
        if metric is not None:
            return metric
    return None


def _generic(column: Column, ts: str) -> str:
    name, kind = column.name, column.type
    if kind == "STRING":
        if column.examples:
            values = ", ".join(_literal(v) for v in column.examples)
            return f"[{values}][1 + {_draw(name, len(column.examples))}]"
        if name.endswith("_id"):
            return f"printf('{name.upper()}%04d', {_draw(name, 1000)})"
        return f"printf('{name}_%d', 1 + {_draw(name, 5)})"
    if kind == "TIMESTAMP":
        if name.endswith(("_hour", "_hour_utc")):
            return f"date_trunc('hour', {ts})"
        if "start" in name:
            return f"date_trunc('month', {ts})"
        if "end" in name:
            return f"date_trunc('month', {ts}) + INTERVAL 1 MONTH - INTERVAL 1 SECOND"
        return ts
    if kind == "DATE":
        if "start" in name:
            return f"CAST(date_trunc('month', {ts}) AS DATE)"
        if "end" in name:
            return f"CAST(date_trunc('month', {ts}) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE)"
        return f"CAST({ts} AS DATE)"
    if kind == "INTEGER":
        if "hour" in name:
            return f"hour({ts})"
        if "day" in name:
            return f"day({ts})"
        return _draw(name, 10)
    if kind == "BOOLEAN":
        return f"{_draw(name, 10)} = 0"
    if kind.startswith("ARRAY"):
        return "[]"
    if column.column_type == "METRIC":
        return "0"
    if kind == "LONG":
        return f"campaign_id * 1000 + {_draw(name, 1000)}" if name.endswith("_id") else _draw(name, 1000)
    if kind == "DECIMAL":
        return f"{_draw(name, 100)} / 100.0"
    return "0"


def _timestamp_for(table: AmcTable, name: str) -> str:
    """The stored timestamp a derived time column follows: ``<x>_dt_utc`` for a column named ``<x>_…``
    (``conversion_event_date`` follows ``conversion_event_dt_utc``), else the table's event time."""
    stored = [column for column, _ in table.columns if column.endswith("_dt_utc")]
    for column in stored:
        if name.startswith(column.removesuffix("_dt_utc") + "_"):
            return column
    if "traffic_event_dt_utc" in stored:
        return "traffic_event_dt_utc"
    return table.time_column


def select_list(table: AmcTable, only: frozenset[str] | None = None) -> str:
    """The view's select list: every documented column in the page's order, each with AMC's type; with
    ``only``, the stored columns and the derived ones named in it."""
    stored = {name for name, _ in table.columns}
    items = []
    for column in table.documented.columns:
        if column.name in stored:
            items.append(f'"{column.name}"')
            continue
        if only is not None and column.name not in only:
            continue
        ts = _timestamp_for(table, column.name)
        expression = _specific(table, column, ts) or _generic(column, ts)
        items.append(f'CAST({expression} AS {column.duckdb_type}) AS "{column.name}"')
    return ", ".join(items)


def view_sql(table: AmcTable, source: str, only: frozenset[str] | None = None) -> str:
    """A SELECT over ``source`` (the stored rows) giving every documented column of ``table`` (with
    ``only``: the stored ones and those named in it, so a query binds only the expressions it reads)."""
    family = table.name.removesuffix("_for_audiences")
    stored = {name for name, _ in table.columns}
    extras = []
    if "campaign_id" not in stored:
        extras.append(f"1001 + {_draw('campaign', 30)} AS campaign_id")
    if family.startswith("amazon_attributed_events"):
        # Which traffic the conversion is attributed to (a click one time in three), and new-to-brand.
        extras.append(f"{_draw('click', 3)} = 0 AS __click")
        extras.append(f"{_draw('ntb', 4)} = 0 AS __ntb")
    if table.rows is not None:
        source = f"({table.rows.format(source=source)})"
    keyed = f"(SELECT *, {_ROW_KEYS[family]} AS __k FROM {source})"
    if extras:
        keyed = f"(SELECT *, {', '.join(extras)} FROM {keyed})"
    return f"SELECT {select_list(table, only)} FROM {keyed}"

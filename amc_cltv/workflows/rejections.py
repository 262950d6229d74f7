"""AMC's reasons for rejecting or failing a query, turned into the likely cause and what to do.

AMC's compile-time messages name the symptom (a table not found, a column not resolved), not the cause. The
one that costs users a night is a reporting query reading ``conversions_all`` on an instance without the paid
Flexible Shopping Insights subscription: AMC's message does not name the subscription (docs/amc-api.md §5.3).
Another is AMC's privacy guard against overlapping executions (docs/amc-api.md §3.11): its message says what
happened, not that re-running the same workflow over the same days is what triggers it.
"""

from __future__ import annotations

import re

SHOPPING_INSIGHTS_TABLE = "conversions_all"
SHOPPING_INSIGHTS_CAUSE = (
    "the query reads conversions_all, which reporting queries may read only with AMC's paid Flexible "
    "Shopping Insights subscription: if this instance lacks it, set [workflows] shopping_insights = false "
    "(revenue from conversions, ad-exposed sales only) or subscribe"
)

OVERLAP_CAUSE = (
    "AMC's privacy guard: too many executions have already read the same tables over the same or "
    "overlapping days, and one more could single out users by comparing results. Do not submit this "
    "workflow again over those days (no forced rerun): reuse the result already downloaded, or run over "
    "a window that does not overlap the earlier ones. AMC publishes neither the limit nor when it resets"
)

# (pattern in AMC's reason, likely cause); the first match wins.
_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"too many workflows have already been run|overlapping time windows", re.I), OVERLAP_CAUSE),
    (
        re.compile(r"user_id", re.I),
        "the query outputs user_id, which AMC allows only in audience queries or, on synthetic data, with "
        "aggregation controls off",
    ),
    (
        re.compile(r"outputColumns", re.I),
        "the workflow's outputColumns do not match what the query outputs (names or AMC's inferred types)",
    ),
    (
        re.compile(r"parameter", re.I),
        "a CUSTOM_PARAMETER is not declared in the workflow's inputParameters, or its value has the wrong "
        "type",
    ),
    (
        re.compile(r"audience", re.I),
        "a reporting query read a _for_audiences table, or an audience query read a reporting table",
    ),
    (
        re.compile(r"not found|cannot be resolved|unknown (?:table|column)|does not exist", re.I),
        "the query names a table or column this instance does not have",
    ),
)


def overlap_cause(reason: str | None) -> str | None:
    """OVERLAP_CAUSE when ``reason`` is AMC's overlap rejection, else None (it may come as a REJECTED
    execution or as the answer to the POST: AMC does not say which, docs/amc-api.md §3.11)."""
    return OVERLAP_CAUSE if reason and _CAUSES[0][0].search(reason) else None


def reads_table(sql: str, table: str) -> bool:
    """Whether ``sql`` reads ``table`` itself (not its ``_for_audiences`` twin)."""
    return re.search(rf"\b{re.escape(table)}\b(?!_for_audiences)", sql, re.IGNORECASE) is not None


def likely_cause(reason: str | None, sql: str, *, audience: bool = False) -> str | None:
    """The likely cause of AMC rejecting or failing ``sql`` with ``reason``, or None when unknown."""
    text = reason or ""
    # AMC's wording does not name the subscription: a missing or access message on such a query is read so.
    symptom = re.search(r"conversions_all|not found|cannot be resolved|permission|access", text, re.I)
    if not audience and reads_table(sql, SHOPPING_INSIGHTS_TABLE) and (symptom or not text):
        return SHOPPING_INSIGHTS_CAUSE
    for pattern, cause in _CAUSES:
        if pattern.search(text):
            return cause
    return None

"""What AMC's dry runs say, read for ``doctor``: whether the instance has the paid shopping dataset, and
whether each workflow compiles. A dry run AMC did not finish decides nothing (docs/real-instance.md §3)."""

from __future__ import annotations

from typing import Any

from amc_cltv.client.models import WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.orchestration.checklist import Budget, Check, Kind, ok, problem
from amc_cltv.workflows.rejections import SHOPPING_INSIGHTS_CAUSE, SHOPPING_INSIGHTS_TABLE, likely_cause

SHOPPING = "shopping insights"
SHOPPING_INSIGHTS_PROBE = f"SELECT SUM(conversions) AS conversions FROM {SHOPPING_INSIGHTS_TABLE}"


def shopping_insights(
    result: WorkflowExecution | None, *, wanted: bool, optional_datasets: list[Any], budget: Budget
) -> Check:
    """Whether the instance can read conversions_all. Only AMC's answer decides: accepted, or rejected
    for that table; a dry run AMC did not finish (in the budget, or at all) decides nothing."""
    name = SHOPPING
    datasets = ", ".join(str(d) for d in optional_datasets) or "none"
    seen = f"optional datasets: {datasets}; a dry run reading conversions_all was "
    if result is None:
        return problem(
            name,
            seen + f"not finished by AMC within {budget.describe()}: whether the instance has the "
            "paid dataset is not known yet",
            "run doctor again later, or with a larger --budget; leave [workflows] shopping_insights as "
            "it is until AMC answers",
            Kind.UNREACHABLE,
        )
    if result.status == ExecutionStatus.SUCCEEDED:
        if wanted:
            return ok(name, seen + "accepted, and shopping_insights = true uses it")
        return ok(
            name,
            seen + "accepted: set [workflows] shopping_insights = true to count non-ad-exposed sales too",
        )
    reason = result.status_reason or "AMC gave no reason"
    missing = result.status_reason and likely_cause(result.status_reason, SHOPPING_INSIGHTS_PROBE)
    if (
        result.status not in (ExecutionStatus.REJECTED, ExecutionStatus.FAILED)
        or missing != SHOPPING_INSIGHTS_CAUSE
    ):
        return problem(
            name,
            seen + f"ended {result.status} ({reason}), which says nothing about the dataset",
            "read AMC's message; leave [workflows] shopping_insights as it is until a dry run answers",
        )
    if wanted:
        return problem(
            name,
            seen + f"rejected ({reason}): the instance lacks the paid Flexible Shopping Insights "
            "subscription, so every workflow would be rejected",
            "set [workflows] shopping_insights = false (revenue from conversions), or subscribe",
        )
    return ok(name, seen + "rejected: shopping_insights = false is right for this instance")


def workflow(label: str, execution: WorkflowExecution | None, sql: str, budget: Budget) -> Check:
    """A workflow's dry run: compiled, AMC's reason and the likely cause, or not finished in the budget."""
    if execution is None:
        return problem(
            label,
            f"AMC did not finish the dry run within {budget.describe()}",
            "run doctor again later, or with a larger --budget (nothing to change in the profile)",
            Kind.UNREACHABLE,
        )
    if execution.status == ExecutionStatus.SUCCEEDED:
        return ok(label, "compiled by AMC (dry run)")
    reason = execution.status_reason or "AMC gave no reason"
    cause = likely_cause(execution.status_reason, sql)
    name = label.removeprefix("workflow ")
    return problem(
        label,
        f"AMC's dry run ended {execution.status}: {reason}",
        cause or "read AMC's message; `amc-cltv workflows show " + name + "` prints the SQL",
    )

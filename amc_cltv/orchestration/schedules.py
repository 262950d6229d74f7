"""AMC's native schedules: a saved workflow run Daily or Weekly at an hour (UTC) by AMC itself.

The schedule id is derived from the workflow's name, so ``schedule apply`` is idempotent: it uploads the
workflow (a schedule runs the saved copy), then creates the schedule or replaces it.

An AMC schedule carries no parameter values, no advertisers, no time window and no timeout (docs/amc-api.md
§3.7): each run reads every advertiser of the instance over the period just before it, with the parameters'
defaults. ``apply_schedule`` refuses what that would make wrong (an instance whose advertisers span several
marketplaces: currencies would mix, docs/amc-api.md §3.9) and ``scheduled_result`` says what each run
computes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amc_cltv.client.models import Schedule
from amc_cltv.config import Config
from amc_cltv.errors import NotFoundError, UsageError
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration import sync
from amc_cltv.orchestration.marketplaces import spans_marketplaces
from amc_cltv.orchestration.submit import aggregation_controls_off

if TYPE_CHECKING:
    from amc_cltv.client import AmcClient

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

log = get_logger("amc_cltv.schedules")


def schedule_id(workflow_id: str) -> str:
    """The AMC ``scheduleId`` this tool uses for a workflow."""
    return f"{workflow_id}.schedule"


def weekday(value: str) -> str:
    """``monday``/``Mon``/… as AMC's ``aggregationStartDay``; UsageError otherwise."""
    for day in DAYS:
        if value.strip().lower() in (day.lower(), day[:3].lower()):
            return day
    raise UsageError(f"--weekly {value!r}: not a day of the week (Monday ... Sunday)")


def build_schedule(
    config: Config,
    workflow_id: str,
    *,
    weekly_day: str | None,
    hour_utc: int,
    enabled: bool = True,
    disable_aggregation_controls: bool = False,
) -> Schedule:
    """The Schedule body for a workflow: Daily, or Weekly on ``weekly_day``, at ``hour_utc``.

    ``disable_aggregation_controls`` is set for a per-user (``synthetic_only``) workflow.
    """
    if not 0 <= hour_utc <= 23:
        raise UsageError(f"--hour-utc must be 0 to 23, got {hour_utc}")
    return Schedule(
        schedule_id=schedule_id(workflow_id),
        workflow_id=workflow_id,
        aggregation_period="Weekly" if weekly_day else "Daily",
        aggregation_start_day=weekday(weekly_day) if weekly_day else None,
        aggregation_hour_utc=hour_utc,
        schedule_enabled=enabled,
        require_synthetic_data=True if config.amc.synthetic_data else None,
        disable_aggregation_controls=True if disable_aggregation_controls else None,
        marketplace_id=config.amc.marketplace_id,
    )


def apply_schedule(
    config: Config,
    client: AmcClient,
    ledger: Ledger,
    workflow: str,
    *,
    weekly_day: str | None,
    hour_utc: int,
) -> tuple[str, Schedule]:
    """Upload the workflow, then create or replace its schedule; returns ("created"|"updated", schedule).

    Raises UsageError for a per-user workflow on a profile without synthetic data, before any
    request.
    """
    from amc_cltv.workflows import catalog

    rendered = catalog.render(workflow, shopping_insights=config.profile.workflows.shopping_insights)
    if rendered.audience:
        raise UsageError(
            f"{workflow} is an audience query: AMC runs it only as a rule-based audience, which refreshes "
            "itself (refresh_rate_days); it cannot be scheduled as a reporting workflow"
        )
    schedule = build_schedule(
        config,
        rendered.workflow_id,
        weekly_day=weekly_day,
        hour_utc=hour_utc,
        disable_aggregation_controls=aggregation_controls_off(
            rendered, synthetic_data=config.amc.synthetic_data
        ),
    )
    marketplaces = spans_marketplaces(client.instances.advertisers())
    if marketplaces:
        raise UsageError(
            f"{workflow} cannot be scheduled on AMC here: an AMC schedule carries no advertisers, so each "
            f"run would read every advertiser of {', '.join(marketplaces)} and add up their currencies; run "
            f"'amc-cltv run --workflow {workflow}' from cron or Airflow instead (one marketplace per profile)"
        )
    sync.apply(client.workflows, ledger, config.instance_id, rendered)
    try:
        client.schedules.get(schedule.schedule_id)
    except NotFoundError:
        client.schedules.create(schedule)
        action = "created"
    else:
        client.schedules.update(schedule)
        action = "updated"
    log.info("schedule_applied", workflow=workflow, schedule_id=schedule.schedule_id, action=action)
    return action, schedule


def scheduled_result(config: Config, workflow: str, schedule: Schedule) -> str:
    """What each run of ``schedule`` computes, in the words of what ``run`` does instead."""
    from amc_cltv.workflows import catalog

    rendered = catalog.render(workflow, shopping_insights=config.profile.workflows.shopping_insights)
    period = "day" if schedule.aggregation_period == "Daily" else "7 days"
    defaults = ", ".join(f"{name}={value}" for name, value in rendered.parameter_values.items())
    parameters = f"its parameters at their defaults ({defaults})" if defaults else "no parameters"
    return (
        f"each scheduled run: {rendered.workflow_id} over the {period} before it, as AMC picks it, not the "
        f"365-day window of 'amc-cltv run' (customers' sales, spend and CLTV cover that {period} only); "
        f"{parameters}; every advertiser of the instance; AMC's default timeout (the profile's "
        "[workflows] execution_timeout_s is not sent). Results land on AMC (the instance's S3 bucket); "
        "'amc-cltv run' neither waits for them nor downloads them"
    )


def delete_schedule(client: AmcClient, workflow: str) -> str:
    """Delete the schedule of ``workflow``; UsageError if there is none."""
    from amc_cltv.workflows import catalog

    target = schedule_id(catalog.workflow_id(workflow))
    try:
        client.schedules.delete(target)
    except NotFoundError:
        raise UsageError(f"workflow {workflow} has no schedule ({target})") from None
    log.info("schedule_deleted", workflow=workflow, schedule_id=target)
    return target

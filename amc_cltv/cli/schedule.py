"""``amc-cltv schedule``: AMC's native Daily/Weekly schedules of a workflow."""

from __future__ import annotations

from typing import Annotated

import typer

from amc_cltv.cli import common
from amc_cltv.errors import UsageError

app = typer.Typer(
    name="schedule",
    help="AMC's own Daily/Weekly schedules of a saved workflow.\n\n"
    "Example: amc-cltv schedule apply segmentation --weekly Monday --hour-utc 6",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
def list_schedules(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """List the instance's schedules.

    Example: amc-cltv schedule list
    """
    common.want_json(as_json, schedules=[])
    with common.invocation().session() as session:
        schedules = [s.dump() for s in session.client.schedules.list()]
    if as_json:
        common.emit_json({"schedules": schedules})
        return
    table = common.table()
    columns = ("scheduleId", "workflowId", "aggregationPeriod", "aggregationStartDay", "aggregationHourUtc")
    for column in (*columns, "scheduleEnabled"):
        table.add_column(column)
    for s in schedules:
        table.add_row(*(str(s.get(c, "")) for c in (*columns, "scheduleEnabled")))
    common.stdout_console().print(table)


@app.command("apply")
def apply(
    name: Annotated[str, typer.Argument(help="Workflow name (see 'workflows list').")],
    daily: Annotated[bool, typer.Option("--daily", help="Run every day.")] = False,
    weekly: Annotated[str | None, typer.Option("--weekly", metavar="DAY", help="Run weekly on DAY.")] = None,
    hour_utc: Annotated[int, typer.Option("--hour-utc", help="Hour of the run, UTC (0-23).")] = 6,
    monthly: Annotated[
        bool,
        typer.Option("--monthly", help="Not an AMC option (Daily/Weekly only): refused, with the cron line."),
    ] = False,
) -> None:
    """Upload the workflow and create (or replace) its AMC schedule. AMC schedules run daily or weekly only:
    a monthly workflow (cohorts) runs from cron or Airflow.

    Example: amc-cltv schedule apply segmentation --daily --hour-utc 6
    """
    from amc_cltv.orchestration.schedules import apply_schedule, scheduled_result
    from amc_cltv.workflows import catalog

    if monthly:
        raise UsageError(_no_monthly_schedule(name, hour_utc))
    if daily == (weekly is not None):
        raise UsageError("give exactly one of --daily or --weekly DAY")
    with common.invocation().session() as session:
        config = session.config
        action, schedule = apply_schedule(
            config, session.client, session.ledger, name, weekly_day=weekly, hour_utc=hour_utc
        )
    when = f"{schedule.aggregation_period} {schedule.aggregation_start_day or ''}".strip()
    typer.echo(f"schedule {schedule.schedule_id} {action}: {when} at {schedule.aggregation_hour_utc}:00 UTC")
    typer.echo(scheduled_result(config, name, schedule))
    common.stderr_console().print(_data_lag_note(name, schedule.aggregation_period), highlight=False)
    if catalog.definition(name).cadence == "monthly":
        common.stderr_console().print(
            f"note: {name} is meant to run monthly, which AMC schedules cannot do (daily or weekly only); "
            f"this schedule runs it {when}. {_cron_hint(name, hour_utc)}",
            highlight=False,
        )


def _data_lag_note(name: str, period: str | None) -> str:
    # AMC picks a scheduled run's window itself (the period just before the run hour), so there is no window
    # to refuse as `run` does: say that it reaches into the data lag.
    # See docs/amc-api.md §3.7 and docs/contract.md §2.
    span = "day" if period == "Daily" else "week"
    return (
        f"note: each scheduled run covers the {span} just before it, inside AMC's 48-hour data lag: "
        f"its last two days may be incomplete. For complete windows, run 'amc-cltv run --workflow {name}' "
        "from cron instead (its default window ends at least 48 hours back)."
    )


def _cron_hint(name: str, hour_utc: int) -> str:
    return (
        f"For a monthly run, put 'amc-cltv run --workflow {name}' in cron (for example "
        f"'0 {hour_utc} 3 * *', see the README) or Airflow."
    )


def _no_monthly_schedule(name: str, hour_utc: int) -> str:
    hint = _cron_hint(name, hour_utc)
    return f"AMC schedules run daily or weekly only: there is no monthly schedule. {hint}"


@app.command("delete")
def delete(name: Annotated[str, typer.Argument(help="Workflow name.")]) -> None:
    """Delete the workflow's schedule.

    Example: amc-cltv schedule delete segmentation
    """
    from amc_cltv.orchestration.schedules import delete_schedule

    with common.invocation().session() as session:
        deleted = delete_schedule(session.client, name)
    typer.echo(f"schedule {deleted} deleted")


def register(root: typer.Typer) -> None:
    root.add_typer(app)

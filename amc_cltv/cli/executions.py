"""``amc-cltv executions``: list, inspect and cancel workflow executions on AMC."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import typer

from amc_cltv import clock
from amc_cltv.cli import common

app = typer.Typer(
    name="executions",
    help="Workflow executions on AMC.\n\nExample: amc-cltv executions list --days 2",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_FIELDS = (
    "workflow_execution_id",
    "workflow_id",
    "status",
    "create_time",
    "time_window_start",
    "time_window_end",
)


def _row(execution: Any) -> dict[str, Any]:
    row = {name: getattr(execution, name, None) for name in _FIELDS}
    for name, value in row.items():
        if isinstance(value, datetime):  # AMC's times, shown as ISO 8601 with their offset
            row[name] = value.isoformat()
    row["status_reason"] = getattr(execution, "status_reason", None)
    return row


@app.command("list")
def list_executions(
    days: Annotated[int, typer.Option("--days", min=1, help="Created within this many days.")] = 7,
    workflow: Annotated[str | None, typer.Option("--workflow", help="Only this workflow (by name).")] = None,
    include_cancelled: Annotated[
        bool, typer.Option("--include-cancelled", help="Show CANCELLED too.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """List the instance's executions, newest first.

    Example: amc-cltv executions list --workflow segmentation --json
    """
    common.want_json(as_json, executions=[])
    workflow_id = None
    if workflow:
        from amc_cltv.workflows import catalog

        catalog.definition(workflow)
        workflow_id = catalog.workflow_id(workflow)
    since = clock.current().now() - timedelta(days=days)
    with common.invocation().session() as session:
        executions = session.client.executions.list(
            workflow_id=workflow_id,
            min_creation_time=since.strftime("%Y-%m-%dT%H:%M:%S"),
            time_zone="UTC",
            include_cancelled=include_cancelled or None,
        )
    rows = [_row(e) for e in executions]
    if as_json:
        common.emit_json({"executions": rows})
        return
    columns = [*_FIELDS, "status_reason"]
    common.print_fitted(
        columns,
        [[str(row[name] or "") for name in columns] for row in rows],
        first=("workflow_execution_id", "status", "workflow_id", "create_time"),
    )


@app.command("status")
def status(
    execution_id: Annotated[str, typer.Argument(help="The workflowExecutionId.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Show one execution's status as AMC reports it.

    Example: amc-cltv executions status 3f2a9c1e-0000-4000-8000-000000000001
    """
    common.want_json(as_json, execution_id=execution_id)
    with common.invocation().session() as session:
        row = _row(session.client.executions.get(execution_id))
    if as_json:
        common.emit_json(row)
        return
    for name, value in row.items():
        common.echo_plain(f"{name}: {value if value is not None else ''}")


@app.command("cancel")
def cancel(
    execution_id: Annotated[str, typer.Argument(help="The workflowExecutionId.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Ask AMC to cancel a PENDING or RUNNING execution.

    Example: amc-cltv executions cancel 3f2a9c1e-0000-4000-8000-000000000001
    """
    from amc_cltv.client.status import ExecutionStatus
    from amc_cltv.errors import BadRequestError

    common.want_json(as_json, execution_id=execution_id)
    with common.invocation().session() as session:
        client = session.client
        execution = client.executions.get(execution_id)
        cancelled = not execution.status.terminal
        if cancelled:
            try:
                client.executions.cancel(execution_id)
            except BadRequestError:  # it finished between the two calls: AMC refuses to cancel it
                cancelled = False
            execution = client.executions.get(execution_id)
        row = _row(execution)
    if as_json:
        common.emit_json({**row, "cancel_requested": cancelled})
    elif cancelled:
        common.echo_plain(f"{execution_id}: cancel requested, AMC reports {row['status']}")
    else:
        common.echo_plain(
            f"{execution_id}: already finished ({row['status']}), nothing to cancel"
            + ("" if row["status"] != ExecutionStatus.SUCCEEDED else "; its results can be downloaded")
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app)

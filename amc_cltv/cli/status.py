"""``amc-cltv status``: what the ledger knows: recent runs, their executions and files, and audiences."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from amc_cltv.cli import common

AUDIENCE_COLUMNS = (
    "name",
    "segment",
    "audience_execution_id",
    "status",
    "audience_count",
    "usable_in_dsp_at",
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def ledger_status(limit: int) -> dict[str, Any]:
    from datetime import timedelta

    from amc_cltv.cadence import Forecast
    from amc_cltv.client.status import is_terminal
    from amc_cltv.orchestration.history import ledger_durations

    with common.invocation().session() as session:  # the ledger alone: nothing is sent to AMC
        config, ledger = session.config, session.ledger
        runs = []
        forecasts: dict[str, Forecast | None] = {}
        for run in ledger.runs(instance_id=config.instance_id, limit=limit):
            files = ledger.files(run.execution_id) if run.execution_id else []
            predicted = None
            if run.state in ("submitting", "submitted") and not is_terminal(run.status):
                # When past runs of the workflow say this one should end (their median duration).
                if run.workflow not in forecasts:
                    durations = ledger_durations(ledger, config.instance_id, run.workflow)
                    forecasts[run.workflow] = Forecast.from_durations(durations, config.profile.polling)
                forecast = forecasts[run.workflow]
                if forecast is not None:
                    predicted = run.submitted_at + timedelta(seconds=forecast.median_s)
            runs.append(
                {
                    "workflow": run.workflow,
                    "workflow_id": run.workflow_id,
                    "attempt": run.attempt,
                    "state": run.state,
                    "execution_id": run.execution_id,
                    "status": run.status,
                    "status_reason": run.status_reason,
                    "time_window_start": run.time_window_start,
                    "time_window_end": run.time_window_end,
                    "submitted_at": _iso(run.submitted_at),
                    "finished_at": _iso(run.finished_at),
                    "downloaded_at": _iso(run.downloaded_at),
                    "predicted_finish_at": _iso(predicted),
                    "files": [
                        {"path": f.path, "bytes": f.bytes, "rows": f.rows, "sha256": f.sha256} for f in files
                    ],
                    "rows": sum(f.rows for f in files),
                }
            )
        audiences = [
            {
                "name": a.name,
                "segment": a.segment,
                "audience_execution_id": a.audience_execution_id,
                "status": a.status,
                "audience_count": a.audience_count,
                "created_at": _iso(a.created_at),
                "usable_in_dsp_at": _iso(a.usable_in_dsp_at),
            }
            for a in ledger.audiences(instance_id=config.instance_id)
        ]
    return {"instance_id": config.instance_id, "runs": runs, "audiences": audiences}


def status(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many recent runs.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Show the ledger: recent runs, executions, downloaded files and audiences. Sends nothing to AMC.

    Example: amc-cltv status --json
    """
    common.want_json(as_json, runs=[], audiences=[])
    state = ledger_status(limit)
    if as_json:
        common.emit_json(state)
        return
    columns = [
        "workflow",
        "window",
        "attempt",
        "state",
        "execution_id",
        "status",
        "rows",
        "submitted_at",
        "predicted_finish_at",
    ]
    common.print_fitted(
        columns,
        [
            [
                run["workflow"],
                f"{run['time_window_start'][:10]} to {run['time_window_end'][:10]}",
                str(run["attempt"]),
                run["state"],
                run["execution_id"] or "-",
                run["status"] or "-",
                str(run["rows"]),
                run["submitted_at"] or "",
                run["predicted_finish_at"] or "",
            ]
            for run in state["runs"]
        ],
        first=("workflow", "execution_id", "status", "state", "window", "rows"),
        title=f"runs on {state['instance_id']}",
    )
    if state["audiences"]:
        common.print_fitted(
            list(AUDIENCE_COLUMNS),
            [[str(a[c] if a[c] is not None else "-") for c in AUDIENCE_COLUMNS] for a in state["audiences"]],
            first=("name", "audience_execution_id", "status"),
            title="audiences",
        )


def register(app: typer.Typer) -> None:
    app.command("status")(status)

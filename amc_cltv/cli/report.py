"""``amc-cltv report``: the HTML analysis report of the latest results and every past run."""

from __future__ import annotations

import importlib.util
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from amc_cltv import clock
from amc_cltv.cli import common
from amc_cltv.errors import UsageError, local_fault


def report(
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Where to write the report (a folder, existing or ending in /: report.html in it, "
            "the folder created if need be). Default: <output_dir>/report.html",
        ),
    ] = None,
    workflow: Annotated[
        list[str] | None,
        typer.Option(
            "--workflow", metavar="NAME", help="Only this workflow's sections (repeatable). Default: all."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Only runs whose time window ends on or after DATE (YYYY-MM-DD)."
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML report (opens offline) from the downloaded results and the ledger.

    Example: amc-cltv report --out cltv-report.html --since 2026-01-01
    """
    if importlib.util.find_spec("plotly") is None:
        raise UsageError(
            "the report draws its charts with plotly, which is not installed: "
            "pip install 'amc-cltv[report]' (make install does it), then run the report again"
        )
    from amc_cltv.log import get_logger
    from amc_cltv.report import ReportInputs, check_workflows, write_report

    since_day: date | None = None
    if since is not None:
        try:
            since_day = date.fromisoformat(since)
        except ValueError as exc:
            raise UsageError(f"--since must be a date (YYYY-MM-DD), got {since!r}") from exc
    workflows = check_workflows(workflow)
    with common.invocation().session() as session:  # the profile alone: the report reads its folders
        config = session.config
        inputs = ReportInputs(
            output_dir=config.output_dir,
            state_dir=config.state_dir,
            instance_id=config.instance_id,
            workflows=workflows,
            since=since_day,
            time_zone=config.amc.time_zone,
        )
        target = _target(out) if out is not None else config.output_dir / "report.html"
        try:
            summary = write_report(target, inputs, clock.current().now())
        except OSError as exc:  # a local fault (docs/contract.md §4): names the path and the reason
            raise local_fault(exc, "write the report to", target) from exc
    log = get_logger("amc_cltv.report")
    for note in summary.notes:
        log.info("report_input_missing", note=note)
    log.info("report_written", path=str(summary.path), sections=len(summary.sections), charts=summary.charts)
    typer.echo(str(summary.path.resolve()))


def _target(out: str) -> Path:
    """The report's file for ``--out``: in a folder when ``out`` is one or ends with a separator (``reports/``
    names a folder even before it exists: it is created, never written as a file named ``reports``)."""
    path = Path(out)
    if out.endswith(("/", os.sep)) or path.is_dir():
        return path / "report.html"
    return path


def register(app: typer.Typer) -> None:
    app.command("report")(report)

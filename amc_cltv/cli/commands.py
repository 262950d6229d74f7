"""Where every command group is attached to the app (one line per group)."""

from __future__ import annotations

import typer

from amc_cltv.cli import (
    audience,
    doctor,
    download,
    executions,
    instances,
    report,
    run,
    sandbox,
    schedule,
    status,
    workflow_sync,
    workflows,
)


def register(app: typer.Typer) -> None:
    """Attach every command and command group to ``app``."""
    report.register(app)
    sandbox.register(app)
    app.add_typer(workflows.app)
    app.add_typer(audience.app)
    app.add_typer(instances.app)
    for module in (run, executions, download, status, schedule, workflow_sync, doctor):  # run, around it
        module.register(app)

"""``amc-cltv workflows plan|apply``: compare the rendered workflows with AMC's copies, and upload them."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from amc_cltv.cli import common
from amc_cltv.cli.workflows import app


def _names(name: str | None) -> list[str]:
    from amc_cltv.workflows import catalog

    if name is None:
        return catalog.names()
    catalog.definition(name)
    return [name]


@app.command("plan")
def plan(
    name: Annotated[str | None, typer.Argument(help="Workflow name (default: every workflow).")] = None,
) -> None:
    """Show what 'workflows apply' would change on AMC, with the SQL diff; drift is flagged.

    Example: amc-cltv workflows plan segmentation
    """
    from amc_cltv.connect import open_client
    from amc_cltv.ledger import Ledger
    from amc_cltv.orchestration import sync
    from amc_cltv.workflows import catalog

    config = common.invocation().config()
    with open_client(config) as client, Ledger.open(config.state_dir) as ledger:
        for workflow in _names(name):
            rendered = catalog.render(workflow, shopping_insights=config.profile.workflows.shopping_insights)
            planned = sync.plan(client.workflows, ledger, config.instance_id, rendered)
            typer.echo(f"{workflow} ({planned.workflow_id}): {planned.summary}")
            if planned.action != "none":
                sys.stdout.write(planned.diff)


@app.command("apply")
def apply(
    name: Annotated[str | None, typer.Argument(help="Workflow name (default: every workflow).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a workflow changed on AMC (drift).")
    ] = False,
) -> None:
    """Create or update the workflows on AMC; a workflow changed on AMC by hand is left alone (exit 3).

    Example: amc-cltv workflows apply segmentation
    """
    from amc_cltv.connect import open_client
    from amc_cltv.ledger import Ledger
    from amc_cltv.orchestration import sync
    from amc_cltv.workflows import catalog

    config = common.invocation().config()
    with open_client(config) as client, Ledger.open(config.state_dir) as ledger:
        for workflow in _names(name):
            rendered = catalog.render(workflow, shopping_insights=config.profile.workflows.shopping_insights)
            applied = sync.apply(client.workflows, ledger, config.instance_id, rendered, force=force)
            verb = {"create": "created", "update": "updated", "drift": "overwritten", "none": "unchanged"}
            typer.echo(f"{workflow} ({applied.workflow_id}): {verb[applied.action]}")


def register(root: typer.Typer) -> None:
    """The commands attach to the ``workflows`` group on import; nothing else to add."""

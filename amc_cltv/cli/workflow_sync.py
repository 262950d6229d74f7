"""``amc-cltv workflows plan|apply``: compare the rendered workflows with AMC's copies, and upload them."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from amc_cltv.cli import common
from amc_cltv.cli.workflows import app

if TYPE_CHECKING:
    from amc_cltv.config import Config
    from amc_cltv.workflows import RenderedWorkflow


def _rendered(name: str | None, config: Config) -> list[RenderedWorkflow]:
    """The workflows to compare or upload for this profile.

    By default every workflow that runs as a saved reporting workflow here: audience queries are sent with
    the audience itself, and per-user (synthetic-only) workflows only exist on synthetic data. A workflow
    named explicitly is taken as asked, except a per-user one on real data (UsageError, exit 2).
    """
    from amc_cltv.orchestration.submit import aggregation_controls_off
    from amc_cltv.workflows import catalog

    shopping_insights = config.profile.workflows.shopping_insights
    if name is not None:
        rendered = catalog.render(name, shopping_insights=shopping_insights)
        aggregation_controls_off(rendered, synthetic_data=config.amc.synthetic_data)
        return [rendered]
    every = [catalog.render(workflow, shopping_insights=shopping_insights) for workflow in catalog.names()]
    return [
        rendered
        for rendered in every
        if not rendered.audience and (config.amc.synthetic_data or not rendered.synthetic_only)
    ]


@app.command("plan")
def plan(
    name: Annotated[
        str | None,
        typer.Argument(help="Workflow name (default: every saved reporting workflow of this profile)."),
    ] = None,
) -> None:
    """Show what 'workflows apply' would change on AMC, with the SQL diff; drift is flagged.

    Example: amc-cltv workflows plan segmentation
    """
    from amc_cltv.orchestration import sync

    with common.invocation().session() as session:
        config, client, ledger = session.config, session.client, session.ledger
        for rendered in _rendered(name, config):
            planned = sync.plan(client.workflows, ledger, config.instance_id, rendered)
            typer.echo(f"{rendered.name} ({planned.workflow_id}): {planned.summary}")
            if planned.action != "none":
                sys.stdout.write(planned.diff)


@app.command("apply")
def apply(
    name: Annotated[
        str | None,
        typer.Argument(help="Workflow name (default: every saved reporting workflow of this profile)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a workflow changed on AMC (drift).")
    ] = False,
) -> None:
    """Create or update the workflows on AMC; a workflow changed on AMC by hand is left alone (exit 3).

    Example: amc-cltv workflows apply segmentation
    """
    from amc_cltv.orchestration import sync

    with common.invocation().session() as session:
        config, client, ledger = session.config, session.client, session.ledger
        for rendered in _rendered(name, config):
            applied = sync.apply(client.workflows, ledger, config.instance_id, rendered, force=force)
            verb = {"create": "created", "update": "updated", "drift": "overwritten", "none": "unchanged"}
            typer.echo(f"{rendered.name} ({applied.workflow_id}): {verb[applied.action]}")


def register(root: typer.Typer) -> None:
    """The commands attach to the ``workflows`` group on import; nothing else to add."""

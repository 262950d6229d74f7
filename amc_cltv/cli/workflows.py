"""``amc-cltv workflows``: the SQL workflows (``list``, ``show NAME``).

Other modules add commands to this group (``plan``, ``apply``) through :data:`app`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from amc_cltv.cli import common

app = typer.Typer(
    name="workflows",
    help="The SQL workflows uploaded to AMC.\n\nExample: amc-cltv workflows show segmentation",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def shopping_insights_setting() -> bool:
    """``[workflows] shopping_insights`` of the chosen profile: its session opens nothing and asks for no
    secret (loading a profile does not; only its client does)."""
    with common.invocation().session() as session:
        return session.config.profile.workflows.shopping_insights


@app.command("list")
def list_workflows() -> None:
    """List the workflows: name, AMC workflowId, kind, parameters and description.

    Example: amc-cltv workflows list
    """
    from amc_cltv.workflows import catalog

    table = common.table(show_lines=False)
    for column in ("name", "workflow_id", "kind", "parameters"):
        table.add_column(column, no_wrap=True)
    table.add_column("description", min_width=30)
    for name in catalog.names():
        spec = catalog.definition(name)
        parameters = ", ".join(f"{p.name}={p.default}" for p in spec.parameters if p.derived_from is None)
        kind = "audience" if spec.audience else "report"
        table.add_row(name, catalog.workflow_id(name), kind, parameters or "-", spec.description)
    common.stdout_console().print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Workflow name (see 'workflows list').")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", metavar="KEY=VALUE", help="A parameter value, e.g. threshold_method=median."),
    ] = None,
) -> None:
    """Print exactly the SQL that would be uploaded (needs no credentials).

    Rendered with --config's profile when given, else the embedded sandbox's; the SQL is linted first.

    Example: amc-cltv workflows show segmentation --param threshold_method=p75
    """
    from amc_cltv.workflows import catalog
    from amc_cltv.workflows.parameters import parse_assignments

    rendered = catalog.render(
        name, shopping_insights=shopping_insights_setting(), parameters=parse_assignments(param or [])
    )
    typer.echo(rendered.sql)

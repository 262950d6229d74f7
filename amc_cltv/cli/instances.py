"""``amc-cltv instances list``: the ids a config needs, for every instance the credentials can see."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from amc_cltv.cli import common

app = typer.Typer(
    name="instances",
    help="AMC instances visible to your credentials.\n\nExample: amc-cltv --config my.toml instances list",
    no_args_is_help=True,
    rich_markup_mode=None,
)

COLUMNS = (
    "instance_id",
    "instance_name",
    "instance_type",
    "advertiser_id",
    "account_name",
    "marketplace_id",
    "api_endpoint",
)


def instance_rows(client: Any, *, advertiser_id: str, marketplace_id: str) -> list[dict[str, Any]]:
    """One row per instance per AMC account; without accounts (instant self-service), the configured ids."""
    accounts = client.accounts.list()
    scopes = [(a.account_id, a.account_name, a.marketplace_id or marketplace_id) for a in accounts]
    if not scopes:
        scopes = [(advertiser_id, None, marketplace_id)]
    rows = []
    for account_id, account_name, account_marketplace in scopes:
        for instance in client.instances.list(advertiser_id=account_id, marketplace_id=account_marketplace):
            rows.append(
                {
                    "instance_id": instance.instance_id,
                    "instance_name": instance.instance_name,
                    "instance_type": instance.instance_type,
                    "advertiser_id": account_id,
                    "account_name": account_name,
                    "marketplace_id": account_marketplace,
                    "api_endpoint": instance.api_endpoint,
                }
            )
    return rows


@app.command("list")
def list_instances(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """List every AMC instance your credentials can see, with the ids an instance profile needs
    (instance_id, advertiser_id, marketplace_id) and the instance's API endpoint.

    Example: amc-cltv --config configs/my-instance.toml instances list --json
    """
    common.want_json(as_json, instances=[])
    with common.invocation().session() as session:
        amc = session.config.amc
        rows = instance_rows(
            session.client, advertiser_id=amc.advertiser_id, marketplace_id=amc.marketplace_id
        )
    if as_json:
        common.emit_json({"instances": rows})
        return
    table = common.table()
    for name in COLUMNS:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(str(row[name] or "") for name in COLUMNS))
    common.stdout_console().print(table)
    if not rows:
        common.stderr_console().print("no AMC instance is visible to these credentials")

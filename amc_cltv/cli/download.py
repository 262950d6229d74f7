"""``amc-cltv download EXECUTION_ID``: fetch a finished execution's result files, verified."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from amc_cltv.cli import common


def download(
    execution_id: Annotated[str, typer.Argument(help="The workflowExecutionId of a SUCCEEDED execution.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the files (default: the results layout).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Download every result file of an execution, with manifest.json (sha256 and rows per file).

    Example: amc-cltv download 3f2a9c1e-0000-4000-8000-000000000001 --out ./results-copy
    """
    from amc_cltv.orchestration.retrieve import download_execution

    common.want_json(as_json, execution_id=execution_id, files=[], rows=0)
    with common.invocation().session() as session:
        retrieved = download_execution(
            session.config,
            session.client,
            session.ledger,
            execution_id,
            out=out.resolve() if out else None,
        )
    files = [str(f.path) for f in retrieved.files]
    if as_json:
        common.emit_json(
            {
                "execution_id": execution_id,
                "workflow": retrieved.workflow,
                "folder": str(retrieved.folder),
                "files": files,
                "rows": retrieved.rows,
            }
        )
        return
    for f in retrieved.files:
        typer.echo(f"{f.path}  {f.rows} rows  {f.bytes} bytes  sha256 {f.sha256}")
    typer.echo(f"manifest: {retrieved.folder / 'manifest.json'}")


def register(app: typer.Typer) -> None:
    app.command("download")(download)

"""``amc-cltv sandbox``: serve the AMC emulator over HTTP, or generate its synthetic data as Parquet."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from amc_cltv.cli import common
from amc_cltv.errors import Interrupted, UsageError, local_fault

app = typer.Typer(
    name="sandbox",
    help=(
        "The embedded AMC sandbox: serve it over HTTP, or generate its synthetic data.\n\n"
        "Example: amc-cltv sandbox serve --port 8765"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0 picks a free one).")] = 8765,
    state_dir: Annotated[
        Path | None,
        typer.Option("--state-dir", help="Where the sandbox keeps its state. Default: <state_dir>/sandbox."),
    ] = None,
) -> None:
    """Serve the sandbox's AMC API over HTTP for other clients (Ctrl-C stops it).

    Point a profile at it with api_url = "http://127.0.0.1:8765" and token_url =
    "http://127.0.0.1:8765/auth/o2/token" (any non-empty credentials work). The /_sandbox/ controls need
    the X-Sandbox-Token header, whose value is in <state-dir>/control-token.

    Example: amc-cltv sandbox serve --host 127.0.0.1 --port 8765
    """
    from amc_cltv.sandbox import sandbox_state_dir
    from amc_cltv.sandbox.control import TOKEN_FILE, is_loopback
    from amc_cltv.sandbox.serve import serve as run_server

    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    directory = state_dir
    if directory is None:
        with common.invocation().session() as session:  # the profile alone, for its state_dir
            directory = sandbox_state_dir(session.config.state_dir)
    if not is_loopback(host):
        sys.stderr.write(
            f"WARNING: serving the sandbox on {host}, not on loopback: any machine that reaches this one "
            "can run queries on it and read their results. Its controls need the token in "
            f"{directory / TOKEN_FILE}. Use --host 127.0.0.1 unless that is what you want.\n"
        )
        sys.stderr.flush()

    def ready(url: str) -> None:
        sys.stdout.write(f"sandbox listening on {url}\n")
        sys.stdout.flush()

    try:
        run_server(directory, host, port, ready)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except (KeyboardInterrupt, Interrupted):  # Ctrl-C or SIGTERM is how a server is stopped: exit 0
        return


@app.command("generate")
def generate(
    users: Annotated[int, typer.Option("--users", help="Number of synthetic users.", min=1)],
    out: Annotated[Path, typer.Option("--out", help="Directory for the Parquet files.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same data.")] = 7,
    end_date: Annotated[
        str | None,
        typer.Option("--end-date", help="Last day of the 13 months of data (YYYY-MM-DD). Default: today."),
    ] = None,
) -> None:
    """Write the sandbox's AMC tables (13 months of synthetic events) as Parquet files.

    Example: amc-cltv sandbox generate --users 100000 --seed 7 --out data/
    """
    from amc_cltv.sandbox import generate as generate_tables

    try:
        last_day = date.fromisoformat(end_date) if end_date else None
    except ValueError:
        raise UsageError(f"--end-date must be a date (YYYY-MM-DD), got {end_date!r}") from None
    try:
        stats = generate_tables(users, seed, out, end_date=last_day)
    except OSError as error:  # e.g. --out names a file: the machine's fault, exit 7
        raise local_fault(error, "write the sandbox tables to", out) from None
    console = common.stdout_console()
    console.print(
        f"Generated {stats.users:,} users (seed {stats.seed}), {stats.first_date} to {stats.end_date}, "
        f"in {stats.seconds:.1f} s into {out}"
    )
    for table, rows in stats.rows.items():
        console.print(f"  {table}.parquet  {rows:,} rows")


def register(root: typer.Typer) -> None:
    root.add_typer(app)

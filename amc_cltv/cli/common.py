"""What every command shares: the global options, the session on the chosen profile, output helpers.

Every module of the CLI is imported to build ``--help``, so none imports rich, pydantic (the config),
structlog, the ledger, the client or the public API (``amc_cltv.api``, which loads the config) at module
level: commands import what they need when they run. ``tests/test_startup.py`` checks this and
``bench/startup_bench.py`` measures it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from amc_cltv.errors import AmcCltvError, Remedy, with_remedy

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from amc_cltv.api import Session


@dataclass
class Invocation:
    """The state of one CLI invocation: global options, and whether stdout is reserved for JSON."""

    config_path: Path | None = None
    log_format: str = "auto"
    verbose: int = 0
    json_output: bool = False
    # What a --json command has learnt so far; printed with the error if the command fails.
    json_partial: dict[str, Any] = field(default_factory=dict)

    def profile(self) -> Path | str | None:
        """The profile this invocation names, as the public API takes it (docs/contract.md §1): --config,
        else the one AMC_CLTV_CONFIG names (None), else the embedded sandbox, the CLI's default only."""
        from amc_cltv.config import CONFIG_ENV, SANDBOX

        if self.config_path is not None:
            return self.config_path
        return None if os.environ.get(CONFIG_ENV) else SANDBOX

    def session(
        self, *, offline: bool = False, retry_max_delay_s: float | None = None
    ) -> AbstractContextManager[Session]:
        """The public API's session on this invocation's profile (ConfigError on any problem with it):
        every command works in one, as a library caller does."""
        from amc_cltv.api import open_session

        return open_session(self.profile(), offline=offline, retry_max_delay_s=retry_max_delay_s)


_current = Invocation()


def invocation() -> Invocation:
    """The current invocation (one per process; reset by the app callback)."""
    return _current


def reset_invocation(**values: Any) -> Invocation:
    global _current
    _current = Invocation(**values)
    return _current


def want_json(flag: bool, **partial: Any) -> None:
    """Declare that this command prints one JSON object on stdout, whatever happens."""
    current = invocation()
    current.json_output = flag
    current.json_partial.update(partial)


# An ISO 8601 time with an offset (naive ones, AMC's local times, stay as they are).
_AWARE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def rfc3339(moment: datetime) -> str:
    """The one timestamp format of --json: RFC 3339 in UTC with ``Z`` (``2026-11-29T00:00:00Z``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _wire(value: Any) -> Any:
    """``value`` with every aware time (a datetime, or an ISO string with an offset) in RFC 3339 UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return rfc3339(value)
    if isinstance(value, str) and _AWARE_TIME.match(value):
        return rfc3339(datetime.fromisoformat(value.replace("Z", "+00:00")))
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    return value


def emit_json(payload: dict[str, Any]) -> None:
    """Print the one JSON object of a --json command (every time in RFC 3339, UTC, ``Z``), redacted as the
    logs and the ledger are: it may carry AMC's text (a ``statusReason``)."""
    from amc_cltv.redact import redact

    sys.stdout.write(json.dumps(_wire(redact(payload)), default=str, sort_keys=False) + "\n")
    sys.stdout.flush()


def with_exit_code(payload: dict[str, Any], code: int, *, after: str | None = None) -> dict[str, Any]:
    """A library object (``as_json``) with the CLI's ``exit_code`` added: right after the key ``after``,
    where the contract's objects have always had it (docs/contract.md §3.1), else last."""
    placed: dict[str, Any] = {}
    for key, value in payload.items():
        placed[key] = value
        if key == after:
            placed["exit_code"] = code
    placed.setdefault("exit_code", code)
    return placed


# Tables piped into a file, grep or less are not cut to 80 columns.
PIPED_WIDTH = 200


# The consoles never read markup: what they print is often AMC's text or result data, where ``[/bold]`` is
# text to show, not a style to apply (rich would raise MarkupError on it).


def stdout_console() -> Console:
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return Console(file=sys.stdout, soft_wrap=True, width=width, markup=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, soft_wrap=True, highlight=False, markup=False)


def plain(value: object) -> Text:
    """``value`` as rich text shown as it is: secrets redacted, control characters escaped (a terminal
    escape from AMC is printed as ``\\x1b``, not obeyed), no markup read, no highlighting."""
    from rich.text import Text

    from amc_cltv.redact import printable, redact_text

    return Text(printable(redact_text("" if value is None else str(value))))


def table(**options: Any) -> Table:
    """A rich table for stdout (rich is imported only when a command prints one) whose text cells and title
    are shown as they are (``plain``)."""
    from rich.table import Table

    class PlainTable(Table):
        def add_column(self, header: Any = "", *args: Any, **column_options: Any) -> None:
            super().add_column(plain(header) if isinstance(header, str) else header, *args, **column_options)

        def add_row(self, *renderables: Any, **row_options: Any) -> None:
            cells = [plain(cell) if isinstance(cell, str) else cell for cell in renderables]
            super().add_row(*cells, **row_options)

    if isinstance(options.get("title"), str):
        options["title"] = plain(options["title"])
    return PlainTable(**options)


def echo_plain(line: str) -> None:
    """``typer.echo`` of a line that carries AMC's text: redacted, control characters escaped."""
    from amc_cltv.redact import printable, redact_text

    typer.echo(printable(redact_text(line)))


CELL_OVERHEAD = 3  # a column's border and padding in a rich table


def fitting_columns(columns: list[str], rows: list[list[str]], width: int, order: list[int]) -> list[int]:
    """Indices of the columns to show within ``width``, each at its natural width (never cut), in their
    own order: ``order`` says which go first; the first of it always, the others while they fit."""
    chosen: list[int] = []
    used = 1
    for index in order:
        natural = max([len(columns[index]), *(len(row[index]) for row in rows)]) + CELL_OVERHEAD
        if chosen and used + natural > width:
            continue
        chosen.append(index)
        used += natural
    return sorted(chosen)


def print_fitted(
    columns: list[str], rows: list[list[str]], *, first: tuple[str, ...], title: str | None = None
) -> None:
    """A table on stdout whose cells are never cut: ids an operator copies into `cancel`, `status` or
    `download` stay whole. The columns of ``first`` (in that order) are shown first, then the others while
    the terminal has room; the ones left out are named below it (``--json`` has them all)."""
    from amc_cltv.redact import printable, redact_text

    rows = [[printable(redact_text(cell)) for cell in row] for row in rows]  # measured as they will show
    console = stdout_console()
    order = [columns.index(name) for name in first]
    order += [index for index in range(len(columns)) if index not in order]
    shown = fitting_columns(columns, rows, console.width, order)
    output = table(title=title)
    for index in shown:
        output.add_column(columns[index], no_wrap=True)
    for row in rows:
        output.add_row(*(row[index] for index in shown))
    console.print(output)
    hidden = [name for index, name in enumerate(columns) if index not in shown]
    if hidden:
        console.print(f"(columns not shown at this width: {', '.join(hidden)}; see --json)", highlight=False)


def fail_usage(message: str) -> None:
    """Raise a usage error that prints as one line with exit code 2."""
    raise typer.BadParameter(message)


# The library says what can be done next in its parameters; the CLI names the flags (docs/contract.md §4).
CLI_REMEDIES: dict[Remedy, str] = {
    Remedy.RESUME: "run the same command again to resume",
    Remedy.LATER: "run the same command again later",
    Remedy.FORCE_RERUN: "run again with --force-rerun",
}


def in_cli_words(message: str, remedy: Remedy | None) -> str:
    """What the library said happened, followed by its remedy as this CLI's command or flag."""
    return with_remedy(message, remedy, CLI_REMEDIES)


def error_in_cli_words(error: BaseException) -> str:
    """An error's one line for the CLI: our errors with their remedy in the CLI's words."""
    if isinstance(error, AmcCltvError):
        return error.describe(CLI_REMEDIES)
    return str(error)

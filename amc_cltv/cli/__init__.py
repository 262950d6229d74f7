"""The amc-cltv command line: thin commands that parse, call the public API (``amc_cltv.api``) and render.

Every library error becomes one line on stderr and its exit code in ``main``, from the one table of
``exit_codes`` (docs/contract.md §4); nothing prints a traceback (``pretty_exceptions_show_locals`` is off,
and unexpected errors are caught too).
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from amc_cltv import __version__
from amc_cltv.cli import common
from amc_cltv.cli.exit_codes import ExitCode, for_error
from amc_cltv.errors import AmcCltvError, Interrupted, local_fault
from amc_cltv.redact import printable, redact_text

app = typer.Typer(
    name="amc-cltv",
    help="Customer lifetime value and high-value audiences on Amazon Marketing Cloud.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"amc-cltv {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Instance profile (TOML). Default: $AMC_CLTV_CONFIG, else the embedded sandbox."
        ),
    ] = None,
    log_format: Annotated[
        str,
        typer.Option("--log-format", help="auto (JSON unless stderr is a terminal), json or console."),
    ] = "auto",
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True, help="More detail in the logs.")] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Customer lifetime value and high-value audiences on Amazon Marketing Cloud.

    Example: amc-cltv run --workflow segmentation
    """
    if log_format not in ("auto", "json", "console"):
        raise typer.BadParameter("must be auto, json or console", param_hint="--log-format")
    from amc_cltv.log import configure_logging

    common.reset_invocation(config_path=config, log_format=log_format, verbose=verbose)

    configure_logging(log_format, verbose)  # type: ignore[arg-type]


def _register() -> None:
    # Each command group lives in its own module and registers itself here.
    from amc_cltv.cli import commands

    commands.register(app)


_register()


def _print_error(error: BaseException, code: int) -> None:
    current = common.invocation()
    # Redacted, then control characters escaped: an error may quote AMC's text, and stays one line.
    message = printable(redact_text(common.error_in_cli_words(error))) or error.__class__.__name__
    if current.json_output:
        payload = dict(current.json_partial)
        payload.update({"error": message, "exit_code": code})
        common.emit_json(payload)
    from amc_cltv.log import is_configured, json_lines

    if json_lines(current.log_format) and is_configured():
        # Under cron (or --log-format json) every line on stderr is one JSON object, the error too.
        from amc_cltv.log import get_logger

        level = "warning" if code == ExitCode.STILL_RUNNING else "error"
        getattr(get_logger("amc_cltv.cli"), level)("command_failed", exit_code=code, message=message)
        return
    sys.stderr.write(f"amc-cltv: error: {message}\n")


def _print_help(args: list[str]) -> None:
    """When ``args`` ask for help, print it and exit (SystemExit), without parsing the global options.

    Help depends on nothing but the command, while parsing the global options would cost a third of a
    subcommand's start-up: typer converts every option value through pydantic.
    """
    options = args[: args.index("--")] if "--" in args else args
    if "--help" not in options:
        return
    group = typer.main.get_command(app)
    takes_value = {
        name
        for param in group.params
        if not (getattr(param, "is_flag", True) or getattr(param, "count", False))
        for name in param.opts
    }
    command, path = group, ["amc-cltv"]
    tokens = iter(options)
    for token in tokens:
        if token.startswith("-"):
            if command is group and token in takes_value:
                next(tokens, None)  # the option's value
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            break  # a command's arguments
        if token not in subcommands:
            command = group  # an unknown command: typer says so
            break
        command, path = subcommands[token], [*path, token]
    if command is group:
        group.main(args=args, prog_name="amc-cltv")  # the top-level help, or typer's usage error
    command.main(args=["--help"], prog_name=" ".join(path))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and, as the console script, exits with) the exit code of docs/contract.md §4."""
    args = sys.argv[1:] if argv is None else argv
    common.reset_invocation()
    previous = _on_signals()
    try:
        _print_help(args)
        # Standalone mode lets typer print usage errors (exit 2), help and --version itself.
        app(args=args, prog_name="amc-cltv", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else ExitCode.USAGE)
    except AmcCltvError as exc:
        code = for_error(exc)
        _print_error(exc, code)
    except (Interrupted, KeyboardInterrupt) as exc:
        code = for_error(exc)
        _print_error(RuntimeError("interrupted; run the same command again to resume"), code)
    except OSError as exc:  # the machine's own fault: the path and the OS reason, exit 7
        code = for_error(exc)
        _print_error(local_fault(exc, "use"), code)
    except Exception as exc:  # never a traceback: log it (redacted) and say what to do
        code = for_error(exc)
        from amc_cltv.log import get_logger

        get_logger("amc_cltv.cli").error(
            "unexpected_error", error_type=exc.__class__.__name__, error=str(exc)
        )
        _print_error(RuntimeError(f"unexpected {exc.__class__.__name__}: {exc}"), code)
    finally:
        _restore(previous)
    return code


def _interrupt(signal_number: int, _frame: object) -> None:
    raise Interrupted(signal_number)


def _on_signals() -> dict[int, Any]:
    """SIGINT and SIGTERM raise Interrupted wherever the main thread is (a sleep, a socket read, a write):
    the command stops within moments, prints its one line (and its --json object) and exits 128 + signal."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, _interrupt)
    return previous


def _restore(previous: dict[int, Any]) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)


def console_main() -> None:  # pragma: no cover - the installed script
    sys.exit(main())

"""structlog, configured once per process: JSON lines on stderr under cron, readable lines on a terminal.

Every event passes through the redaction processor last before rendering, so no processor added later
can leak a secret. Used as a library (nobody called ``configure_logging``), the same events go to the
standard ``logging`` logger of the same name instead, redacted, under the host application's handlers.

Verbosity (the CLI's ``-v``): 0 logs what the tool decided and what AMC answered (info); 1 adds the debug
events and one ``http_request`` event per HTTP exchange (method, URL without credentials, status, from
``httpx``); 2 adds the connection-level events of ``httpcore`` (connect, TLS, each request phase).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

from amc_cltv.redact import install_log_filter, printable, redact, redact_text

LogFormat = Literal["auto", "json", "console"]

# The standard loggers bridged into structlog at each verbosity (docs/contract.md, "Logs").
_BRIDGED = {1: (("httpx", logging.INFO),), 2: (("httpx", logging.INFO), ("httpcore", logging.DEBUG))}


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time of writing, not at configuration time: a live
    progress line (rich) redirects ``sys.stderr`` while it is shown, so log lines print above it instead of
    over it."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def json_lines(log_format: str, stream: TextIO | None = None) -> bool:
    """Whether the logs on ``stream`` (stderr) are JSON lines: ``json``, or ``auto`` off a terminal."""
    stream = stream or sys.stderr
    return log_format == "json" or (log_format == "auto" and not stream.isatty())


class _Bridge(logging.Handler):
    """Forwards a standard library record (``httpx``, ``httpcore``) as a structlog event, so that every
    line on stderr has the one format; the redacting filter on those loggers has already run."""

    def emit(self, record: logging.LogRecord) -> None:
        if not structlog.is_configured():  # reset since: nothing to forward to (and no loop back here)
            return
        method = "debug" if record.levelno < logging.INFO else "info"
        logger = structlog.get_logger().bind(logger=record.name)
        getattr(logger, method)("http_request", message=redact_text(record.getMessage()))


_bridge = _Bridge()


def redact_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask secrets in every key and value of the event."""
    return redact(dict(event_dict))


def escape_controls(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor for the console: control characters in values (AMC's text may carry terminal
    escapes or line breaks that forge a log line) shown as escapes. A traceback keeps its lines."""
    return {
        key: printable(value) if isinstance(value, str) and key != "exception" else value
        for key, value in event_dict.items()
    }


def configure_logging(log_format: LogFormat = "auto", verbose: int = 0, stream: TextIO | None = None) -> None:
    """Configure structlog for this process. ``auto`` is JSON unless ``stream`` is a terminal; ``verbose``
    as in the module docstring. Without ``stream``, lines go to the current ``sys.stderr``."""
    use_json = json_lines(log_format, stream)
    output: Any = stream if stream is not None else _CurrentStderr()
    stream = stream or sys.stderr
    level = logging.DEBUG if verbose > 0 else logging.INFO
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if use_json
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_event,
            *([] if use_json else [escape_controls]),  # JSON escapes control characters itself
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=output),
        cache_logger_on_first_use=False,
    )
    bridge_standard_loggers(verbose)


def bridge_standard_loggers(verbose: int) -> None:
    """Forward ``httpx`` (verbose 1) and ``httpcore`` (2) records into structlog; 0 undoes it."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _bridge in logger.handlers:
            logger.removeHandler(_bridge)
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
    for name, level in _BRIDGED.get(min(verbose, 2), ()):
        logger = logging.getLogger(name)
        install_log_filter((name,))
        logger.setLevel(level)
        logger.addHandler(_bridge)
        logger.propagate = False  # once on stderr, not again through the root logger's handlers


def is_configured() -> bool:
    """Whether ``configure_logging`` (or another structlog configuration) is in force in this process."""
    return structlog.is_configured()


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; events carry ``logger`` when a name is given.

    The logger stays lazy (initial values, no ``bind``), so a module-level logger follows the configuration
    in force when it logs, not the one in force when the module was imported.
    """
    return _NamedLogger(name) if name else structlog.get_logger()


class _NamedLogger:
    """A logger named ``name`` that resolves structlog's configuration at each call.

    (structlog reserves ``logger`` as an argument name, so it cannot be an initial value of ``get_logger``.)
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, method: str) -> Any:
        if structlog.is_configured():
            return getattr(structlog.get_logger().bind(logger=self._name), method)
        return _StdlibEvents(self._name, method)


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
}


class _StdlibEvents:
    """One structlog-style call (``log.info("event", key=value)``) sent to a standard ``logging`` logger."""

    def __init__(self, name: str, method: str) -> None:
        if method not in _LEVELS:
            raise AttributeError(method)
        self._logger = logging.getLogger(name)
        install_log_filter((name,))
        self._level = _LEVELS[method]
        self._exc_info = method == "exception"

    def __call__(self, event: str, *args: Any, **fields: Any) -> None:
        if not self._logger.isEnabledFor(self._level):
            return
        text = str(event) % args if args else str(event)
        details = " ".join(f"{key}={value}" for key, value in redact(fields).items())
        line = printable(redact_text(f"{text} {details}".strip()))
        self._logger.log(self._level, line, exc_info=self._exc_info)

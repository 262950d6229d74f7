"""structlog, configured once per process: JSON lines on stderr under cron, readable lines on a terminal.

Every event passes through the redaction processor last before rendering, so no processor added later
can leak a secret.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

from amc_cltv.redact import redact

LogFormat = Literal["auto", "json", "console"]


def redact_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask secrets in every key and value of the event."""
    return redact(dict(event_dict))


def configure_logging(log_format: LogFormat = "auto", verbose: int = 0, stream: TextIO | None = None) -> None:
    """Configure structlog for this process. ``auto`` is JSON unless ``stream`` is a terminal."""
    stream = stream or sys.stderr
    use_json = log_format == "json" or (log_format == "auto" and not stream.isatty())
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
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


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
        return getattr(structlog.get_logger().bind(logger=self._name), method)

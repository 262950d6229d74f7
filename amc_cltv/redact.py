"""Redaction of secrets from any text or structure before it is logged, printed or stored.

Applied by the logging processor chain, by the CLI before it prints an error, by the ledger and
manifest writers, and by ``RedactingFilter`` on the standard loggers that carry URLs (``httpx``,
``httpcore``, ``amc_cltv``), installed when the package is imported, so whoever configures logging (a
notebook's ``logging.basicConfig``, Airflow) never sees a secret. Known secret values (the configured
client secret and refresh token, and every access token the client obtains) are registered at run time
and removed wherever they appear; well-known shapes (LwA tokens, bearer headers, pre-signed URL
credentials) are removed even when never registered.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Pre-signed URL credentials (S3 / SigV4), in query strings, case-insensitive.
    (re.compile(r"(?i)(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"'#]+"), rf"\g<1>{MASK}"),
    # LwA access and refresh tokens.
    (re.compile(r"Atz[ar]\|[^\s\"',;&]+"), MASK),
    # Authorization headers.
    (re.compile(r"(?i)\b(Bearer)\s+[^\s\"',;]+"), rf"\g<1> {MASK}"),
    # Form or query fields that carry secrets.
    (
        re.compile(r"(?i)\b(client_secret|refresh_token|access_token)=([^&\s\"']+)"),
        rf"\g<1>={MASK}",
    ),
)

_SECRET_KEYS = re.compile(
    r"(?i)^(authorization|client_secret|refresh_token|access_token|token|secret|password|"
    r"x-amz-signature|x-amz-credential|x-amz-security-token)$"
)

_lock = threading.Lock()
_known: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it later appears."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def forget_secrets() -> None:
    """Forget every registered secret (tests)."""
    with _lock:
        _known.clear()


def redact_text(text: str) -> str:
    """Return ``text`` with every known secret and secret-shaped value masked."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# C0 and C1 controls (ESC starts a terminal escape sequence), and the format characters that reorder or hide
# text on screen (bidirectional overrides, zero-width joiners): shown as escapes, never acted on.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control and reordering characters shown as escapes (``\\x1b``), on one line."""
    return _UNPRINTABLE.sub(_escape, text)


def shown(text: str, limit: int | None = None) -> str:
    """A server's text made safe to show or store: redacted first (a secret cut in two by truncation would
    no longer match), then its control characters escaped, then cut to ``limit`` characters."""
    text = printable(redact_text(text))
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def redact(value: Any) -> Any:
    """Redact strings inside any JSON-like structure; values under secret-named keys are masked whole."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: (MASK if isinstance(key, str) and _SECRET_KEYS.match(key) and item else redact(item))
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(redact(item) for item in value)
    return value


# httpcore logs on per-module loggers, and a logger's filters do not see records its children pass up, so
# each logger that carries URLs or request details gets the filter itself.
FILTERED_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "amc_cltv",
)


class RedactingFilter(logging.Filter):
    """A ``logging.Filter`` that masks secrets in a record's message, arguments and traceback text.

    It never drops a record: it rewrites it, merging the arguments into the message first (a pre-signed
    URL usually arrives as an argument of httpx's ``HTTP Request: %s %s``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report, not ours to drop
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_filter(names: tuple[str, ...] = FILTERED_LOGGERS) -> None:
    """Put the redacting filter on the standard loggers ``names`` (once each; safe to call again)."""
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)

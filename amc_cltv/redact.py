"""Redaction of secrets from any text or structure before it is logged, printed or stored.

Applied by the logging processor chain, by the CLI before it prints an error, and by the ledger and
manifest writers. Known secret values (the configured client secret and refresh token, and every access
token the client obtains) are registered at run time and removed wherever they appear; well-known shapes
(LwA tokens, bearer headers, pre-signed URL credentials) are removed even when never registered.
"""

from __future__ import annotations

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

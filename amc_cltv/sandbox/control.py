"""Who may drive the sandbox: a control token kept in its state folder, and the Host names it answers to.

Any local process can reach ``sandbox serve`` (and the network can, with ``--host 0.0.0.0``); a web page can
reach it through the browser (a cross-site form, or DNS rebinding a name of its own to 127.0.0.1). So the
``/_sandbox/`` controls that reset, script faults or change settings need the token (header
``X-Sandbox-Token``), which only the folder's owner can read (0600); served on loopback, only requests whose
``Host`` names a loopback address are answered at all (docs/sandbox.md).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

CONTROL_HEADER = "X-Sandbox-Token"
TOKEN_FILE = "control-token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def control_token(state_dir: Path) -> str:
    """The sandbox's control token: read from ``<state_dir>/control-token``, written there (0600) when
    missing. Every process on the same state folder (the embedded app, ``sandbox serve``) shares it."""
    path = Path(state_dir) / TOKEN_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def control_headers(state_dir: Path) -> dict[str, str]:
    """The header a caller sends to use the ``/_sandbox/`` controls of the sandbox under ``state_dir``."""
    return {CONTROL_HEADER: control_token(state_dir)}


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, without port) is a loopback one."""
    if host.strip("[]") in ("localhost", "::1"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def trusted_hosts(bind_host: str) -> list[str] | None:
    """The ``Host`` names a server bound to ``bind_host`` answers: loopback names and the bound address; None
    (any) for a wildcard bind, where the network can reach it anyway and the token guards the controls."""
    if bind_host in ("0.0.0.0", "::", ""):
        return None
    return sorted({*LOOPBACK_NAMES, bind_host, f"[{bind_host}]" if ":" in bind_host else bind_host})

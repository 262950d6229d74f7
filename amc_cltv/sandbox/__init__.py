"""The embedded AMC sandbox: an emulator of the AMC API over synthetic AMC data, executed with DuckDB.

It is a server-side package: it shares nothing with the client but the wire format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from amc_cltv.sandbox.generator import GenerationStats, generate

if TYPE_CHECKING:
    from amc_cltv.sandbox.app import SandboxApp

__all__ = ["GenerationStats", "embedded_app", "generate", "sandbox_state_dir"]


def sandbox_state_dir(state_dir: Path) -> Path:
    """Where the embedded sandbox keeps its state inside a profile's ``state_dir``."""
    return state_dir / "sandbox"


def embedded_app(state_dir: Path) -> SandboxApp:
    """The in-process sandbox app (a WSGI application) whose state persists under ``state_dir``."""
    from amc_cltv.sandbox.app import SandboxApp

    return SandboxApp(state_dir)

"""The crash tests use the end-to-end fixtures: a sandboxed working folder with the tool's clock linked."""

from tests.e2e.conftest import sandbox, sandbox_data

__all__ = ["sandbox", "sandbox_data"]

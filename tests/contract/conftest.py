"""The wire-contract tests drive the in-process sandbox over the small data set of tests/sandbox/."""

from tests.sandbox.conftest import app, sleeps, small_data

__all__ = ["app", "sleeps", "small_data"]

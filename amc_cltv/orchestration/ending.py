"""How a run ended, in the library's terms: the CLI maps each ending to its exit code, an Airflow task to
success, a retry or a failure.

A module of its own, importing nothing, so that the CLI's exit-code table can name the endings without
loading the pipeline (the CLI's start-up stays cheap).
"""

from __future__ import annotations

from enum import StrEnum


class Ending(StrEnum):
    """What a run came to when the call returned."""

    SUCCEEDED = "succeeded"  # AMC's SUCCEEDED, results downloaded (or a finished run reused)
    UNSUCCESSFUL = "unsuccessful"  # AMC ended it FAILED, REJECTED or CANCELLED
    STILL_RUNNING = "still_running"  # not finished when the wait ran out: calling again resumes it

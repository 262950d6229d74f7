"""The one place outcomes and errors become exit codes (docs/contract.md §4).

The library says what happened in types: how a run ended (``Ending``), an error's class, a doctor's verdict
(the ``Kind`` of its worst problem). What each means to cron is said here, and only here.
"""

from __future__ import annotations

import signal
from enum import IntEnum

from amc_cltv.errors import (
    AmbiguousSubmitError,
    AmcCltvError,
    APIError,
    APIStatusError,
    AudienceFailed,
    ConfigError,
    ExecutionFailed,
    InternalServerError,
    Interrupted,
    LocalFault,
    LockHeld,
    NeedsHuman,
    RateLimitError,
    Refused,
    StillRunning,
    UsageError,
    WorkflowLintError,
)
from amc_cltv.orchestration.checklist import Kind
from amc_cltv.orchestration.ending import Ending


class ExitCode(IntEnum):
    """The exit codes of docs/contract.md §4."""

    OK = 0
    AMC_FAILED = 1
    USAGE = 2
    NEEDS_HUMAN = 3
    STILL_RUNNING = 4
    UNAVAILABLE = 5
    LOCKED = 6
    LOCAL_FAULT = 7
    INTERRUPTED = 130  # SIGINT (128 + 2)
    TERMINATED = 143  # SIGTERM (128 + 15)


# An error's code is its nearest class's here (a subclass not named takes its parent's). An error of no
# class here, an unexpected one, is UNAVAILABLE: nothing suggests a person must act before a retry.
ERROR_CODES: dict[type[BaseException], ExitCode] = {
    AmcCltvError: ExitCode.USAGE,
    ConfigError: ExitCode.USAGE,
    UsageError: ExitCode.USAGE,
    WorkflowLintError: ExitCode.USAGE,
    APIError: ExitCode.UNAVAILABLE,
    APIStatusError: ExitCode.USAGE,  # AMC refused the request itself: asking again would not help
    RateLimitError: ExitCode.UNAVAILABLE,
    InternalServerError: ExitCode.UNAVAILABLE,
    AmbiguousSubmitError: ExitCode.NEEDS_HUMAN,
    ExecutionFailed: ExitCode.AMC_FAILED,
    AudienceFailed: ExitCode.AMC_FAILED,
    Refused: ExitCode.AMC_FAILED,
    NeedsHuman: ExitCode.NEEDS_HUMAN,
    StillRunning: ExitCode.STILL_RUNNING,
    LockHeld: ExitCode.LOCKED,
    LocalFault: ExitCode.LOCAL_FAULT,
    OSError: ExitCode.LOCAL_FAULT,  # the machine's own fault, never "try again later"
}

ENDING_CODES: dict[Ending, ExitCode] = {
    Ending.SUCCEEDED: ExitCode.OK,
    Ending.UNSUCCESSFUL: ExitCode.AMC_FAILED,
    Ending.STILL_RUNNING: ExitCode.STILL_RUNNING,
}

# doctor: the kind of its worst problem (None: no problem).
VERDICT_CODES: dict[Kind | None, ExitCode] = {
    None: ExitCode.OK,
    Kind.CHECK: ExitCode.AMC_FAILED,
    Kind.CONFIG: ExitCode.USAGE,
    Kind.UNREACHABLE: ExitCode.UNAVAILABLE,
}


def for_error_class(kind: type[BaseException]) -> ExitCode:
    """The code of an error class: its own entry in ERROR_CODES, else its nearest ancestor's, else 5."""
    for ancestor in kind.__mro__:
        if ancestor in ERROR_CODES:
            return ERROR_CODES[ancestor]
    return ExitCode.UNAVAILABLE


def for_error(error: BaseException) -> int:
    """The code of an error raised out of a command: a signal is 128 + its number (Ctrl-C is SIGINT)."""
    if isinstance(error, Interrupted):
        return 128 + error.signal_number
    if isinstance(error, KeyboardInterrupt):
        return 128 + signal.SIGINT
    return int(for_error_class(type(error)))


def for_ending(ending: Ending) -> int:
    """The code of a run that returned: 0 SUCCEEDED, 1 AMC ended it otherwise, 4 still running."""
    return int(ENDING_CODES[ending])


def for_verdict(worst: Kind | None) -> int:
    """The code of doctor's checklist, from the kind of its worst problem."""
    return int(VERDICT_CODES[worst])

"""The one exception tree of amc-cltv, and the one place errors become exit codes.

    AmcCltvError                      base; every error the tool raises on purpose
    ├── ConfigError                   bad config file, key, flag or secret           -> exit 2
    ├── UsageError                    bad command-line input (window, parameter)     -> exit 2
    ├── WorkflowLintError             SQL that AMC would reject, caught before upload -> exit 2
    ├── APIError                      anything that went wrong talking to AMC
    │   ├── APIStatusError            AMC answered with an error status; carries status_code,
    │   │   │                         request_id, AMC's code/details                  -> exit 2
    │   │   ├── BadRequestError 400, AuthenticationError 401, PermissionDeniedError 403,
    │   │   ├── NotFoundError 404, ConflictError 409, UnprocessableEntityError 422
    │   │   ├── RateLimitError 429 (carries retry_after)                             -> exit 5
    │   │   └── InternalServerError 5xx                                              -> exit 5
    │   ├── APIConnectionError        no answer at all (connect error, dropped)      -> exit 5
    │   │   └── APITimeoutError       the request timed out                          -> exit 5
    │   ├── AmbiguousSubmitError      a non-idempotent POST may or may not have taken
    │   │                             effect; the orchestrator must reconcile        -> exit 3
    │   ├── MalformedResponseError    AMC answered 2xx with a body we cannot read    -> exit 5
    │   │   └── ResponseLimitExceeded an answer or a listing passed one of the bounds
    │   │                             on what a server may send (or an unsafe id)    -> exit 5
    │   ├── RetryBudgetExhausted      the per-process retry quota is spent           -> exit 5
    │   └── DownloadError             a result file could not be fetched intact      -> exit 5
    │       ├── DownloadUrlExpired    the pre-signed URL expired: ask AMC for fresh ones
    │       └── DownloadRefused       a URL or a file the tool will not take (a scheme,
    │                                 a redirect, a size or ratio bound): not retried -> exit 5
    ├── ExecutionFailed               AMC finished FAILED / REJECTED / CANCELLED      -> exit 1
    ├── AudienceFailed                an audience FAILED                             -> exit 1
    ├── Refused                       the tool refused on purpose (audience below the
    │                                 minimum, DSP lag cannot be met)                 -> exit 1
    ├── NeedsHuman                    ambiguous state the tool will not guess about  -> exit 3
    ├── StillRunning                  --max-wait / --no-wait reached; resumable      -> exit 4
    ├── LockHeld                      another invocation holds the lock              -> exit 6
    └── LocalFault                    the machine's own fault: a path not writable,
                                      a full disk, a file where a folder is wanted   -> exit 7

Every message is safe to print: no token, secret or pre-signed URL credential is ever put in one.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any


class Remedy(StrEnum):
    """What the caller can do next. Messages hold what happened; the remedy is said in the caller's words:
    the library's below (``str(error)``), the CLI's flags in the CLI (never by rewriting the message)."""

    RESUME = "resume"  # still running: the same call again follows the same execution
    LATER = "later"  # nothing was sent (the instance was full): the same call again later
    FORCE_RERUN = "force_rerun"  # a finished run failed: submit it anew only when asked to


LIBRARY_REMEDIES: dict[Remedy, str] = {
    Remedy.RESUME: "call again to resume",
    Remedy.LATER: "call again later",
    Remedy.FORCE_RERUN: "call again with force_rerun=True to submit it again",
}


def with_remedy(message: str, remedy: Remedy | None, words: dict[Remedy, str] = LIBRARY_REMEDIES) -> str:
    """``message`` followed by the remedy in ``words`` (the library's unless told)."""
    return message if remedy is None else f"{message}; {words[remedy]}"


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


class AmcCltvError(Exception):
    """Base of every error amc-cltv raises on purpose."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, remedy: Remedy | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message  # what happened, without the remedy
        self.remedy = remedy
        self.context = context

    def what(self) -> str:
        """What happened, as this error says it (an API error adds AMC's request id)."""
        return self.message

    def describe(self, words: dict[Remedy, str] = LIBRARY_REMEDIES) -> str:
        """What happened and the remedy, said in ``words`` (the library's unless told)."""
        return with_remedy(self.what(), self.remedy, words)

    def __str__(self) -> str:
        return self.describe()


class ConfigError(AmcCltvError):
    """The configuration file, a key in it, or a secret variable is missing or invalid."""

    exit_code = ExitCode.USAGE


class UsageError(AmcCltvError):
    """A command-line value is invalid (time window, parameter value, name)."""

    exit_code = ExitCode.USAGE


class WorkflowLintError(AmcCltvError):
    """A workflow's SQL uses a construct AMC rejects; nothing was uploaded."""

    exit_code = ExitCode.USAGE


class APIError(AmcCltvError):
    """Something went wrong talking to AMC (or the sandbox)."""

    exit_code = ExitCode.UNAVAILABLE

    def __init__(self, message: str, *, request_id: str | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.request_id = request_id

    def what(self) -> str:
        if self.request_id:
            return f"{self.message} (request id {self.request_id})"
        return self.message


class APIStatusError(APIError):
    """AMC answered with an error status."""

    exit_code = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        code: str | None = None,
        details: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, request_id=request_id, **context)
        self.status_code = status_code
        self.code = code
        self.details = details


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401, after one token refresh."""


class PermissionDeniedError(APIStatusError):
    """403: no access, or AMC's terms not accepted."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409, or AMC's "already exists"."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429 beyond the retry budget, or a Retry-After too long to wait in process."""

    exit_code = ExitCode.UNAVAILABLE

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("status_code", 429)
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx beyond the retry budget."""

    exit_code = ExitCode.UNAVAILABLE


class APIConnectionError(APIError):
    """No answer from AMC: connection refused, reset or dropped."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class AmbiguousSubmitError(APIError):
    """A non-idempotent POST failed in a way that leaves unknown whether AMC acted on it.

    Never re-sent blindly: the orchestrator reconciles by listing what exists.
    """

    exit_code = ExitCode.NEEDS_HUMAN


class MalformedResponseError(APIError):
    """AMC answered 2xx with a body that is not the JSON we expect."""


class ResponseLimitExceeded(MalformedResponseError):
    """A server sent more than the tool accepts (answer bytes, pages or items of a listing), or an id that is
    not safe to put in a path: nothing it sent is used."""


class RetryBudgetExhausted(APIError):
    """The per-process retry quota is spent: AMC looks down, fail fast."""


class DownloadError(APIError):
    """A result file could not be downloaded intact."""


class DownloadUrlExpired(DownloadError):
    """The pre-signed download URL has expired (they live 10 minutes): request new URLs."""


class DownloadRefused(DownloadError):
    """A download the tool will not take: a URL that is not https (or loopback http for a loopback API), a
    redirect, or a file past the size or decompression-ratio bound. Asking AMC again would not help."""


class ExecutionFailed(AmcCltvError):
    """AMC finished an execution as FAILED, REJECTED or CANCELLED."""

    exit_code = ExitCode.AMC_FAILED

    def __init__(self, message: str, *, status: str, status_reason: str | None, **context: Any) -> None:
        super().__init__(message, **context)
        self.status = status
        self.status_reason = status_reason


class AudienceFailed(AmcCltvError):
    """AMC reported an audience as FAILED."""

    exit_code = ExitCode.AMC_FAILED


class Refused(AmcCltvError):
    """The tool refused on purpose and sent nothing (e.g. audience below the minimum size)."""

    exit_code = ExitCode.AMC_FAILED


class NeedsHuman(AmcCltvError):
    """An ambiguous state (e.g. several matching executions) that the tool will not guess about."""

    exit_code = ExitCode.NEEDS_HUMAN


class StillRunning(AmcCltvError):
    """Still running after --max-wait or with --no-wait: run the same command again to resume."""

    exit_code = ExitCode.STILL_RUNNING


class LockHeld(AmcCltvError):
    """Another invocation holds the lock for this instance and workflow."""

    exit_code = ExitCode.LOCKED


class LocalFault(AmcCltvError):
    """The machine's own fault (permissions, a full disk, a file where a folder is wanted, the reverse).

    Never exit 5: retrying later does not help, a person fixes the path or the disk and runs again. The
    message names the path and the operating system's reason.
    """

    exit_code = ExitCode.LOCAL_FAULT


def local_fault(error: OSError, doing: str, path: object | None = None) -> LocalFault:
    """A LocalFault naming what was being done, where, the path the OS names and the OS reason."""
    where = path if path is not None else error.filename
    named = error.filename
    failed = f" ({named})" if named is not None and str(named) != str(where) else ""
    if isinstance(error, NotADirectoryError | FileExistsError) and where is not None:
        failed = _blocking_file(Path(str(where))) or failed
    reason = error.strerror or str(error) or error.__class__.__name__
    return LocalFault(
        f"cannot {doing} {where}{failed}: {reason}; fix the path or the disk, then run the same command "
        "again",
        path=str(where),
    )


def _blocking_file(path: Path) -> str | None:
    """`` (X is a file, not a folder)`` for the nearest existing ancestor of ``path`` that is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else f" ({candidate} is a file, not a folder)"
    return None


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: stop now, leaving the ledger as it is (each write is its own transaction).

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way swallows it.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(f"interrupted by signal {signal_number}")
        self.signal_number = signal_number

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code (docs/contract.md §4) for an error: a local OS error is 7, anything else unexpected 5."""
    if isinstance(error, AmcCltvError):
        return error.exit_code
    if isinstance(error, OSError):
        return ExitCode.LOCAL_FAULT
    return ExitCode.UNAVAILABLE

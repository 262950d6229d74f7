"""The one exception tree of amc-cltv: an error's class is what it means.

    AmcCltvError                      base; every error the tool raises on purpose
    ├── ConfigError                   bad config file, key, flag or secret
    ├── UsageError                    bad command-line input (window, parameter)
    ├── WorkflowLintError             SQL that AMC would reject, caught before upload
    ├── APIError                      anything that went wrong talking to AMC
    │   ├── APIStatusError            AMC answered with an error status; carries status_code,
    │   │   │                         request_id, AMC's code/details
    │   │   ├── BadRequestError 400, AuthenticationError 401, PermissionDeniedError 403,
    │   │   ├── NotFoundError 404, ConflictError 409, UnprocessableEntityError 422
    │   │   ├── RateLimitError 429 (carries retry_after)
    │   │   └── InternalServerError 5xx
    │   ├── APIConnectionError        no answer at all (connect error, dropped)
    │   │   └── APITimeoutError       the request timed out
    │   ├── AmbiguousSubmitError      a non-idempotent POST may or may not have taken
    │   │                             effect; the orchestrator must reconcile
    │   ├── MalformedResponseError    AMC answered 2xx with a body we cannot read
    │   │   └── ResponseLimitExceeded an answer or a listing passed one of the bounds
    │   │                             on what a server may send (or an unsafe id)
    │   ├── RetryBudgetExhausted      the per-process retry quota is spent
    │   └── DownloadError             a result file could not be fetched intact
    │       ├── DownloadUrlExpired    the pre-signed URL expired: ask AMC for fresh ones
    │       └── DownloadRefused       a URL or a file the tool will not take (a scheme,
    │                                 a redirect, a size or ratio bound): not retried
    ├── ExecutionFailed               AMC finished FAILED / REJECTED / CANCELLED
    ├── AudienceFailed                an audience FAILED
    ├── Refused                       the tool refused on purpose (audience below the
    │                                 minimum, DSP lag cannot be met)
    ├── NeedsHuman                    ambiguous state the tool will not guess about
    │   └── MalformedResult           a downloaded result file is not the CSV its
    │                                 workflow declares (no header, a bad cell)
    ├── StillRunning                  the wait ran out; resumable
    ├── LockHeld                      another invocation holds the lock
    └── LocalFault                    the machine's own fault: a path not writable,
                                      a full disk, a file where a folder is wanted

What each class means to a process is the CLI's to say (``amc_cltv/cli/exit_codes.py``, the exit codes of
docs/contract.md §4), and to an Airflow task the provider's (``amc_cltv/airflow/operators.py``).

Every message is safe to print: no token, secret or pre-signed URL credential is ever put in one.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the type alone: every command imports this module, and the client package is not cheap
    from amc_cltv.client.status import ExecutionStatus


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


class AmcCltvError(Exception):
    """Base of every error amc-cltv raises on purpose."""

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


class UsageError(AmcCltvError):
    """A command-line value is invalid (time window, parameter value, name)."""


class WorkflowLintError(AmcCltvError):
    """A workflow's SQL uses a construct AMC rejects; nothing was uploaded."""


class APIError(AmcCltvError):
    """Something went wrong talking to AMC (or the sandbox)."""

    def __init__(self, message: str, *, request_id: str | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.request_id = request_id

    def what(self) -> str:
        if self.request_id:
            return f"{self.message} (request id {self.request_id})"
        return self.message


class APIStatusError(APIError):
    """AMC answered with an error status."""

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

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("status_code", 429)
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx beyond the retry budget."""


class APIConnectionError(APIError):
    """No answer from AMC: connection refused, reset or dropped."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class AmbiguousSubmitError(APIError):
    """A non-idempotent POST failed in a way that leaves unknown whether AMC acted on it.

    Never re-sent blindly: the orchestrator reconciles by listing what exists.
    """


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

    def __init__(
        self, message: str, *, status: ExecutionStatus, status_reason: str | None, **context: Any
    ) -> None:
        super().__init__(message, **context)
        self.status = status
        self.status_reason = status_reason


class AudienceFailed(AmcCltvError):
    """AMC reported an audience as FAILED."""


class Refused(AmcCltvError):
    """The tool refused on purpose and sent nothing (e.g. audience below the minimum size)."""


class NeedsHuman(AmcCltvError):
    """An ambiguous state (e.g. several matching executions) that the tool will not guess about."""


class MalformedResult(NeedsHuman):
    """A downloaded result file is not the CSV its workflow declares: no header row, a row of the wrong
    width, a cell that is not of its column's declared type, or text that is not UTF-8. The message names
    the file (and the line when there is one); the file itself is left as it is for a person to look at."""


class StillRunning(AmcCltvError):
    """Still running when the wait ran out: the same call again resumes it."""


class LockHeld(AmcCltvError):
    """Another invocation holds the lock for this instance and workflow."""


class LocalFault(AmcCltvError):
    """The machine's own fault (permissions, a full disk, a file where a folder is wanted, the reverse).

    Never "unavailable, try later": retrying later does not help, a person fixes the path or the disk and
    runs again. The message names the path and the operating system's reason.
    """


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

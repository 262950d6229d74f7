"""The library speaks in outcomes and error classes; the CLI alone turns them into exit codes, from one table
(``amc_cltv/cli/exit_codes.py``) that says what docs/contract.md §4 says."""

from __future__ import annotations

import dataclasses
import signal

import pytest

from amc_cltv import errors
from amc_cltv.audience.every import EveryActivation, SegmentActivation
from amc_cltv.cli import exit_codes
from amc_cltv.cli.exit_codes import ExitCode
from amc_cltv.orchestration import checklist
from amc_cltv.orchestration.checklist import Kind
from amc_cltv.orchestration.ending import Ending
from amc_cltv.orchestration.fleet import FleetResult
from amc_cltv.orchestration.outcome import RunOutcome

# docs/contract.md §4, one row per error class of amc_cltv.errors: a new class must be added here.
CONTRACT: dict[type[Exception], int] = {
    errors.AmcCltvError: 2,
    errors.ConfigError: 2,  # usage or configuration error
    errors.UsageError: 2,
    errors.WorkflowLintError: 2,  # invalid SQL caught before upload
    errors.APIError: 5,  # AMC unavailable
    errors.APIStatusError: 2,  # AMC refused the request itself
    errors.BadRequestError: 2,
    errors.AuthenticationError: 2,
    errors.PermissionDeniedError: 2,
    errors.NotFoundError: 2,
    errors.ConflictError: 2,
    errors.UnprocessableEntityError: 2,
    errors.RateLimitError: 5,  # rate-limited beyond the retry budget
    errors.InternalServerError: 5,
    errors.APIConnectionError: 5,
    errors.APITimeoutError: 5,
    errors.AmbiguousSubmitError: 3,  # needs a person
    errors.MalformedResponseError: 5,
    errors.ResponseLimitExceeded: 5,  # past a [limits] bound
    errors.RetryBudgetExhausted: 5,
    errors.DownloadError: 5,
    errors.DownloadUrlExpired: 5,
    errors.DownloadRefused: 5,  # a size or ratio bound: no file is left
    errors.ExecutionFailed: 1,  # AMC finished it FAILED, REJECTED or CANCELLED
    errors.AudienceFailed: 1,
    errors.Refused: 1,  # the tool refused on purpose (an audience below min_size)
    errors.NeedsHuman: 3,
    errors.MalformedResult: 3,  # a downloaded result is not the CSV its workflow declares
    errors.StillRunning: 4,
    errors.LockHeld: 6,
    errors.LocalFault: 7,
}


def error_classes() -> set[type[Exception]]:
    return {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.AmcCltvError)
    }


def raised(kind: type[Exception]) -> Exception:
    """An error of class ``kind`` as the library raises it (with the arguments its class requires)."""
    if issubclass(kind, errors.ExecutionFailed):
        return kind("ended FAILED", status="FAILED", status_reason="no reason")
    if issubclass(kind, errors.APIStatusError) and kind is not errors.RateLimitError:
        return kind("refused", status_code=400)
    return kind("what happened")


def test_the_table_names_every_error_class_of_the_library() -> None:
    assert set(CONTRACT) == error_classes()


@pytest.mark.parametrize("kind", sorted(CONTRACT, key=lambda kind: kind.__name__), ids=lambda k: k.__name__)
def test_each_error_class_exits_with_the_contracts_code(kind: type[Exception]) -> None:
    assert exit_codes.for_error_class(kind) == CONTRACT[kind]
    assert exit_codes.for_error(raised(kind)) == CONTRACT[kind]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OSError(28, "No space left on device"), 7),  # a local fault, never "try again later"
        (PermissionError(13, "Permission denied"), 7),
        (IsADirectoryError(21, "Is a directory"), 7),
        (RuntimeError("unexpected"), 5),  # anything else unexpected
        (ValueError("unexpected"), 5),
        (errors.Interrupted(signal.SIGINT), 130),
        (errors.Interrupted(signal.SIGTERM), 143),
        (KeyboardInterrupt(), 130),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_what_the_library_does_not_raise_on_purpose(error: BaseException, code: int) -> None:
    assert exit_codes.for_error(error) == code


@pytest.mark.parametrize(
    ("ending", "code"),
    [(Ending.SUCCEEDED, 0), (Ending.UNSUCCESSFUL, 1), (Ending.STILL_RUNNING, 4)],
)
def test_each_ending_of_a_run_exits_with_the_contracts_code(ending: Ending, code: int) -> None:
    assert exit_codes.for_ending(ending) == code


def test_every_ending_has_a_code() -> None:
    assert set(exit_codes.ENDING_CODES) == set(Ending)


@pytest.mark.parametrize(
    ("problems", "code"),
    [
        ([], 0),
        ([Kind.CHECK], 1),
        ([Kind.CONFIG], 2),
        ([Kind.UNREACHABLE], 5),
        ([Kind.CHECK, Kind.CONFIG], 2),
        ([Kind.CONFIG, Kind.UNREACHABLE, Kind.CHECK], 5),
    ],
)
def test_doctors_verdict_exits_with_its_worst_problems_code(problems: list[Kind], code: int) -> None:
    checks = [checklist.ok("fine", "ok"), checklist.skipped("later", "skipped")]
    checks += [checklist.problem(f"check {i}", "broken", "fix it", kind) for i, kind in enumerate(problems)]
    assert exit_codes.for_verdict(checklist.verdict(checks)) == code


def test_the_codes_are_the_contracts() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 5, 6, 7, 130, 143]


def test_the_library_has_no_exit_code() -> None:
    """Outcomes carry their ending, errors their class: no exit code anywhere in the library's types."""
    for kind in error_classes():
        assert not hasattr(raised(kind), "exit_code"), kind.__name__
    assert not hasattr(errors.Interrupted(signal.SIGTERM), "exit_code")
    assert not hasattr(errors, "ExitCode") and not hasattr(errors, "exit_code_for")
    assert not hasattr(checklist, "exit_code")
    for library_type in (RunOutcome, FleetResult, SegmentActivation):
        assert "exit_code" not in {field.name for field in dataclasses.fields(library_type)}
        assert not hasattr(library_type, "exit_code")
    assert not hasattr(EveryActivation, "exit_code")

"""What a library error does to an Airflow task, decided by its class (the provider needs no exit code):
what a retry cannot fix fails the task at once, the rest fails the try for a retry."""

from __future__ import annotations

import pytest

from amc_cltv import errors
from tests.test_exit_codes import CONTRACT, raised

# A profile, a parameter or the SQL is wrong, or AMC refused the request itself: final.
FINAL = {
    errors.ConfigError,
    errors.UsageError,
    errors.WorkflowLintError,
    errors.APIStatusError,
    errors.BadRequestError,
    errors.AuthenticationError,
    errors.PermissionDeniedError,
    errors.NotFoundError,
    errors.ConflictError,
    errors.UnprocessableEntityError,
}


@pytest.mark.parametrize("kind", sorted(CONTRACT, key=lambda kind: kind.__name__), ids=lambda k: k.__name__)
def test_an_error_fails_the_task_or_the_try_by_its_class(kind: type[Exception]) -> None:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    from amc_cltv.airflow.operators import task_errors

    with pytest.raises(AirflowException) as failed, task_errors():
        raise raised(kind)
    assert isinstance(failed.value, AirflowFailException) is (kind in FINAL)
    assert str(failed.value) == str(raised(kind))  # one line, the library's words

"""AMC's status words, defined once: workflow executions and rule-based audiences (docs/amc-api.md).

Both sets are open. AMC has sent statuses its specification does not list (REJECTED, PUBLISHING), so a
status this module does not know is still accepted: it becomes a member that is not ``known``, keeps AMC's
spelling, and counts as still running (never terminal), so a poll keeps looking instead of crashing or
stopping early. Members are ``str``: they compare equal to AMC's words and serialise as them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self, TypeAlias


class _OpenStatus(StrEnum):
    """A StrEnum that accepts any string: an undeclared one is a member of its own that is not ``known``."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @classmethod
    def of(cls, value: str | None) -> Self | None:
        """``value`` as a status (None stays None): the one way code turns a stored word into a status."""
        return None if value is None else cls(value)

    @property
    def known(self) -> bool:
        """Whether AMC's documentation (or its observed behaviour) names this status."""
        return self._value_ in type(self)._value2member_map_


class ExecutionStatus(_OpenStatus):
    """A workflow execution's status. PENDING covers AMC's queue; PUBLISHING is the step before the end."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    PUBLISHING = "PUBLISHING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"

    @property
    def terminal(self) -> bool:
        """AMC has finished the execution (it will not change again)."""
        return self in _EXECUTION_TERMINAL

    @property
    def in_progress(self) -> bool:
        """Still running as far as the tool is concerned: every status that is not terminal, unknown too."""
        return not self.terminal


class AudienceStatus(_OpenStatus):
    """A rule-based audience's status. SUCCEEDED audiences go back to RUNNING while AMC refreshes them."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    DEACTIVATED = "DEACTIVATED"

    @property
    def final(self) -> bool:
        """AMC has built the audience, failed it or deactivated it: polling it can stop."""
        return self in _AUDIENCE_FINAL


# Either kind, where one piece of code follows both (the poll engine, its schedule).
Status: TypeAlias = ExecutionStatus | AudienceStatus

_EXECUTION_TERMINAL = frozenset(
    {ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED, ExecutionStatus.REJECTED}
)
_AUDIENCE_FINAL = frozenset({AudienceStatus.SUCCEEDED, AudienceStatus.FAILED, AudienceStatus.DEACTIVATED})


def is_terminal(status: str | None) -> bool:
    """Whether an execution status word (e.g. from the ledger) is terminal; None (not known yet) is not."""
    return status is not None and ExecutionStatus(status).terminal


def is_final(status: str | None) -> bool:
    """Whether an audience status word is final; None is not."""
    return status is not None and AudienceStatus(status).final

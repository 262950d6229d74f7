"""What the ledger holds: the record types, their states, and the run key.

Records are typed: AMC's status words are ``ExecutionStatus`` / ``AudienceStatus`` (open: a word AMC adds
later is kept as it is), times are aware ``datetime``s. SQLite stores the words and ISO 8601 strings; the
conversion happens here, in ``from_row`` and ``iso``, and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from amc_cltv.client.status import AudienceStatus, ExecutionStatus


class RunState(StrEnum):
    """Where a run stands in the tool's own walk (AMC's word for the execution is ``status``)."""

    SUBMITTING = "submitting"  # intent written, AMC's id not known yet
    SUBMITTED = "submitted"  # AMC's id known (submitted here, or adopted from AMC's list), not finished
    FINISHED = "finished"  # AMC reported a final status
    DOWNLOADED = "downloaded"  # SUCCEEDED and every result file verified on disk
    ABANDONED = "abandoned"  # the intent is known never to have reached AMC


class AudienceRecordState(StrEnum):
    """Where a rule-based audience stands in the tool's own walk."""

    CREATING = "creating"  # intent written, AMC's id not known yet
    CREATED = "created"  # AMC's id known
    RETIRING = "retiring"  # superseded by a newer audience, deletion pending
    DELETED = "deleted"  # deleted on AMC (or known never to have existed there)


def compute_run_key(
    *,
    instance_id: str,
    workflow_id: str,
    sql_sha256: str,
    time_window_start: str,
    time_window_end: str,
    time_zone: str,
    parameters: Mapping[str, str],
) -> str:
    """The same inputs give the same key (docs/reliability.md §5)."""
    payload = {
        "instance_id": instance_id,
        "workflow_id": workflow_id,
        "sql_sha256": sql_sha256,
        "time_window": [time_window_start, time_window_end, time_zone],
        "params": dict(parameters),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class RunRecord:
    id: int
    run_key: str
    attempt: int
    instance_id: str
    workflow: str
    workflow_id: str
    sql_sha256: str
    time_window_start: str
    time_window_end: str
    time_zone: str
    parameters: dict[str, str]
    state: RunState
    execution_id: str | None
    status: ExecutionStatus | None
    status_reason: str | None
    submitted_at: datetime
    finished_at: datetime | None
    downloaded_at: datetime | None
    updated_at: datetime
    adopted_at: datetime | None  # found on AMC's list rather than submitted by this ledger


@dataclass(frozen=True)
class FileRecord:
    execution_id: str
    name: str
    path: str
    bytes: int
    rows: int
    sha256: str


@dataclass(frozen=True)
class ApplyRecord:
    instance_id: str
    workflow_id: str
    workflow: str
    definition_sha256: str
    applied_at: datetime


@dataclass(frozen=True)
class AudienceRecord:
    id: int
    instance_id: str
    name: str
    segment: str
    rules_sha256: str
    state: AudienceRecordState
    audience_execution_id: str | None
    status: AudienceStatus | None
    status_reason: str | None
    audience_count: int | None
    dsp_audience_id: str | None
    time_window_start: str | None
    time_window_end: str | None
    requested_at: datetime
    created_at: datetime | None
    succeeded_at: datetime | None
    usable_in_dsp_at: datetime | None
    retired_at: datetime | None
    deleted_at: datetime | None
    updated_at: datetime
    audience_type: str = "RULE_BASED"  # AMC's audienceType: RULE_BASED or LOOKALIKE
    expected_reach: str | None = None  # a lookalike's lookalikeAudienceExpectedReach
    refresh_rate_days: int | None = None  # as sent to AMC
    seed_count: int | None = None  # the report's count of the segment when the audience was requested


R = TypeVar("R", RunRecord, FileRecord, ApplyRecord, AudienceRecord)

_TIME_FIELDS = {
    "submitted_at", "finished_at", "downloaded_at", "updated_at", "applied_at", "requested_at",
    "created_at", "succeeded_at", "usable_in_dsp_at", "retired_at", "deleted_at", "adopted_at",
}  # fmt: skip
_STATES: dict[type, type[StrEnum]] = {RunRecord: RunState, AudienceRecord: AudienceRecordState}
_STATUSES: dict[type, type[ExecutionStatus] | type[AudienceStatus]] = {
    RunRecord: ExecutionStatus,
    AudienceRecord: AudienceStatus,
}


def iso(moment: datetime | None) -> str | None:
    """A time as the ledger stores it: ISO 8601 in UTC. Naive times are refused."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def word(status: ExecutionStatus | AudienceStatus | None) -> str | None:
    """A status as the ledger stores it: AMC's word, a plain string."""
    return None if status is None else str(status)


def from_row(cls: type[R], row: sqlite3.Row) -> R:
    """A record from its row: times parsed, parameters decoded, the state and AMC's status as their
    enums."""
    values: dict[str, Any] = {}
    for field in fields(cls):
        value = row[field.name]
        if field.name in _TIME_FIELDS:
            value = datetime.fromisoformat(value) if value else None
        elif field.name == "parameters":
            value = json.loads(value)
        elif field.name == "state":
            value = _STATES[cls](value)
        elif field.name == "status":
            value = _STATUSES[cls].of(value)
        values[field.name] = value
    return cls(**values)

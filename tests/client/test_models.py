"""Response models are tolerant: flat or wrapped bodies, unknown fields kept, unknown statuses accepted."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from amc_cltv.client.models import (
    AudienceMetadata,
    CreateWorkflowExecution,
    DownloadUrls,
    ExecutionStatus,
    Instance,
    Schedule,
    Workflow,
    WorkflowExecution,
)
from amc_cltv.client.status import is_final, is_terminal

EXECUTION = {
    "workflowExecutionId": "e-1",
    "workflowId": "cltv_segmentation",
    "status": "SUCCEEDED",
    "timeWindowStart": "2024-01-01T00:00:00Z",
    "outputS3URI": "s3://bucket/workflow=cltv/",
    "dataGaps": [],
    "executionCategory": "AD_HOC",
}


@pytest.mark.parametrize("body", [EXECUTION, {"workflowExecution": EXECUTION}], ids=["flat", "wrapped"])
def test_execution_parses_flat_and_wrapped(body: dict[str, object]) -> None:
    """AMC answers flat in practice and the spec wraps in workflowExecution: both give the same model."""
    execution = WorkflowExecution.model_validate(body)
    assert execution.workflow_execution_id == "e-1"
    assert execution.output_s3_uri == "s3://bucket/workflow=cltv/"
    assert execution.terminal


@pytest.mark.parametrize(
    ("model", "key", "body"),
    [
        (Workflow, "workflow", {"workflowId": "w", "sqlQuery": "SELECT 1"}),
        (Schedule, "schedule", {"scheduleId": "s", "aggregationPeriod": "Daily"}),
        (
            Instance,
            "instance",
            {"instanceId": "amc1", "apiEndpoint": "https://advertising-api-eu.amazon.com"},
        ),
    ],
)
def test_wrapped_and_flat_bodies_give_equal_models(model: type, key: str, body: dict[str, str]) -> None:
    """``{"workflow": …}``, ``{"schedule": …}`` and ``{"instance": …}`` unwrap to the flat model."""
    assert model.model_validate({key: body}) == model.model_validate(body)


def test_unknown_fields_are_kept_and_dumped_back() -> None:
    """Fields AMC adds later survive a round trip, under AMC's own names."""
    execution = WorkflowExecution.model_validate(EXECUTION)
    assert execution.model_extra == {"dataGaps": [], "executionCategory": "AD_HOC"}
    assert execution.dump()["executionCategory"] == "AD_HOC"
    assert execution.dump()["outputS3URI"] == "s3://bucket/workflow=cltv/"


def test_unknown_status_values_parse() -> None:
    """An execution or audience status AMC has not documented never crashes; it is not terminal."""
    execution = WorkflowExecution.model_validate({"workflowExecutionId": "e", "status": "QUEUED_FOR_DATA"})
    assert execution.status == "QUEUED_FOR_DATA" and not execution.terminal
    audience = AudienceMetadata.model_validate(
        {"audienceExecutionId": "a", "status": "SYNCING", "audienceCount": "3100"}
    )
    assert audience.status == "SYNCING" and audience.audience_count == 3100
    assert not execution.status.known and execution.status.in_progress
    assert ExecutionStatus.REJECTED.terminal and ExecutionStatus("PUBLISHING").in_progress
    assert audience.status is not None and not audience.status.final and not audience.status.known


@pytest.mark.parametrize(
    ("word", "terminal"),
    [
        ("PENDING", False),
        ("RUNNING", False),
        ("PUBLISHING", False),
        ("SUCCEEDED", True),
        ("FAILED", True),
        ("CANCELLED", True),
        ("REJECTED", True),
        ("QUEUED_FOR_DATA", False),
        (None, False),
    ],
)
def test_every_execution_status_word_is_terminal_or_running(word: str | None, terminal: bool) -> None:
    """The one vocabulary: AMC's words as sent; anything AMC adds later counts as still running."""
    assert is_terminal(word) is terminal
    if word is not None:
        assert ExecutionStatus(word) == word and ExecutionStatus(word).in_progress is not terminal


@pytest.mark.parametrize(
    ("word", "final"),
    [
        ("PENDING", False),
        ("RUNNING", False),
        ("SUCCEEDED", True),
        ("FAILED", True),
        ("DEACTIVATED", True),
        ("SYNCING", False),
        (None, False),
    ],
)
def test_every_audience_status_word_is_final_or_running(word: str | None, final: bool) -> None:
    assert is_final(word) is final


def test_response_times_are_aware_datetimes() -> None:
    """AMC's times are parsed once, in the model: Z is UTC, a naive time is UTC, garbage is None."""
    execution = WorkflowExecution.model_validate(
        {
            "workflowExecutionId": "e",
            "createTime": "2026-11-25T16:18:00.123Z",
            "lastUpdatedTime": "2026-11-25T17:18:00",
            "expireTime": "next tuesday",
        }
    )
    assert execution.create_time == datetime(2026, 11, 25, 16, 18, 0, 123000, tzinfo=UTC)
    assert execution.last_updated_time == datetime(2026, 11, 25, 17, 18, tzinfo=UTC)
    assert execution.expire_time is None and execution.wait_until is None
    audience = AudienceMetadata.model_validate(
        {"audienceExecutionId": "a", "createTime": "2026-11-25T16:18:00+01:00"}
    )
    assert audience.create_time == datetime(2026, 11, 25, 15, 18, tzinfo=UTC)
    assert audience.create_time is not None and audience.create_time.tzinfo is not None


def test_the_submitted_window_is_read_in_its_own_time_zone() -> None:
    """``timeWindowStartOriginal`` has no offset: it is wall-clock time in ``timeWindowTimeZoneOriginal``."""
    execution = WorkflowExecution.model_validate(
        {
            "workflowExecution": {
                "workflowExecutionId": "e",
                "timeWindowStart": "2025-11-24T05:00:00Z",
                "timeWindowStartOriginal": "2025-11-24T00:00:00",
                "timeWindowTimeZoneOriginal": "America/New_York",
            }
        }
    )
    new_york = ZoneInfo("America/New_York")
    assert execution.time_window_start_original == datetime(2025, 11, 24, tzinfo=new_york)
    assert execution.time_window_start_original == execution.time_window_start


def test_requests_accept_snake_case_and_dump_camel_case_without_unset_fields() -> None:
    """Code writes snake_case; the wire gets AMC's camelCase and no nulls."""
    request = CreateWorkflowExecution(workflow_id="w", time_window_start="2024-01-01T00:00:00", dry_run=True)
    assert request.dump() == {"workflowId": "w", "timeWindowStart": "2024-01-01T00:00:00", "dryRun": True}
    assert CreateWorkflowExecution.model_validate({"workflowId": "w"}).workflow_id == "w"


@pytest.mark.parametrize("fields", [{}, {"workflow_id": "w", "workflow": Workflow(sql_query="SELECT 1")}])
def test_an_execution_is_either_saved_or_ad_hoc(fields: dict[str, object]) -> None:
    """Exactly one of workflow_id and workflow, as AMC requires."""
    with pytest.raises(ValidationError):
        CreateWorkflowExecution(**fields)  # type: ignore[arg-type]


def test_download_urls_repr_shows_no_url() -> None:
    """Pre-signed URLs are credentials; a repr in a log or traceback must not print them."""
    urls = DownloadUrls.model_validate({"downloadUrls": ["https://s3.test/f?X-Amz-Signature=abc"]})
    assert "X-Amz" not in repr(urls) and "s3.test" not in repr(urls)
    assert urls.download_urls == ["https://s3.test/f?X-Amz-Signature=abc"]

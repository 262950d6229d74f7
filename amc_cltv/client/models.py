"""Typed requests and responses of the AMC APIs used here (docs/amc-api.md §7).

Python names are snake_case; the wire uses AMC's camelCase (``populate_by_name`` lets code use either,
``dump`` writes camelCase). Response models are tolerant: unknown fields are kept, statuses are the open
enums of ``client/status.py`` (an unknown status never crashes), and the ``{"workflowExecution": …}`` /
``{"workflow": …}`` / ``{"schedule": …}`` wrappers of the spec are accepted as well as the flat bodies AMC
sends in practice. Times in responses are parsed here, once, into timezone-aware datetimes (``AmcTime``);
requests keep the exact strings AMC expects.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from amc_cltv.client.status import AudienceStatus, ExecutionStatus
from amc_cltv.errors import MalformedResponseError

__all__ = [
    "AudienceStatus",
    "ExecutionStatus",
]  # re-exported: the status vocabulary lives in client/status.py


def parse_amc_time(value: Any, zone: str | None = None) -> datetime | None:
    """One of AMC's response times as an aware datetime, or None when absent or unreadable.

    AMC writes ``2026-11-25T16:18:00.000Z``; a time without an offset is read in ``zone`` (UTC when not
    given, as AMC reports its own times). An unreadable value is None rather than an error: a time AMC
    formats differently must not fail a status call.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return moment


# A time in an AMC response: aware, or None.
AmcTime = Annotated[datetime | None, BeforeValidator(parse_amc_time)]


class AmcModel(BaseModel):
    """Base of every wire model: camelCase aliases, unknown fields kept."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    # The key under which the spec wraps this object (``{"workflow": {...}}``), if any.
    wrapper: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        if cls.wrapper and isinstance(value, dict) and isinstance(value.get(cls.wrapper), dict):
            return value[cls.wrapper]
        return value

    def dump(self) -> dict[str, Any]:
        """The JSON body AMC expects: camelCase, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


M = TypeVar("M", bound=AmcModel)


def parse_response(model: type[M], body: Any, endpoint: str) -> M:
    """Validate AMC's answer to ``endpoint``; a wrong shape is a MalformedResponseError naming the field."""
    try:
        return model.model_validate(body if body is not None else {})
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"]) or "(body)"
        raise MalformedResponseError(
            f"{endpoint}: AMC's answer does not have the expected shape ({field}: {problem['msg']})"
        ) from None


# --- administration -----------------------------------------------------------------------------


class AmcAccount(AmcModel):
    account_id: str
    account_name: str | None = None
    marketplace_id: str | None = None


class AccountsPage(AmcModel):
    amc_accounts: list[AmcAccount] = Field(default_factory=list)
    next_token: str | None = None


class Instance(AmcModel):
    wrapper: ClassVar[str | None] = "instance"

    instance_id: str
    instance_name: str | None = None
    instance_type: str | None = None
    creation_status: str | None = None
    api_endpoint: str | None = None
    s3_bucket_name: str | None = None
    s3_bucket_region: str | None = None
    optional_datasets: list[Any] | None = None  # paid datasets; the published pages do not show their form


class InstancesPage(AmcModel):
    instances: list[Instance] = Field(default_factory=list)
    next_token: str | None = None


class Advertiser(AmcModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    marketplace_id: str | None = None


class AdvertisersPage(AmcModel):
    advertisers: list[Advertiser] = Field(default_factory=list)
    next_token: str | None = None


# --- workflows ----------------------------------------------------------------------------------


class InputParameter(AmcModel):
    name: str
    data_type: str | None = None
    column_type: str | None = None
    default_value: Any = None
    description: str | None = None
    display_name: str | None = None


class OutputColumn(AmcModel):
    name: str
    column_type: str | None = None
    data_type: str | None = None
    data_type_precision: int | None = None
    data_type_scale: int | None = None
    description: str | None = None


class Workflow(AmcModel):
    """A saved AMC query (also the inline ``workflow`` of an ad-hoc execution)."""

    wrapper: ClassVar[str | None] = "workflow"

    workflow_id: str | None = None
    sql_query: str | None = None
    input_parameters: list[InputParameter] | None = None
    output_columns: list[OutputColumn] | None = None
    filtered_metrics_discriminator_column: str | None = None
    privacy_filtering_behavior: str | None = None
    output_format: dict[str, Any] | None = None
    input_schema: str | None = None
    distinct_user_count_column: str | None = None
    filtered_reason_column: str | None = None


class DataSourceColumn(AmcModel):
    name: str
    column_type: str | None = None  # DIMENSION or METRIC


class DataSource(AmcModel):
    """A table the instance can read, as ``GET dataSources`` lists it."""

    data_source_id: str
    columns: list[DataSourceColumn] = Field(default_factory=list)


class DataSourcesPage(AmcModel):
    data_sources: list[DataSource] = Field(default_factory=list)
    next_token: str | None = None


class WorkflowsPage(AmcModel):
    workflows: list[Workflow] = Field(default_factory=list)
    next_token: str | None = None


# --- executions ---------------------------------------------------------------------------------


class ExecutionAdvertiser(AmcModel):
    id: str
    marketplace_id: str | None = None
    type: str | None = None


class CreateWorkflowExecution(AmcModel):
    """Run a saved workflow (``workflow_id``) or an ad-hoc one (inline ``workflow``)."""

    workflow_id: str | None = None
    workflow: Workflow | None = None
    time_window_type: str | None = None
    time_window_start: str | None = None
    time_window_end: str | None = None
    time_window_time_zone: str | None = None
    parameter_values: dict[str, Any] | None = None
    workflow_execution_timeout_seconds: int | None = None
    dry_run: bool | None = None
    skip_publish: bool | None = None
    require_synthetic_data: bool | None = None
    disable_aggregation_controls: bool | None = None
    advertisers: list[ExecutionAdvertiser] | None = None

    @model_validator(mode="after")
    def _saved_or_ad_hoc(self) -> CreateWorkflowExecution:
        if (self.workflow_id is None) == (self.workflow is None):
            raise ValueError("give exactly one of workflow_id (saved) or workflow (ad hoc)")
        return self


class OutputChannel(AmcModel):
    channel: dict[str, Any] | None = None
    status: str | None = None
    status_reason: str | None = None


_ORIGINAL_BOUNDS = ("timeWindowStartOriginal", "timeWindowEndOriginal")


class WorkflowExecution(AmcModel):
    wrapper: ClassVar[str | None] = "workflowExecution"

    workflow_execution_id: str
    workflow_id: str | None = None
    status: ExecutionStatus = ExecutionStatus.PENDING
    status_reason: str | None = None
    create_time: AmcTime = None
    last_updated_time: AmcTime = None
    expire_time: AmcTime = None
    wait_until: AmcTime = None
    time_window_type: str | None = None
    time_window_start: AmcTime = None  # UTC
    time_window_end: AmcTime = None
    time_window_time_zone: str | None = None
    # The window as submitted: wall-clock times in ``time_window_time_zone_original`` (made aware below).
    time_window_start_original: AmcTime = None
    time_window_end_original: AmcTime = None
    time_window_time_zone_original: str | None = None
    workflow_execution_timeout_seconds: int | None = None
    output_s3_uri: str | None = Field(default=None, alias="outputS3URI")
    output_channels: list[OutputChannel] | None = None
    parameter_values: dict[str, Any] | None = None
    sql_query: str | None = None
    require_synthetic_data: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _original_window_in_its_zone(cls, value: Any) -> Any:
        """The submitted window bounds carry no offset: they are wall-clock times in the submitted zone."""
        body = value.get(cls.wrapper) if isinstance(value, dict) else None
        body = body if isinstance(body, dict) else value
        if not isinstance(body, dict):
            return value
        zone = body.get("timeWindowTimeZoneOriginal") or body.get("timeWindowTimeZone")
        zone = zone if isinstance(zone, str) else None
        resolved = {key: parse_amc_time(body[key], zone) for key in _ORIGINAL_BOUNDS if key in body}
        return {**body, **resolved} if resolved else value

    @property
    def terminal(self) -> bool:
        return self.status.terminal


class ExecutionsPage(AmcModel):
    executions: list[WorkflowExecution] = Field(default_factory=list)
    next_token: str | None = None


class DownloadUrls(AmcModel):
    download_urls: list[str] = Field(default_factory=list)
    metadata_download_urls: list[str] = Field(default_factory=list)
    next_token: str | None = None

    def __repr__(self) -> str:  # pre-signed URLs are credentials: never in a repr
        return (
            f"DownloadUrls({len(self.download_urls)} urls, {len(self.metadata_download_urls)} metadata urls)"
        )


# --- schedules ----------------------------------------------------------------------------------


class Schedule(AmcModel):
    wrapper: ClassVar[str | None] = "schedule"

    schedule_id: str
    workflow_id: str | None = None
    aggregation_period: str | None = None  # Daily | Weekly
    aggregation_start_day: str | None = None
    aggregation_hour_utc: int | None = None
    schedule_enabled: bool | None = None
    require_synthetic_data: bool | None = None
    disable_aggregation_controls: bool | None = None
    marketplace_id: str | None = None


class SchedulesPage(AmcModel):
    schedules: list[Schedule] = Field(default_factory=list)
    next_token: str | None = None


# --- rule-based audiences -----------------------------------------------------------------------


class AudienceRequest(AmcModel):
    """Create (POST) or fix (PUT, with ``audience_type``) a rule-based audience."""

    audience_name: str
    advertiser_id: str
    time_window_start: str
    time_window_end: str
    audience_description: str | None = None
    query: str | None = None
    workflow_id: str | None = None
    time_window_relative: bool | None = None
    refresh_rate_days: int | None = None
    country_code: str | None = None
    input_parameters: list[InputParameter] | None = None
    parameter_values: dict[str, Any] | None = None
    audience_type: str | None = None

    @model_validator(mode="after")
    def _query_or_workflow(self) -> AudienceRequest:
        if (self.query is None) == (self.workflow_id is None):
            raise ValueError("give exactly one of query or workflow_id")
        return self


class LookalikeReach(StrEnum):
    """``lookalikeAudienceExpectedReach``: from the most similar (smallest) to the broadest audience."""

    MOST_SIMILAR = "MOST_SIMILAR"
    SIMILAR = "SIMILAR"
    BALANCED = "BALANCED"
    BROAD = "BROAD"
    MOST_BROAD = "MOST_BROAD"


class LookalikeAudienceRequest(AudienceRequest):
    """Create a lookalike audience (``POST /amc/audiences/lookalike``): the rule-based body, whose query is
    the seed, plus the expected reach; ``refreshRateDays`` 7 to 21 (docs/amc-api.md §4.6)."""

    lookalike_audience_expected_reach: LookalikeReach
    refresh_rate_days: Annotated[int, Field(ge=7, le=21)] | None = None


class AudienceExecution(AmcModel):
    """What AMC answers to a create or update: the audience's id and first status."""

    audience_execution_id: str
    status: AudienceStatus | None = None
    audience_execution_description: str | None = None


class AudienceMetadata(AmcModel):
    audience_execution_id: str
    status: AudienceStatus | None = None
    status_reason: str | None = None
    instance_id: str | None = None
    advertiser_id: str | None = None
    advertiser_type: str | None = None
    audience_type: str | None = None
    audience_name: str | None = None
    audience_description: str | None = None
    query: str | None = None
    workflow_id: str | None = None
    time_window_start: AmcTime = None
    time_window_end: AmcTime = None
    time_window_relative: bool | None = None
    refresh_rate_days: int | None = None
    create_time: AmcTime = None
    last_refreshed_time: AmcTime = None
    audience_count: int | None = None
    dsp_audience_id: str | None = None
    dsp_canonical_id: str | None = None
    deletable: bool | None = None
    lookalike_audience_expected_reach: str | None = None


class AudiencesPage(AmcModel):
    execution_metadata: list[AudienceMetadata] = Field(default_factory=list)
    next_token: str | None = None

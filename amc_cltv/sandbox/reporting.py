"""The reporting API (``/amc/reporting/{instanceId}/...``): workflows, executions, schedules, data sources."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request

from amc_cltv.sandbox.clock import SandboxClock
from amc_cltv.sandbox.faults import Faults
from amc_cltv.sandbox.lifecycle import ACTIVE, iso, parse_iso
from amc_cltv.sandbox.store import Store
from amc_cltv.sandbox.tables import ALL_TABLES
from amc_cltv.sandbox.wire import (
    INSTANCE_ID,
    AmcError,
    current_instance,
    flag,
    json_body,
    page,
    parse_amc_time,
    scoped,
    time_zone,
)

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED", "REJECTED")
NUMERIC_TYPES = {"INTEGER", "LONG", "SHORT", "BYTE"}
DECIMAL_TYPES = {"DOUBLE", "FLOAT", "DECIMAL"}


def _kind(kind: str) -> str:
    """The store kind of this request's instance."""
    return scoped(kind, current_instance.get())


def _check_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise AmcError(400, f"Invalid {field}: only letters, digits, '.', '-' and '_' are allowed.")
    return value


def typed_parameters(declared: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, object]:
    """Each declared parameter's value (the given one, else its default), typed by its ``dataType``."""
    by_name = {str(p.get("name")): p for p in declared if isinstance(p, dict)}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise AmcError(400, f"Parameter {unknown[0]} is not declared in the workflow's inputParameters.")
    resolved: dict[str, object] = {}
    for name, spec in by_name.items():
        value = values.get(name, spec.get("defaultValue"))
        data_type = spec.get("dataType")
        kind = str(data_type.get("type") if isinstance(data_type, dict) else data_type or "STRING").upper()
        try:
            if value is None or isinstance(value, list):
                resolved[name] = value
            elif kind in NUMERIC_TYPES:
                resolved[name] = int(value)
            elif kind in DECIMAL_TYPES:
                resolved[name] = float(value)
            elif kind == "BOOLEAN":
                resolved[name] = flag(value)
            else:
                resolved[name] = str(value)
        except (TypeError, ValueError):
            raise AmcError(400, f"Invalid value for parameter {name}: expected {kind}.") from None
    return resolved


def time_window(body: dict[str, Any], now: datetime) -> tuple[datetime, datetime, str, str]:
    """The execution's window in UTC from ``timeWindowType`` and friends (sandbox time for relative ones)."""
    kind = str(body.get("timeWindowType") or "MOST_RECENT_DAY").upper()
    zone_name = str(body.get("timeWindowTimeZone") or "UTC")
    zone = time_zone(zone_name)
    local_today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "EXPLICIT":
        if not body.get("timeWindowStart") or not body.get("timeWindowEnd"):
            raise AmcError(400, "timeWindowStart and timeWindowEnd are required for an EXPLICIT time window.")
        start = parse_amc_time(body["timeWindowStart"], "timeWindowStart", zone=zone_name)
        end = parse_amc_time(body["timeWindowEnd"], "timeWindowEnd", zone=zone_name)
    elif body.get("timeWindowStart") or body.get("timeWindowEnd"):
        raise AmcError(
            400, "timeWindowStart and timeWindowEnd may only be given for an EXPLICIT time window."
        )
    elif kind == "MOST_RECENT_DAY":
        start, end = local_today - timedelta(days=1), local_today
    elif kind == "MOST_RECENT_WEEK":
        start, end = local_today - timedelta(days=7), local_today
    elif kind == "CURRENT_MONTH":
        start, end = local_today.replace(day=1), local_today
    elif kind == "PREVIOUS_MONTH":
        end = local_today.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
    elif kind == "ALL":
        start, end = local_today - timedelta(days=396), local_today
    else:
        raise AmcError(400, f"Invalid timeWindowType '{kind}'.")
    if end <= start:
        raise AmcError(400, "timeWindowEnd must be after timeWindowStart.")
    return start, end, kind, zone_name


class Reporting:
    """Handlers of the reporting API for the one sandbox instance."""

    def __init__(self, store: Store, clock: SandboxClock, faults: Faults) -> None:
        self._store = store
        self._clock = clock
        self._faults = faults

    # -- workflows --------------------------------------------------------------------------------------

    def create_workflow(self, request: Request) -> dict[str, Any]:
        body = json_body(request)
        workflow_id = _check_id(body.get("workflowId"), "workflowId")
        if not isinstance(body.get("sqlQuery"), str) or not body["sqlQuery"].strip():
            raise AmcError(400, "sqlQuery is required.")
        now = iso(self._clock.now())
        with self._store.transaction():
            if self._store.get(_kind("workflow"), workflow_id) is not None:
                raise AmcError(400, f"Workflow with ID {workflow_id} already exists.")
            self._store.put(
                _kind("workflow"), workflow_id, {**body, "createTime": now, "lastUpdatedTime": now}
            )
        return {}

    def _workflow(self, workflow_id: str) -> dict[str, Any]:
        workflow = self._store.get(_kind("workflow"), workflow_id)
        if workflow is None:
            raise AmcError(404, f"Workflow with ID {workflow_id} not found.")
        return workflow

    def get_workflow(self, request: Request, workflow_id: str) -> dict[str, Any]:
        return self._workflow(workflow_id)

    def list_workflows(self, request: Request) -> dict[str, Any]:
        return page(self._store.all(_kind("workflow")), "workflows", request)

    def update_workflow(self, request: Request, workflow_id: str) -> dict[str, Any]:
        body = json_body(request)
        if body.get("workflowId", workflow_id) != workflow_id:
            raise AmcError(400, "The workflowId in the body does not match the path.")
        if not isinstance(body.get("sqlQuery"), str) or not body["sqlQuery"].strip():
            raise AmcError(400, "sqlQuery is required.")
        with self._store.transaction():
            existing = self._workflow(workflow_id)
            replaced = {**body, "workflowId": workflow_id, "createTime": existing["createTime"]}
            self._store.put(
                _kind("workflow"), workflow_id, {**replaced, "lastUpdatedTime": iso(self._clock.now())}
            )
        return {}

    def delete_workflow(self, request: Request, workflow_id: str) -> dict[str, Any]:
        with self._store.transaction():
            self._workflow(workflow_id)
            if any(s.get("workflowId") == workflow_id for s in self._store.all(_kind("schedule"))):
                raise AmcError(400, f"Workflow with ID {workflow_id} is referenced by a schedule.")
            self._store.delete(_kind("workflow"), workflow_id)
        return {}

    # -- executions -------------------------------------------------------------------------------------

    def create_execution(self, request: Request) -> dict[str, Any]:
        body = json_body(request)
        now = self._clock.now()
        inline = body.get("workflow")
        if body.get("workflowId") and inline:
            raise AmcError(400, "workflowId cannot be populated at the same time as workflow.")
        if body.get("workflowId"):
            workflow = self._workflow(str(body["workflowId"]))
            workflow_id = workflow["workflowId"]
        elif isinstance(inline, dict) and isinstance(inline.get("sqlQuery"), str):
            workflow = inline
            workflow_id = inline.get("workflowId") or f"transient_{uuid.uuid4()}"
        else:
            raise AmcError(400, "Either workflowId or workflow with a sqlQuery is required.")
        start, end, kind, zone = time_window(body, now)
        timeout = _whole_number(
            body.get("workflowExecutionTimeoutSeconds") or 21600, "workflowExecutionTimeoutSeconds"
        )
        if not 900 <= timeout <= 86400:
            raise AmcError(400, "workflowExecutionTimeoutSeconds must be between 900 and 86400.")
        values = body.get("parameterValues") or {}
        if not isinstance(values, dict):
            raise AmcError(400, "parameterValues must be an object.")
        parameters = typed_parameters(list(workflow.get("inputParameters") or []), values)
        execution_id = str(uuid.uuid4())
        forced = self._faults.take(request.method, request.path, ("execution_outcome",))
        doc = {
            "workflowExecutionId": execution_id,
            "workflowId": workflow_id,
            "instanceId": current_instance.get(),
            "status": "PENDING",
            "statusReason": None,
            "createTime": iso(now),
            "lastUpdatedTime": iso(now),
            "expireTime": iso(now + timedelta(hours=24)),
            "timeWindowType": kind,
            "timeWindowStart": iso(start),
            "timeWindowEnd": iso(end),
            "timeWindowStartOriginal": body.get("timeWindowStart"),
            "timeWindowEndOriginal": body.get("timeWindowEnd"),
            "timeWindowTimeZoneOriginal": zone,
            "workflowExecutionTimeoutSeconds": timeout,
            "parameterValues": values,
            "resolvedParameters": parameters,
            "sqlQuery": workflow["sqlQuery"],
            "filteredColumns": [
                workflow.get("filteredMetricsDiscriminatorColumn"),
                workflow.get("filteredReasonColumn"),
            ],
            "declaredOutputColumns": [
                str(c.get("name")) for c in workflow.get("outputColumns") or [] if isinstance(c, dict)
            ],
            "requireSyntheticData": flag(body.get("requireSyntheticData")),
            "disableAggregationControls": flag(body.get("disableAggregationControls")),
            "dryRun": flag(body.get("dryRun")),
            "advertisers": body.get("advertisers") or None,
            "skipPublish": flag(body.get("skipPublish")),
            "forcedOutcome": forced[0] if forced else None,
        }
        self._store.put("execution", execution_id, doc)
        return execution_view(doc, include_workflow=False)

    def _execution(self, execution_id: str) -> dict[str, Any]:
        execution = self._store.get("execution", execution_id)
        if execution is None or execution.get("instanceId", INSTANCE_ID) != current_instance.get():
            raise AmcError(404, f"Workflow execution with ID {execution_id} not found.")
        return execution

    def get_execution(self, request: Request, execution_id: str) -> dict[str, Any]:
        view = execution_view(
            self._execution(execution_id), include_workflow=flag(request.args.get("includeWorkflow"))
        )
        odd = self._faults.take(request.method, request.path, ("unknown_status",))
        if odd:
            view["status"] = str(odd[0].get("status") or "PUBLISHING")
        return view

    def list_executions(self, request: Request) -> dict[str, Any]:
        args = request.args
        workflow_id = args.get("workflowId")
        zone = args.get("timeZone") or "UTC"
        if not workflow_id and not args.get("minCreationTime"):
            raise AmcError(400, "Either workflowId or minCreationTime is required.")
        low = (
            parse_amc_time(args["minCreationTime"], "minCreationTime", zone=zone)
            if args.get("minCreationTime")
            else None
        )
        high = (
            parse_amc_time(args["maxCreationTime"], "maxCreationTime", zone=zone)
            if args.get("maxCreationTime")
            else None
        )
        include_cancelled = flag(args.get("includeCancelled"))
        include_workflow = flag(args.get("includeWorkflow"))
        selected = []
        for execution in self._store.all("execution"):
            if execution.get("instanceId", INSTANCE_ID) != current_instance.get():
                continue
            created = parse_iso(execution["createTime"])
            if workflow_id and execution["workflowId"] != workflow_id:
                continue
            if (low and created < low) or (high and created > high):
                continue
            if execution["status"] == "CANCELLED" and not include_cancelled:
                continue
            selected.append(execution)
        selected.sort(key=lambda e: e["createTime"], reverse=not flag(args.get("sortAscending")))
        views = [execution_view(e, include_workflow=include_workflow) for e in selected]
        return page(views, "executions", request)

    def cancel_execution(self, request: Request, execution_id: str) -> dict[str, Any]:
        body = json_body(request)
        if body.get("status") != "CANCELLED":
            raise AmcError(400, "Only a status of CANCELLED may be set on an execution.")
        with self._store.transaction():
            execution = self._execution(execution_id)
            if execution["status"] not in ACTIVE:
                raise AmcError(
                    400,
                    f"Workflow execution {execution_id} is {execution['status']} "
                    "and can no longer be cancelled.",
                )
            now = iso(self._clock.now())
            execution.update(status="CANCELLED", lastUpdatedTime=now, endTime=now)
            self._store.put("execution", execution_id, execution)
        return {}

    def downloadable(self, execution_id: str) -> dict[str, Any]:
        """The execution, if its results can be downloaded; AMC's message otherwise."""
        execution = self._execution(execution_id)
        if execution["status"] != "SUCCEEDED" or not execution.get("files"):
            raise AmcError(400, f"Execution with ID {execution_id} is unavailable for download.")
        return execution

    # -- schedules --------------------------------------------------------------------------------------

    def _check_schedule(self, body: dict[str, Any]) -> None:
        _coerce_schedule(body)
        self._workflow(str(body.get("workflowId")))
        if body.get("aggregationPeriod") not in ("Daily", "Weekly"):
            raise AmcError(400, "aggregationPeriod must be Daily or Weekly.")
        hour = body.get("aggregationHourUtc", 0)
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            raise AmcError(400, "aggregationHourUtc must be an integer between 0 and 23.")

    def create_schedule(self, request: Request) -> dict[str, Any]:
        body = json_body(request)
        schedule_id = _check_id(body.get("scheduleId"), "scheduleId")
        self._check_schedule(body)
        with self._store.transaction():
            if self._store.get(_kind("schedule"), schedule_id) is not None:
                raise AmcError(400, f"Schedule with ID {schedule_id} already exists.")
            body.setdefault("scheduleEnabled", True)
            self._store.put(_kind("schedule"), schedule_id, {**body, "createTime": iso(self._clock.now())})
        return {}

    def _schedule(self, schedule_id: str) -> dict[str, Any]:
        schedule = self._store.get(_kind("schedule"), schedule_id)
        if schedule is None:
            raise AmcError(404, f"Schedule with ID {schedule_id} not found.")
        return schedule

    def get_schedule(self, request: Request, schedule_id: str) -> dict[str, Any]:
        return self._schedule(schedule_id)

    def list_schedules(self, request: Request) -> dict[str, Any]:
        return page(self._store.all(_kind("schedule")), "schedules", request)

    def update_schedule(self, request: Request, schedule_id: str) -> dict[str, Any]:
        body = json_body(request)
        self._check_schedule(body)
        with self._store.transaction():
            existing = self._schedule(schedule_id)
            self._store.put(
                _kind("schedule"),
                schedule_id,
                {**body, "scheduleId": schedule_id, "createTime": existing["createTime"]},
            )
        return {}

    def delete_schedule(self, request: Request, schedule_id: str) -> dict[str, Any]:
        with self._store.transaction():
            self._schedule(schedule_id)
            self._store.delete(_kind("schedule"), schedule_id)
        return {}

    # -- data sources -----------------------------------------------------------------------------------

    def list_data_sources(self, request: Request) -> dict[str, Any]:
        return page([data_source(name) for name in ALL_TABLES], "dataSources", request)

    def get_data_source(self, request: Request, data_source_id: str) -> dict[str, Any]:
        if data_source_id not in ALL_TABLES:
            raise AmcError(404, f"Data source {data_source_id} not found.")
        return {"dataSource": data_source(data_source_id)}


def _whole_number(value: Any, field: str) -> int:
    """An integer, or its decimal string as Amazon's sample client sends it (``"86400"``); else a 400."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise AmcError(400, f"{field} must be a whole number of seconds.")


SCHEDULE_FLAGS = ("scheduleEnabled", "requireSyntheticData", "disableAggregationControls")


def _coerce_schedule(body: dict[str, Any]) -> None:
    """What AMC's own sample client sends as strings, as the types a schedule has: ``"True"`` a boolean,
    ``"8"`` an hour (docs/amc-api.md §9.4). Anything else is left for the checks that follow."""
    for name in SCHEDULE_FLAGS:
        if isinstance(body.get(name), str):
            body[name] = flag(body[name])
    hour = body.get("aggregationHourUtc")
    if isinstance(hour, str) and hour.strip().isdigit():
        body["aggregationHourUtc"] = int(hour)


def data_source(name: str) -> dict[str, Any]:
    """A table as AMC's ``GET dataSources`` describes it (WMS spec ``DataSource``): its documented columns,
    each DIMENSION or METRIC; the spec's column has no type field, so AMC's type name and unit are in its
    ``description``."""
    table = ALL_TABLES[name].documented
    columns = [
        {
            "name": column.name,
            "columnType": column.column_type,
            "description": column.type + (f", {column.unit}" if column.unit else ""),
        }
        for column in table.columns
    ]
    audience = " Readable only by audience queries." if name.endswith("_for_audiences") else ""
    return {
        "dataSourceId": name,
        "description": f"The AMC table {name}, as documented by Amazon Marketing Cloud.{audience}",
        "owner": "AMAZON",
        "provider": "AMAZON",
        "columns": columns,
        "tags": [],
        "outputChannels": [{"channel": {"type": "DOWNLOAD"}, "outputAvailable": True}],
    }


_HIDDEN = (
    "resolvedParameters",
    "declaredOutputColumns",
    "filteredColumns",
    "forcedOutcome",
    "files",
    "rows",
    "waitedForSlot",
    "sqlQuery",
    "startTime",
    "endTime",
)


def execution_view(doc: dict[str, Any], *, include_workflow: bool) -> dict[str, Any]:
    """The flat WorkflowExecution body AMC returns."""
    view = {k: v for k, v in doc.items() if k not in _HIDDEN and v is not None}
    view["executionCategory"] = "AD_HOC"
    view["dataGaps"] = []
    view["outputS3URI"] = (
        f"s3://amc-sandbox-{doc.get('instanceId', INSTANCE_ID)}/workflow={doc['workflowId']}/schedule=adhoc/"
    )
    channel_status = {"SUCCEEDED": "AVAILABLE", "PENDING": "PENDING", "RUNNING": "PENDING"}.get(
        doc["status"], "UNAVAILABLE"
    )
    view["outputChannels"] = [{"channel": {"type": "DOWNLOAD"}, "status": channel_status}]
    if doc["status"] in TERMINAL and doc.get("endTime"):
        view["lastUpdatedTime"] = doc["endTime"]
    if include_workflow:
        view["sqlQuery"] = doc["sqlQuery"]
    return view

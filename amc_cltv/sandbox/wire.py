"""What every sandbox endpoint shares: AMC's error bodies, JSON responses, and request parsing."""

from __future__ import annotations

import json
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from werkzeug.wrappers import Request, Response

# The ids the sandbox serves (configs/sandbox.toml writes the same values out).
INSTANCE_ID = "amcsandbox01"
ADVERTISER_ID = "ENTITYSANDBOX0001"
MARKETPLACE_ID = "ATVPDKIKX0DER"
ACCOUNT_NAME = "AMC sandbox account"

# The reporting instance a request names in its path (one per request thread or task).
current_instance: ContextVar[str] = ContextVar("current_instance", default=INSTANCE_ID)


def instance_ids(count: int) -> list[str]:
    """The instances a sandbox with ``instances = count`` serves: amcsandbox01, amcsandbox02, ..."""
    return [f"amcsandbox{number:02d}" for number in range(1, max(1, count) + 1)]


def scoped(kind: str, instance_id: str) -> str:
    """The store kind of an instance's workflows or schedules (the first instance keeps the plain kind)."""
    return kind if instance_id == INSTANCE_ID else f"{kind}@{instance_id}"


# The media type each API family answers with, by route (docs/amc-api.md §2.5): the vendor types of Amazon's
# OpenAPI specifications. Requests may carry these, plain application/json, or no Content-Type at all.
_VENDOR = "application/vnd.{}+json"
MEDIA_TYPES = {
    "accounts": _VENDOR.format("amcaudiencesconnections.v1"),
    "instances": _VENDOR.format("amcinstances.v1"),
    "instance": _VENDOR.format("amcinstances.v1"),
    "advertisers": _VENDOR.format("amcinstances.v1"),
    "workflows": _VENDOR.format("amcworkflows.v1"),
    "workflow": _VENDOR.format("amcworkflows.v1"),
    "executions": _VENDOR.format("amcworkflowexecutions.v1"),
    "execution": _VENDOR.format("amcworkflowexecutions.v1"),
    "download_urls": _VENDOR.format("amcworkflowexecutions.v1"),
    "schedules": _VENDOR.format("amcschedules.v1"),
    "schedule": _VENDOR.format("amcschedules.v1"),
    "data_sources": _VENDOR.format("amcdatasources.v1"),
    "data_source": _VENDOR.format("amcdatasources.v1"),
    "audiences": _VENDOR.format("amcquerybasedaudience.v1"),
    "audience": _VENDOR.format("amcquerybasedaudience.v1"),
    "audience_lookalike": _VENDOR.format("amcquerybasedaudience.v1"),
}
# The versions of an audience read the client may ask for with Accept (v1.2 adds ``deletable`` and more).
AUDIENCE_READ_TYPES = tuple(_VENDOR.format(f"amcquerybasedaudience.{v}") for v in ("v1", "v1.1", "v1.2"))
AUDIENCE_UPDATED_TYPE = _VENDOR.format("amcquerybasedaudience.v1.2")
LOOKALIKE_CREATED_TYPE = _VENDOR.format("amclookalikeaudience.v1")


def answer_media_type(endpoint: str, method: str, status: int, accept: str) -> str | None:
    """The Content-Type of an answer on ``endpoint`` (None: not an AMC route, keep plain JSON)."""
    media_type = MEDIA_TYPES.get(endpoint)
    if media_type is None or status >= 300:
        return media_type
    if endpoint == "audience_lookalike":
        return LOOKALIKE_CREATED_TYPE
    if endpoint.startswith("audience"):
        if method == "GET":
            asked = [t for t in AUDIENCE_READ_TYPES if t in accept]
            return asked[-1] if asked else media_type
        if method == "PUT":
            return AUDIENCE_UPDATED_TYPE
    return media_type


AMC_TIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%fZ",
)


class AmcError(Exception):
    """An error answer in AMC's shape: ``{"code": "<status>", "details": "..."}`` (plus extra headers)."""

    def __init__(self, status: int, details: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(details)
        self.status = status
        self.details = details
        self.headers = headers or {}

    def response(self, *, audience: bool = False) -> Response:
        body: dict[str, Any] = {"code": str(self.status), "details": self.details}
        if audience:
            body["requestId"] = request_id()
        return json_response(body, self.status, headers=self.headers)


def request_id() -> str:
    return uuid.uuid4().hex.upper()[:20]


def json_response(body: Any, status: int = 200, *, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["x-amzn-RequestId"] = request_id()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; AmcError 400 otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise AmcError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise AmcError(400, "The request body must be a JSON object.")
    return body


def flag(value: Any, default: bool = False) -> bool:
    """A boolean from JSON or a query string (``true``/``false``, any case)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def parse_amc_time(value: Any, field: str, *, zone: str = "UTC") -> datetime:
    """``yyyy-MM-ddTHH:mm:ss`` (a trailing Z or milliseconds accepted) in ``zone``, as aware UTC."""
    if not isinstance(value, str):
        raise AmcError(400, f"{field} must be a string in the format yyyy-MM-ddTHH:mm:ss.")
    for pattern in AMC_TIME_FORMATS:
        try:
            naive = datetime.strptime(value, pattern)
        except ValueError:
            continue
        tz = UTC if value.endswith("Z") else time_zone(zone)
        return naive.replace(tzinfo=tz).astimezone(UTC)
    raise AmcError(400, f"Invalid {field} '{value}': expected the format yyyy-MM-ddTHH:mm:ss.")


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AmcError(400, f"Invalid time zone '{name}'.") from None


def page(
    items: list[dict[str, Any]], key: str, request: Request, *, limit_param: str = "limit"
) -> dict[str, Any]:
    """One page of ``items`` under ``key`` with an opaque ``nextToken`` (absent on the last page)."""
    try:
        limit = int(request.args.get(limit_param) or 100)
        start = int(request.args.get("nextToken") or 0)
    except ValueError:
        raise AmcError(400, f"Invalid {limit_param} or nextToken.") from None
    if not 1 <= limit <= 100:
        raise AmcError(400, f"{limit_param} must be between 1 and 100.")
    chunk = items[start : start + limit]
    answer: dict[str, Any] = {key: chunk}
    if start + limit < len(items):  # on the last page AMC leaves nextToken out (a string when present)
        answer["nextToken"] = str(start + limit)
    return answer

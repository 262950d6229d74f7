"""Amazon's OpenAPI specifications of the three AMC APIs (docs/openapi/), as a checker of exchanges.

``WireContract`` checks one request against the operation it names, and one answer against the response the
operation declares for its status, with ``openapi-core``. What it checks and the one tolerance it has are in
docs/amc-api.md §9: a JSON body sent as ``application/json`` (or with no Content-Type, as Amazon's sample
client does) is checked against the operation's schema as if it carried the operation's vendor media type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.wrappers import Request, Response

SPEC_DIR = Path(__file__).resolve().parents[2] / "docs" / "openapi"
SPEC_FILES = {
    "workflow-management": "WorkflowManagementService_prod_3p.json",
    "rule-based-audiences": "Rule-BasedAudiences_prod_3p.json",
    "administration": "AMCAdministration_prod_3p.json",
}
# Bodies AMC's clients send as plain JSON; the operation's own (vendor) media type is checked instead.
PLAIN_JSON = {"", "application/json", "application/octet-stream"}
# The error status checked when an answer's status is not among the operation's declared ones.
FALLBACK_ERROR_STATUS = "400"
METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Operation:
    """One operation of one specification."""

    api: str
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    request_media_types: tuple[str, ...]
    statuses: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.api}:{self.operation_id}"


@dataclass
class Spec:
    api: str
    openapi: OpenAPI
    operations: list[Operation] = field(default_factory=list)


# Execution statuses the live API reports beyond the specification's enum, which AWS's production code reads
# (docs/amc-api.md §3.3): an answer carrying one is not a violation. The only edit made to a loaded document.
OBSERVED_EXECUTION_STATUSES = ("REJECTED", "PUBLISHING")


def _observed_extensions(document: dict[str, Any]) -> None:
    execution = document.get("components", {}).get("schemas", {}).get("WorkflowExecution")
    if execution is not None:
        execution["properties"]["status"]["enum"] += list(OBSERVED_EXECUTION_STATUSES)


def _json_body(data: bytes | str, **_: Any) -> Any:
    return json.loads(data)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{regex}/?$")


@cache
def load_specs() -> tuple[Spec, ...]:
    """The three vendored specifications, each with its operations (loaded once per process)."""
    specs = []
    for api, filename in SPEC_FILES.items():
        document = json.loads((SPEC_DIR / filename).read_text(encoding="utf-8"))
        # The documents name Amazon's hosts; the sandbox answers on any host, so paths alone are matched.
        document["servers"] = [{"url": "/"}]
        _observed_extensions(document)
        # Every AMC media type is JSON under a vendor name (application/vnd.amcworkflows.v1+json, ...).
        vendor_types = set(re.findall(r'"(application/vnd\.[^"]+\+json)"', json.dumps(document)))
        config = Config(extra_media_type_deserializers={t: _json_body for t in vendor_types})
        spec = Spec(api, OpenAPI.from_dict(document, config=config))
        for template, item in document["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                body = operation.get("requestBody") or {}
                spec.operations.append(
                    Operation(
                        api=api,
                        operation_id=operation["operationId"],
                        method=method.upper(),
                        template=template,
                        pattern=_pattern(template),
                        request_media_types=tuple(body.get("content") or ()),
                        statuses=tuple(operation["responses"]),
                    )
                )
        # A literal segment beats a template one (``/advertisers/updates`` before ``/advertisers/{id}``).
        spec.operations.sort(key=lambda op: op.template.count("{"))
        specs.append(spec)
    return tuple(specs)


def all_operations() -> list[Operation]:
    return [op for spec in load_specs() for op in spec.operations]


def find_operation(method: str, path: str) -> tuple[Spec, Operation] | None:
    """The specification and operation for ``METHOD path``; None for paths outside AMC's APIs."""
    if not path.startswith("/amc/"):
        return None
    for spec in load_specs():
        for operation in spec.operations:
            if operation.method == method.upper() and operation.pattern.match(path):
                return spec, operation
    return None


def request_path(request: Request) -> str:
    """The path as sent: an id holding ``/`` or ``..`` stays one encoded segment (``RAW_PATH``, set by the
    hooks), as the server routes it."""
    return str(request.environ.get("RAW_PATH") or request.path)


class _AsSent(WerkzeugOpenAPIRequest):
    """A request matched on its path as sent; a plain-JSON body read as ``media_type`` when one is given."""

    def __init__(self, request: Request, media_type: str | None = None) -> None:
        super().__init__(request)
        self._media_type = media_type

    @property
    def path(self) -> str:
        return request_path(self.request)

    @property
    def content_type(self) -> str:
        return self._media_type or super().content_type


class _AsStatus(WerkzeugOpenAPIResponse):
    """An answer checked against another declared status (an error status the operation does not list)."""

    def __init__(self, response: Response, status: int) -> None:
        super().__init__(response)
        self._status = status

    @property
    def status_code(self) -> int:
        return self._status


def _describe(exc: Exception) -> str:
    reasons = [str(exc)]
    cause: BaseException | None = exc.__cause__
    while cause is not None:
        reasons.append(str(cause))
        errors = getattr(cause, "schema_errors", None) or ()
        reasons.extend(f"  {'/'.join(map(str, e.path))}: {e.message}" for e in errors)
        cause = cause.__cause__
    return "\n".join(dict.fromkeys(r for r in reasons if r))


def _openapi_request(request: Request, operation: Operation) -> WerkzeugOpenAPIRequest:
    declared = operation.request_media_types
    mimetype = (request.mimetype or "").lower()
    if declared and mimetype in PLAIN_JSON and request.get_data(cache=True).strip():
        return _AsSent(request, declared[0])
    return _AsSent(request)


def check_request(request: Request) -> tuple[Operation | None, list[str]]:
    """The operation ``request`` calls and what in it breaks the specification (empty: it conforms)."""
    found = find_operation(request.method, request_path(request))
    if found is None:
        if request.path.startswith("/amc/"):
            return None, [f"{request.method} {request.path}: no operation of Amazon's specifications"]
        return None, []
    spec, operation = found
    try:
        spec.openapi.validate_request(_openapi_request(request, operation))
    except Exception as exc:  # openapi-core raises one exception tree per kind of violation
        return operation, [f"request {operation.name} ({request.method} {request.path}): {_describe(exc)}"]
    return operation, []


def check_response(request: Request, response: Response) -> tuple[Operation | None, list[str]]:
    """The operation answered and what in the answer breaks the specification (empty: it conforms)."""
    found = find_operation(request.method, request_path(request))
    if found is None:
        return None, []
    spec, operation = found
    openapi_request = _openapi_request(request, operation)
    answer: WerkzeugOpenAPIResponse = WerkzeugOpenAPIResponse(response)
    status = str(response.status_code)
    if status not in operation.statuses and response.status_code >= 400:
        # Not every operation lists every error (a gateway 401, a 404): AMC's error shape still holds.
        fallback = next((s for s in operation.statuses if s.startswith("4")), FALLBACK_ERROR_STATUS)
        answer = _AsStatus(response, int(fallback))
    try:
        spec.openapi.validate_response(openapi_request, answer)
    except Exception as exc:
        return operation, [
            f"answer {response.status_code} of {operation.name} ({request.method} {request.path}): "
            f"{_describe(exc)}"
        ]
    return operation, []


@dataclass
class WireContract:
    """Every exchange one test made: the operations it called, and every violation of the specifications.

    ``known_gaps`` are operations whose answers are not held to the specification yet (a listed, dated gap,
    never a silent one); their requests are still checked.
    """

    known_gaps: frozenset[str] = frozenset()
    requested: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    gap_violations: list[str] = field(default_factory=list)

    def request(self, request: Request) -> None:
        operation, problems = check_request(request)
        if operation is not None:
            self.requested.add(operation.name)
        self.violations.extend(problems)

    def response(self, request: Request, response: Response) -> None:
        operation, problems = check_response(request, response)
        if operation is None:
            return
        self.answered.add(operation.name)
        if operation.name in self.known_gaps:
            self.gap_violations.extend(problems)
        else:
            self.violations.extend(problems)

    def extend(self, violations: Iterable[str]) -> None:
        self.violations.extend(violations)

"""The checker itself: it finds what breaks Amazon's specifications, in requests and in answers, and lets
through what conforms (docs/amc-api.md §9)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from amc_cltv.sandbox.app import SandboxApp
from tests.contract.amc_specs import check_request, check_response
from tests.sandbox.conftest import Api

REPORTING = "/amc/reporting/amcsandbox01"
INSTANCES = "application/vnd.amcinstances.v1+json"
EXECUTIONS = "application/vnd.amcworkflowexecutions.v1+json"
HEADERS = {
    "Amazon-Advertising-API-ClientId": "client",
    "Amazon-Advertising-API-AdvertiserId": "ENTITYSANDBOX0001",
    "Amazon-Advertising-API-MarketplaceId": "ATVPDKIKX0DER",
}


def _request(method: str, path: str, body: Any = None, **headers: str) -> Request:
    data = None if body is None else json.dumps(body)
    builder = EnvironBuilder(method=method, path=path, headers={**HEADERS, **headers}, data=data)
    return Request(builder.get_environ())


def _answer(body: Any, media_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=media_type)


def test_a_request_body_that_breaks_its_schema_is_found() -> None:
    """An execution's timeout as a string (what Amazon's own sample sends) is not the spec's integer."""
    body = {"workflowId": "w", "workflowExecutionTimeoutSeconds": "86400"}
    _, problems = check_request(_request("POST", f"{REPORTING}/workflowExecutions", body))
    assert problems and "workflowExecutionTimeoutSeconds" in problems[0]
    _, fine = check_request(_request("POST", f"{REPORTING}/workflowExecutions", {"workflowId": "w"}))
    assert fine == []


def test_a_missing_required_header_is_found() -> None:
    without = {k: v for k, v in HEADERS.items() if k != "Amazon-Advertising-API-MarketplaceId"}
    request = Request(
        EnvironBuilder(method="GET", path=f"{REPORTING}/workflows", headers=without).get_environ()
    )
    _, problems = check_request(request)
    assert problems and "Amazon-Advertising-API-MarketplaceId" in problems[0]


def test_plain_json_bodies_are_checked_as_the_operations_vendor_type() -> None:
    """application/json, or no Content-Type, is read as the declared type: the schema still applies."""
    for content_type in ("application/json", EXECUTIONS):
        request = _request(
            "POST", f"{REPORTING}/workflowExecutions", {"dryRun": True}, **{"Content-Type": content_type}
        )
        assert check_request(request)[1] == []
    bad = _request(
        "POST", f"{REPORTING}/workflowExecutions", {"dryRun": "yes"}, **{"Content-Type": "application/json"}
    )
    assert check_request(bad)[1]


def test_the_old_instance_answer_is_found_and_the_new_one_conforms() -> None:
    """Missing required fields and entities as objects were what GET /amc/instances answered."""
    request = _request("GET", "/amc/instances")
    old = {
        "instanceId": "amcsandbox01",
        "instanceName": "AMC sandbox",
        "creationStatus": "COMPLETED",
        "apiEndpoint": "http://sandbox.test",
        "s3BucketName": "amc-sandbox-amcsandbox01",
        "entities": [{"entityId": "ENTITYSANDBOX0001", "marketplaceId": "ATVPDKIKX0DER"}],
    }
    _, problems = check_response(request, _answer({"instances": [old]}, INSTANCES))
    assert problems
    assert all(f in problems[0] for f in ("awsAccountId", "s3BucketRegion", "is not of type 'string'"))
    new = {
        **old,
        "awsAccountId": "111122223333",
        "dataUploadAwsAccountId": "444455556666",
        "creationDatetime": "2025-01-06T00:00:00Z",
        "s3BucketRegion": "us-east-1",
        "entities": ["ENTITYSANDBOX0001"],
    }
    assert check_response(request, _answer({"instances": [new]}, INSTANCES))[1] == []


def test_a_null_next_token_and_a_plain_json_answer_are_found() -> None:
    request = _request("GET", "/amc/instances")
    assert check_response(request, _answer({"instances": [], "nextToken": None}, INSTANCES))[1]
    assert check_response(request, _answer({"instances": []}, "application/json"))[1]
    assert check_response(request, _answer({"instances": []}, INSTANCES))[1] == []


def test_an_error_status_the_operation_does_not_list_is_held_to_amcs_error_shape() -> None:
    request = _request("GET", f"{REPORTING}/workflows/missing")
    assert (
        check_response(
            request, _answer({"code": "502", "details": "x"}, "application/vnd.amcworkflows.v1+json", 502)
        )[1]
        == []
    )
    wrong = _answer({"code": 502, "details": "x"}, "application/vnd.amcworkflows.v1+json", 502)
    assert check_response(request, wrong)[1]


def test_paths_outside_amcs_apis_are_not_checked_and_unknown_amc_paths_are() -> None:
    assert check_request(_request("POST", "/auth/o2/token", {"grant_type": "refresh_token"})) == (None, [])
    operation, problems = check_request(_request("GET", "/amc/nowhere"))
    assert operation is None and problems


def test_the_sandbox_answers_in_the_operations_media_type(app: SandboxApp) -> None:
    """Vendor types per operation (errors too), and the audience version the Accept header names."""
    api = Api(app)
    assert api.r("GET", "/amc/instances").headers["content-type"] == INSTANCES
    missing = api.r("GET", "workflowExecutions/nope")
    assert (missing.status_code, missing.headers["content-type"]) == (404, EXECUTIONS)
    for version in ("v1", "v1.1", "v1.2"):
        accept = f"application/vnd.amcquerybasedaudience.{version}+json"
        answer = api.http.get("/amc/audiences/query", headers={**api.audience_headers, "Accept": accept})
        assert answer.headers["content-type"] == accept
    plain = api.r("GET", "/amc/audiences/query")
    assert plain.headers["content-type"] == "application/vnd.amcquerybasedaudience.v1+json"
    api.http.close()


def test_observed_statuses_beyond_the_enum_pass_and_others_do_not() -> None:
    """REJECTED (and PUBLISHING) are read from the live API by AWS's code; an invented status is not."""
    request = _request("GET", f"{REPORTING}/workflowExecutions?workflowId=w")
    for status, conforms in (("REJECTED", True), ("PUBLISHING", True), ("EXPLODED", False)):
        answer = _answer({"executions": [{"workflowExecutionId": "e1", "status": status}]}, EXECUTIONS)
        assert (check_response(request, answer)[1] == []) is conforms, status

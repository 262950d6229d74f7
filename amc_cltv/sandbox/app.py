"""The sandbox as one WSGI application: AMC's API, S3-style result files, and ``/_sandbox/`` controls.

Routes on the path only. The same object serves in process (the client's WSGI transport) and over HTTP
(``amc-cltv sandbox serve``); its state lives under ``state_dir`` so every process sees the same workflows,
executions, audiences, clock and fault scripts. The ``/_sandbox/`` controls (but ``health``) need the
state folder's control token (``control.py``); a request body past ``max_request_bytes`` is refused with
413 before it is read; served, only the ``trusted_hosts`` names are answered (docs/sandbox.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.http import http_date
from werkzeug.routing import Map, Rule
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wrappers import Request, Response

from amc_cltv.sandbox.audiences import Audiences
from amc_cltv.sandbox.clock import SandboxClock, system_now
from amc_cltv.sandbox.control import CONTROL_HEADER, TOKEN_FILE, control_token
from amc_cltv.sandbox.faults import FaultError, Faults
from amc_cltv.sandbox.lifecycle import Lifecycle, iso
from amc_cltv.sandbox.reporting import Reporting
from amc_cltv.sandbox.s3 import check_presigned, file_response, object_path, presign, s3_error, signing_key
from amc_cltv.sandbox.settings import SandboxSettings, update_settings
from amc_cltv.sandbox.store import Store
from amc_cltv.sandbox.wire import (
    ACCOUNT_NAME,
    ADVERTISER_ID,
    INSTANCE_ID,
    MARKETPLACE_ID,
    AmcError,
    answer_media_type,
    current_instance,
    instance_ids,
    json_body,
    json_response,
    page,
)

R = "/amc/reporting/<instance_id>"
_RULES = [
    Rule("/auth/o2/token", methods=["POST"], endpoint="token"),
    Rule("/amc/accounts", methods=["GET"], endpoint="accounts"),
    Rule("/amc/instances", methods=["GET"], endpoint="instances"),
    Rule("/amc/instances/<instance_id>", methods=["GET"], endpoint="instance"),
    Rule("/amc/instances/<instance_id>/advertisers", methods=["GET"], endpoint="advertisers"),
    Rule(f"{R}/workflows", methods=["GET", "POST"], endpoint="workflows"),
    Rule(f"{R}/workflows/<item_id>", methods=["GET", "PUT", "DELETE"], endpoint="workflow"),
    Rule(f"{R}/workflowExecutions", methods=["GET", "POST"], endpoint="executions"),
    Rule(f"{R}/workflowExecutions/<item_id>", methods=["GET", "PUT"], endpoint="execution"),
    Rule(f"{R}/workflowExecutions/<item_id>/downloadUrls", methods=["GET"], endpoint="download_urls"),
    Rule(f"{R}/schedules", methods=["GET", "POST"], endpoint="schedules"),
    Rule(f"{R}/schedules/<item_id>", methods=["GET", "PUT", "DELETE"], endpoint="schedule"),
    Rule(f"{R}/dataSources", methods=["GET"], endpoint="data_sources"),
    Rule(f"{R}/dataSources/<item_id>", methods=["GET"], endpoint="data_source"),
    Rule("/amc/audiences/query", methods=["GET", "POST"], endpoint="audiences"),
    Rule("/amc/audiences/lookalike", methods=["POST"], endpoint="audience_lookalike"),
    Rule("/amc/audiences/query/<item_id>", methods=["GET", "PUT", "DELETE"], endpoint="audience"),
    Rule("/s3/<bucket>/<execution_id>/<name>", methods=["GET", "HEAD"], endpoint="s3"),
    Rule("/_sandbox/health", methods=["GET"], endpoint="health"),
    Rule("/_sandbox/clock", methods=["GET", "POST"], endpoint="clock"),
    Rule("/_sandbox/faults", methods=["GET", "POST", "DELETE"], endpoint="faults"),
    Rule("/_sandbox/settings", methods=["GET", "POST"], endpoint="settings"),
    Rule("/_sandbox/reset", methods=["POST"], endpoint="reset"),
    Rule("/_sandbox/tick", methods=["POST"], endpoint="tick"),
]
_CONTROL = {"health", "clock", "faults", "settings", "reset", "tick"}
# Built once, at import: werkzeug compiles each rule with ``ast``, and CPython 3.11 can fail
# ("AST constructor recursion depth mismatch") when two threads do that at once (``run --all`` opens one
# embedded sandbox per profile, concurrently). Matching on a shared map is thread-safe.
_URLS = Map(_RULES, strict_slashes=False)


class ConnectionDropped(ConnectionResetError):
    """Raised in process (no socket to close) when a ``drop`` fault cuts a request off after its work."""


DE_MARKETPLACE_ID = "A1PA6795UKMFR9"
# AMC's own requests are small JSON documents (a workflow's SQL is limited to a few hundred KB).
MAX_REQUEST_BYTES = 16 << 20
# When the sandbox's instances were "created" (a fixed date: the instance outlives any data set).
INSTANCE_CREATED = "2025-01-06T00:00:00Z"


class SandboxApp:
    """The embedded AMC sandbox (a WSGI application). ``clock``, ``faults`` and ``settings`` are its
    Python controls; ``base_now`` and ``sleep`` are seams for tests. ``trusted_hosts``: the ``Host`` names
    answered (None: any, in process); ``max_request_bytes``: the largest request body read."""

    def __init__(
        self,
        state_dir: Path,
        *,
        base_now: Callable[[], datetime] = system_now,
        sleep: Callable[[float], None] = time.sleep,
        trusted_hosts: list[str] | None = None,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._control_token = control_token(self.state_dir)
        self._trusted_hosts = trusted_hosts
        self._max_request_bytes = max_request_bytes
        self.store = Store(self.state_dir / "sandbox.sqlite")
        self.clock = SandboxClock(self.store, base_now)
        self.faults = Faults(self.store)
        self.lifecycle = Lifecycle(self.state_dir, self.store, self.clock)
        self.reporting = Reporting(self.store, self.clock, self.faults)
        self.audiences = Audiences(self.store, self.clock, self.faults)
        self._sleep = sleep
        self._urls = _URLS

    # -- Python controls ----------------------------------------------------------------------------------

    @property
    def settings(self) -> SandboxSettings:
        return SandboxSettings.load(self.store)

    def configure(self, **changes: float) -> SandboxSettings:
        """Change settings (durations, limits, data size); raises ValueError on an unknown key."""
        return update_settings(self.store, changes)

    def tick(self) -> None:
        """Do every piece of lifecycle work that is due now (waiting for another process doing it)."""
        self.lifecycle.advance(wait=True)

    def reset(self) -> None:
        """Forget every workflow, execution, schedule, audience, token, fault and setting (keeps the data)."""
        self.store.clear()
        self.lifecycle.reset()

    # -- WSGI ---------------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self._max_request_bytes
        refused = self._refused(request)
        if refused is not None:
            answer = refused.response()
            with contextlib.suppress(HTTPException):  # an AMC route's refusal is in its media type too
                _set_media_type(answer, request, self._urls.bind_to_environ(environ).match()[0])
            return answer(environ, start_response)
        try:
            endpoint, args = self._urls.bind_to_environ(environ).match()
        except NotFound:
            return AmcError(404, f"No route for {request.path}.").response()(environ, start_response)
        except MethodNotAllowed:
            return AmcError(405, f"Method {request.method} not allowed.").response()(environ, start_response)
        except HTTPException as exc:
            return AmcError(exc.code or 400, exc.description or "Bad request.").response()(
                environ, start_response
            )
        dropped = False
        if endpoint not in _CONTROL:
            injected = self.faults.take(request.method, request.path, ("status", "latency", "drop"))
            for fault in injected:
                if fault["kind"] == "latency":
                    self._sleep(float(fault.get("seconds", 1.0)))
            status = next((f for f in injected if f["kind"] == "status"), None)
            if status is not None:
                headers = (
                    {"Retry-After": str(status["retry_after"])}
                    if status.get("retry_after") is not None
                    else {}
                )
                details = str(status.get("details") or "Injected fault.")
                error = AmcError(int(status["status"]), details, headers=headers)
                injected_answer = error.response(audience=endpoint.startswith("audience"))
                _set_media_type(injected_answer, request, endpoint)
                return injected_answer(environ, start_response)
            dropped = any(f["kind"] == "drop" for f in injected)
        try:
            response = self._dispatch(request, environ, endpoint, args)
        except AmcError as exc:
            response = exc.response(audience=endpoint.startswith("audience"))
        except RequestEntityTooLarge:  # a body without Content-Length, cut off once past the bound
            response = self._too_large().response()
        # As AMC's front end does: the server's time (here the sandbox clock's), which `doctor` compares.
        response.headers["Date"] = http_date(self.clock.now())
        _set_media_type(response, request, endpoint)
        if dropped:
            return self._drop(environ, response, start_response)
        return response(environ, start_response)

    def _refused(self, request: Request) -> AmcError | None:
        """A request answered before routing: a Host not served here (DNS rebinding), a body too large."""
        if self._trusted_hosts is not None and not host_is_trusted(request.host, self._trusted_hosts):
            return AmcError(400, "This sandbox does not answer for that Host.")
        if request.content_length is not None and request.content_length > self._max_request_bytes:
            return self._too_large()
        return None

    def _too_large(self) -> AmcError:
        return AmcError(413, f"The request body is larger than {self._max_request_bytes:,} bytes.")

    def _drop(
        self, environ: dict[str, Any], response: Response, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # a real connection: close it without answering
                sock.shutdown(socket.SHUT_RDWR)
            start_response("500 Dropped", [("Content-Length", "0")])
            return []
        # In process there is no socket: the work is done, and the caller gets no answer at all.
        raise ConnectionDropped("the sandbox dropped the connection after doing the work")

    def _dispatch(
        self, request: Request, environ: dict[str, Any], endpoint: str, args: Mapping[str, Any]
    ) -> Response:
        current_instance.set(INSTANCE_ID)  # until the request names its instance
        if endpoint in _CONTROL:
            return self._control(request, endpoint)
        if endpoint == "token":
            return self._token(request)
        if endpoint == "s3":
            return self._s3(request, environ, args)
        self._authenticate(request)
        if endpoint.startswith("audience"):
            self._audience_headers(request)
        elif endpoint == "accounts":
            self._require(request, "Amazon-Advertising-API-ClientId")
        else:
            self._reporting_headers(request, args.get("instance_id"))
        self.lifecycle.advance()
        item = str(args.get("item_id") or "")
        method = request.method
        handlers: dict[tuple[str, str], Callable[[], Any]] = {
            ("accounts", "GET"): lambda: {
                "amcAccounts": [
                    {"accountId": ADVERTISER_ID, "accountName": ACCOUNT_NAME, "marketplaceId": MARKETPLACE_ID}
                ],
            },
            ("instances", "GET"): lambda: self._instances(request),
            # The specification wraps the one instance (the client reads either form, docs/amc-api.md §3.5).
            ("instance", "GET"): lambda: {"instance": self._instance(request, current_instance.get())},
            ("advertisers", "GET"): lambda: self._advertisers_page(request),
            ("workflows", "POST"): lambda: self.reporting.create_workflow(request),
            ("workflows", "GET"): lambda: self.reporting.list_workflows(request),
            ("workflow", "GET"): lambda: self.reporting.get_workflow(request, item),
            ("workflow", "PUT"): lambda: self.reporting.update_workflow(request, item),
            ("workflow", "DELETE"): lambda: self.reporting.delete_workflow(request, item),
            ("executions", "POST"): lambda: self.reporting.create_execution(request),
            ("executions", "GET"): lambda: self.reporting.list_executions(request),
            ("execution", "GET"): lambda: self.reporting.get_execution(request, item),
            ("execution", "PUT"): lambda: self.reporting.cancel_execution(request, item),
            ("download_urls", "GET"): lambda: self._download_urls(request, item),
            ("schedules", "POST"): lambda: self.reporting.create_schedule(request),
            ("schedules", "GET"): lambda: self.reporting.list_schedules(request),
            ("schedule", "GET"): lambda: self.reporting.get_schedule(request, item),
            ("schedule", "PUT"): lambda: self.reporting.update_schedule(request, item),
            ("schedule", "DELETE"): lambda: self.reporting.delete_schedule(request, item),
            ("data_sources", "GET"): lambda: self.reporting.list_data_sources(request),
            ("data_source", "GET"): lambda: self.reporting.get_data_source(request, item),
            ("audiences", "POST"): lambda: self.audiences.create(request),
            ("audience_lookalike", "POST"): lambda: self.audiences.create_lookalike(request),
            ("audiences", "GET"): lambda: self.audiences.list(request),
            ("audience", "GET"): lambda: self.audiences.get(request, item),
            ("audience", "PUT"): lambda: self.audiences.update(request, item),
        }
        if (endpoint, method) == ("audience", "DELETE"):
            self.audiences.delete(request, item)
            return Response(status=204)
        return json_response(handlers[(endpoint, method)]())

    # -- authentication and headers -----------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        fields = dict(request.form) if request.form else {}
        if not fields and request.is_json:
            fields = {k: str(v) for k, v in json_body(request).items()}
        grant = fields.get("grant_type")
        if grant != "refresh_token":
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "Only refresh_token is supported."},
                400,
            )
        missing = [k for k in ("refresh_token", "client_id", "client_secret") if not fields.get(k)]
        if missing:
            return json_response(
                {
                    "error": "invalid_request",
                    "error_description": f"The request has an invalid parameter : {missing[0]}",
                },
                400,
            )
        token = "Atza|" + secrets.token_urlsafe(48)
        ttl = self.settings.token_ttl_s
        expires = self.clock.now() + timedelta(seconds=ttl)
        self.store.put("token", _digest(token), {"expiresAt": iso(expires)})
        return json_response(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": ttl,
                "refresh_token": fields["refresh_token"],
            }
        )

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            raise AmcError(401, "Not authorized: the Authorization header is missing.")
        doc = self.store.get("token", _digest(header[7:].strip()))
        if doc is None:
            raise AmcError(401, "Not authorized: the access token is invalid.")
        if self.clock.now() >= datetime.fromisoformat(doc["expiresAt"].replace("Z", "+00:00")):
            raise AmcError(401, "Not authorized: the access token has expired.")

    @staticmethod
    def _require(request: Request, header: str, expected: str | None = None) -> None:
        value = request.headers.get(header)
        if not value:
            raise AmcError(400, f"Missing required header {header}.")
        if expected is not None and value != expected:
            raise AmcError(403, f"The {header} {value} is not authorized for this resource.")

    def _reporting_headers(self, request: Request, instance_id: str | None) -> None:
        self._require(request, "Amazon-Advertising-API-ClientId")
        if not request.headers.get("Amazon-Advertising-API-AdvertiserId"):
            raise AmcError(400, "entityId provided is null")
        self._require(request, "Amazon-Advertising-API-AdvertiserId", ADVERTISER_ID)
        self._require(request, "Amazon-Advertising-API-MarketplaceId", MARKETPLACE_ID)
        if instance_id is not None:
            if instance_id not in instance_ids(self.settings.instances):
                raise AmcError(404, f"Instance {instance_id} not found.")
            current_instance.set(instance_id)

    def _audience_headers(self, request: Request) -> None:
        self._require(request, "Amazon-Advertising-API-ClientId")
        self._require(request, "Amazon-Advertising-API-EntityId", ADVERTISER_ID)
        self._require(request, "Amazon-Marketing-Cloud-Audience-InstanceId", INSTANCE_ID)

    # -- resources that need the request's host -----------------------------------------------------------

    def _advertisers_page(self, request: Request) -> dict[str, Any]:
        advertisers = self._advertisers()
        return {**page(advertisers, "advertisers", request), "totalCount": len(advertisers)}

    def _advertisers(self) -> list[dict[str, Any]]:
        # As AMC's administration spec has it: a DSP (DISPLAY) advertiser has no marketplace (null: the field
        # is left out, as the spec's type is a string); a sponsored ads advertiser (its entity id) has one.
        # docs/amc-api.md §3.9.
        advertisers: list[dict[str, Any]] = [
            {"id": "1234567890", "name": "Sandbox DSP advertiser", "type": "DISPLAY"},
            {
                "id": ADVERTISER_ID,
                "name": "Sandbox sponsored ads advertiser",
                "type": "SPONSORED_ADS",
                "marketplaceId": MARKETPLACE_ID,
            },
        ]
        if self.settings.marketplaces > 1:  # an instance spanning marketplaces, hence currencies
            advertisers.append(
                {
                    "id": "ENTITYSANDBOXDE01",
                    "name": "Sandbox DE sponsored ads advertiser",
                    "type": "SPONSORED_ADS",
                    "marketplaceId": DE_MARKETPLACE_ID,
                }
            )
        return advertisers

    def _instance(self, request: Request, instance_id: str = INSTANCE_ID) -> dict[str, Any]:
        """AMC Administration's ``Instance`` (every field the specification requires, docs/amc-api.md §9)."""
        return {
            "instanceId": instance_id,
            "instanceName": "AMC sandbox" if instance_id == INSTANCE_ID else f"AMC sandbox {instance_id}",
            "instanceType": "SANDBOX",
            "creationStatus": "COMPLETED",
            "creationDatetime": INSTANCE_CREATED,
            "apiEndpoint": request.host_url.rstrip("/"),
            # AWS's documentation account ids: the sandbox has no AWS accounts of its own.
            "awsAccountId": "111122223333",
            "dataUploadAwsAccountId": "444455556666",
            "s3BucketName": f"amc-sandbox-{instance_id}",
            "s3BucketRegion": "us-east-1",
            # The AMC accounts (entity ids) the instance belongs to: plain ids, as the specification has them.
            "entities": [ADVERTISER_ID],
            "advertiserTypes": ["DISPLAY", "SPONSORED_ADS"],
            # The sandbox's own name for the paid dataset: AMC's published pages do not show the value it
            # uses, so the tool never relies on it (a dry run reading conversions_all is the proof).
            "optionalDatasets": ["SHOPPING_INSIGHTS"] if self.settings.shopping_insights else [],
        }

    def _instances(self, request: Request) -> dict[str, Any]:
        served = [self._instance(request, i) for i in instance_ids(self.settings.instances)]
        return page(served, "instances", request)

    def _download_urls(self, request: Request, execution_id: str) -> dict[str, Any]:
        execution = self.reporting.downloadable(execution_id)
        expired = self.faults.take(request.method, request.path, ("expired_url",))
        expiry = self.settings.url_expiry_s
        signed_at = self.clock.now() - (timedelta(seconds=expiry + 1) if expired else timedelta(0))
        key = signing_key(self.store)
        urls = [
            presign(key, request.host_url, object_path(execution_id, name), signed_at, expiry)
            for name in execution["files"]
        ]
        return {"downloadUrls": urls, "metadataDownloadUrls": []}

    def _s3(self, request: Request, environ: dict[str, Any], args: Mapping[str, Any]) -> Response:
        refused = check_presigned(request, signing_key(self.store), self.clock.now())
        if refused is not None:
            return refused
        path = self.lifecycle.results_dir(args["execution_id"]) / args["name"]
        if "/" in args["name"] or not path.is_file():
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        truncate = bool(self.faults.take(request.method, request.path, ("truncate",)))
        sock = environ.get("werkzeug.socket")

        def drop() -> None:
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        return file_response(environ, path, truncate=truncate, drop=drop)

    # -- controls -----------------------------------------------------------------------------------------

    def _control(self, request: Request, endpoint: str) -> Response:
        if endpoint == "health":
            return json_response({"status": "ok", "instanceId": INSTANCE_ID})
        given = request.headers.get(CONTROL_HEADER, "")
        if not secrets.compare_digest(given.encode(), self._control_token.encode()):
            raise AmcError(
                403,
                f"The sandbox's controls need the {CONTROL_HEADER} header, whose value is in the state "
                f"folder's {TOKEN_FILE} file.",
            )
        try:
            if endpoint == "clock":
                if request.method == "POST":
                    self.clock.advance(float(json_body(request).get("advance_s", 0)))
                return json_response({"now": iso(self.clock.now()), "offset_s": self.clock.offset_s})
            if endpoint == "faults":
                if request.method == "DELETE":
                    self.faults.clear()
                elif request.method == "POST":
                    body = json_body(request)
                    self.faults.script(list(body.get("faults") or []), append=bool(body.get("append")))
                return json_response({"faults": self.faults.active()})
            if endpoint == "settings":
                if request.method == "POST":
                    self.configure(**json_body(request))
                return json_response(self.settings.to_dict())
            if endpoint == "reset":
                self.reset()
                return json_response({"reset": True})
            self.tick()
            return json_response({"now": iso(self.clock.now())})
        except (FaultError, ValueError, TypeError) as exc:
            raise AmcError(400, str(exc)) from None


def _set_media_type(response: Response, request: Request, endpoint: str) -> None:
    if response.status_code == 204:
        return
    media_type = answer_media_type(
        endpoint, request.method, response.status_code, request.headers.get("Accept", "")
    )
    if media_type is not None:
        response.headers["Content-Type"] = media_type


def _digest(token: str) -> str:
    # Only a hash of each issued token is kept: the state directory holds no usable credential.
    return hashlib.sha256(token.encode()).hexdigest()

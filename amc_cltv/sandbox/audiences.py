"""The rule-based audiences API (``/amc/audiences/query``): the audience is its execution record."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request

from amc_cltv.sandbox.clock import SandboxClock
from amc_cltv.sandbox.faults import Faults
from amc_cltv.sandbox.lifecycle import LOOKALIKE_REACH, iso, parse_iso
from amc_cltv.sandbox.reporting import typed_parameters
from amc_cltv.sandbox.settings import SandboxSettings
from amc_cltv.sandbox.store import Store
from amc_cltv.sandbox.wire import INSTANCE_ID, AmcError, flag, json_body, page, parse_amc_time

STARTED = "Successfully started the simple audience creation workflow!"
# The newer Rule-Based Audiences spec (docs/amc-api.md §4.5): FAILED or SUCCEEDED audiences may be deleted,
# with best-effort checks against one a campaign uses, refused with a 400.
DELETABLE = ("FAILED", "SUCCEEDED")
IN_USE = (
    "Deletion is not allowed for this audience at this time: it is used by a campaign in Amazon DSP. "
    "Remove it from the campaign's line items first."
)
# The fields of an inputParameters entry in the rule-based audience schema (docs/amc-api.md §4.2); the
# schema validation rejects others, such as the workflow schema's displayName.
PARAMETER_FIELDS = frozenset({"name", "dataType", "defaultValue", "description"})
_HIDDEN = ("resolvedQuery", "resolvedParameters", "forcedOutcome", "succeededTime")


class Audiences:
    """Handlers of the rule-based audiences API."""

    def __init__(self, store: Store, clock: SandboxClock, faults: Faults) -> None:
        self._store = store
        self._clock = clock
        self._faults = faults

    def _definition(self, body: dict[str, Any]) -> dict[str, Any]:
        for field in ("advertiserId", "audienceName", "timeWindowStart", "timeWindowEnd"):
            if body.get(field) in (None, ""):
                raise AmcError(400, f"{field} is required.")
        if bool(body.get("query")) == bool(body.get("workflowId")):
            raise AmcError(400, "Exactly one of query or workflowId is required.")
        start = parse_amc_time(body["timeWindowStart"], "timeWindowStart")
        end = parse_amc_time(body["timeWindowEnd"], "timeWindowEnd")
        if end <= start:
            raise AmcError(400, "timeWindowEnd must be after timeWindowStart.")
        refresh = body.get("refreshRateDays", 21)
        if not isinstance(refresh, int) or not 0 <= refresh <= 21:
            raise AmcError(400, "refreshRateDays must be an integer between 0 and 21.")
        declared = list(body.get("inputParameters") or [])
        for parameter in declared:
            extra = sorted(set(parameter) - PARAMETER_FIELDS) if isinstance(parameter, dict) else ["?"]
            if extra:
                raise AmcError(
                    400,
                    f"Invalid inputParameters: unknown field {extra[0]} "
                    f"(allowed: {', '.join(sorted(PARAMETER_FIELDS))}).",
                )
        if body.get("workflowId"):
            workflow = self._store.get("workflow", str(body["workflowId"]))
            if workflow is None:
                raise AmcError(400, f"Workflow with ID {body['workflowId']} not found.")
            query = workflow["sqlQuery"]
            declared = declared or list(workflow.get("inputParameters") or [])
        else:
            query = str(body["query"])
        values = body.get("parameterValues") or {}
        return {
            "advertiserId": str(body["advertiserId"]),
            "audienceName": str(body["audienceName"]),
            "audienceDescription": body.get("audienceDescription"),
            "audienceType": "RULE_BASED",
            "advertiserType": body.get("advertiserType") or "DISPLAY",
            "query": body.get("query"),
            "workflowId": body.get("workflowId"),
            "inputParameters": body.get("inputParameters"),
            "parameterValues": values or None,
            "timeWindowStart": iso(start),
            "timeWindowEnd": iso(end),
            "timeWindowRelative": flag(body.get("timeWindowRelative")),
            "refreshRateDays": refresh,
            "countryCode": body.get("countryCode"),
            "resolvedQuery": query,
            "resolvedParameters": typed_parameters(declared, values),
        }

    def create(self, request: Request) -> dict[str, Any]:
        return self._start(request, self._definition(json_body(request)))

    def create_lookalike(self, request: Request) -> dict[str, Any]:
        """``POST /amc/audiences/lookalike`` (docs/amc-api.md §4.6): the rule-based body, whose query is the
        seed, plus a required ``lookalikeAudienceExpectedReach``; ``refreshRateDays`` 7 to 21 (default 21)."""
        body = json_body(request)
        reach = body.get("lookalikeAudienceExpectedReach")
        if reach not in LOOKALIKE_REACH:
            raise AmcError(
                400,
                "lookalikeAudienceExpectedReach is required and must be one of "
                f"{', '.join(LOOKALIKE_REACH)}.",
            )
        refresh = body.get("refreshRateDays", 21)
        if not isinstance(refresh, int) or isinstance(refresh, bool) or not 7 <= refresh <= 21:
            raise AmcError(400, "For lookalike audiences only refreshRateDays values from 7 to 21 are valid.")
        definition = self._definition({**body, "refreshRateDays": refresh})
        definition.update(audienceType="LOOKALIKE", lookalikeAudienceExpectedReach=reach)
        return self._start(request, definition)

    def _start(self, request: Request, definition: dict[str, Any]) -> dict[str, Any]:
        now = iso(self._clock.now())
        audience_id = str(uuid.uuid4())
        forced = self._faults.take(request.method, request.path, ("execution_outcome",))
        doc = {
            **definition,
            "audienceExecutionId": audience_id,
            "instanceId": INSTANCE_ID,
            "status": "PENDING",
            "statusReason": None,
            "createTime": now,
            "lastRefreshedTime": now,
            "forcedOutcome": forced[0] if forced else None,
        }
        self._store.put("audience", audience_id, doc)
        return {
            "audienceExecutionId": audience_id,
            "audienceExecutionDescription": STARTED,
            "status": "PENDING",
        }

    def _audience(self, audience_id: str) -> dict[str, Any]:
        audience = self._store.get("audience", audience_id)
        if audience is None:
            raise AmcError(404, f"Audience execution with ID {audience_id} not found.")
        return audience

    def _in_dsp(self, doc: dict[str, Any], now: datetime, settings: SandboxSettings) -> bool:
        """Whether DSP has the audience: SUCCEEDED and past the activation lag."""
        lag = timedelta(seconds=settings.activation_lag_s)
        return bool(
            doc["status"] == "SUCCEEDED"
            and doc.get("succeededTime")
            and now >= parse_iso(doc["succeededTime"]) + lag
        )

    def _in_use(self, doc: dict[str, Any], now: datetime, settings: SandboxSettings) -> bool:
        """Whether a DSP campaign uses the audience: with ``audiences_in_use`` on, every one DSP has."""
        return settings.audiences_in_use and self._in_dsp(doc, now, settings)

    def view(self, doc: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The v1.2 metadata AMC returns; the DSP ids appear only once the activation lag has passed."""
        view = {k: v for k, v in doc.items() if k not in _HIDDEN and v is not None}
        settings = SandboxSettings.load(self._store)
        view["deletable"] = doc["status"] in DELETABLE and not self._in_use(doc, now, settings)
        if self._in_dsp(doc, now, settings):
            suffix = doc["audienceExecutionId"].replace("-", "")[:12]
            view["dspAudienceId"] = str(int(suffix, 16) % 10**13)
            view["dspCanonicalId"] = f"amc-{suffix}"
        return view

    def get(self, request: Request, audience_id: str) -> dict[str, Any]:
        view = self.view(self._audience(audience_id), self._clock.now())
        odd = self._faults.take(request.method, request.path, ("unknown_status",))
        if odd:
            view["status"] = str(odd[0].get("status") or "DEACTIVATED")
        return view

    def list(self, request: Request) -> dict[str, Any]:
        now = self._clock.now()
        views = [self.view(doc, now) for doc in self._store.all("audience")]
        return page(views, "executionMetadata", request, limit_param="maxResults")

    def update(self, request: Request, audience_id: str) -> dict[str, Any]:
        body = json_body(request)
        definition = self._definition(body)
        with self._store.transaction():
            existing = self._audience(audience_id)
            if existing["status"] != "FAILED":
                raise AmcError(
                    400, f"Only FAILED audiences may be updated; this one is {existing['status']}."
                )
            for field in ("audienceName", "advertiserId"):
                if definition[field] != existing[field]:
                    raise AmcError(400, f"{field} cannot be changed on update.")
            kind = existing.get("audienceType", "RULE_BASED")
            if body.get("audienceType", kind) != kind:
                raise AmcError(400, "audienceType cannot be changed on update.")
            definition["audienceType"] = kind
            if kind == "LOOKALIKE":
                reach = body.get("lookalikeAudienceExpectedReach", existing["lookalikeAudienceExpectedReach"])
                if reach != existing["lookalikeAudienceExpectedReach"]:
                    raise AmcError(400, "lookalikeAudienceExpectedReach cannot be changed on update.")
                definition["lookalikeAudienceExpectedReach"] = reach
            now = iso(self._clock.now())
            doc = {
                **definition,
                "audienceExecutionId": audience_id,
                "instanceId": INSTANCE_ID,
                "status": "PENDING",
                "statusReason": None,
                "createTime": existing["createTime"],
                "lastRefreshedTime": now,
                "forcedOutcome": None,
            }
            self._store.put("audience", audience_id, doc)
        return {
            "audienceExecutionId": audience_id,
            "audienceExecutionDescription": STARTED,
            "status": "PENDING",
        }

    def delete(self, request: Request, audience_id: str) -> None:
        with self._store.transaction():
            existing = self._audience(audience_id)
            if existing["status"] not in DELETABLE:
                raise AmcError(
                    400,
                    f"Only FAILED or SUCCEEDED audiences may be deleted; this one is {existing['status']}.",
                )
            if self._in_use(existing, self._clock.now(), SandboxSettings.load(self._store)):
                raise AmcError(400, IN_USE)
            self._store.delete("audience", audience_id)

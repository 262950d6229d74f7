"""``amc-cltv doctor``: will tonight's run work? A checklist, each line ok or a problem with its fix.

Nothing here changes AMC: the workflows are compiled by AMC as ad-hoc executions with ``dryRun: true``
(validated and compiled, never run, no quota, no output; docs/amc-api.md §3.2), saved workflows and
audiences are left alone. The checks run in order and stop early only where nothing after them can be
asked (no token, no instance).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from amc_cltv import clock
from amc_cltv.client import AmcClient
from amc_cltv.client.models import CreateWorkflowExecution, Workflow, WorkflowExecution
from amc_cltv.config import Config
from amc_cltv.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    RetryBudgetExhausted,
    UsageError,
)
from amc_cltv.orchestration.marketplaces import marketplace_scope, spans_marketplaces
from amc_cltv.timewindow import resolve_window
from amc_cltv.workflows import RenderedWorkflow, catalog
from amc_cltv.workflows.rejections import SHOPPING_INSIGHTS_TABLE, likely_cause

MAX_CLOCK_SKEW_S = 60
PLACEHOLDER_DSP_ADVERTISER_ID = "1234567890"  # the sandbox profile's; no real DSP advertiser has it
SHOPPING_INSIGHTS_PROBE = f"SELECT SUM(conversions) AS conversions FROM {SHOPPING_INSIGHTS_TABLE}"


class Kind(StrEnum):
    """What a failed check means for the exit code (docs/real-instance.md, "doctor")."""

    CONFIG = "config"  # exit 2: the profile, the secrets or an id is wrong
    UNREACHABLE = "unreachable"  # exit 5: AMC or Login with Amazon did not answer
    CHECK = "check"  # exit 1: AMC answered, and tonight's run would fail (or the machine is not ready)


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None
    kind: Kind = Kind.CHECK

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "fix": self.fix,
            "kind": None if self.ok else str(self.kind),
        }


def exit_code(checks: list[Check]) -> int:
    """0 when every check passed; else 5 if AMC was unreachable, 2 for a config problem, 1 otherwise."""
    failed = {check.kind for check in checks if not check.ok}
    if not failed:
        return 0
    if Kind.UNREACHABLE in failed:
        return 5
    return 2 if Kind.CONFIG in failed else 1


def ok(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def problem(name: str, detail: str, fix: str, kind: Kind = Kind.CHECK) -> Check:
    return Check(name, False, detail, fix, kind)


def _api_problem(name: str, error: APIError) -> Check:
    """A check that could not be made because AMC answered with an error or not at all."""
    if isinstance(error, APIConnectionError | InternalServerError | RateLimitError | RetryBudgetExhausted):
        return problem(
            name,
            f"AMC is unreachable: {error}",
            "check the network and [amc] api_url, then run doctor again",
            Kind.UNREACHABLE,
        )
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return problem(
            name,
            f"AMC refused the request: {error}",
            "check that the credentials' Amazon Ads account has access to this AMC instance",
            Kind.CONFIG,
        )
    return problem(name, f"AMC answered with an error: {error}", "see AMC's message", Kind.CHECK)


class Doctor:
    """The checks of one profile, over one client."""

    def __init__(
        self, config: Config, client: AmcClient, *, now: Callable[[], datetime] | None = None
    ) -> None:
        self.config = config
        self.client = client
        self._now = now or (lambda: clock.current().now())
        self._optional_datasets: list[Any] = []

    def checks(self) -> Iterator[Check]:
        """Every check, in order; stops after the token or the ids when nothing further can be asked."""
        yield self._profile()
        token = self._token()
        yield token
        if not token.ok:
            yield from self._local()
            return
        ids = self._ids()
        yield from ids
        if not all(check.ok for check in ids):
            yield from self._local()
            return
        yield self._clock()
        yield self._shopping_insights()
        yield from self._workflows()
        yield from self._local()

    # -- the profile and the credentials --------------------------------------------------------------

    def _profile(self) -> Check:
        amc = self.config.amc
        where = "the embedded sandbox" if self.config.source is None else str(self.config.source)
        return ok("profile", f"{where}: instance {amc.instance_id}, advertiser {amc.advertiser_id}")

    def _token(self) -> Check:
        try:
            self.client.accounts.list()
        except AuthenticationError as error:
            said = error.details or str(error)
            return problem(
                "Login with Amazon",
                f"the token grant was refused: {said}",
                "check AMC_CLTV_CLIENT_ID, AMC_CLTV_CLIENT_SECRET and AMC_CLTV_REFRESH_TOKEN (a refresh "
                "token for this client id, from the Login with Amazon consent)",
                Kind.CONFIG,
            )
        except APIError as error:
            return _api_problem("Login with Amazon", error)
        return ok("Login with Amazon", "the refresh token was exchanged for an access token")

    # -- ids --------------------------------------------------------------------------------------------

    def _ids(self) -> list[Check]:
        amc = self.config.amc
        try:
            accounts = self.client.accounts.list()
        except APIError as error:
            return [_api_problem("AMC account", error)]
        found: list[Check] = []
        known = {account.account_id: account for account in accounts}
        if accounts and amc.advertiser_id not in known:
            listed = ", ".join(
                f"{a.account_id} ({a.account_name or 'unnamed'}, {a.marketplace_id})" for a in accounts
            )
            return [
                problem(
                    "AMC account",
                    f"advertiser_id {amc.advertiser_id} is not an AMC account of these credentials; they see "
                    f"{listed}",
                    "set [amc] advertiser_id to one of them (`amc-cltv instances list` shows every id)",
                    Kind.CONFIG,
                )
            ]
        account = known.get(amc.advertiser_id)
        if account is not None and account.marketplace_id and account.marketplace_id != amc.marketplace_id:
            return [
                problem(
                    "marketplace",
                    f"marketplace_id {amc.marketplace_id} is not the AMC account's: {account.marketplace_id}",
                    f'set [amc] marketplace_id = "{account.marketplace_id}"',
                    Kind.CONFIG,
                )
            ]
        found.append(ok("AMC account", f"{amc.advertiser_id} in marketplace {amc.marketplace_id}"))
        try:
            instances = self.client.instances.list(
                advertiser_id=amc.advertiser_id, marketplace_id=amc.marketplace_id
            )
        except APIError as error:
            return [*found, _api_problem("AMC instance", error)]
        instance = next((i for i in instances if i.instance_id == amc.instance_id), None)
        if instance is None:
            listed = (
                ", ".join(f"{i.instance_id} ({i.instance_name or 'unnamed'})" for i in instances) or "none"
            )
            found.append(
                problem(
                    "AMC instance",
                    f"instance_id {amc.instance_id} is not an instance of account {amc.advertiser_id}; "
                    f"it has {listed}",
                    "set [amc] instance_id to one of them (`amc-cltv instances list`)",
                    Kind.CONFIG,
                )
            )
            return found
        self._optional_datasets = list(instance.optional_datasets or [])
        kind = f", {instance.instance_type}" if instance.instance_type else ""
        found.append(
            ok("AMC instance", f"{instance.instance_id} ({instance.instance_name or 'unnamed'}{kind})")
        )
        found.append(self._currencies())
        return found

    def _currencies(self) -> Check:
        name = "currencies"
        try:
            advertisers = self.client.instances.advertisers()
        except APIError as error:
            return _api_problem(name, error)
        marketplaces = spans_marketplaces(advertisers)
        if not marketplaces:
            return ok(name, "the instance's advertisers are in one marketplace: one currency")
        try:
            scope = marketplace_scope(advertisers, self.config.amc.marketplace_id)
        except UsageError as error:
            return problem(name, str(error), "set [amc] marketplace_id", Kind.CONFIG)
        return ok(
            name,
            f"the instance's advertisers span {', '.join(marketplaces)}: each execution reads only the "
            f"{len(scope)} advertiser(s) of {self.config.amc.marketplace_id} and its DSP advertisers (no "
            "marketplace), so sums are in one currency",
        )

    # -- AMC's clock ------------------------------------------------------------------------------------

    def _clock(self) -> Check:
        header = self.client.server_date
        if not header:
            return ok("clock", "AMC sent no Date header; the clock could not be compared")
        try:
            server = parsedate_to_datetime(header)
            server = server if server.tzinfo else server.replace(tzinfo=UTC)
        except (TypeError, ValueError):
            return ok("clock", f"AMC's Date header {header!r} could not be read; the clock was not compared")
        skew = (self._now() - server).total_seconds()
        if abs(skew) > MAX_CLOCK_SKEW_S:
            side = "ahead of" if skew > 0 else "behind"
            return problem(
                "clock",
                f"this machine's clock is {abs(skew):.0f} s {side} AMC's",
                "synchronise the system clock (NTP): the time window and the 48-hour data lag come from it",
            )
        return ok("clock", f"within {abs(skew):.0f} s of AMC's")

    # -- shopping insights and the workflows, compiled by AMC -----------------------------------------

    def _dry_run(
        self,
        sql: str,
        *,
        parameters: list[dict[str, Any]],
        values: dict[str, str],
        rendered: RenderedWorkflow | None = None,
        **flags: Any,
    ) -> Any:
        window = resolve_window(self._now(), self.config.amc.time_zone)
        # The workflow as it would be uploaded (with its aggregation-threshold marks), inline: nothing saved.
        body = dict(rendered.as_workflow_body()) if rendered is not None else {}
        body.pop("workflowId", None)
        body.update(sqlQuery=sql, inputParameters=parameters or None)
        workflow = Workflow.model_validate(body)
        request = CreateWorkflowExecution(
            workflow=workflow,
            time_window_type="EXPLICIT",
            time_window_start=window.amc_start,
            time_window_end=window.amc_end,
            time_window_time_zone=window.time_zone,
            parameter_values=values or None,
            require_synthetic_data=True if self.config.amc.synthetic_data else None,
            dry_run=True,
            **flags,
        )
        return self.client.executions.create(request)

    def _wait(self, execution_ids: list[str]) -> dict[str, WorkflowExecution]:
        """Poll the dry runs until each is terminal (or the wait runs out)."""
        polling = self.config.profile.polling
        interval = min(polling.initial_interval_s, 5.0)
        waited, done = 0.0, {}
        while True:
            for execution_id in execution_ids:
                if execution_id not in done:
                    execution = self.client.executions.get(execution_id)
                    if execution.terminal:
                        done[execution_id] = execution
            if len(done) == len(execution_ids) or waited >= min(polling.max_wait_s, 900):
                return done
            clock.current().sleep(interval)
            waited += interval
            interval = min(interval * polling.multiplier, 30.0)

    def _shopping_insights(self) -> Check:
        name = "shopping insights"
        wanted = self.config.profile.workflows.shopping_insights
        datasets = ", ".join(str(d) for d in self._optional_datasets) or "none"
        try:
            probe = self._dry_run(SHOPPING_INSIGHTS_PROBE, parameters=[], values={})
            execution = self._wait([probe.workflow_execution_id])
        except APIError as error:
            return _api_problem(name, error)
        result = next(iter(execution.values()), None)
        readable = result is not None and result.status == "SUCCEEDED"
        seen = f"optional datasets: {datasets}; a dry run reading conversions_all was "
        if readable and wanted:
            return ok(name, seen + "accepted, and shopping_insights = true uses it")
        if readable:
            return ok(
                name,
                seen + "accepted: set [workflows] shopping_insights = true to count non-ad-exposed sales too",
            )
        reason = result.status_reason if result is not None else "no answer in time"
        if wanted:
            return problem(
                name,
                seen + f"rejected ({reason}): the instance lacks the paid Flexible Shopping Insights "
                "subscription, so every workflow would be rejected",
                "set [workflows] shopping_insights = false (revenue from conversions), or subscribe",
            )
        return ok(name, seen + "rejected: shopping_insights = false is right for this instance")

    def _workflows(self) -> Iterator[Check]:
        insights = self.config.profile.workflows.shopping_insights
        submitted: dict[str, str] = {}
        sql: dict[str, str] = {}
        for name in catalog.names():
            label = f"workflow {name}"
            rendered = catalog.render(name, shopping_insights=insights)
            if rendered.audience:
                yield ok(
                    label,
                    "audience query linted; AMC's audience API has no dry run, so AMC checks it when the "
                    "audience is created (`audience activate`)",
                )
                continue
            if rendered.synthetic_only and not self.config.amc.synthetic_data:
                yield ok(label, "outputs one row per user: runs only on synthetic data, not checked here")
                continue
            try:
                execution = self._dry_run(
                    rendered.sql,
                    parameters=[dict(p) for p in rendered.input_parameters],
                    values={k: str(v) for k, v in rendered.parameter_values.items()},
                    rendered=rendered,
                    disable_aggregation_controls=True if rendered.synthetic_only else None,
                )
            except APIError as error:
                yield _api_problem(label, error)
                continue
            submitted[name] = execution.workflow_execution_id
            sql[name] = rendered.sql
        if not submitted:
            return
        try:
            finished = self._wait(list(submitted.values()))
        except APIError as error:
            yield _api_problem("workflows", error)
            return
        for name, execution_id in submitted.items():
            label = f"workflow {name}"
            execution = finished.get(execution_id)
            if execution is None:
                yield problem(label, "AMC did not finish the dry run in time", "run doctor again later")
            elif execution.status == "SUCCEEDED":
                yield ok(label, "compiled by AMC (dry run)")
            else:
                reason = execution.status_reason or "AMC gave no reason"
                cause = likely_cause(execution.status_reason, sql[name])
                yield problem(
                    label,
                    f"AMC's dry run ended {execution.status}: {reason}",
                    cause or "read AMC's message; `amc-cltv workflows show " + name + "` prints the SQL",
                )

    def validate(self, rendered: RenderedWorkflow) -> dict[str, Any]:
        """AMC's dry run of one rendered workflow (``run --dry-run --validate``): its status, AMC's reason and
        the likely cause. Raises APIError when AMC cannot be asked."""
        execution = self._dry_run(
            rendered.sql,
            parameters=[dict(p) for p in rendered.input_parameters],
            values={k: str(v) for k, v in rendered.parameter_values.items()},
            rendered=rendered,
            disable_aggregation_controls=True if rendered.synthetic_only else None,
        )
        finished = self._wait([execution.workflow_execution_id]).get(execution.workflow_execution_id)
        status = str(finished.status) if finished is not None else "PENDING"
        reason = finished.status_reason if finished is not None else "AMC did not finish the dry run in time"
        return {
            "status": status,
            "status_reason": reason,
            "likely_cause": likely_cause(reason, rendered.sql) if status != "SUCCEEDED" else None,
        }

    # -- what this machine needs ----------------------------------------------------------------------

    def _local(self) -> Iterator[Check]:
        dsp = self.config.profile.audience.dsp_advertiser_id
        if not self.config.amc.synthetic_data and dsp == PLACEHOLDER_DSP_ADVERTISER_ID:
            yield problem(
                "DSP advertiser",
                f"[audience] dsp_advertiser_id is {dsp}, the sandbox's placeholder",
                "set [audience] dsp_advertiser_id to the Amazon DSP advertiser that receives the audience",
                Kind.CONFIG,
            )
        else:
            yield ok("DSP advertiser", f"audiences go to DSP advertiser {dsp}")
        for label, folder in (("state_dir", self.config.state_dir), ("output_dir", self.config.output_dir)):
            yield _writable(label, folder)


def _writable(label: str, folder: Path) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True) as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return problem(
            label,
            f"{folder} is not writable: {error.strerror or error}",
            f"create it or give this user write access, or set [paths] {label}",
        )
    return ok(label, f"{folder} is writable")

"""``amc-cltv doctor``: will tonight's run work? A checklist, each line ok, a problem with its fix, or
skipped and why.

Nothing here changes AMC: the workflows are compiled by AMC as ad-hoc executions with ``dryRun: true``
(validated and compiled, never run, no quota, no output; docs/amc-api.md §3.2), saved workflows and
audiences are left alone. The whole list runs within its own budget of seconds (``Budget``), whatever the
profile's nightly ``max_wait_s``: a dry run AMC has not finished by then is a problem of its own (AMC did
not answer in time), never read as the answer. Every check is listed: one that cannot run (no token, no
instance, no time left) says so. A failure is put on the component that failed: Login with Amazon (the
token), AMC (the API), or the instance's data (a dataset, a dry run AMC rejected).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from amc_cltv import clock
from amc_cltv.cadence import Schedule
from amc_cltv.client import AmcClient
from amc_cltv.client.models import AmcAccount, CreateWorkflowExecution, Workflow, WorkflowExecution
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import Config
from amc_cltv.errors import APIError, NotFoundError, UsageError
from amc_cltv.orchestration import dry_run_verdicts as verdicts
from amc_cltv.orchestration.checklist import (
    Budget,
    Check,
    Kind,
    amc_problem,
    local_checks,
    login_problem,
    ok,
    problem,
    skipped,
)
from amc_cltv.orchestration.dry_run_verdicts import SHOPPING, SHOPPING_INSIGHTS_PROBE
from amc_cltv.orchestration.marketplaces import marketplace_scope, spans_marketplaces
from amc_cltv.orchestration.polling import Poll, drive
from amc_cltv.timewindow import resolve_window
from amc_cltv.workflows import RenderedWorkflow, catalog
from amc_cltv.workflows.rejections import SHOPPING_INSIGHTS_TABLE, likely_cause

MAX_CLOCK_SKEW_S = 60
DEFAULT_BUDGET_S = 180.0  # the whole checklist, dry runs included (`doctor --budget`)
VALIDATE_WAIT_S = 900.0  # `run --dry-run --validate`: one workflow's dry run
DATA_SOURCES = "data sources"
# The checks that need the instance's ids, in order, after the token.
ID_CHECKS = ("AMC account", "AMC instance", "currencies")
# An HTTP date (RFC 9110 IMF-fixdate): a response carrying two Date headers has them joined by ", ".
_HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def server_time(header: str) -> datetime | None:
    """The time of AMC's ``Date`` header; of the last one when the answer carried several (an HTTP server in
    front of the app adds its own before the app's), None when none can be read."""
    dates = _HTTP_DATE.findall(header) or [header]
    try:
        moment = parsedate_to_datetime(dates[-1])
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Doctor:
    """The checks of one profile, over one client, within ``budget_s`` seconds of the tool's clock."""

    def __init__(
        self,
        config: Config,
        client: AmcClient,
        *,
        now: Callable[[], datetime] | None = None,
        budget_s: float = DEFAULT_BUDGET_S,
    ) -> None:
        self.config = config
        self.client = client
        self._now = now or (lambda: clock.current().now())
        self.budget = Budget(budget_s, lambda: clock.current().monotonic())
        self._optional_datasets: list[Any] = []
        self._accounts: list[AmcAccount] | None = None
        self._accounts_error: APIError | None = None

    def checks(self) -> Iterator[Check]:
        """Every check, in order; one that cannot run is listed as skipped, with why."""
        yield self._profile()
        token = self._token()
        yield token
        if not token.ok:
            why = "needs a Login with Amazon token (see above)"
            yield from (skipped(name, why) for name in (*ID_CHECKS, *self._amc_checks()))
            yield from local_checks(self.config)
            return
        ids = self._ids()
        yield from ids
        yield from (skipped(name, "needs a known AMC instance (see above)") for name in ID_CHECKS[len(ids) :])
        if not all(check.ok for check in ids):
            yield from (
                skipped(name, "needs a known AMC instance (see above)") for name in self._amc_checks()
            )
            yield from local_checks(self.config)
            return
        yield self._clock()
        yield self._data_sources()
        yield from self._compiled()
        yield from local_checks(self.config)

    def _amc_checks(self) -> list[str]:
        """The names of the checks after the ids, for the lines that say they were skipped."""
        return ["clock", DATA_SOURCES, SHOPPING, *(f"workflow {name}" for name in catalog.names())]

    def _out_of_time(self, name: str) -> Check | None:
        if self.budget.spent():
            return skipped(name, f"{self.budget.describe()} ran out before this check (`doctor --budget`)")
        return None

    def _amc_problem(self, name: str, error: APIError) -> Check:
        return amc_problem(name, error, self.config.amc.api_url)

    # -- the profile and the credentials --------------------------------------------------------------

    def _profile(self) -> Check:
        amc = self.config.amc
        where = "the embedded sandbox" if self.config.source is None else str(self.config.source)
        return ok("profile", f"{where}: instance {amc.instance_id}, advertiser {amc.advertiser_id}")

    def _token(self) -> Check:
        """The first call needs a token: when none was obtained, Login with Amazon failed, and AMC was never
        asked; when one was, what AMC answered belongs to the ids' checks."""
        name = "Login with Amazon"
        try:
            self._accounts = self.client.accounts.list()
        except APIError as error:
            if self.client.auth.refresh_count == 0:
                return login_problem(name, error, self.config.amc.token_url)
            self._accounts_error = error
        return ok(name, "the refresh token was exchanged for an access token")

    # -- ids --------------------------------------------------------------------------------------------

    def _ids(self) -> list[Check]:
        amc = self.config.amc
        if self._accounts is None:
            assert self._accounts_error is not None
            return [self._amc_problem("AMC account", self._accounts_error)]
        accounts = self._accounts
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
            return [*found, self._amc_problem("AMC instance", error)]
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
            return self._amc_problem(name, error)
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
        server = server_time(header)
        if server is None:
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

    # -- the tables and columns the workflows read -----------------------------------------------------

    def _data_sources(self) -> Check:
        """Every table and column our workflows read, against the instance's ``GET dataSources``: a paid
        dataset the instance lacks, or a column AMC renamed, shows here without spending a dry run."""
        name = DATA_SOURCES
        late = self._out_of_time(name)
        if late is not None:
            return late
        insights = self.config.profile.workflows.shopping_insights
        try:
            listed = self.client.data_sources.list()
        except NotFoundError:
            return skipped(
                name, "the instance does not answer GET dataSources (HTTP 404): the dry runs decide"
            )
        except APIError as error:
            return self._amc_problem(name, error)
        answer = [source.model_dump(by_alias=True) for source in listed]
        missing = catalog.missing_from_data_sources(answer, shopping_insights=insights)
        if not missing:
            return ok(
                name,
                f"the instance lists every table and column the workflows read ({len(listed)} tables listed)",
            )
        absent_tables = sorted({m.table for m in missing if not m.columns})
        fixes = []
        if SHOPPING_INSIGHTS_TABLE in absent_tables and insights:
            fixes.append(
                "conversions_all needs the paid Flexible Shopping Insights subscription: set [workflows] "
                "shopping_insights = false, or subscribe"
            )
        if any(m.columns for m in missing) or set(absent_tables) - {SHOPPING_INSIGHTS_TABLE}:
            fixes.append(
                "a column or table AMC does not list was renamed, removed or needs a dataset the instance "
                "lacks: compare with AMC's schema pages (docs/amc-api.md) and `amc-cltv workflows show NAME`"
            )
        return problem(name, "; ".join(str(m) for m in missing), "; ".join(fixes))

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

    def _dry_run_workflow(self, rendered: RenderedWorkflow) -> Any:
        """A workflow's dry run, with its parameters, as it would be uploaded."""
        return self._dry_run(
            rendered.sql,
            parameters=[dict(p) for p in rendered.input_parameters],
            values={k: str(v) for k, v in rendered.parameter_values.items()},
            rendered=rendered,
            disable_aggregation_controls=True if rendered.synthetic_only else None,
        )

    def _wait(self, execution_ids: list[str], budget: Budget | None = None) -> dict[str, WorkflowExecution]:
        """Poll the dry runs until each is terminal, or the budget runs out: those not done are left out.
        A status AMC has not documented is not terminal: it is polled until the budget runs out."""
        budget = budget or self.budget
        polling = self.config.profile.polling
        # Dry runs end in seconds: the poll engine on a short ramp (at most 5 s, then up to 30 s).
        quick = polling.model_copy(
            update={"initial_interval_s": min(polling.initial_interval_s, 5.0), "max_interval_s": 30.0}
        )
        done: dict[str, WorkflowExecution] = {}

        def look() -> dict[str, WorkflowExecution]:
            for execution_id in execution_ids:
                if execution_id not in done:
                    execution = self.client.executions.get(execution_id)
                    if execution.terminal:
                        done[execution_id] = execution
            return done

        now = clock.current()
        poll = Poll(
            Schedule(quick, (), key=",".join(execution_ids)),
            since=now.now(),
            started=now.monotonic(),
            max_wait_s=budget.remaining(),
        )

        def status_of(seen: dict[str, WorkflowExecution]) -> ExecutionStatus:
            """Every dry run ended: the poll is done."""
            everyone = len(seen) == len(execution_ids)
            return ExecutionStatus.SUCCEEDED if everyone else ExecutionStatus.RUNNING

        drive(poll, look, status_of)
        return done

    def _compiled(self) -> Iterator[Check]:
        """The shopping dataset probe and every reporting workflow, submitted as dry runs at once and waited
        for together, within what is left of the budget."""
        insights = self.config.profile.workflows.shopping_insights
        pending: dict[str, str] = {}  # check name -> the dry run's execution id
        sql: dict[str, str] = {SHOPPING: SHOPPING_INSIGHTS_PROBE}
        lines: dict[str, Check] = {}
        for name, rendered in [
            (SHOPPING, None),
            *((n, catalog.render(n, shopping_insights=insights)) for n in catalog.names()),
        ]:
            label = name if rendered is None else f"workflow {name}"
            if rendered is not None and rendered.audience:
                lines[label] = ok(
                    label,
                    "audience query linted; AMC's audience API has no dry run, so AMC checks it when the "
                    "audience is created (`audience activate`)",
                )
                continue
            if rendered is not None and rendered.synthetic_only and not self.config.amc.synthetic_data:
                lines[label] = skipped(
                    label, "outputs one row per user: runs only on synthetic data, not checked here"
                )
                continue
            late = self._out_of_time(label)
            if late is not None:
                lines[label] = late
                continue
            try:
                if rendered is None:
                    execution = self._dry_run(SHOPPING_INSIGHTS_PROBE, parameters=[], values={})
                else:
                    execution = self._dry_run_workflow(rendered)
                    sql[label] = rendered.sql
            except APIError as error:
                lines[label] = self._amc_problem(label, error)
                continue
            pending[label] = execution.workflow_execution_id
        finished: dict[str, WorkflowExecution] = {}
        try:
            finished = self._wait(list(pending.values())) if pending else {}
        except APIError as error:
            lines.update((label, self._amc_problem(label, error)) for label in pending)
            pending = {}
        for label, execution_id in pending.items():
            result = finished.get(execution_id)
            if label == SHOPPING:
                lines[label] = verdicts.shopping_insights(
                    result,
                    wanted=self.config.profile.workflows.shopping_insights,
                    optional_datasets=self._optional_datasets,
                    budget=self.budget,
                )
            else:
                lines[label] = verdicts.workflow(label, result, sql[label], self.budget)
        order = [SHOPPING, *(f"workflow {name}" for name in catalog.names())]
        yield from (lines[label] for label in order)

    def validate(self, rendered: RenderedWorkflow) -> dict[str, Any]:
        """AMC's dry run of one rendered workflow (``run --dry-run --validate``): its status, AMC's reason and
        the likely cause. Raises APIError when AMC cannot be asked."""
        execution = self._dry_run_workflow(rendered)
        wait = Budget(VALIDATE_WAIT_S, lambda: clock.current().monotonic())
        finished = self._wait([execution.workflow_execution_id], wait).get(execution.workflow_execution_id)
        status = finished.status if finished is not None else ExecutionStatus.PENDING
        reason = finished.status_reason if finished is not None else "AMC did not finish the dry run in time"
        return {
            "status": status,
            "status_reason": reason,
            "likely_cause": likely_cause(reason, rendered.sql)
            if status != ExecutionStatus.SUCCEEDED
            else None,
        }

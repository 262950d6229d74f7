"""Executions and audiences move through AMC's lifecycle on the sandbox clock, not on a thread.

Whatever request observes that work is due (and, under ``sandbox serve``, a background ticker) does it,
under a file lock so that one process computes each execution. A client process that dies mid-poll loses
nothing: the next request picks up where the clock says things are.

Executions: PENDING for ``queue_s``; RUNNING once a slot is free (at most ``max_concurrent`` per instance,
of the ``instances`` the sandbox serves);
after ``run_s`` they are computed and end SUCCEEDED, FAILED (the engine's message) or REJECTED (AMC's
``statusReason``). Audiences: PENDING, RUNNING, then SUCCEEDED with ``audienceCount`` or FAILED.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from amc_cltv.sandbox.clock import SandboxClock
from amc_cltv.sandbox.engine import Engine, Failed, Rejected
from amc_cltv.sandbox.generator import GenerationStats, generate
from amc_cltv.sandbox.settings import SandboxSettings
from amc_cltv.sandbox.store import Store
from amc_cltv.sandbox.tables import ALL_TABLES

ACTIVE = ("PENDING", "RUNNING")
SYNTHETIC_REQUIRED = "requireSyntheticData must be true for executions on a sandbox instance."
# AMC's message, from its execute-workflow guide (docs/amc-api.md §3.11).
OVERLAP_REJECTED = (
    'Execution "{execution}" of workflow "{workflow}" could not be run because too many workflows have '
    "already been run against the same input data sources in the same or overlapping time windows."
)

# lookalikeAudienceExpectedReach, from the most similar to the broadest, and the size the sandbox gives each:
# the low end of the guide's range for Europe and the Americas (docs/amc-api.md §4.6).
LOOKALIKE_REACH = {
    "MOST_SIMILAR": 500_000,
    "SIMILAR": 1_500_000,
    "BALANCED": 2_000_000,
    "BROAD": 2_500_000,
    "MOST_BROAD": 3_000_000,
}
# AMC models a lookalike only from a seed of 500 to 500,000 users (docs/amc-api.md §4.6).
LOOKALIKE_SEED_MIN = 500
LOOKALIKE_SEED_MAX = 500_000


def iso(moment: datetime) -> str:
    """AMC's response time format: UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class _Computed:
    """A query's result: its columns and rows, and the folder holding its CSV files."""

    columns: list[str]
    rows: int
    files: list[str]
    folder: Path


class Lifecycle:
    """Advances every due execution and audience of one state directory."""

    def __init__(self, state_dir: Path, store: Store, clock: SandboxClock) -> None:
        self._state_dir = state_dir
        self._store = store
        self._clock = clock
        self._lock = FileLock(str(state_dir / "lifecycle.lock"))
        self._engine: Engine | None = None
        self._engine_guard = threading.Lock()
        self._quiet_until: tuple[int, datetime, int] | None = None

    @property
    def data_dir(self) -> Path:
        return self._state_dir / "data"

    def results_dir(self, workflow_execution_id: str) -> Path:
        return self._state_dir / "results" / workflow_execution_id

    def ensure_data(self) -> GenerationStats:
        """The synthetic data, generated on first use (ending on the sandbox clock's today)."""
        existing = GenerationStats.read(self.data_dir)
        if existing is not None:
            return existing
        with FileLock(str(self._state_dir / "data.lock")):
            existing = GenerationStats.read(self.data_dir)
            if existing is not None:
                return existing
            settings = SandboxSettings.load(self._store)
            return generate(settings.users, settings.seed, self.data_dir, end_date=self._clock.now().date())

    def engine(self) -> Engine:
        with self._engine_guard:
            if self._engine is None:
                self.ensure_data()
                self._engine = Engine.over_parquet(
                    self.data_dir, results_dir=self._state_dir / "results", memory_limit="1GB"
                )
            return self._engine

    def reset(self) -> None:
        with self._engine_guard:
            self._engine = None
        shutil.rmtree(self._state_dir / "results", ignore_errors=True)

    def advance(self, *, wait: bool = False) -> None:
        """Do the work that is due; skipped when another process is doing it (unless ``wait``), and when
        nothing can be due (nothing changed since the last pass and the next due moment is not reached)."""
        if not wait and self._quiet():
            return
        try:
            self._lock.acquire(timeout=-1 if wait else 0)
        except Timeout:
            return
        try:
            for _ in range(1000):  # every pass makes progress or stops
                if not self._advance_executions() and not self._advance_audiences():
                    break
            self._note_quiet()
        finally:
            self._lock.release()

    # -- when nothing can be due ------------------------------------------------------------------------

    # Every request advances the lifecycle, and a pass reads every execution: with hundreds of executions
    # in flight that made each request cost a scan. After a pass, the store's generation, the next due
    # moment and the last execution seen are noted; until the clock reaches that moment or something else
    # changes, a request skips the scan. New executions alone (each insert bumps the generation once) only
    # bring the due moment forward.

    def _quiet(self) -> bool:
        noted = self._quiet_until
        if noted is None:
            return False
        generation, until, last_seq = noted
        current = self._store.generation()
        if current != generation:
            fresh = self._store.since("execution", last_seq)
            if not fresh or len(fresh) != current - generation:
                return False  # something besides new executions changed
            queue_s = SandboxSettings.load(self._store).queue_s
            for _, execution in fresh:
                if execution["status"] != "PENDING":
                    return False
                until = min(until, parse_iso(execution["createTime"]) + timedelta(seconds=queue_s))
            self._quiet_until = (current, until, fresh[-1][0])
        return self._clock.now() < until

    def _note_quiet(self) -> None:
        self._quiet_until = None
        generation = self._store.generation()  # read first: a later change shows as a newer one
        if self._store.all("audience"):  # audiences have lags and refreshes: always look
            return
        settings = SandboxSettings.load(self._store)
        due: list[datetime] = []
        executions = self._store.since("execution", 0)
        for _, execution in executions:
            if execution["status"] == "PENDING":
                if execution.get("waitedForSlot"):
                    return  # waiting for a slot: any pass may start it
                due.append(parse_iso(execution["createTime"]) + timedelta(seconds=settings.queue_s))
            elif execution["status"] == "RUNNING":
                timeout = float(execution.get("workflowExecutionTimeoutSeconds") or 21600)
                run_s = min(settings.run_s, timeout)
                due.append(parse_iso(execution["startTime"]) + timedelta(seconds=run_s))
        last_seq = executions[-1][0] if executions else 0
        self._quiet_until = (generation, min(due, default=datetime.max.replace(tzinfo=UTC)), last_seq)

    # -- executions -------------------------------------------------------------------------------------

    def _advance_executions(self) -> bool:
        settings = SandboxSettings.load(self._store)
        now = self._clock.now()
        active = [e for e in self._store.all("execution") if e["status"] in ACTIVE]
        finished = False
        for execution in active:  # every one that is due in this pass; the slots they free, in the next
            if execution["status"] == "RUNNING":
                timeout = float(execution.get("workflowExecutionTimeoutSeconds") or 21600)
                due = parse_iso(execution["startTime"]) + timedelta(seconds=min(settings.run_s, timeout))
                if now >= due:
                    if settings.run_s > timeout:
                        execution["forcedOutcome"] = {
                            "status": "FAILED",
                            "status_reason": f"Workflow execution timed out after {timeout:.0f} seconds.",
                        }
                    self._finish(execution, due, settings)
                    finished = True
        if finished:
            return True
        running = Counter(e.get("instanceId") for e in active if e["status"] == "RUNNING")
        changed = False
        for execution in active:
            if execution["status"] != "PENDING":
                continue
            due = parse_iso(execution["createTime"]) + timedelta(seconds=settings.queue_s)
            if now < due:
                continue
            if running[execution.get("instanceId")] >= settings.max_concurrent:
                if not execution.get("waitedForSlot"):
                    execution["waitedForSlot"] = True
                    self._store.put("execution", execution["workflowExecutionId"], execution)
                continue
            started = now if execution.get("waitedForSlot") else due
            with self._store.transaction():
                current = self._store.get("execution", execution["workflowExecutionId"])
                if current is None or current["status"] != "PENDING":
                    return True
                current.update(status="RUNNING", startTime=iso(started), lastUpdatedTime=iso(started))
                self._store.put("execution", current["workflowExecutionId"], current)
            running[execution.get("instanceId")] += 1
            changed = True
        return changed

    def _finish(self, execution: dict[str, Any], finished_at: datetime, settings: SandboxSettings) -> None:
        execution_id = execution["workflowExecutionId"]
        try:
            status, reason, files, rows = self._compute(execution, settings)
        except Exception as exc:  # never leave an execution RUNNING forever: AMC would fail it
            status, reason, files, rows = "FAILED", f"Internal error: {exc}", [], 0
        with self._store.transaction():
            current = self._store.get("execution", execution_id)
            if current is None or current["status"] != "RUNNING":
                shutil.rmtree(self.results_dir(execution_id), ignore_errors=True)
                return
            current.update(
                status=status,
                statusReason=reason,
                files=files,
                rows=rows,
                endTime=iso(finished_at),
                lastUpdatedTime=iso(finished_at),
            )
            self._store.put("execution", execution_id, current)

    def _compute(
        self, execution: dict[str, Any], settings: SandboxSettings
    ) -> tuple[str, str | None, list[str], int]:
        forced = execution.get("forcedOutcome")
        if forced:
            return str(forced["status"]), str(forced.get("status_reason") or "Injected fault."), [], 0
        if not execution.get("requireSyntheticData"):
            return "FAILED", SYNTHETIC_REQUIRED, [], 0
        if settings.overlap_limit and not execution.get("dryRun"):
            rejected = self._overlap_rejection(execution, settings.overlap_limit)
            if rejected:
                return "REJECTED", rejected, [], 0
        query: dict[str, Any] = {
            "time_window_start": parse_iso(execution["timeWindowStart"]),
            "time_window_end": parse_iso(execution["timeWindowEnd"]),
            "parameters": execution.get("resolvedParameters") or {},
            "disable_aggregation_controls": bool(execution.get("disableAggregationControls")),
            # Without the paid shopping dataset, reporting queries cannot read conversions_all.
            "unavailable_tables": frozenset()
            if settings.shopping_insights
            else frozenset({"conversions_all"}),
            "unread_tables": unread_tables(execution.get("advertisers")),
        }
        try:
            if execution.get("dryRun"):
                # AMC's dryRun validates and compiles the query, never runs it, and writes nothing.
                columns = self.engine().compile(execution["sqlQuery"], **query)
                mismatch = _output_columns_mismatch(execution, columns)
                return ("REJECTED", mismatch, [], 0) if mismatch else ("SUCCEEDED", None, [], 0)
            computed = self._result(execution, query, settings)
        except Rejected as exc:
            return "REJECTED", exc.status_reason, [], 0
        except Failed as exc:
            return "FAILED", exc.message, [], 0
        mismatch = _output_columns_mismatch(execution, computed.columns)
        if mismatch:
            return "REJECTED", mismatch, [], 0
        if execution.get("skipPublish"):
            return "SUCCEEDED", None, [], computed.rows
        out = self.results_dir(execution["workflowExecutionId"])
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for name in computed.files:
            shutil.copyfile(computed.folder / name, out / name)
        return "SUCCEEDED", None, list(computed.files), computed.rows

    def _overlap_rejection(self, execution: dict[str, Any], limit: int) -> str | None:
        """AMC's rejection when ``limit`` executions that ran already read a table this one reads over a
        time window overlapping its own (docs/amc-api.md §3.11); None otherwise."""
        tables = tables_read(execution["sqlQuery"])
        start, end = execution["timeWindowStart"], execution["timeWindowEnd"]
        earlier = [
            other
            for other in self._store.all("execution")
            if other["workflowExecutionId"] != execution["workflowExecutionId"]
            and other.get("instanceId") == execution.get("instanceId")
            and other["status"] == "SUCCEEDED"
            and not other.get("dryRun")
            and other["timeWindowStart"] < end
            and start < other["timeWindowEnd"]
            and tables & tables_read(other["sqlQuery"])
        ]
        if len(earlier) < limit:
            return None
        return OVERLAP_REJECTED.format(
            execution=execution["workflowExecutionId"], workflow=execution["workflowId"]
        )

    def _result(
        self, execution: dict[str, Any], query: dict[str, Any], settings: SandboxSettings
    ) -> _Computed:
        """The query's result files. The data under a state folder never changes, so a result is computed
        once per query, window, parameters, tables, threshold and file size and kept in ``results/_cache``
        (a fleet of instances running the same workflows computes each once)."""
        filtered = [*(execution.get("filteredColumns") or []), None, None][:2]
        threshold = settings.aggregation_threshold
        identity = [execution["sqlQuery"], query, filtered, threshold, settings.max_rows_per_file]
        text = json.dumps(
            identity, sort_keys=True, default=lambda v: sorted(v) if isinstance(v, frozenset) else str(v)
        )
        key = hashlib.sha256(text.encode()).hexdigest()
        folder = self._state_dir / "results" / "_cache" / key
        if (folder / "result.json").is_file():
            known = json.loads((folder / "result.json").read_text())
            return _Computed(known["columns"], int(known["rows"]), known["files"], folder)
        result = self.engine().execute(execution["sqlQuery"], **query)
        try:
            columns = list(result.columns)  # what the query outputs, before any row is marked
            discriminator, reason = filtered
            result.apply_aggregation_threshold(
                settings.aggregation_threshold, discriminator=discriminator, reason_column=reason
            )
            staging = folder.with_name(f"{key}.{uuid.uuid4().hex}")
            files = [path.name for path in result.write_csv(staging, settings.max_rows_per_file)]
            known = {"columns": columns, "rows": result.row_count, "files": files}
            (staging / "result.json").write_text(json.dumps(known))
            with contextlib.suppress(OSError):  # already there: the same result, written by another pass
                staging.rename(folder)
            shutil.rmtree(staging, ignore_errors=True)
            return _Computed(columns, result.row_count, files, folder)
        finally:
            result.close()

    # -- audiences --------------------------------------------------------------------------------------

    def _advance_audiences(self) -> bool:
        settings = SandboxSettings.load(self._store)
        now = self._clock.now()
        for audience in self._store.all("audience"):
            if audience["status"] not in ACTIVE:
                continue
            created = parse_iso(audience["lastRefreshedTime"])
            if audience["status"] == "PENDING" and now >= created + timedelta(
                seconds=settings.audience_run_s / 2
            ):
                audience.update(status="RUNNING")
                self._store.put("audience", audience["audienceExecutionId"], audience)
                return True
            finished_at = created + timedelta(seconds=settings.audience_run_s)
            if audience["status"] == "RUNNING" and now >= finished_at:
                try:
                    status, reason, count = self._compute_audience(audience, settings)
                except Exception as exc:  # as for executions: fail it rather than retry forever
                    status, reason, count = "FAILED", f"Internal error: {exc}", 0
                with self._store.transaction():
                    current = self._store.get("audience", audience["audienceExecutionId"])
                    if current is None or current["status"] != "RUNNING":
                        return True
                    current.update(status=status, statusReason=reason, audienceCount=count)
                    if status == "SUCCEEDED":
                        current["succeededTime"] = iso(finished_at)
                    self._store.put("audience", current["audienceExecutionId"], current)
                return True
        return False

    def _compute_audience(
        self, audience: dict[str, Any], settings: SandboxSettings
    ) -> tuple[str, str | None, int]:
        forced = audience.get("forcedOutcome")
        if forced:
            return "FAILED", str(forced.get("status_reason") or "Injected fault."), 0
        try:
            result = self.engine().execute(
                audience["resolvedQuery"],
                time_window_start=parse_iso(audience["timeWindowStart"]),
                time_window_end=parse_iso(audience["timeWindowEnd"]),
                parameters=audience.get("resolvedParameters") or {},
                audience=True,
            )
        except (Rejected, Failed) as exc:
            return "FAILED", str(exc), 0
        try:
            count = result.distinct_count("user_id")
        finally:
            result.close()
        if audience.get("audienceType") == "LOOKALIKE":
            return _lookalike_outcome(audience, count)
        if count < settings.min_audience_size:
            return (
                "FAILED",
                f"Audience size {count} is below the minimum audience size of "
                f"{settings.min_audience_size} records.",
                count,
            )
        return "SUCCEEDED", None, count


# The tables that hold one kind of advertiser's data (docs/sandbox.md, "AMC's rules it emulates").
_TABLES_OF_TYPE = {
    "DISPLAY": frozenset(name for name in ALL_TABLES if name.startswith("dsp_")),
    "SPONSORED_ADS": frozenset(name for name in ALL_TABLES if name.startswith("sponsored_ads_")),
}


def tables_read(sql: str) -> frozenset[str]:
    """The AMC tables ``sql`` names."""
    return frozenset(re.findall(r"[a-z_]+", sql.lower())) & frozenset(ALL_TABLES)


def unread_tables(advertisers: Any) -> frozenset[str]:
    """The tables an execution restricted to ``advertisers`` reads as empty: those of every advertiser type it
    leaves out (no restriction: none). The synthetic data belongs to the instance's DSP advertiser and its
    sponsored ads advertiser in the profile's marketplace."""
    if not isinstance(advertisers, list) or not advertisers:
        return frozenset()
    kept = {str(a.get("type") or "").upper() for a in advertisers if isinstance(a, dict)}
    return frozenset().union(*(tables for kind, tables in _TABLES_OF_TYPE.items() if kind not in kept))


def _lookalike_outcome(audience: dict[str, Any], seed: int) -> tuple[str, str | None, int]:
    """A lookalike is modelled from its seed query's users: 500 to 500,000 of them, else FAILED; its size is
    the low end of its expected reach's range (docs/amc-api.md §4.6)."""
    if not LOOKALIKE_SEED_MIN <= seed <= LOOKALIKE_SEED_MAX:
        return (
            "FAILED",
            f"The seed audience has {seed} user_ids; a lookalike audience needs between "
            f"{LOOKALIKE_SEED_MIN} and {LOOKALIKE_SEED_MAX} user_ids.",
            0,
        )
    return "SUCCEEDED", None, LOOKALIKE_REACH[audience["lookalikeAudienceExpectedReach"]]


def _output_columns_mismatch(execution: dict[str, Any], columns: list[str]) -> str | None:
    """AMC's reason when the workflow declares outputColumns other than what the query outputs."""
    declared = [str(c) for c in execution.get("declaredOutputColumns") or []]
    if declared and {c.lower() for c in declared} != {c.lower() for c in columns}:
        return (
            f"The query's output columns ({', '.join(columns)}) do not match the workflow's "
            f"outputColumns ({', '.join(declared)})."
        )
    return None

"""``amc-cltv run``: the nightly job (one workflow, or every instance profile of a folder with ``--all``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from amc_cltv.cli import common
from amc_cltv.cli.exit_codes import ExitCode, for_ending, for_error_class
from amc_cltv.errors import AmcCltvError, Interrupted, Remedy, UsageError
from amc_cltv.results import CLTV, NUM_USERS, TOTAL_SALES, TOTAL_SPEND, USER_CONVERSION_RATE, USERS, reads

if TYPE_CHECKING:  # the CLI imports the library lazily, per command
    from rich.status import Status

    from amc_cltv.api import Session
    from amc_cltv.audience import ActivationOutcome
    from amc_cltv.ledger import Ledger
    from amc_cltv.orchestration.fleet import FleetResult
    from amc_cltv.orchestration.outcome import RunOutcome


def _parameters(values: list[str] | None) -> dict[str, str]:
    from amc_cltv.workflows.parameters import parse_assignments

    return parse_assignments(values or [])


class _Progress:
    """Feeds the --json partial object and, on a terminal only, a live status line."""

    def __init__(self, workflow: str, interactive: bool) -> None:
        self.workflow = workflow
        self.status: Status | None = None
        if interactive:
            from rich.status import Status

            self.status = Status(f"{workflow}: preparing", console=common.stderr_console())
            self.status.start()

    def __call__(self, event: str, details: dict[str, Any]) -> None:
        partial = common.invocation().json_partial
        for key in ("execution_id", "status", "time_window_start", "time_window_end", "workflow_id"):
            if key in details:
                partial[key] = details[key]
        if self.status is None:
            return
        if event == "poll":
            elapsed = int(details.get("elapsed_s") or 0)
            next_poll = details.get("next_poll_s")
            tail = f", next poll in {next_poll:.0f} s" if next_poll else ""
            self.status.update(
                f"{self.workflow} {details['execution_id']}: {details['status']}, "
                f"elapsed {elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}{tail}"
            )
        elif event == "submitted":
            # The same event names a run this invocation submitted and one it found (resumed or reused).
            said = "resumed" if details.get("reused") else "submitted"
            self.status.update(f"{self.workflow} {details['execution_id']}: {said}")
        elif event == "downloaded":
            self.status.update(f"{self.workflow}: downloaded {len(details.get('files', []))} file(s)")

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()


def _json_logs() -> bool:
    from amc_cltv.log import json_lines

    return json_lines(common.invocation().log_format)


def _tell(detail: str, remedy: Remedy | None, exit_code: int) -> None:
    """Why the exit code is not 0: a JSON log event when stderr carries JSON lines, else one line."""
    message = common.in_cli_words(detail, remedy)
    if _json_logs():
        from amc_cltv.log import get_logger

        level = "warning" if exit_code == ExitCode.STILL_RUNNING else "error"
        getattr(get_logger("amc_cltv.cli"), level)("run_not_done", exit_code=exit_code, message=message)
        return
    sys.stderr.write(f"amc-cltv: {'error: ' if exit_code != ExitCode.STILL_RUNNING else ''}{message}\n")


SUMMARY_ROWS = 20
# The result columns that are averages per customer although named total_… (docs/segments.md §5).
PER_CUSTOMER_AVERAGES = {"segmentation": reads("segmentation", TOTAL_SALES, TOTAL_SPEND, CLTV)}
# After the key column, the columns a narrow terminal keeps first: the answer, then what it is made of.
PREFERRED_COLUMNS = (CLTV, NUM_USERS, USERS, TOTAL_SALES, TOTAL_SPEND, USER_CONVERSION_RATE)


def _fitting_columns(columns: list[str], rows: list[list[str]], width: int) -> list[int]:
    """Indices of the columns to show within ``width`` at their natural width, in their CSV order: the
    first (key) column always, then the preferred ones, then the rest while they fit."""
    preferred = [columns.index(name) for name in PREFERRED_COLUMNS if name in columns]
    order = [0, *(i for i in preferred if i), *(i for i in range(1, len(columns)) if i not in preferred)]
    return common.fitting_columns(columns, rows, width, order)


def _print_summary(outcome: RunOutcome) -> None:
    """The first rows of the result as a table that fits the terminal; what is cut is said, not squeezed.
    A ``cohorts`` result is shown per cohort instead."""
    from amc_cltv.orchestration.cohorts import COHORTS_WORKFLOW, read_cohorts
    from amc_cltv.orchestration.summary import result_table

    console = common.stdout_console()
    if outcome.workflow == COHORTS_WORKFLOW and outcome.files:
        from amc_cltv.cli.cohort_table import print_cohorts

        print_cohorts(console, outcome, read_cohorts(outcome.files))
        return
    columns, rows = result_table(outcome.files, outcome.workflow, max_rows=SUMMARY_ROWS)
    shown = _fitting_columns(columns, rows, console.width)
    hidden = [name for index, name in enumerate(columns) if index not in shown]
    title = f"{outcome.workflow} {outcome.execution_id} ({outcome.time_window.start.date()} to "
    title += f"{outcome.time_window.end.date()}, {'reused' if outcome.reused else 'new'})"
    table = common.table(title=title)
    for index in shown:
        name = columns[index]
        table.add_column(name, justify="left" if name.endswith(("segment", "asin", "_id")) else "right")
    for row in rows:
        table.add_row(*(row[index] for index in shown))
    console.print(table)
    averaged = [name for name in PER_CUSTOMER_AVERAGES.get(outcome.workflow, ()) if name in columns]
    if averaged:
        console.print(f"{', '.join(averaged)}: averages per customer, not totals", highlight=False)
    notes = []
    if outcome.rows > len(rows):
        notes.append(f"first {len(rows)} of {outcome.rows:,} rows")
    if hidden:
        notes.append(f"columns not shown: {', '.join(hidden)}")
    if notes:
        console.print(f"({'; '.join(notes)}: see the CSV)", highlight=False)
    filtered = outcome.filtered()
    if filtered is not None and filtered.rows:
        console.print(filtered.describe(), highlight=False)
    console.print(
        f"{outcome.rows:,} row(s) in {len(outcome.files)} file(s): {outcome.files[0].parent}", highlight=False
    )
    if outcome.status_calls:
        console.print(polling_line(outcome), highlight=False)


def polling_line(outcome: RunOutcome) -> str:
    """What finding out that AMC was done cost: status calls, and how late the end could have been seen."""
    line = f"polling: {outcome.status_calls} status call(s)"
    if outcome.detection_delay_bound_s is not None:
        # To the tenth of a second, as run --json rounds it: a 0.2 s bound is not "0 s".
        line += f", end noticed within {outcome.detection_delay_bound_s:.1f} s"
    return line


def _print_dry_run(plan: Any, session: Session, *, validate: bool = False) -> int:
    """Print the requests a run would send; with ``validate``, AMC's dry run of the workflow too (exit 1
    when AMC rejects it)."""
    from amc_cltv.orchestration.sync import definition_hash

    config = session.config
    body = plan.rendered.as_workflow_body()
    request = {
        "workflow": {
            "upsert": f"/amc/reporting/{config.instance_id}/workflows/{plan.spec.workflow_id}",
            "definition_sha256": definition_hash(body),
            "sql_sha256": plan.rendered.sql_sha256,
        },
        "execution": {
            "method": "POST",
            "path": f"/amc/reporting/{config.instance_id}/workflowExecutions",
            "body": plan.execution_request(),
        },
        "run_key": plan.run_key,
    }
    code = ExitCode.OK
    if validate:
        from amc_cltv.client.status import ExecutionStatus
        from amc_cltv.orchestration.doctor import Doctor

        request["validation"] = Doctor(config, session.client).validate(plan.rendered)
        if request["validation"]["status"] != ExecutionStatus.SUCCEEDED:
            code = ExitCode.AMC_FAILED
    sys.stdout.write(json.dumps(request, indent=2) + "\n")
    return code


def run(
    workflow: Annotated[
        str | None, typer.Option("--workflow", help="Workflow name (see 'workflows list').")
    ] = None,
    window_days: Annotated[
        int | None, typer.Option("--window-days", help="Window length in days (365).")
    ] = None,
    window_end: Annotated[
        str | None, typer.Option("--window-end", help="Window end date YYYY-MM-DD (exclusive midnight).")
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Submit (or look once) and exit 4 if running.")
    ] = False,
    max_wait: Annotated[
        float | None, typer.Option("--max-wait", help="Seconds to wait for AMC before exit 4 (resumable).")
    ] = None,
    force_rerun: Annotated[
        bool, typer.Option("--force-rerun", help="Submit anew over a finished run.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the requests; send nothing.")] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate", help="With --dry-run: AMC compiles the workflow (dryRun: no quota, no output)."
        ),
    ] = False,
    activate_audience: Annotated[
        bool,
        typer.Option("--activate-audience", help="After a successful segmentation, activate the audience."),
    ] = False,
    param: Annotated[
        list[str] | None, typer.Option("--param", metavar="KEY=VALUE", help="A workflow parameter value.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    run_all: Annotated[bool, typer.Option("--all", help="Every instance profile in --config-dir.")] = False,
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", help="Folder of instance profiles (*.toml) for --all.")
    ] = None,
) -> None:
    """Run a workflow: upload it, submit once, poll, download, summarise. Re-running resumes or reuses.

    Example: amc-cltv run --workflow segmentation --json
    """
    common.want_json(
        as_json,
        workflow=workflow,
        execution_id=None,
        status=None,
        status_reason=None,
        time_window_start=None,
        time_window_end=None,
        files=[],
        rows=0,
    )
    if workflow is None:
        raise UsageError("run needs --workflow NAME (see 'amc-cltv workflows list')")
    if validate and not dry_run:
        raise UsageError("--validate goes with --dry-run (AMC compiles the workflow, nothing runs)")
    from amc_cltv.api import check_wait

    check_wait(max_wait, "--max-wait")  # the API's own check, in the flag's name
    if activate_audience and workflow != "segmentation":
        raise UsageError(
            f"--activate-audience follows a segmentation run (the audience is sized from its result), not "
            f"{workflow}: run `amc-cltv run --workflow segmentation --activate-audience`"
        )
    from amc_cltv.orchestration.run import RunOptions
    from amc_cltv.timewindow import parse_day

    options = RunOptions(
        window_days=window_days,
        window_end=parse_day(window_end) if window_end else None,
        no_wait=no_wait,
        max_wait_s=max_wait,
        force_rerun=force_rerun,
        parameters=_parameters(param),
    )
    if run_all:
        if common.invocation().config_path is not None:
            raise UsageError(
                "--config is not used with --all (each profile of --config-dir is run): give one or the other"
            )
        if activate_audience:
            raise UsageError(
                "--activate-audience is not supported with --all: activate each instance's audience with "
                "`amc-cltv --config PROFILE audience activate --segment high-value`"
            )
        _run_all(workflow, options, config_dir, as_json, dry_run)
        return
    if config_dir is not None:
        raise UsageError("--config-dir is used with --all")
    _run_one(
        workflow,
        options,
        as_json=as_json,
        dry_run=dry_run,
        activate_audience=activate_audience,
        validate=validate,
    )


def _run_json(outcome: RunOutcome) -> dict[str, Any]:
    """The ``run --json`` object: the outcome's, with its exit code where the object has always had it."""
    return common.with_exit_code(outcome.as_json(), for_ending(outcome.ending), after="aggregation_filtered")


def _activate(session: Session, outcome: RunOutcome) -> ActivationOutcome:
    """Chain the audience activation after a successful run. If it fails, the --json object still reports
    the run that succeeded and what the activation had learnt (name, AMC id, status, reason)."""
    from amc_cltv import api
    from amc_cltv import audience as audiences

    partial = common.invocation().json_partial
    partial.update(_run_json(outcome))
    try:
        return api.activate_audience(session.config, client=session.client, ledger=session.ledger)
    except AmcCltvError as error:
        known = audiences.known_on_error(error)
        partial["audience"] = known.as_json() if known is not None else {"segment": "high-value"}
        raise


def _known_from_ledger(ledger: Ledger, run_key: str) -> None:
    """On a signal, the --json object says what the ledger holds: the id may be recorded a moment before
    the progress display hears of it."""
    run = ledger.latest_run(run_key)
    if run is not None and run.execution_id is not None:
        common.invocation().json_partial.update(execution_id=run.execution_id, status=run.status)


def _run_one(
    workflow: str,
    options: Any,
    *,
    as_json: bool,
    dry_run: bool,
    activate_audience: bool,
    validate: bool = False,
) -> None:
    from amc_cltv import api
    from amc_cltv.orchestration.run import plan_run

    with common.invocation().session() as session:
        config = session.config
        if dry_run:
            code = _print_dry_run(plan_run(config, workflow, options), session, validate=validate)
            if code:
                raise typer.Exit(code)
            return
        progress = _Progress(workflow, interactive=sys.stderr.isatty() and not as_json)
        try:
            client, ledger = session.client, session.ledger
            try:
                outcome = api.run_workflow(
                    config,
                    workflow,
                    **_run_args(options),
                    max_wait_s=0.0 if options.no_wait else options.max_wait_s,  # --no-wait: look once
                    client=client,
                    ledger=ledger,
                    observer=progress,
                )
            except Interrupted:
                _known_from_ledger(ledger, plan_run(config, workflow, options).run_key)
                raise
            audience = None
            if activate_audience and outcome.succeeded:
                audience = _activate(session, outcome)
        finally:
            progress.stop()
    from amc_cltv.orchestration.cohorts import COHORTS_WORKFLOW, read_cohorts

    payload = _run_json(outcome)
    if outcome.workflow == COHORTS_WORKFLOW and outcome.succeeded and outcome.files:
        payload.update(read_cohorts(outcome.files).as_json())
    if audience is not None:
        payload["audience"] = audience.as_json()
    code = for_ending(outcome.ending)
    if as_json:
        common.emit_json(payload)
    elif outcome.succeeded:
        _print_summary(outcome)
        if audience is not None:
            from amc_cltv.cli.audience import activation_lines

            typer.echo("\n".join(activation_lines(audience.as_dict())))
    if outcome.detail:
        _tell(outcome.detail, outcome.remedy, code)
    if code:
        raise typer.Exit(code)


def _fleet_code(result: FleetResult) -> int:
    """A profile's exit code: its error's, else its run's ending's."""
    if result.error is not None:
        return int(for_error_class(result.error))
    assert result.ending is not None
    return for_ending(result.ending)


def _run_args(options: Any) -> dict[str, Any]:
    """The run's flags as the library's parameters, which ``run_workflow`` and ``run_fleet`` share."""
    return {
        "window_days": options.window_days,
        "window_end": options.window_end,
        "parameters": options.parameters,
        "force_rerun": options.force_rerun,
    }


def _run_all(workflow: str, options: Any, config_dir: Path | None, as_json: bool, dry_run: bool) -> None:
    from amc_cltv import api

    if config_dir is None:
        raise UsageError("--all needs --config-dir DIR (a folder of instance profiles)")
    if dry_run:
        raise UsageError("--dry-run is not supported with --all; dry-run one profile with --config")
    results = api.run_fleet(
        config_dir,
        workflow,
        **_run_args(options),
        max_wait_s=options.max_wait_s,
        no_wait=options.no_wait,
    )
    codes = [_fleet_code(r) for r in results]
    code = max(codes, default=0)
    if as_json:
        runs = [
            common.with_exit_code(r.as_json(common.CLI_REMEDIES), c, after="instance_id")
            for r, c in zip(results, codes, strict=True)
        ]
        common.emit_json({"workflow": workflow, "runs": runs, "exit_code": code})
    else:
        table = common.table(title=f"{workflow} on {len(results)} instance(s)")
        for column in ("profile", "instance", "execution_id", "status", "rows", "exit"):
            table.add_column(column)
        for r, c in zip(results, codes, strict=True):
            table.add_row(
                r.profile.name, r.instance_id, r.execution_id or "-", r.status or "-", str(r.rows), str(c)
            )
        common.stdout_console().print(table)
        for r, c in zip(results, codes, strict=True):
            if r.message:
                _tell(f"{r.profile.name}: {r.message}", r.remedy, c)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("run")(run)

"""``amc-cltv doctor [--json] [--budget SECONDS]``: the checklist that says whether tonight will work."""

from __future__ import annotations

import math
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated

import typer

from amc_cltv.cli import common
from amc_cltv.cli.exit_codes import for_verdict
from amc_cltv.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from amc_cltv.orchestration.checklist import Check

DEFAULT_BUDGET_S = 180.0  # amc_cltv.orchestration.doctor.DEFAULT_BUDGET_S (not imported: help stays light)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    budget: Annotated[
        float,
        typer.Option("--budget", help="Seconds the whole checklist may take, AMC's dry runs included."),
    ] = DEFAULT_BUDGET_S,
) -> None:
    """Check everything tonight's run needs, one line each (ok; the problem and its fix; or skipped and
    why): the profile and secrets, the Login with Amazon token, the account, instance and marketplace ids,
    the clock, the paid shopping dataset, every workflow compiled by AMC (dry run: no quota, no output), the
    DSP advertiser and the local folders. Safe to run at any time: nothing on AMC is changed. The whole list
    takes at most --budget seconds (a dry run AMC has not finished by then is a problem of its own).

    Exit 0 when no check finds a problem; 2 for a config problem (profile, secret, id); 5 when Login with
    Amazon or AMC did not answer, or AMC did not finish a dry run within the budget; 1 when AMC answered and
    the run would fail, or this machine is not ready.

    Example: amc-cltv --config configs/my-instance.toml doctor
    """
    from amc_cltv.orchestration.checklist import Kind, problem, verdict

    common.want_json(as_json, checks=[], budget_s=budget)
    if not (math.isfinite(budget) and budget > 0):
        raise UsageError(f"--budget must be a number of seconds above 0, got {budget}")
    checks: list[Check] = []
    with ExitStack() as resources:
        try:
            session = resources.enter_context(common.invocation().session(retry_max_delay_s=budget))
            session.config.credentials  # noqa: B018  (doctor checks the secrets too: a missing one is named)
        except ConfigError as error:
            checks.append(
                problem(
                    "profile", str(error), "fix the profile or the environment variable it names", Kind.CONFIG
                )
            )
        else:
            from amc_cltv.orchestration.doctor import Doctor

            if not as_json:
                typer.echo(f"doctor: every check within {budget:g} s (--budget)")
            for check in Doctor(session.config, session.client, budget_s=budget).checks():
                checks.append(check)
                if not as_json:
                    _print(check)
    worst = verdict(checks)
    code = for_verdict(worst)
    if as_json:
        common.emit_json(
            {
                "checks": [check.as_json() for check in checks],
                "ok": worst is None,
                "budget_s": budget,
                "exit_code": code,
            }
        )
    elif len(checks) == 1 and not checks[0].ok:
        _print(checks[0])
    if code:
        raise typer.Exit(code)


def _print(check: Check) -> None:
    if check.state == "ok":
        typer.echo(f"ok       {check.name}: {check.detail}")
    elif check.state == "skipped":
        typer.echo(f"skipped  {check.name}: {check.detail}")
    else:
        typer.echo(f"PROBLEM  {check.name}: {check.detail}; fix: {check.fix}")

"""``amc-cltv doctor [--json]``: the checklist that says whether tonight's run will work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from amc_cltv.cli import common
from amc_cltv.errors import ConfigError

if TYPE_CHECKING:
    from amc_cltv.orchestration.doctor import Check


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Check everything tonight's run needs, one line each (ok, or the problem and its fix): the profile and
    secrets, the Login with Amazon token, the account, instance and marketplace ids, the clock, the paid
    shopping dataset, every workflow compiled by AMC (dry run: no quota, no output), the DSP advertiser and
    the local folders. Safe to run at any time: nothing on AMC is changed.

    Exit 0 when every check passes; 2 for a config problem (profile, secret, id); 5 when AMC is unreachable;
    1 when AMC answered and the run would fail, or this machine is not ready.

    Example: amc-cltv --config configs/my-instance.toml doctor
    """
    from amc_cltv.orchestration.doctor import Doctor, Kind, exit_code, problem

    common.want_json(as_json, checks=[])
    checks: list[Check] = []
    try:
        config = common.invocation().config()
        config.credentials  # noqa: B018  (doctor checks the secrets too: a missing one is named here)
    except ConfigError as error:
        checks.append(
            problem(
                "profile", str(error), "fix the profile or the environment variable it names", Kind.CONFIG
            )
        )
    else:
        from amc_cltv.connect import open_client

        with open_client(config) as client:
            for check in Doctor(config, client).checks():
                checks.append(check)
                if not as_json:
                    _print(check)
    code = exit_code(checks)
    if as_json:
        common.emit_json(
            {"checks": [check.as_json() for check in checks], "ok": code == 0, "exit_code": code}
        )
    elif len(checks) == 1 and not checks[0].ok:
        _print(checks[0])
    if code:
        raise typer.Exit(code)


def _print(check: Check) -> None:
    if check.ok:
        typer.echo(f"ok       {check.name}: {check.detail}")
    else:
        typer.echo(f"PROBLEM  {check.name}: {check.detail}; fix: {check.fix}")

"""``amc-cltv audience``: activate a segment as an AMC rule-based audience for Amazon DSP, and show
where every audience stands in the 48-hour DSP lag."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from amc_cltv.cli import common
from amc_cltv.cli.exit_codes import ExitCode, for_error_class
from amc_cltv.errors import AmcCltvError, Refused

if TYPE_CHECKING:
    from amc_cltv.api import Session
    from amc_cltv.audience import ActivationOutcome, EveryActivation
    from amc_cltv.audience.every import SegmentActivation

# What the size guard can and cannot know (docs/real-instance.md): it reads the report's count only.
SIZE_CAVEAT = (
    "AMC counts the audience in its _for_audiences tables, which keep only users it can target (no DSP deal "
    "rows, no sensitive ASINs), so on a real instance the audience is usually smaller and can fall under "
    "AMC's 2,000 minimum"
)

app = typer.Typer(
    name="audience",
    help=(
        "Rule-based audiences for Amazon DSP, planned around the 48-hour DSP lag.\n\n"
        "Example: amc-cltv audience activate --segment high-value --needed-by 2026-12-01"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _when(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M %Z").strip()


NeededBy = Annotated[
    str | None,
    typer.Option(
        "--needed-by",
        metavar="DATETIME",
        help="The campaign start (2026-12-01 or 2026-12-01T09:00Z); exit 1 if the lag cannot be met.",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print the exact request (secrets masked) and send nothing.")
]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


@app.command("activate")
def activate(
    segment: Annotated[
        str,
        typer.Option(
            "--segment",
            metavar="SEGMENT",
            help="high-value, growth-potential, revenue-potential, low-value, or all (each above its guard).",
        ),
    ] = "high-value",
    needed_by: NeededBy = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Go ahead although --needed-by cannot be met; resubmit a FAILED audience."
        ),
    ] = False,
    dry_run: DryRun = False,
    json_output: JsonOutput = False,
) -> None:
    """Create (or reuse) the segment's rule-based audience and wait until AMC finishes it.

    Refuses below [audience] min_size (exit 1, nothing sent). AMC FAILED: exit 1 with its reason.
    Amazon DSP can use the audience up to [audience] activation_lag_hours after AMC reports SUCCEEDED.
    --segment all activates every segment that clears its guard and names the others with the reason.

    Example: amc-cltv audience activate --segment high-value --needed-by 2026-12-01T00:00Z
    """
    from amc_cltv import api
    from amc_cltv.audience.rules import ALL

    if segment == ALL:
        _activate_every(needed_by, force, dry_run, json_output)
        return

    def start(session: Session, campaign_start: datetime | None) -> ActivationOutcome:
        return api.activate_audience(
            session.config,
            segment=segment,
            needed_by=campaign_start,
            force=force,
            dry_run=dry_run,
            client=session.client,
            ledger=session.ledger,
        )

    _one_activation(start, segment, needed_by, dry_run, json_output)


def _one_activation(
    start: Callable[[Session, datetime | None], ActivationOutcome],
    segment: str,
    needed_by: str | None,
    dry_run: bool,
    json_output: bool,
) -> None:
    """Run one activation (``start``) and render it; on any error the JSON object still says what is
    known: these keys, filled in as the activation learns."""
    from amc_cltv.audience import known_on_error, parse_needed_by

    common.want_json(
        json_output, segment=segment, name=None, audience_execution_id=None, status=None, status_reason=None
    )
    with common.invocation().session(offline=dry_run) as session:
        time_zone = session.config.amc.time_zone
        campaign_start = parse_needed_by(needed_by, time_zone) if needed_by else None
        try:
            outcome = start(session, campaign_start)
        except AmcCltvError as exc:
            known = known_on_error(exc)
            if known is not None:
                common.want_json(json_output, **known.as_dict())
            raise
    payload = outcome.as_dict()
    if json_output:
        common.emit_json(common.with_exit_code(payload, ExitCode.OK))
        return
    lines = _request_lines(payload) if outcome.request is not None else activation_lines(payload)
    typer.echo("\n".join(lines))


def _activate_every(needed_by: str | None, force: bool, dry_run: bool, json_output: bool) -> None:
    """``--segment all``: every segment, one block each; exit non-zero when one failed (not when skipped)."""
    from amc_cltv import api
    from amc_cltv.audience import parse_needed_by

    common.want_json(json_output, segments=[], activated=[], skipped=[], failed=[])
    with common.invocation().session(offline=dry_run) as session:
        time_zone = session.config.amc.time_zone
        campaign_start = parse_needed_by(needed_by, time_zone) if needed_by else None
        every = api.activate_all_audiences(
            session.config,
            needed_by=campaign_start,
            force=force,
            dry_run=dry_run,
            client=session.client,
            ledger=session.ledger,
        )
    code = _every_code(every)
    payload = _every_json(every, code)
    if json_output:
        common.emit_json(payload)
    else:
        blocks = []
        for entry in payload["segments"]:
            head = f"== {entry['segment']}: {entry['result']}"
            if entry["result"] != "activated":
                blocks.append(f"{head}\n{entry['reason']}")
            elif entry.get("request") is not None:
                blocks.append("\n".join([head, *_request_lines(entry)]))
            else:
                blocks.append("\n".join([head, *activation_lines(entry)]))
        typer.echo("\n\n".join(blocks))
    for entry in every.failed:  # on stderr too, as every error of the CLI: one line each
        reason = common.in_cli_words(entry.reason or "", entry.remedy)
        sys.stderr.write(f"amc-cltv: error: {entry.segment}: {reason}\n")
    if code:
        raise typer.Exit(code)


def _segment_code(entry: SegmentActivation) -> int:
    """A segment's exit code: its error's when it failed; 0 when activated or skipped under its guard."""
    from amc_cltv.audience.every import FAILED

    return int(for_error_class(entry.error)) if entry.result == FAILED and entry.error else 0


def _every_code(every: EveryActivation) -> int:
    """--segment all: the first failure's code; a refusal's when every segment was under its guard (no
    audience at all); else 0 (docs/contract.md §2)."""
    if every.failed:
        return _segment_code(every.failed[0])
    return int(for_error_class(Refused)) if every.all_skipped else 0


def _every_json(every: EveryActivation, code: int) -> dict[str, Any]:
    """The library's object with the exit codes of docs/contract.md §3.1: each segment's, each failure's,
    the whole call's."""
    payload = every.as_dict()
    for entry, item in zip(every.segments, payload["segments"], strict=True):
        item["exit_code"] = _segment_code(entry)
    for entry, item in zip(every.failed, payload["failed"], strict=True):
        item["exit_code"] = _segment_code(entry)
    payload["exit_code"] = code
    return payload


def _request_lines(payload: dict[str, Any]) -> list[str]:
    """A dry run: what the activation learnt, then the exact request it would send."""
    request = payload["request"]
    lines = list(payload["messages"])
    lines.append(f"{request['method']} {request['path']}  (dry run: nothing sent)")
    lines.extend(f"{name}: {value}" for name, value in request["headers"].items())
    return [*lines, "", json.dumps(request["body"], indent=2)]


def activation_lines(payload: dict[str, Any]) -> list[str]:
    """What an activation did, one fact a line (``audience activate``, and ``run --activate-audience``)."""
    lines = [f"audience: {payload['name']} ({payload['audience_execution_id'] or 'no id yet'})"]
    lines.append(f"action: {payload['action']}")
    if payload["status"]:
        count = payload["audience_count"]
        lines.append(f"AMC status: {payload['status']}" + (f", {count:,} users" if count is not None else ""))
    if payload["segment_size"] is not None:
        lines.append(f"report's segment: {payload['segment_size']:,} users; {SIZE_CAVEAT}")
    if payload["state"]:
        lines.append(f"state: {payload['state']}")
    if payload["waiting_for"]:
        waiting = payload["waiting_for"]
        lines.append(f"waiting for: {waiting['name']} ({waiting['state']})")
    if payload["lag"]:
        lines.append(payload["lag"])
    lines.extend(f"retired: {name}" for name in payload["retired"])
    lines.extend(f"deleted: {name}" for name in payload["deleted"])
    lines.extend(payload["messages"])
    return lines


@app.command("lookalike")
def lookalike(
    segment: Annotated[
        str, typer.Option("--segment", metavar="SEGMENT", help="The seed segment: high-value.")
    ] = "high-value",
    reach: Annotated[
        str,
        typer.Option(
            "--reach",
            metavar="REACH",
            help="most-similar, similar, balanced, broad or most-broad (AMC's expected reach).",
        ),
    ] = "balanced",
    needed_by: NeededBy = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Go ahead although --needed-by cannot be met; resubmit a FAILED lookalike."
        ),
    ] = False,
    dry_run: DryRun = False,
    json_output: JsonOutput = False,
) -> None:
    """Create (or reuse) a lookalike audience seeded by the segment's audience query; wait for AMC.

    Refuses a seed outside [audience] lookalike_min_seed .. 500,000 users (exit 1, nothing sent).
    Amazon DSP can use it up to [audience] activation_lag_hours after AMC reports SUCCEEDED.

    Example: amc-cltv audience lookalike --segment high-value --reach balanced
    """
    from amc_cltv import api

    def start(session: Session, campaign_start: datetime | None) -> ActivationOutcome:
        return api.create_lookalike_audience(
            session.config,
            segment=segment,
            reach=reach,
            needed_by=campaign_start,
            force=force,
            dry_run=dry_run,
            client=session.client,
            ledger=session.ledger,
        )

    _one_activation(start, segment, needed_by, dry_run, json_output)


@app.command("manifest")
def manifest(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="Write the manifest to FILE (atomically) instead of stdout."
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="JSON (for scripts) instead of CSV (for people), on stdout and in FILE."),
    ] = False,
) -> None:
    """The hand-off for the DSP trader: every audience the tool created, one entry each.

    Segment, AMC name and id, DSP audience id, status, size and the report's seed count, time window, rules
    hash, usable in DSP from, refresh rate, recommended use and the segment's top ASINs. Statuses are
    refreshed from AMC first.

    Example: amc-cltv audience manifest --out audiences.csv
    """
    from amc_cltv import api

    common.want_json(json_output, instance_id=None, generated_at=None, audiences=[], notes=[])
    with common.invocation().session() as session:
        built = api.audience_manifest(
            session.config, out=out, as_json=json_output, client=session.client, ledger=session.ledger
        )
    for note in built.notes:
        sys.stderr.write(f"amc-cltv: {note}\n")
    if json_output:
        common.emit_json({**built.as_dict(), "out": str(out.resolve()) if out is not None else None})
    elif out is not None:
        typer.echo(f"wrote {len(built.entries)} audience(s) to {out}")
    else:
        typer.echo(built.to_csv(), nl=False)


@app.command("status")
def status(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Show every audience: AMC status, size, created, usable in DSP from, and whether usable now.

    Audiences AMC may still change are refreshed from AMC first.

    Example: amc-cltv audience status --json
    """
    from amc_cltv.audience import refresh_status

    common.want_json(json_output, audiences=[])
    with common.invocation().session() as session:
        views = refresh_status(session.config, session.client, session.ledger)
    audiences = [view.as_dict() for view in views]
    if json_output:
        common.emit_json({"audiences": audiences})
        return
    if not audiences:
        typer.echo("no audiences yet: amc-cltv audience activate --segment high-value")
        return
    width = max(40, shutil.get_terminal_size().columns)
    typer.echo("\n\n".join("\n".join(_describe(item, width)) for item in audiences))


def _plain_state(item: dict[str, Any]) -> str:
    """What an operator needs first: can DSP use it now, and if not, why or until when."""
    state = item["state"]
    if state == "usable":
        return "usable now"
    if state == "pending lag":
        return f"pending lag until {_when(item['usable_in_dsp_at'])}"
    if state == "refreshing":
        return "refreshing, usable now" if item["usable_now"] else "refreshing"
    if state == "failed":
        return f"failed: {item['status_reason'] or 'AMC gave no reason'}"
    if state == "retired" and item.get("note"):
        return f"retired, {item['note']}"
    if state == "retired":
        return "retired (in DSP until its replacement is usable)"
    if state == "running":
        return "being built by AMC"
    if state == "creating":
        return "being created (AMC's id not known yet)"
    return str(state)


def _describe(item: dict[str, Any], width: int) -> list[str]:
    """One audience in at most ``width`` columns: the name and plain state, then AMC's view of it."""
    count = item["audience_count"]
    size = f"{count:,} users" if count is not None else "size not known yet"
    usable_at = item["usable_in_dsp_at"]
    dsp = f"usable from {_when(usable_at)}" if usable_at else "not until AMC reports SUCCEEDED"
    lines = textwrap.wrap(
        f"{item['name']}: {_plain_state(item)}", width, subsequent_indent="  ", break_on_hyphens=False
    )
    amc = f"AMC: {item['status'] or '-'}, {size}; DSP: {dsp}"
    lines += textwrap.wrap(amc, width, initial_indent="  ", subsequent_indent="  ")
    lines.append(f"  id {item['audience_execution_id'] or '-'}, created {_when(item['created_at'])}")
    return lines

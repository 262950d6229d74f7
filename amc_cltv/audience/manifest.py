"""``audience manifest``: the hand-off to the DSP trader, one entry per audience the tool created.

Each entry says what the audience is (segment, AMC's type and name, ids in AMC and DSP), where it stands
(AMC's status, the plain state, size, ``usable_in_dsp_at``), what it was built from (the report's seed count,
time window, rules hash, refresh rate), what to do with it (the segment's recommended use,
docs/segments.md §14) and the ASINs the segment's customers buy most (the latest ``segment-asins`` result of
the window, docs/segments.md §15). Statuses are refreshed from AMC first. CSV for people, JSON for scripts;
a file is written atomically. Nothing secret is in it: no token, no credential, no URL.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amc_cltv import clock
from amc_cltv.audience import lag
from amc_cltv.audience.activate import LOOKALIKE
from amc_cltv.audience.rules import LOOKALIKE_ACTION, LOOKALIKE_USE, SEGMENTS, Segment
from amc_cltv.audience.status import needs_refresh, refresh_record
from amc_cltv.client import AmcClient
from amc_cltv.client.status import AudienceStatus
from amc_cltv.config import Config
from amc_cltv.ledger import AudienceRecord, Ledger
from amc_cltv.results import SEGMENT, TOTAL_SALES, TRACKED_ASIN, ResultFiles, reads
from amc_cltv.timewindow import resolve_window

ASINS_WORKFLOW = "segment-asins"
reads(ASINS_WORKFLOW, SEGMENT, TRACKED_ASIN, TOTAL_SALES)  # what the top ASINs are ranked by
TOP_ASINS = 5
# The manifest's columns, in order (the CSV header and the JSON keys of each entry).
FIELDS = (
    "segment",
    "audience_type",
    "expected_reach",
    "audience_name",
    "audience_execution_id",
    "dsp_audience_id",
    "status",
    "state",
    "audience_count",
    "seed_count",
    "time_window_start",
    "time_window_end",
    "rules_sha256",
    "usable_in_dsp_at",
    "refresh_rate_days",
    "action",
    "recommended_use",
    "top_asins",
)


@dataclass(frozen=True)
class ManifestEntry:
    """One audience as the DSP trader gets it."""

    segment: str
    audience_type: str
    expected_reach: str | None
    audience_name: str
    audience_execution_id: str | None
    dsp_audience_id: str | None
    status: AudienceStatus | None
    state: str
    audience_count: int | None
    seed_count: int | None
    time_window_start: str | None
    time_window_end: str | None
    rules_sha256: str
    usable_in_dsp_at: datetime | None
    refresh_rate_days: int | None
    action: str
    recommended_use: str
    top_asins: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in FIELDS}
        values["usable_in_dsp_at"] = _utc(self.usable_in_dsp_at) if self.usable_in_dsp_at else None
        values["top_asins"] = list(self.top_asins)
        return values


@dataclass
class Manifest:
    """Every audience the tool created (not deleted), newest first, and what could not be filled in."""

    instance_id: str
    generated_at: datetime
    entries: list[ManifestEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object (and a ``.json`` manifest file)."""
        return {
            "instance_id": self.instance_id,
            "generated_at": _utc(self.generated_at),
            "audiences": [entry.as_dict() for entry in self.entries],
            "notes": self.notes,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def to_csv(self) -> str:
        """One row per audience; ``top_asins`` separated by ``;``; empty cells for unknown values."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIELDS)
        for entry in self.entries:
            values = entry.as_dict()
            values["top_asins"] = ";".join(entry.top_asins)
            writer.writerow("" if values[name] is None else values[name] for name in FIELDS)
        return out.getvalue()


def _utc(moment: datetime) -> str:
    """A time as every output of the tool writes it: RFC 3339 in UTC with ``Z`` (docs/contract.md §3.1)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def top_asins_by_segment(files: Sequence[Path], top: int = TOP_ASINS) -> dict[str, tuple[str, ...]]:
    """Each segment label's ``top`` ASINs by the sales of its customers (ties: by ASIN), from
    ``segment-asins`` result files (rows AMC filtered under its aggregation thresholds have no ASIN and are
    left out). Raises MalformedResult naming a file that is not a result CSV."""
    found: dict[str, list[tuple[float, str]]] = {}
    for row in ResultFiles.of(files, ASINS_WORKFLOW).select(SEGMENT, TRACKED_ASIN, TOTAL_SALES):
        label, asin, sales = row[SEGMENT], row[TRACKED_ASIN], row[TOTAL_SALES]
        if label is not None and asin:
            # no sales last (an unknown amount ranks below every known one)
            found.setdefault(label, []).append((-sales if sales is not None else math.inf, asin))
    return {label: tuple(asin for _, asin in sorted(ranked)[:top]) for label, ranked in sorted(found.items())}


def _asins(config: Config, ledger: Ledger, manifest: Manifest) -> dict[str, tuple[str, ...]]:
    from amc_cltv.orchestration.run import latest_succeeded
    from amc_cltv.workflows import catalog

    window = resolve_window(clock.current().now(), config.amc.time_zone)
    rendered = catalog.render(ASINS_WORKFLOW, shopping_insights=config.profile.workflows.shopping_insights)
    outcome = latest_succeeded(ledger, config, ASINS_WORKFLOW, window, rendered=rendered)
    if outcome is None:
        manifest.notes.append(
            f"top_asins are empty: no {ASINS_WORKFLOW} result for the window "
            f"{window.audience_start} .. {window.audience_end}; run: amc-cltv run --workflow {ASINS_WORKFLOW}"
        )
        return {}
    return top_asins_by_segment([Path(p) for p in outcome.files])


def _entry(
    record: AudienceRecord, segment: Segment | None, asins: tuple[str, ...], now: datetime
) -> ManifestEntry:
    lookalike = record.audience_type == LOOKALIKE
    if lookalike:
        action, use = LOOKALIKE_ACTION, LOOKALIKE_USE
    elif segment is not None:
        action, use = segment.action, segment.use
    else:
        action, use = "", ""
    return ManifestEntry(
        segment=record.segment,
        audience_type=record.audience_type,
        expected_reach=record.expected_reach,
        audience_name=record.name,
        audience_execution_id=record.audience_execution_id,
        dsp_audience_id=record.dsp_audience_id,
        status=record.status,
        state=lag.state_of(record, now),
        audience_count=record.audience_count,
        seed_count=record.seed_count,
        time_window_start=record.time_window_start,
        time_window_end=record.time_window_end,
        rules_sha256=record.rules_sha256,
        usable_in_dsp_at=record.usable_in_dsp_at,
        refresh_rate_days=record.refresh_rate_days,
        action=action,
        recommended_use=use,
        top_asins=asins,
    )


def build_manifest(config: Config, client: AmcClient, ledger: Ledger, *, refresh: bool = True) -> Manifest:
    """The manifest of every audience the tool created, refreshed from AMC first (``refresh`` False: as the
    ledger last saw them). Raises the API errors of a status call."""
    manifest = Manifest(instance_id=config.instance_id, generated_at=clock.current().now())
    asins = _asins(config, ledger, manifest)
    for record in ledger.audiences(instance_id=config.instance_id):
        if refresh and needs_refresh(record):
            record = refresh_record(client, ledger, config, record)
        if record.deleted_at is not None:
            continue
        segment = SEGMENTS.get(record.segment)
        top = asins.get(segment.label, ()) if segment is not None else ()
        manifest.entries.append(_entry(record, segment, top, clock.current().now()))
    if not manifest.entries:
        manifest.notes.append("no audience yet: amc-cltv audience activate --segment all")
    return manifest


def write_manifest(manifest: Manifest, out: Path, *, as_json: bool) -> Path:
    """Write the manifest to ``out`` (JSON or CSV) atomically: a reader sees the old file or the new one,
    never part of one. Raises LocalFault when the folder cannot be written."""
    from amc_cltv.errors import local_fault
    from amc_cltv.orchestration.download import write_atomically

    payload = manifest.to_json() if as_json else manifest.to_csv()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(out, payload.encode("utf-8"))
    except OSError as error:
        raise local_fault(error, "write the audience manifest", out) from None
    return out

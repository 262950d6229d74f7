"""Report inputs written the way the tool writes them: part CSVs + manifest as docs/contract.md §3.2 lays them
out, runs and audiences in a real ledger; and readers that take the numbers back out of a written report."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from amc_cltv.ledger import Ledger

INSTANCE_ID = "amcreport01"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class Downloads:
    """Writes downloaded results under ``output_dir`` and records runs in the ledger of ``state_dir``."""

    output_dir: Path
    state_dir: Path
    instance_id: str = INSTANCE_ID

    def result(
        self,
        workflow: str,
        execution_id: str,
        rows: list[dict[str, Any]],
        *,
        window_end: str = "2026-11-22",
        window_days: int = 365,
        parts: int = 2,
        columns: list[str] | None = None,
        record: bool = True,
        submitted_at: datetime | None = None,
        parameters: dict[str, str] | None = None,
    ) -> Path:
        """Write ``rows`` over ``parts`` CSV files (each with a header) and the manifest; record the run."""
        header = columns if columns is not None else (list(rows[0]) if rows else [])
        directory = self.output_dir / self.instance_id / workflow / execution_id
        directory.mkdir(parents=True)
        end = datetime.fromisoformat(window_end).replace(tzinfo=UTC)
        start = end - timedelta(days=window_days)
        files = []
        size = max(1, -(-len(rows) // parts))
        for index in range(parts):
            chunk = rows[index * size : (index + 1) * size]
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(chunk)
            body = buffer.getvalue().encode()
            name = f"part-{index + 1}.csv"
            (directory / name).write_bytes(body)
            files.append(
                {
                    "name": name,
                    "bytes": len(body),
                    "rows": len(chunk),
                    "sha256": hashlib.sha256(body).hexdigest(),
                }
            )
        manifest = {
            "execution_id": execution_id,
            "workflow": workflow,
            "workflow_id": f"amc-cltv-{workflow}",
            "time_window_start": start.isoformat(),
            "time_window_end": end.isoformat(),
            "sql_sha256": "0" * 64,
            "files": files,
        }
        (directory / "manifest.json").write_text(json.dumps(manifest))
        if record:
            self.record_run(
                workflow,
                execution_id,
                start.isoformat(),
                end.isoformat(),
                submitted_at or end,
                parameters or {},
            )
        return directory

    def record_run(
        self,
        workflow: str,
        execution_id: str,
        start: str,
        end: str,
        submitted_at: datetime,
        parameters: dict[str, str],
    ) -> None:
        with Ledger.open(self.state_dir) as ledger:
            run = ledger.begin_run(
                run_key=f"{workflow}-{execution_id}",
                instance_id=self.instance_id,
                workflow=workflow,
                workflow_id=f"amc-cltv-{workflow}",
                sql_sha256="0" * 64,
                time_window_start=start,
                time_window_end=end,
                time_zone="UTC",
                parameters=parameters,
                now=submitted_at,
            )
            ledger.record_submitted(run.id, submitted_at, execution_id=execution_id, status="SUCCEEDED")
            ledger.record_downloaded(run.id, submitted_at)


@pytest.fixture
def downloads(tmp_path: Path) -> Downloads:
    return Downloads(output_dir=tmp_path / "results", state_dir=tmp_path / "state")


@pytest.fixture
def profile(tmp_path: Path, downloads: Downloads) -> Path:
    """An instance profile whose paths point at the test's downloads and ledger (embedded API)."""
    path = tmp_path / "profile.toml"
    path.write_text(
        "[amc]\n"
        'api_url = "embedded"\n'
        f'instance_id = "{downloads.instance_id}"\n'
        'advertiser_id = "ENTITYREPORT01"\n'
        'marketplace_id = "ATVPDKIKX0DER"\n'
        "synthetic_data = true\n"
        "[paths]\n"
        f'state_dir = "{downloads.state_dir}"\n'
        f'output_dir = "{downloads.output_dir}"\n'
    )
    return path


SEGMENTS = [
    {
        "customer_audience_segment": "High Value Customer",
        "num_users": 300,
        "total_sales": 180.5,
        "total_spend": 2.25,
        "cltv": 178.25,
    },
    {
        "customer_audience_segment": "Revenue Potential Customer",
        "num_users": 150,
        "total_sales": 160.0,
        "total_spend": 9.5,
        "cltv": 150.5,
    },
    {
        "customer_audience_segment": "Growth Potential Customer",
        "num_users": 900,
        "total_sales": 40.0,
        "total_spend": 1.0,
        "cltv": 39.0,
    },
    {
        "customer_audience_segment": "Low Value Customer",
        "num_users": 250,
        "total_sales": 35.0,
        "total_spend": 8.0,
        "cltv": 27.0,
    },
]


def figures(page: str) -> dict[str, dict[str, Any]]:
    """Every chart's figure as plotly received it, by chart key (``chart-<key>`` div ids)."""
    decoder = json.JSONDecoder()
    found = {}
    for match in re.finditer(r'Plotly\.newPlot\(\s*"chart-([^"]+)",\s*', page):
        data, end = decoder.raw_decode(page, match.end())
        layout_start = re.compile(r"\s*,\s*").match(page, end)
        assert layout_start is not None
        layout, _ = decoder.raw_decode(page, layout_start.end())
        found[match.group(1)] = {"data": data, "layout": layout}
    return found


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._key = dict(attrs).get("data-table") or ""
            self.tables[self._key] = []
        elif tag == "tr" and self._key is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._key is not None:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    """Every HTML table of the report by its ``data-table`` key: header row first."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def section_text(page: str, key: str) -> str:
    """The text of one section, tags removed (for readings and notes)."""
    match = re.search(rf'<section id="{re.escape(key)}".*?</section>', page, re.S)
    assert match is not None, f"no section {key}"
    without_scripts = re.sub(r"<script.*?</script>", "", match.group(0), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", without_scripts)))


def record_audience(
    downloads: Downloads,
    *,
    requested_at: datetime,
    status: str,
    audience_execution_id: str | None = None,
    audience_count: int | None = None,
    created_at: datetime | None = None,
    succeeded_at: datetime | None = None,
    usable_in_dsp_at: datetime | None = None,
    segment: str = "high-value",
    audience_type: str = "RULE_BASED",
    expected_reach: str | None = None,
) -> None:
    """An audience the tool recorded in the ledger (intent at ``requested_at``, then what AMC said)."""
    with Ledger.open(downloads.state_dir) as ledger:
        record = ledger.begin_audience(
            instance_id=downloads.instance_id,
            name=f"amc-cltv-{segment}" + ("-lookalike" if audience_type == "LOOKALIKE" else ""),
            segment=segment,
            rules_sha256="1" * 64,
            time_window_start="2025-11-22T00:00:00+00:00",
            time_window_end="2026-11-22T00:00:00+00:00",
            now=requested_at,
            audience_type=audience_type,
            expected_reach=expected_reach,
        )
        if audience_execution_id is not None:
            ledger.record_audience_created(
                record.id,
                requested_at,
                audience_execution_id=audience_execution_id,
                status=status,
                created_at=created_at or requested_at,
            )
        ledger.record_audience_status(
            record.id,
            requested_at,
            status=status,
            status_reason=None,
            audience_count=audience_count,
            created_at=created_at,
            succeeded_at=succeeded_at,
            usable_in_dsp_at=usable_in_dsp_at,
        )


def populate_every_section(downloads: Downloads) -> int:
    """Inputs for every section (three windows, per-user runs, an audience); returns the chart count."""
    rng = random.Random(20261125)
    loyalty = [
        "High CLTV Customer",
        "High Loyalty Customer",
        "High Revenue Potential Customer",
        "Low CLTV Customer",
    ]
    for index, end in enumerate(("2025-11-22", "2026-05-22", "2026-11-22")):
        grown = [
            dict(row, num_users=row["num_users"] + 40 * index * (i + 1)) for i, row in enumerate(SEGMENTS)
        ]
        downloads.result("segmentation", f"seg-{index}", grown, window_end=end)
        labels = {f"user-{u:04d}": rng.choice(SEGMENTS)["customer_audience_segment"] for u in range(300)}
        downloads.result(
            "user-segments",
            f"users-{index}",
            [
                {
                    "user_id": user,
                    "customer_audience_segment": label,
                    "total_sales": round(rng.uniform(5, 400), 2),
                    "total_spend": round(rng.uniform(0, 12), 2),
                }
                for user, label in labels.items()
            ],
            window_end=end,
            record=False,
        )
    downloads.result(
        "loyalty-segments",
        "loyalty-1",
        [
            {
                "tracked_asin": f"ASIN{100 + a}",
                "customer_audience_segment": label,
                "users": rng.randint(50, 600),
                "cltv": round(rng.uniform(-5, 60) * (4 - j), 3),
            }
            for a in range(8)
            for j, label in enumerate(loyalty)
        ],
    )
    for workflow in ("cltv", "cltv-ntb"):
        downloads.result(
            workflow,
            f"{workflow}-1",
            [
                {
                    "tracked_asin": f"ASIN{100 + a}",
                    "cltv": round(rng.uniform(0, 40), 3),
                    "total_sales": round(rng.uniform(1000, 50000), 2),
                    "total_spend": round(rng.uniform(10, 3000), 2),
                    "total_units_sold": rng.randint(40, 2000),
                    "ntb_customers": rng.randint(10, 400),
                }
                for a in range(14)
            ],
        )
    downloads.result(
        "segment-conversion-rate",
        "conversion-1",
        [
            {
                "campaign_id": 1111 * (c + 1),
                "customer_audience_segment": row["customer_audience_segment"],
                "unique_users_reached": reached,
                "unique_users_purchased": purchased,
                "user_conversion_rate": purchased / reached,
            }
            for c in range(5)
            for row in SEGMENTS
            for reached in [rng.randint(5000, 40000)]
            for purchased in [int(reached * rng.uniform(0.01, 0.06))]
        ],
    )
    for index, end in enumerate(("2026-10-22", "2026-11-22")):
        downloads.result("cohorts", f"cohorts-{index}", cohort_rows(rng), window_end=end)
    record_audience(
        downloads,
        requested_at=NOW - timedelta(days=3),
        audience_execution_id="audience-exec-1",
        status="SUCCEEDED",
        audience_count=3456,
        created_at=NOW - timedelta(days=3),
        succeeded_at=NOW - timedelta(days=3),
        usable_in_dsp_at=NOW - timedelta(days=1),
    )
    return 14


def cohort_rows(rng: random.Random) -> list[dict[str, Any]]:
    """A `cohorts` result: existing customers and twelve acquisition months (one without acquisitions, one
    that looks profitable but is not)."""
    months = [
        "existing",
        *(f"2025-{m:02d}" for m in (11, 12)),
        *(f"2026-{m:02d}" for m in range(1, 12) if m != 6),
    ]
    rows = []
    for month in months:
        for row in SEGMENTS:
            users = rng.randint(20, 400) * (5 if month == "existing" else 1)
            sales = row["total_sales"] * rng.uniform(0.7, 1.3)
            spend = row["total_spend"] * rng.uniform(0.5, 3.0)
            if month == "2026-04":  # bought a lot, at a cost that eats it: looks profitable but is not
                sales, spend = sales * 1.3, sales * 0.5
            rows.append(
                {
                    "cohort_month": month,
                    "customer_audience_segment": row["customer_audience_segment"],
                    "num_users": users,
                    "total_sales": round(sales, 2),
                    "total_spend": round(spend, 2),
                    "cltv": round(sales - spend, 2),
                }
            )
    return rows

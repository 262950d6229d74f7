"""Sandbox benchmark: synthetic data generation, then the segmentation workflow, at 100k, 1M and 2M users.

Each measurement runs in a fresh child process (``python -m bench.sandbox_bench --child USERS DIR``) so its
peak memory is its own (``os.wait4`` returns the child's rusage). Times are medians over the repeats.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SECTION = "sandbox"
SIZES = (100_000, 1_000_000, 2_000_000)
REPEATS = 3
END_DATE = date(2026, 11, 25)
TARGET = "1M users generated and segmented in under 60 s total with under 2 GiB peak memory on 2 cores"

# Used only if the project's workflow catalogue cannot be loaded: the segment specification's revenue x cost
# grid, mean thresholds, revenue from conversions_all.
FALLBACK_SQL = """
WITH sales AS (
  SELECT user_id, SUM(total_product_sales) AS total_sales FROM conversions_all
  WHERE event_subtype = 'order' AND user_id IS NOT NULL GROUP BY user_id),
sa AS (SELECT user_id, SUM(spend) / 1e8 AS cost FROM sponsored_ads_traffic
       WHERE clicks > 0 AND user_id IS NOT NULL GROUP BY user_id),
dsp AS (SELECT user_id, SUM(total_cost) / 1e5 AS cost FROM dsp_impressions
        WHERE impressions > 0 AND user_id IS NOT NULL GROUP BY user_id),
customers AS (
  SELECT s.user_id, s.total_sales, COALESCE(sa.cost, 0) + COALESCE(dsp.cost, 0) AS total_spend
  FROM sales s LEFT JOIN sa ON sa.user_id = s.user_id LEFT JOIN dsp ON dsp.user_id = s.user_id
  WHERE s.total_sales > 0),
labelled AS (
  SELECT total_sales, total_spend,
    CASE WHEN total_sales >= AVG(total_sales) OVER () AND total_spend < AVG(total_spend) OVER ()
           THEN 'High Value Customer'
         WHEN total_sales >= AVG(total_sales) OVER () THEN 'Revenue Potential Customer'
         WHEN total_spend < AVG(total_spend) OVER () THEN 'Growth Potential Customer'
         ELSE 'Low Value Customer' END AS customer_audience_segment
  FROM customers)
SELECT customer_audience_segment, COUNT(1) AS num_users, AVG(total_sales) AS total_sales,
       AVG(total_spend) AS total_spend, AVG(total_sales - total_spend) AS cltv
FROM labelled GROUP BY customer_audience_segment
"""


def _segmentation() -> tuple[str, dict[str, object], str]:
    try:
        from amc_cltv.sandbox.reporting import typed_parameters
        from amc_cltv.workflows import catalog

        rendered = catalog.render("segmentation")
        parameters = typed_parameters(list(rendered.input_parameters), dict(rendered.parameter_values))
        return rendered.sql, parameters, "workflows/segmentation.sql (rendered by amc_cltv.workflows)"
    except Exception:  # the catalogue is another package; the benchmark must still run
        return FALLBACK_SQL, {}, "an inline equivalent of the segmentation workflow"


def child(users: int, out_dir: Path) -> dict[str, object]:
    """Generate ``users`` into ``out_dir`` and run the segmentation over the default 365-day window."""
    from amc_cltv.sandbox import generate
    from amc_cltv.sandbox.engine import Engine

    began = time.perf_counter()
    stats = generate(users, 7, out_dir, end_date=END_DATE)
    generated = time.perf_counter()
    sql, parameters, source = _segmentation()
    end = datetime(END_DATE.year, END_DATE.month, END_DATE.day, tzinfo=UTC) - timedelta(days=2)
    engine = Engine.over_parquet(out_dir, memory_limit="1GB")
    result = engine.execute(
        sql, time_window_start=end - timedelta(days=365), time_window_end=end, parameters=parameters
    )
    segments = {str(row[0]): int(str(row[1])) for row in result.rows}
    result.close()
    segmented = time.perf_counter()
    return {
        "generate_s": generated - began,
        "segment_s": segmented - generated,
        "rows": sum(stats.rows.values()),
        "segments": segments,
        "source": source,
    }


def measure(users: int) -> dict[str, object]:
    """One child run: its timings and its peak resident memory (MiB)."""
    with tempfile.TemporaryDirectory(prefix="amc-cltv-bench-") as tmp:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.sandbox_bench", "--child", str(users), tmp],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"benchmark child for {users} users exited {process.returncode}")
    figures = dict(json.loads(output))
    figures["peak_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    # CPU time hardly depends on what else the machine runs, unlike the wall-clock times.
    figures["cpu_s"] = usage.ru_utime + usage.ru_stime
    return figures


def main(flags: list[str]) -> str:
    quick = "--quick" in flags
    sizes = SIZES[:1] if quick else SIZES
    repeats = 1 if quick else REPEATS
    lines = [
        "## Sandbox: generation and segmentation",
        "",
        f"Target: {TARGET}. Command: `make bench` (or `python -m bench sandbox`). Each size runs {repeats} "
        "time(s) in a fresh process: generate the Parquet tables (seed 7, 13 months ending 2026-11-25), then "
        "execute the segmentation workflow through the sandbox engine over the default 365-day window. "
        "Times are medians; peak memory is the largest peak resident set of those processes. CPU is the "
        "child's user and system time (generation and segmentation): on a busy machine it is the figure to "
        "compare, since the wall-clock times grow with the load while it hardly does.",
        "",
        "| users | rows generated | generate (s) | segmentation (s) | total (s) | CPU (s) "
        "| peak memory (MiB) | High Value Customers |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    source = ""
    load_before = os.getloadavg()[0]
    for users in sizes:
        runs = [measure(users) for _ in range(repeats)]
        generate_s = statistics.median(float(str(r["generate_s"])) for r in runs)
        segment_s = statistics.median(float(str(r["segment_s"])) for r in runs)
        total_s = statistics.median(float(str(r["generate_s"])) + float(str(r["segment_s"])) for r in runs)
        peak = max(float(str(r["peak_mib"])) for r in runs)
        cpu_s = statistics.median(float(str(r["cpu_s"])) for r in runs)
        segments = dict(runs[0]["segments"])  # type: ignore[call-overload]
        source = str(runs[0]["source"])
        rows = int(str(runs[0]["rows"]))
        lines.append(
            f"| {users:,} | {rows:,} | {generate_s:.1f} | {segment_s:.1f} | {total_s:.1f} | {cpu_s:.1f} "
            f"| {peak:,.0f} | {int(segments.get('High Value Customer', 0)):,} |"
        )
        print(
            f"  {users:,} users: {total_s:.1f} s, CPU {cpu_s:.1f} s, peak {peak:,.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
    lines += [
        "",
        f"The segmentation SQL was {source}. Load average (1 min): {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end; figures from a busy machine overstate the times.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        print(main(sys.argv[1:]))

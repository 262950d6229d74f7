"""Corpus benchmark: the share of Amazon's published AMC queries over the emulated tables that compile on
the sandbox with ``dryRun`` (corpus and counting rules: bench/amc_corpus.py), and the failures by reason."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from amc_cltv.sandbox import generate
from amc_cltv.sandbox.engine import Engine
from bench import amc_corpus

SECTION = "corpus"
USERS = 3000
END_DATE = date(2026, 11, 25)


def main(flags: list[str]) -> str:
    queries = amc_corpus.load()
    with tempfile.TemporaryDirectory() as folder:
        generate(USERS, 7, Path(folder), end_date=END_DATE)
        began = time.perf_counter()
        outcomes = amc_corpus.compile_all(Engine.over_parquet(Path(folder)), queries)
        seconds = time.perf_counter() - began
    compiled = sum(o.status_reason is None for o in outcomes)
    other = Counter(
        t for q in queries if not q.over_emulated_tables for t in q.tables - amc_corpus.emulated()
    )
    lines = [
        "## Corpus: Amazon's published AMC queries compiled on the sandbox",
        "",
        f"`python -m bench corpus`: {len(queries)} queries published by Amazon (the AMC instructional query "
        "library, the SQL reference and the data-source pages; one file each in "
        "`tests/sandbox/published_queries`, its source on its first line). "
        f"{len(outcomes)} read only tables the sandbox emulates and are compiled as AMC's `dryRun` "
        f"(one month's window, {USERS:,} users, in {seconds:.1f} s); the others are not counted.",
        "",
        "| over emulated tables | compiled | share |",
        "|---:|---:|---:|",
        f"| {len(outcomes)} | {compiled} | {compiled / len(outcomes):.1%} |",
        "",
        "Failures by reason:",
        "",
        "| reason | queries |",
        "|---|---:|",
    ]
    for reason, count in amc_corpus.failures_by_reason(outcomes).most_common():
        lines.append(f"| {reason} | {count} |")
    failed = [o for o in outcomes if o.status_reason is not None]
    lines += ["", "Failed queries:", "", *(f"- `{o.query.name}`: {o.status_reason}" for o in failed)]
    lines += ["", "Tables of the uncounted queries (not emulated): "]
    lines[-1] += ", ".join(f"`{t}` ({n})" for t, n in other.most_common()) + "."
    return "\n".join(lines)

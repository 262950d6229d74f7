"""End-to-end fixtures: the real CLI against the real sandbox, in process and over loopback.

The tool's clock is linked to the sandbox's: when the tool sleeps (polling, backoff, reconcile), the sandbox
clock is advanced by that much instead, so executions that take "hours" finish at once and no test waits
on wall-clock time. The synthetic data (5,000 users) is generated once per test process and copied in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from amc_cltv.cli import main
from amc_cltv.clock import use_clock
from amc_cltv.sandbox import embedded_app, generate
from amc_cltv.sandbox.app import SandboxApp
from amc_cltv.sandbox.control import control_headers
from tests.contract.hooks import watch_served

USERS = 5_000
ROOT = Path(__file__).resolve().parents[2]


class LinkedClock:
    """The tool's clock, running on the sandbox's time: ``sleep`` advances the sandbox instead of waiting."""

    def __init__(self, advance: Callable[[float], None], offset: Callable[[], float]) -> None:
        self._advance = advance
        self._offset = offset
        self.sleeps: list[float] = []
        self.followers: list[Callable[[float], None]] = []  # other sandboxes whose time moves along

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset())

    def monotonic(self) -> float:
        return time.monotonic() + self._offset()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds > 0:
            self._advance(seconds)
            for follower in self.followers:
                follower(seconds)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))

    def events(self, name: str) -> list[dict[str, Any]]:
        found = []
        for line in self.stderr.splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == name:
                    found.append(event)
        return found


@dataclass
class Sandbox:
    """A working folder whose embedded sandbox the CLI uses; the test drives it through ``app``."""

    cwd: Path
    app: SandboxApp
    clock: LinkedClock
    capsys: pytest.CaptureFixture[str]
    config_args: list[str] = field(default_factory=list)
    base_url: str = ""  # a ``sandbox serve``'s URL (empty for the embedded sandbox)

    @property
    def state_dir(self) -> Path:
        return self.cwd / ".amc-cltv"

    def cli(self, *args: str) -> Result:
        """Run ``amc-cltv ARGS`` in this process (JSON logs on stderr, as under cron)."""
        self.capsys.readouterr()
        code = main([*self.config_args, "--log-format", "json", *args])
        out, err = self.capsys.readouterr()
        return Result(code, out, err)

    def executions(self) -> list[dict[str, Any]]:
        """Every execution the sandbox has accepted."""
        return self.app.store.all("execution")

    def faults(self, *faults: dict[str, Any]) -> None:
        self.app.faults.script(list(faults))


def seed_sandbox(state_dir: Path, data: Path, **settings: float) -> SandboxApp:
    """A sandbox under ``state_dir`` with the shared small data set and the given settings."""
    sandbox_dir = state_dir / "sandbox"
    sandbox_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data, sandbox_dir / "data", dirs_exist_ok=True)
    app = embedded_app(sandbox_dir)
    app.configure(users=USERS, **settings)
    return app


@pytest.fixture(scope="session")
def sandbox_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 users of synthetic AMC data ending today, generated once."""
    folder = tmp_path_factory.mktemp("sandbox-data") / "data"
    generate(USERS, 7, folder, end_date=datetime.now(UTC).date())
    return folder


@pytest.fixture
def sandbox(
    tmp_path: Path, sandbox_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Sandbox]:
    """The embedded profile (no --config) in a fresh working folder, with the tool's clock linked."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    app = seed_sandbox(cwd / ".amc-cltv", sandbox_data)
    linked = LinkedClock(app.clock.advance, lambda: app.clock.offset_s)
    with use_clock(linked):
        yield Sandbox(cwd, app, linked, capsys)


def loopback_profile(folder: Path, base_url: str, **polling: float) -> Path:
    """An instance profile pointing at a ``sandbox serve`` on loopback."""
    settings = {
        "initial_interval_s": 0.5,
        "multiplier": 1.5,
        "max_interval_s": 5,
        "max_wait_s": 600,
        **polling,
    }
    lines = [
        "[amc]",
        f'api_url = "{base_url}"',
        f'token_url = "{base_url}/auth/o2/token"',
        'instance_id = "amcsandbox01"',
        'advertiser_id = "ENTITYSANDBOX0001"',
        'marketplace_id = "ATVPDKIKX0DER"',
        "synthetic_data = true",
        "[polling]",
        *(f"{key} = {value}" for key, value in settings.items()),
    ]
    path = folder / "loopback.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@contextmanager
def serving(state_dir: Path, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, LinkedClock]]:
    """A real ``amc-cltv sandbox serve`` process over ``state_dir`` on a free loopback port: its base URL and
    the tool's clock linked to the server's (through its clock control); credentials are set in the
    environment (the sandbox takes any non-empty values). The process is killed on the way out."""
    app = embedded_app(state_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", "sandbox", "serve", "--port", "0", "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, line
        base_url = line.rsplit(" ", 1)[-1].strip()
        httpx.get(f"{base_url}/_sandbox/health", timeout=10).raise_for_status()
        watch_served(base_url)
        for name in ("AMC_CLTV_CLIENT_ID", "AMC_CLTV_CLIENT_SECRET", "AMC_CLTV_REFRESH_TOKEN"):
            monkeypatch.setenv(name, f"loopback-{name.lower()}")
        with httpx.Client(base_url=base_url, timeout=10, headers=control_headers(state_dir)) as http:

            def advance(seconds: float) -> None:
                http.post("/_sandbox/clock", json={"advance_s": seconds}).raise_for_status()

            linked = LinkedClock(advance, lambda: app.clock.offset_s)
            with use_clock(linked):
                yield base_url, linked
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def served(
    tmp_path: Path, sandbox_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Sandbox]:
    """A real ``amc-cltv sandbox serve`` process on a free loopback port, and a profile pointing at it."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    server_dir = tmp_path / "server"
    app = seed_sandbox(server_dir, sandbox_data)
    with serving(server_dir / "sandbox", cwd, monkeypatch) as (base_url, linked):
        profile = loopback_profile(cwd, base_url)
        yield Sandbox(cwd, app, linked, capsys, config_args=["--config", str(profile)], base_url=base_url)

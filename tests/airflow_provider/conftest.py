"""Airflow 3 for real: a temporary AIRFLOW_HOME with a SQLite metadata DB, the example DAG's folder, and a
``sandbox serve`` process that the DAG's instance profile points at.

Airflow reads its configuration when it is first imported, so the environment is set here, before any
test module imports it. ``dag.test()`` runs tasks and triggers in this process: the tool's clock is linked
to the sandbox's, so a trigger's wait (and the 48-hour DSP lag) moves sandbox time instead of passing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog

from tests.contract.hooks import watch_served

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "airflow"
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="amc-cltv-airflow-"))
CONNECTION = {
    "conn_type": "amc",
    "login": "amzn1.application-oa2-client.airflow",
    "password": "airflow-client-secret",
    "extra": {"refresh_token": "Atzr|airflow-refresh-token"},
}
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(EXAMPLES),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW_CONN_AMC_DEFAULT": json.dumps(CONNECTION),
    }
)

# Enough synthetic users for a High Value segment above the audience minimum of 2,500 (seed 7).
USERS = 32_000
# An execution runs an hour of sandbox time, an audience is built in half an hour: whoever looks first sees
# them still running, and must defer.
RUN_S = 3600.0
AUDIENCE_RUN_S = 1800.0


@pytest.fixture(scope="session", autouse=True)
def airflow_db() -> Iterator[dict[str, Any]]:
    """The metadata DB, created once per session (what ``airflow db migrate`` does to a new one, in
    process: the CLI would import Airflow a second time), removed afterwards. Yields Airflow's logging
    configuration (structlog), as importing Airflow set it."""
    from airflow.utils import db

    db.initdb()
    yield structlog.get_config()
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def airflow_logging(airflow_db: dict[str, Any]) -> None:
    """Airflow's logging as Airflow configured it (the suite resets structlog after every test)."""
    structlog.configure(**airflow_db)


@pytest.fixture(scope="session")
def sandbox_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from amc_cltv.sandbox import generate

    folder = tmp_path_factory.mktemp("sandbox-data") / "data"
    generate(USERS, 7, folder, end_date=datetime.now(UTC).date())
    return folder


class SandboxTime:
    """The tool's clock on the sandbox's time: ``sleep`` advances the ``sandbox serve`` clock instead."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http
        self.sleeps: list[float] = []

    def _offset(self) -> float:
        return float(self._http.get("/_sandbox/clock").json()["offset_s"])

    def now(self) -> datetime:
        from datetime import timedelta

        return datetime.now(UTC) + timedelta(seconds=self._offset())

    def monotonic(self) -> float:
        import time

        return time.monotonic() + self._offset()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds > 0:
            self._http.post("/_sandbox/clock", json={"advance_s": seconds}).raise_for_status()


@dataclass
class Fleet:
    """A folder of instance profiles (here one) and the ``sandbox serve`` behind it."""

    folder: Path
    profiles: Path
    base_url: str
    http: httpx.Client
    clock: SandboxTime
    app: Any  # the sandbox's own view of its state (the server shares it)

    @property
    def profile(self) -> Path:
        return self.profiles / "sandbox-us.toml"

    def executions(self) -> list[dict[str, Any]]:
        """Every execution the sandbox has accepted."""
        return list(self.app.store.all("execution"))

    def audiences(self) -> list[dict[str, Any]]:
        """Every audience the sandbox has accepted."""
        return list(self.app.store.all("audience"))

    def script_faults(self, *faults: dict[str, Any]) -> None:
        """Make the sandbox answer the next matching requests with errors (amc_cltv/sandbox/faults.py)."""
        self.http.post("/_sandbox/faults", json={"faults": list(faults)}).raise_for_status()

    def faults_left(self) -> list[dict[str, Any]]:
        return list(self.http.get("/_sandbox/faults").json()["faults"])


def write_profile(path: Path, base_url: str, time_zone: str = "UTC") -> None:
    """An instance profile for the ``sandbox serve`` at ``base_url``: polling of minutes, not seconds."""
    lines = [
        "[amc]",
        f'api_url = "{base_url}"',
        f'token_url = "{base_url}/auth/o2/token"',
        'instance_id = "amcsandbox01"',
        'advertiser_id = "ENTITYSANDBOX0001"',
        'marketplace_id = "ATVPDKIKX0DER"',
        "synthetic_data = true",
        f'time_zone = "{time_zone}"',
        "[polling]",
        "initial_interval_s = 60",
        "multiplier = 2",
        "max_interval_s = 900",
        "max_wait_s = 43200",
        "[paths]",
        'state_dir = "state/sandbox-us"',
        'output_dir = "results"',
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def fleet(tmp_path: Path, sandbox_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    """A real ``amc-cltv sandbox serve`` on a free loopback port and a profile folder pointing at it."""
    from amc_cltv.sandbox import embedded_app

    server_dir = tmp_path / "server" / "sandbox"
    server_dir.mkdir(parents=True)
    shutil.copytree(sandbox_data, server_dir / "data")
    app = embedded_app(server_dir)
    app.configure(users=USERS, run_s=RUN_S, audience_run_s=AUDIENCE_RUN_S)
    process = subprocess.Popen(
        [sys.executable, "-m", "amc_cltv", "sandbox", "serve", "--port", "0", "--state-dir", str(server_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, line
        base_url = line.rsplit(" ", 1)[-1].strip()
        watch_served(base_url)
        profiles = tmp_path / "profiles"
        write_profile(profiles / "sandbox-us.toml", base_url)
        monkeypatch.setenv("AMC_CLTV_PROFILES", str(profiles))
        from amc_cltv.sandbox.control import control_headers

        with httpx.Client(base_url=base_url, timeout=30, headers=control_headers(server_dir)) as http:
            yield Fleet(tmp_path, profiles, base_url, http, SandboxTime(http), app)
    finally:
        process.kill()
        process.wait(timeout=10)

"""End-to-end ground for audiences: the real CLI in process against the embedded sandbox, with the tool's
clock and the sandbox's clock advanced together (48 hours pass in no time)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amc_cltv.cli import main
from amc_cltv.clock import FakeClock, use_clock
from amc_cltv.config import load_config
from amc_cltv.connect import open_client
from amc_cltv.sandbox import embedded_app, generate

# Enough synthetic users for a High Value segment above 2,500 with and without shopping insights
# (about 4,560 and 3,160 on seed 7), small enough to generate in about a second.
USERS = 32_000
SEED = 7


class LinkedClock(FakeClock):
    """The tool's fake clock; every advance (and every sleep of the tool) moves the sandbox clock too."""

    def __init__(self, start: datetime, sandbox: Any) -> None:
        super().__init__(start)
        self._sandbox = sandbox

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        if seconds > 0:
            self._sandbox.clock.advance(seconds)


@dataclass
class Workspace:
    """A temporary working folder (the embedded profile's paths resolve against it) and its sandbox."""

    folder: Path
    sandbox: Any
    clock: LinkedClock
    capsys: pytest.CaptureFixture[str]

    def cli(self, *args: str) -> tuple[int, str, str]:
        """Run ``amc-cltv ARGS`` in process; the exit code, stdout and stderr."""
        code = main(["--log-format", "json", *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def cli_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        code, out, _ = self.cli(*args, "--json")
        return code, json.loads(out)

    def profile(self, name: str, **sections: str) -> str:
        """An embedded-sandbox profile file in the workspace with extra TOML lines per section."""
        text = [
            "[amc]",
            'api_url = "embedded"',
            'instance_id = "amcsandbox01"',
            'advertiser_id = "ENTITYSANDBOX0001"',
            'marketplace_id = "ATVPDKIKX0DER"',
            "synthetic_data = true",
            "[polling]",
            "initial_interval_s = 0.2",
            "max_interval_s = 2",
            "max_wait_s = 600",
        ]
        for section, lines in sections.items():
            text += [f"[{section}]", lines]
        path = self.folder / name
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        return str(path)

    def amc_audiences(self) -> list[Any]:
        """What AMC (the sandbox) holds, through the project's own client."""
        with open_client(load_config("sandbox", cwd=self.folder)) as client:
            return client.audiences.list()


@pytest.fixture(scope="session")
def sandbox_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic AMC data generated once per test process, copied into each workspace."""
    out = tmp_path_factory.mktemp("audience-sandbox") / "data"
    generate(USERS, SEED, out, end_date=datetime.now(UTC).date())
    return out


@pytest.fixture
def workspace(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox_data: Path,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Workspace]:
    monkeypatch.chdir(tmp_path)
    state = tmp_path / ".amc-cltv" / "sandbox"
    shutil.copytree(sandbox_data, state / "data")
    sandbox = embedded_app(state)
    sandbox.configure(users=USERS, seed=SEED)
    with use_clock(LinkedClock(datetime.now(UTC), sandbox)) as linked:
        assert isinstance(linked, LinkedClock)
        yield Workspace(tmp_path, sandbox, linked, capsys)


@dataclass
class Served:
    """A real ``amc-cltv sandbox serve`` process on loopback holding the audience data set, a profile
    pointing at it, and the server's state folder (read by the test as AMC's side of the wire)."""

    folder: Path
    profile: Path
    server_state: Path
    capsys: pytest.CaptureFixture[str]

    def cli_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        code = main(["--config", str(self.profile), "--log-format", "json", *args, "--json"])
        return code, json.loads(self.capsys.readouterr().out)


@pytest.fixture
def served(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox_data: Path,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Served]:
    from tests.e2e.conftest import loopback_profile, serving

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    server_state = tmp_path / "server" / "sandbox"
    shutil.copytree(sandbox_data, server_state / "data")
    embedded_app(server_state).configure(users=USERS, seed=SEED)
    with serving(server_state, work, monkeypatch) as (base_url, _):
        profile = loopback_profile(work, base_url)
        with profile.open("a", encoding="utf-8") as extra:  # the data set's segments are sized with it
            extra.write("[workflows]\nshopping_insights = true\n")
        yield Served(work, profile, server_state, capsys)

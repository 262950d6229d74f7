"""The ledger is a cache, AMC the truth: a lost or unreadable ledger never submits a second execution."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox
from tests.e2e.test_run import RUN, assert_intact

pytestmark = pytest.mark.e2e


def lose_ledger(sandbox: Sandbox) -> None:
    """What a new host or a wiped container sees: no ledger (the sandbox's own data stays)."""
    for path in sandbox.state_dir.glob("ledger.sqlite*"):
        path.unlink()


def digests(files: list[str]) -> dict[str, str]:
    return {name: hashlib.sha256(Path(name).read_bytes()).hexdigest() for name in files}


def test_a_lost_ledger_after_success_adopts_the_execution_from_amc(sandbox: Sandbox) -> None:
    first = sandbox.cli(*RUN, "--json").json
    before = digests(first["files"])
    lose_ledger(sandbox)
    again = sandbox.cli(*RUN, "--json")
    assert again.code == 0, again.stderr
    assert again.json["execution_id"] == first["execution_id"] and again.json["reused"] is True
    assert len(sandbox.executions()) == 1
    assert digests(again.json["files"]) == before
    assert_intact(Path(again.json["files"][0]).parent)
    assert again.events("execution_adopted_from_amc")[0]["execution_id"] == first["execution_id"]
    third = sandbox.cli(*RUN, "--json")  # the rebuilt ledger now answers on its own
    assert third.json["execution_id"] == first["execution_id"] and not third.events("amc_checked")


def test_a_ledger_lost_mid_run_reattaches_to_the_running_execution(sandbox: Sandbox) -> None:
    sandbox.app.configure(run_s=3600)  # still running at the one look, however slow the machine
    started = sandbox.cli(*RUN, "--no-wait", "--json")
    assert started.code == 4 and started.json["status"] in ("PENDING", "RUNNING")
    lose_ledger(sandbox)
    sandbox.app.configure(run_s=1)
    finished = sandbox.cli(*RUN, "--json")
    assert finished.code == 0, finished.stderr
    assert finished.json["execution_id"] == started.json["execution_id"]
    assert len(sandbox.executions()) == 1
    assert_intact(Path(finished.json["files"][0]).parent)


def test_a_garbage_ledger_is_kept_aside_and_rebuilt_from_amc(sandbox: Sandbox) -> None:
    first = sandbox.cli(*RUN, "--json").json
    ledger = sandbox.state_dir / "ledger.sqlite"
    for path in sandbox.state_dir.glob("ledger.sqlite-*"):
        path.unlink()
    ledger.write_bytes(b"\x00garbage\xff" * 1000)
    again = sandbox.cli(*RUN, "--json")
    assert again.code == 0, again.stderr
    assert again.json["execution_id"] == first["execution_id"]
    assert len(sandbox.executions()) == 1
    moved = again.events("ledger_moved_aside")
    assert len(moved) == 1 and moved[0]["ledger"] == str(ledger)
    assert Path(moved[0]["kept_as"]).read_bytes() == b"\x00garbage\xff" * 1000
    assert "Traceback" not in again.stderr


def test_force_rerun_submits_anew_even_when_amc_has_the_run(sandbox: Sandbox) -> None:
    first = sandbox.cli(*RUN, "--json").json
    lose_ledger(sandbox)
    forced = sandbox.cli(*RUN, "--force-rerun", "--json")
    assert forced.code == 0 and forced.json["execution_id"] != first["execution_id"]
    assert len(sandbox.executions()) == 2

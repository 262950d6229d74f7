"""The ledger file: its schema version is read, old files upgrade, unreadable ones are moved aside."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amc_cltv.clock import FakeClock, use_clock
from amc_cltv.errors import LocalFault, NeedsHuman
from amc_cltv.ledger import SCHEMA_VERSION, AudienceRecordState, Ledger, RunState

RELEASE_0_1_0 = Path(__file__).parent / "fixtures" / "ledger-v1.sqlite"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    """A copy of the ledger release 0.1.0 wrote (schema version 1)."""
    state = tmp_path / "state"
    state.mkdir()
    shutil.copy(RELEASE_0_1_0, state / "ledger.sqlite")
    return state


def test_a_ledger_written_by_release_0_1_0_opens_and_upgrades(old_ledger: Path) -> None:
    assert _version(old_ledger / "ledger.sqlite") == 1
    with Ledger.open(old_ledger) as ledger:
        assert {r.state for r in ledger.runs()} == set(RunState)
        runs = {r.execution_id: r for r in ledger.runs()}
        downloaded = runs["5001"]
        assert downloaded.state is RunState.DOWNLOADED and downloaded.status == "SUCCEEDED"
        assert downloaded.parameters == {"threshold_method": "mean"} and downloaded.adopted_at is None
        assert [f.name for f in ledger.files("5001")] == ["part-1.csv"]
        assert runs["5002"].status_reason == "Query timed out"
        audiences = {a.name: a for a in ledger.audiences(include_deleted=True)}
        assert {a.state for a in audiences.values()} == {
            AudienceRecordState.CREATED, AudienceRecordState.RETIRING, AudienceRecordState.DELETED
        }  # fmt: skip
        # Schema 3: the audiences of release 0.1.0 were all rule-based; what it never recorded is unknown.
        assert {(a.audience_type, a.expected_reach, a.seed_count) for a in audiences.values()} == {
            ("RULE_BASED", None, None)
        }
        # The upgraded file takes the new version's writes.
        adopted = ledger.adopt_run(
            run_key="k-new", instance_id="amcsandbox", workflow="cltv", workflow_id="amc_cltv.cltv",
            sql_sha256="e" * 64, time_window_start="a", time_window_end="b", time_zone="UTC", parameters={},
            execution_id="5009", status="RUNNING", submitted_at=NOW, now=NOW,
        )  # fmt: skip
        assert adopted.adopted_at == NOW and adopted.state is RunState.SUBMITTED
    assert _version(old_ledger / "ledger.sqlite") == SCHEMA_VERSION > 1
    with Ledger.open(old_ledger) as again:  # opening an upgraded file changes nothing
        assert len(again.runs()) == 6
    assert _version(old_ledger / "ledger.sqlite") == SCHEMA_VERSION


def test_a_new_ledger_gets_the_same_schema_as_an_upgraded_one(tmp_path: Path, old_ledger: Path) -> None:
    Ledger.open(tmp_path / "fresh").close()
    Ledger.open(old_ledger).close()

    def columns(path: Path) -> dict[str, list[str]]:
        with sqlite3.connect(path) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in sorted(tables)}

    assert columns(tmp_path / "fresh" / "ledger.sqlite") == columns(old_ledger / "ledger.sqlite")


def test_a_ledger_from_a_newer_release_is_refused_with_exit_3(tmp_path: Path) -> None:
    Ledger.open(tmp_path).close()
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(NeedsHuman, match=r"ledger\.sqlite has schema version \d+, newer"):
        Ledger.open(tmp_path)


@pytest.mark.parametrize(
    "garbage", [b"not a database at all\n" * 500, b"SQLite format 3\x00" + b"\xff" * 8000]
)
def test_an_unreadable_ledger_is_kept_aside_and_a_new_one_started(tmp_path: Path, garbage: bytes) -> None:
    (tmp_path / "ledger.sqlite").write_bytes(garbage)
    with Ledger.open(tmp_path) as ledger:
        assert ledger.runs() == []
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("ledger.sqlite.corrupt-")]
    assert [p.read_bytes() for p in kept] == [garbage]
    assert _version(tmp_path / "ledger.sqlite") == SCHEMA_VERSION


def test_two_corruptions_in_the_same_second_keep_both_files(tmp_path: Path) -> None:
    """The second unreadable ledger of the same second gets its own name: the first, "kept as" its name
    in the warning, is not overwritten."""
    first, second = b"first garbage\n" * 500, b"second garbage\n" * 500
    with use_clock(FakeClock(datetime(2026, 12, 6, 3, 0, 0, tzinfo=UTC))):
        for garbage in (first, second):
            (tmp_path / "ledger.sqlite").unlink(missing_ok=True)
            (tmp_path / "ledger.sqlite").write_bytes(garbage)
            with Ledger.open(tmp_path) as ledger:
                assert ledger.runs() == []
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ledger.sqlite.corrupt-"))
    assert kept == ["ledger.sqlite.corrupt-20261206T030000Z", "ledger.sqlite.corrupt-20261206T030000Z-2"]
    assert (tmp_path / kept[0]).read_bytes() == first and (tmp_path / kept[1]).read_bytes() == second


def test_a_ledger_with_damaged_pages_is_kept_aside(tmp_path: Path, old_ledger: Path) -> None:
    path = old_ledger / "ledger.sqlite"
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page + 8 : 3 * page] = b"\x00\x7f" * ((page - 8) // 2)  # a b-tree page overwritten
    path.write_bytes(bytes(data))
    with Ledger.open(old_ledger) as ledger:
        assert ledger.runs() == []
    assert any(p.name.startswith("ledger.sqlite.corrupt-") for p in old_ledger.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_an_unwritable_state_folder_is_a_local_fault(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(0o500)
    try:
        with pytest.raises(LocalFault, match=r"state.*ledger\.sqlite"):
            Ledger.open(state)
    finally:
        state.chmod(0o700)


def test_a_state_dir_that_is_a_file_is_a_local_fault(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a folder")
    with pytest.raises(LocalFault, match=r"cannot create the state folder \S+state \(\S+state is a file"):
        Ledger.open(tmp_path / "state")


def test_a_folder_where_the_ledger_file_should_be_is_a_local_fault(tmp_path: Path) -> None:
    (tmp_path / "ledger.sqlite").mkdir()
    with pytest.raises(LocalFault, match=r"ledger\.sqlite"):
        Ledger.open(tmp_path)
    assert (tmp_path / "ledger.sqlite").is_dir()  # nothing moved aside: it is not a damaged file

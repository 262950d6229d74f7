"""What the report reads from the ledger: past successful runs and the audiences. Read only.

The report never creates a ledger: with no ledger file yet, both functions answer None and the report falls
back to the manifests on disk (runs) or says what to run (audiences).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from amc_cltv.client.status import ExecutionStatus
from amc_cltv.ledger import AudienceRecord, Ledger, RunRecord
from amc_cltv.log import get_logger

LEDGER_FILE = "ledger.sqlite"

log = get_logger("amc_cltv.report")


def _ledger(state_dir: Path) -> Ledger | None:
    if not (state_dir / LEDGER_FILE).is_file():
        return None
    try:
        return Ledger.open(state_dir)
    except sqlite3.Error as exc:
        log.warning("report_ledger_unreadable", error=str(exc))
        return None


def succeeded_runs(state_dir: Path, instance_id: str) -> list[RunRecord] | None:
    """Every successful run (of any workflow) with an execution id, newest first; None without a ledger."""
    ledger = _ledger(state_dir)
    if ledger is None:
        return None
    try:
        runs = ledger.runs(instance_id=instance_id, status=ExecutionStatus.SUCCEEDED)
    except sqlite3.Error as exc:
        log.warning("report_ledger_unreadable", error=str(exc))
        return None
    finally:
        ledger.close()
    return [run for run in runs if run.execution_id]


def audiences(state_dir: Path, instance_id: str) -> list[AudienceRecord] | None:
    """The instance's audiences that are not deleted, newest first; None without a ledger."""
    ledger = _ledger(state_dir)
    if ledger is None:
        return None
    try:
        return ledger.audiences(instance_id=instance_id)
    except sqlite3.Error as exc:
        log.warning("report_ledger_unreadable", error=str(exc))
        return None
    finally:
        ledger.close()

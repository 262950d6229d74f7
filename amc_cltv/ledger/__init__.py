"""The ledger: what the tool has asked AMC to do, written ahead so that a crash loses nothing.

One SQLite file per state folder (``<state_dir>/ledger.sqlite``, WAL, synchronous FULL). Each write is its
own committed transaction: an intent is on disk before the request that acts on it leaves the process, and
AMC's answer is on disk right after it arrives. Each record type changes only through its named methods
(``record_submitted``, ``record_finished``, ``retire_audience``, …), each one fixed UPDATE.

The ledger is a cache of what AMC knows: AMC is the source of truth. A lost or unreadable ledger is rebuilt
by adopting AMC's executions and audiences (``orchestration/adopt.py``, ``audience/create.py``).

Tables:
    runs       one row per (run_key, attempt): an execution of a workflow over a window
    files      the verified result files of an execution
    applies    the workflow definition last uploaded per (instance, workflow_id)
    audiences  rule-based audiences: intent, AMC id, status, and when they become usable in DSP

The file carries a schema version, read on open, and is upgraded by numbered migrations (``schema.py``).
Text that came from AMC (status reasons) is redacted before it is stored.
"""

from amc_cltv.ledger.records import (
    ApplyRecord,
    AudienceRecord,
    AudienceRecordState,
    FileRecord,
    RunRecord,
    RunState,
    compute_run_key,
)
from amc_cltv.ledger.schema import SCHEMA_VERSION
from amc_cltv.ledger.store import Ledger

__all__ = [
    "SCHEMA_VERSION",
    "ApplyRecord",
    "AudienceRecord",
    "AudienceRecordState",
    "FileRecord",
    "Ledger",
    "RunRecord",
    "RunState",
    "compute_run_key",
]

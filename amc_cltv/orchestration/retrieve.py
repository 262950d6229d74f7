"""``download EXECUTION_ID``: fetch the results of any SUCCEEDED execution, verified, with a manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from amc_cltv import clock
from amc_cltv.client.status import ExecutionStatus
from amc_cltv.config import Config
from amc_cltv.errors import ExecutionFailed, StillRunning, local_fault
from amc_cltv.ledger import Ledger
from amc_cltv.orchestration import download as dl
from amc_cltv.orchestration.run import result_folder

if TYPE_CHECKING:
    from amc_cltv.client import AmcClient
    from amc_cltv.client.models import WorkflowExecution


@dataclass(frozen=True)
class Retrieved:
    execution_id: str
    workflow: str
    folder: Path
    files: list[dl.VerifiedFile]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _workflow_name(workflow_id: str | None) -> str:
    from amc_cltv.workflows import catalog

    for name in catalog.names():
        if catalog.workflow_id(name) == workflow_id:
            return name
    return workflow_id or "unknown"


def _sql_sha256(execution: WorkflowExecution, folders: list[Path]) -> str:
    """The sha256 of the SQL AMC ran, when the ledger does not know the execution: from AMC's answer (the
    query it ran), else from a manifest already written for it (in the target folder, or the results
    layout's: a download is no reason to forget it), else empty."""
    if execution.sql_query:
        return hashlib.sha256(execution.sql_query.encode()).hexdigest()
    for folder in folders:
        try:
            kept = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        value = kept.get("sql_sha256") if isinstance(kept, dict) else None
        if isinstance(value, str) and value:
            return value
    return ""


def download_execution(
    config: Config, client: AmcClient, ledger: Ledger, execution_id: str, *, out: Path | None = None
) -> Retrieved:
    """Download every result file of ``execution_id`` into ``out`` (default: docs/contract.md §3.2).

    Raises StillRunning if AMC has not finished it, ExecutionFailed if it did not succeed.
    """
    execution = client.executions.get(execution_id)
    if not execution.terminal:
        raise StillRunning(
            f"execution {execution_id} is still {execution.status}: download it once it finishes"
        )
    if execution.status != ExecutionStatus.SUCCEEDED:
        raise ExecutionFailed(
            f"execution {execution_id} ended {execution.status}: "
            f"{execution.status_reason or 'no reason given'}",
            status=execution.status,
            status_reason=execution.status_reason,
        )
    run = ledger.run_by_execution(execution_id)
    workflow = run.workflow if run else _workflow_name(execution.workflow_id)
    layout = result_folder(config, workflow, execution_id)  # AMC's ids checked before they name a folder
    folder = out if out is not None else layout
    try:
        files = dl.download_all(
            lambda: list(client.executions.download_urls(execution_id).download_urls),
            client.open_download,
            folder,
            workflow=workflow,
            execution_id=execution_id,
        )
        dl.write_manifest(
            folder,
            execution_id=execution_id,
            workflow=workflow,
            workflow_id=run.workflow_id if run else str(execution.workflow_id),
            time_window_start=run.time_window_start if run else _iso(execution.time_window_start),
            time_window_end=run.time_window_end if run else _iso(execution.time_window_end),
            sql_sha256=run.sql_sha256 if run and run.sql_sha256 else _sql_sha256(execution, [folder, layout]),
            files=files,
        )
    except OSError as error:  # e.g. --out names an existing file: the machine's fault (LocalFault)
        raise local_fault(error, f"write the results of execution {execution_id} to", folder) from None
    if out is None:
        ledger.record_files(execution_id, [f.record(execution_id) for f in files])
        if run is not None:
            ledger.record_downloaded(run.id, clock.current().now())
    return Retrieved(execution_id, workflow, folder, files)

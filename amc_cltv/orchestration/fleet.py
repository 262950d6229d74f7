"""``run --all``: one workflow on every instance profile of a folder, concurrently.

Each profile gets its own client, ledger and lock, so each instance stays within its own quotas (the
admission gate counts that instance's executions). A profile that cannot even be loaded is reported with
its exit code like any other; the folder's exit code is the worst (highest) of all.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from amc_cltv.config import load_config
from amc_cltv.errors import AmcCltvError, UsageError, exit_code_for
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.orchestration.run import RunOptions, run_workflow
from amc_cltv.redact import redact_text

MAX_PARALLEL = 8

log = get_logger("amc_cltv.fleet")


@dataclass(frozen=True)
class FleetResult:
    """One profile's part of ``run --all``."""

    profile: Path
    instance_id: str
    execution_id: str | None
    status: str | None
    rows: int
    exit_code: int
    message: str | None
    outcome: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        base = {"profile": str(self.profile), "instance_id": self.instance_id, "exit_code": self.exit_code}
        if self.outcome:
            base.update(self.outcome)
        else:
            base.update({"execution_id": None, "status": None, "rows": 0, "error": self.message})
        base["exit_code"] = self.exit_code
        return base


def profiles(config_dir: Path) -> list[Path]:
    """The instance profiles (``*.toml``) of a folder; UsageError when there are none."""
    if not config_dir.is_dir():
        raise UsageError(f"--config-dir {config_dir}: not a folder")
    found = sorted(config_dir.glob("*.toml"))
    if not found:
        raise UsageError(f"--config-dir {config_dir}: no instance profiles (*.toml) in it")
    return found


def _run_profile(path: Path, workflow: str, options: RunOptions) -> FleetResult:
    from amc_cltv.connect import open_client

    structlog.contextvars.bind_contextvars(profile=path.name)
    instance_id = path.stem
    try:
        config = load_config(path)
        instance_id = config.instance_id
        structlog.contextvars.bind_contextvars(instance_id=instance_id)
        with open_client(config) as client, Ledger.open(config.state_dir) as ledger:
            outcome = run_workflow(config, client, ledger, workflow, options)
        return FleetResult(
            path,
            instance_id,
            outcome.execution_id,
            outcome.status,
            outcome.rows,
            outcome.exit_code,
            outcome.message,
            outcome.as_json(),
        )
    except Exception as error:  # one profile's failure never stops the others
        code = int(exit_code_for(error))
        message = redact_text(str(error)) if isinstance(error, AmcCltvError) else repr(error)
        log.error("profile_failed", exit_code=code, error=redact_text(message))
        return FleetResult(path, instance_id, None, None, 0, code, message, None)
    finally:
        structlog.contextvars.clear_contextvars()


def run_fleet(config_dir: Path, workflow: str, options: RunOptions) -> list[FleetResult]:
    """Run ``workflow`` on every profile of ``config_dir`` at once; one result per profile, in name order."""
    paths = profiles(config_dir)
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(paths))) as pool:
        return list(pool.map(lambda path: _run_profile(path, workflow, options), paths))

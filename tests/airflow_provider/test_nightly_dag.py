"""The example DAG under Airflow 3's ``dag.test()`` against a real ``sandbox serve``: the segmentation task
defers to its trigger, the audience is activated, the sensor waits out the DSP lag; a task killed while
its trigger polls is retried and adopts the execution AMC already has. Exactly one execution, always, over
the window of the run's logical date (a backfill's)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from amc_cltv.clock import use_clock
from tests import processes
from tests.airflow_provider.conftest import CONNECTION, EXAMPLES, Fleet
from tests.processes import kill_9, wait_until

DAG_ID = "amc_cltv_nightly"
# What the trigger logs when it starts, then what the poll engine logs at a look that finds it running.
FOLLOWING = "following AMC execution"
FIRST_LOOK = "execution_status"


def trigger_looked(lines: list[str]) -> bool:
    """The trigger has started and looked at the execution at least once."""
    started = next((i for i, line in enumerate(lines) if FOLLOWING in line), None)
    return started is not None and any(FIRST_LOOK in line for line in lines[started + 1 :])


SECRETS = (CONNECTION["password"], CONNECTION["extra"]["refresh_token"])  # type: ignore[index]


def load_dag() -> Any:
    spec = importlib.util.spec_from_file_location(DAG_ID, EXAMPLES / f"{DAG_ID}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.nightly


def results(run: Any) -> dict[str, Any]:
    """Each task's state, try, map index label and returned value (XCom) in ``run``, by task id (map
    index 0)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    found: dict[str, Any] = {}
    with create_session() as session:
        for ti in run.get_task_instances(session=session):
            found[ti.task_id] = {
                "state": str(ti.state),
                "try_number": ti.try_number,
                "label": ti.rendered_map_index,
            }
        for row in session.query(XComModel).filter_by(dag_id=DAG_ID, run_id=run.run_id, key="return_value"):
            value = row.value
            found.setdefault(row.task_id, {})["value"] = (
                json.loads(value) if isinstance(value, str) else value
            )
    return found


# The DAG run by a separate process, as a worker would: killed while its trigger waits between looks.
WORKER = """
import importlib.util, sys
from datetime import datetime
spec = importlib.util.spec_from_file_location("amc_cltv_nightly", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.nightly.test(logical_date=datetime.fromisoformat(sys.argv[2]))
"""


def test_a_task_killed_while_its_trigger_polls_is_retried_and_adopts_the_same_execution(
    fleet: Fleet, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole nightly DAG, the way it must survive a lost worker (one test: each Airflow process spends
    some 15 s starting its in-process API, so the run to success is the retry itself).

    A worker runs the DAG for a night four days ago (a backfill) until the segmentation task has deferred
    and its trigger has looked once, and is killed. The retry runs where that worker's ledger is not: it
    adopts the execution from AMC, defers again (the trigger waits on the profile's schedule while AMC
    runs), downloads and verifies the files, activates the audience over the same window (deferring while
    AMC builds it) and waits out the DSP lag in the sensor's trigger.
    """
    # The worker starts Airflow (its in-process API, the DAG run, the triggerer) before its trigger looks:
    # more than a minute on a loaded machine.
    monkeypatch.setattr(processes, "EVENT_TIMEOUT_S", 240.0)
    logical_date = datetime.now(UTC).replace(microsecond=0) - timedelta(days=4)
    window_end = (logical_date - timedelta(days=3)).date().isoformat()  # the example's WINDOW_END
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(EXAMPLES / f"{DAG_ID}.py"), logical_date.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(worker.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        wait_until(lambda: trigger_looked(list(lines)), worker, "the trigger's first look")
        kill_9(worker)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    submitted = fleet.executions()
    assert len(submitted) == 1 and submitted[0]["status"] in ("PENDING", "RUNNING")
    assert submitted[0]["timeWindowEnd"].startswith(window_end)  # the backfilled night's, not today's
    # The retry runs where the killed worker's ledger is not: only AMC knows the execution.
    shutil.rmtree(fleet.profiles / "state")

    with use_clock(fleet.clock):
        run = load_dag().test(logical_date=logical_date)
    tasks = results(run)
    assert str(run.state) == "success", tasks
    executions = fleet.executions()
    assert len(executions) == 1 and executions[0]["status"] == "SUCCEEDED"
    segmentation = tasks["instance.segmentation"]
    assert segmentation["value"]["execution_id"] == submitted[0]["workflowExecutionId"]
    outcome = segmentation["value"]
    assert outcome["status"] == "SUCCEEDED" and outcome["rows"] > 0
    assert "exit_code" not in outcome  # a process's word: the CLI adds it, a task's XCom has none
    assert all(Path(path).is_file() for path in outcome["files"])
    assert outcome["time_window_end"].startswith(window_end)
    # Mapped over profiles, each task is labelled with its profile's name.
    assert {tasks[name]["label"] for name in tasks if name.startswith("instance.")} == {"sandbox-us"}
    # Deferred again: the trigger waited on the tool's clock (the learnt schedule, capped by the profile's
    # max_interval_s of 900 s with no history) while AMC ran the execution's hour of sandbox time.
    assert fleet.clock.sleeps and all(0 < wait <= 900 * 1.2 for wait in fleet.clock.sleeps[:3])
    audience = tasks["instance.activate_audience"]["value"]
    assert audience["status"] == "SUCCEEDED" and len(fleet.audiences()) == 1
    # Sized over the segmentation of the same night: no second segmentation was run for it.
    assert audience["time_window_end"].startswith(window_end)
    usable = tasks["instance.audience_usable"]["value"]
    assert usable["usable_now"] is True
    assert fleet.clock.now() >= datetime.fromisoformat(audience["usable_in_dsp_at"])
    # Whatever Airflow logged, in the worker and here, carries no secret and no pre-signed URL signature.
    logged = "".join(lines) + "".join(capfd.readouterr())
    assert FOLLOWING in logged and FIRST_LOOK in logged and "results_downloaded" in logged
    # The activation deferred too while AMC built the audience.
    assert re.search(r"following AMC audience \S+ while AMC builds it", logged)
    for secret in (*SECRETS, "X-Amz-Signature="):
        assert secret not in logged

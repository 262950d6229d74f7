"""A request skips the lifecycle scan only while nothing can be due: no change to executions, audiences or
settings (by any process) and the sandbox clock short of the next due moment."""

from __future__ import annotations

from amc_cltv.sandbox.app import SandboxApp
from amc_cltv.sandbox.store import Store

from .conftest import Api


def test_quiet_until_the_next_due_moment_or_any_change(app: SandboxApp, api: Api) -> None:
    app.configure(queue_s=10, run_s=600)
    execution_id = api.submit()["workflowExecutionId"]
    app.lifecycle.advance()
    assert app.lifecycle._quiet()  # PENDING until createTime + 10 s
    app.clock.advance(10)
    assert not app.lifecycle._quiet()  # due now: the next request does the work
    assert api.status(execution_id)["status"] == "RUNNING"
    assert app.lifecycle._quiet()
    other_process = Store(app.state_dir / "sandbox.sqlite")  # another process's connection
    other_process.put("setting", "settings", {"value": {**app.settings.to_dict(), "run_s": 1.0}})
    assert not app.lifecycle._quiet()  # a change elsewhere is seen at once
    app.clock.advance(1)
    assert api.status(execution_id)["status"] == "SUCCEEDED"


def test_an_execution_waiting_for_a_slot_is_looked_at_on_every_request(app: SandboxApp, api: Api) -> None:
    app.configure(queue_s=0, run_s=600, max_concurrent=1)
    api.submit()
    api.submit()
    app.lifecycle.advance()
    assert not app.lifecycle._quiet()

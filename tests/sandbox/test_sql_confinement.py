"""Executed SQL reads AMC's tables and nothing else: no file, environment variable, network or extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.sandbox.app import SandboxApp

from .conftest import Api

MARKER = "s3cr3t-marker-9f2c"


def _outcome(app: SandboxApp, api: Api, sql: str) -> tuple[str, str]:
    """Run ``sql`` as an ad-hoc execution: its status and everything it produced (reason and files)."""
    execution_id = api.submit(sql)["workflowExecutionId"]
    app.clock.advance(1)
    status = api.status(execution_id)
    produced = str(status.get("statusReason") or "")
    if status["status"] == "SUCCEEDED":
        urls = api.r("GET", f"workflowExecutions/{execution_id}/downloadUrls").json()["downloadUrls"]
        produced += "".join(api.http.get(url).text for url in urls)
    return str(status["status"]), produced


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.csv"
    path.parent.mkdir()
    path.write_text(f"token\n{MARKER}\n")
    return path


@pytest.mark.parametrize(
    "template",
    [
        "SELECT content AS c FROM read_text('{path}')",
        "SELECT token AS c FROM read_csv('{path}')",
        "SELECT token AS c FROM read_csv_auto('{path}')",
        "SELECT content AS c FROM read_text('/proc/self/environ')",
        "SELECT content AS c FROM read_text('{data}/../../outside/secret.csv')",
    ],
)
def test_sql_cannot_read_a_file(app: SandboxApp, api: Api, secret_file: Path, template: str) -> None:
    """A table function over a file outside the data ends FAILED or REJECTED, showing none of it."""
    sql = template.format(path=secret_file, data=Path(app.state_dir) / "data")
    status, produced = _outcome(app, api, sql)
    assert status in ("FAILED", "REJECTED")
    assert MARKER not in produced
    assert "PATH=" not in produced


def test_sql_cannot_read_the_environment(app: SandboxApp, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """``getenv`` is not there for executed SQL."""
    monkeypatch.setenv("AMC_SANDBOX_TEST_SECRET", MARKER)
    status, produced = _outcome(app, api, "SELECT getenv('AMC_SANDBOX_TEST_SECRET') AS c")
    assert status in ("FAILED", "REJECTED")
    assert MARKER not in produced


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_parquet('https://example.invalid/x.parquet')",
        "SELECT 1 AS c FROM (SELECT load_extension('httpfs'))",
        "SELECT * FROM sqlite_scan('{state}/sandbox.sqlite', 'documents')",
    ],
)
def test_sql_cannot_reach_the_network_an_extension_or_the_state(app: SandboxApp, api: Api, sql: str) -> None:
    """Remote reads, extensions and the sandbox's own store are out of reach."""
    status, _ = _outcome(app, api, sql.format(state=app.state_dir))
    assert status in ("FAILED", "REJECTED")


def test_sql_cannot_write_a_file(app: SandboxApp, api: Api, tmp_path: Path) -> None:
    """COPY and ATTACH never leave a file behind."""
    target = tmp_path / "written.csv"
    for sql in (
        f"COPY (SELECT 1 AS c) TO '{target}'",
        f"ATTACH '{tmp_path / 'attached.db'}' AS other",
    ):
        status, _ = _outcome(app, api, sql)
        assert status in ("FAILED", "REJECTED")
    assert not target.exists()
    assert not (tmp_path / "attached.db").exists()


def test_tables_still_read_and_results_still_written(app: SandboxApp, api: Api) -> None:
    """The confinement leaves AMC's tables and the result files working."""
    status, produced = _outcome(
        app, api, "SELECT event_subtype, COUNT(1) AS n FROM conversions_all GROUP BY event_subtype"
    )
    assert status == "SUCCEEDED"
    assert produced.startswith("event_subtype,n")

"""On an instance without the paid shopping dataset, a profile that assumes it gets a failure that names the
subscription as the likely cause (AMC's own message does not), and the fix it gives works."""

from __future__ import annotations

from .conftest import Sandbox


def test_rejected_conversions_all_query_names_the_subscription(sandbox: Sandbox) -> None:
    sandbox.app.configure(shopping_insights=False)
    result = sandbox.cli("run", "--workflow", "segmentation")
    assert result.code == 1
    (event,) = result.events("run_not_done")
    message = str(event["message"])
    assert "REJECTED: Table or view not found: conversions_all." in message
    assert "Flexible Shopping Insights" in message
    assert "shopping_insights = false" in message
    assert "\n" not in message and "Traceback" not in result.stderr


def test_the_same_instance_runs_with_shopping_insights_off(sandbox: Sandbox) -> None:
    sandbox.app.configure(shopping_insights=False)
    profile = sandbox.cwd / "no-insights.toml"
    profile.write_text(
        '[amc]\napi_url = "embedded"\ninstance_id = "amcsandbox01"\nadvertiser_id = "ENTITYSANDBOX0001"\n'
        'marketplace_id = "ATVPDKIKX0DER"\nsynthetic_data = true\n'
        "[polling]\ninitial_interval_s = 0.2\nmax_interval_s = 2\n"
    )
    result = sandbox.cli("--config", str(profile), "run", "--workflow", "segmentation")
    assert result.code == 0, result.stderr


def test_dry_run_stays_offline_and_validate_asks_amc_to_compile(sandbox: Sandbox) -> None:
    """--dry-run sends nothing; with --validate AMC compiles the workflow (a dryRun execution: nothing runs,
    nothing is written) and a rejection is exit 1 with the likely cause."""
    offline = sandbox.cli("run", "--workflow", "segmentation", "--dry-run")
    assert offline.code == 0 and "validation" not in offline.json
    assert sandbox.executions() == []
    valid = sandbox.cli("run", "--workflow", "segmentation", "--dry-run", "--validate")
    assert valid.code == 0, valid.stderr
    assert valid.json["validation"] == {"status": "SUCCEEDED", "status_reason": None, "likely_cause": None}
    (execution,) = sandbox.executions()
    assert execution["dryRun"] and not execution.get("files")
    sandbox.app.configure(shopping_insights=False)
    rejected = sandbox.cli("run", "--workflow", "segmentation", "--dry-run", "--validate")
    assert rejected.code == 1
    assert "Flexible Shopping Insights" in rejected.json["validation"]["likely_cause"]


def test_validate_needs_dry_run(sandbox: Sandbox) -> None:
    result = sandbox.cli("run", "--workflow", "segmentation", "--validate")
    assert result.code == 2
    assert "--validate goes with --dry-run" in result.stderr

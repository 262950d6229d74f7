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

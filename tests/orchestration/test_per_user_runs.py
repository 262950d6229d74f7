"""Per-user (synthetic_only) workflows: sent with disableAggregationControls on a synthetic-data instance,
refused before any request (exit 2) on any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from amc_cltv.cli import main
from amc_cltv.client import AmcClient
from amc_cltv.clock import FakeClock
from amc_cltv.config import Config, load_config
from amc_cltv.errors import UsageError
from amc_cltv.ledger import Ledger
from amc_cltv.orchestration.run import RunOptions, plan_run, run_workflow
from amc_cltv.orchestration.schedules import apply_schedule, build_schedule
from tests.orchestration.conftest import PROFILE

REFUSAL = "AMC allows per-user output only on synthetic data"
CREDENTIALS = {
    "AMC_CLTV_CLIENT_ID": "amzn1.application-oa2-client.test",
    "AMC_CLTV_CLIENT_SECRET": "client-secret-value",
    "AMC_CLTV_REFRESH_TOKEN": "Atzr|refresh-token-value",
}


@pytest.fixture
def synthetic_config(tmp_path: Path) -> Config:
    """The same instance profile, on a sandbox instance (synthetic data)."""
    path = tmp_path / "sandbox-instance.toml"
    path.write_text(PROFILE.replace("[amc]\n", "[amc]\nsynthetic_data = true\n"))
    return load_config(path, environ=CREDENTIALS)


@pytest.fixture
def any_request() -> Iterator[respx.MockRouter]:
    """The whole network mocked: every request, to any host, is answered and counted."""
    with respx.mock(assert_all_called=False) as router:
        router.route(name="any").respond(500)
        yield router


def test_customer_labels_is_sent_with_aggregation_controls_off_on_synthetic_data(
    synthetic_config: Config, fake_clock: FakeClock
) -> None:
    """requireSyntheticData and disableAggregationControls are both true in the execution request."""
    request = plan_run(synthetic_config, "customer-labels", RunOptions()).execution_request()
    assert request["disableAggregationControls"] is True
    assert request["requireSyntheticData"] is True
    assert request["workflowId"] == "amc_cltv.customer-labels"


def test_an_aggregated_workflow_keeps_aggregation_controls_on(
    synthetic_config: Config, fake_clock: FakeClock
) -> None:
    """Only a per-user workflow turns the controls off, even on synthetic data."""
    request = plan_run(synthetic_config, "segmentation", RunOptions()).execution_request()
    assert "disableAggregationControls" not in request
    assert request["requireSyntheticData"] is True


def test_planning_customer_labels_without_synthetic_data_is_a_usage_error(
    config: Config, fake_clock: FakeClock
) -> None:
    """synthetic_data = false: exit 2, one line naming the rule."""
    assert not config.amc.synthetic_data
    with pytest.raises(UsageError, match=REFUSAL) as caught:
        plan_run(config, "customer-labels", RunOptions())
    assert "\n" not in str(caught.value)


def test_running_customer_labels_without_synthetic_data_sends_nothing(
    any_request: respx.MockRouter, config: Config, client: AmcClient, ledger: Ledger, fake_clock: FakeClock
) -> None:
    """Refused before any request: no token call, no upload, no execution, and nothing in the ledger."""
    with pytest.raises(UsageError, match=REFUSAL):
        run_workflow(config, client, ledger, "customer-labels", RunOptions())
    assert any_request.calls.call_count == 0
    assert ledger.runs(instance_id=config.instance_id) == []


def test_the_cli_refuses_with_exit_2_and_one_line(
    any_request: respx.MockRouter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_clock: FakeClock,
) -> None:
    """`run --workflow customer-labels` on a production profile: one stderr line, exit 2, no request."""
    profile = tmp_path / "production.toml"
    profile.write_text(PROFILE)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for extra in ([], ["--dry-run"]):
        code = main(["--config", str(profile), "run", "--workflow", "customer-labels", *extra])
        captured = capsys.readouterr()
        assert code == 2
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and REFUSAL in lines[0], captured.err
        assert captured.out == ""
    assert any_request.calls.call_count == 0


def test_a_schedule_of_customer_labels_turns_the_controls_off(synthetic_config: Config) -> None:
    body = build_schedule(
        synthetic_config,
        "amc_cltv.customer-labels",
        weekly_day=None,
        hour_utc=3,
        disable_aggregation_controls=True,
    ).dump()
    assert body["disableAggregationControls"] is True and body["requireSyntheticData"] is True
    plain = build_schedule(synthetic_config, "amc_cltv.segmentation", weekly_day=None, hour_utc=3).dump()
    assert "disableAggregationControls" not in plain


def test_scheduling_customer_labels_without_synthetic_data_sends_nothing(
    any_request: respx.MockRouter, config: Config, client: AmcClient, ledger: Ledger
) -> None:
    with pytest.raises(UsageError, match=REFUSAL):
        apply_schedule(config, client, ledger, "customer-labels", weekly_day=None, hour_utc=3)
    assert any_request.calls.call_count == 0

"""``schedule apply``: AMC's schedules carry no parameter values, advertisers, window or timeout. The command
says exactly what each scheduled run computes, and refuses where the result would mix currencies."""

from __future__ import annotations

from .conftest import Sandbox


def test_schedule_apply_says_what_each_scheduled_run_computes(sandbox: Sandbox) -> None:
    applied = sandbox.cli("schedule", "apply", "segmentation", "--weekly", "monday", "--hour-utc", "6")
    assert applied.code == 0, applied.stderr
    said = " ".join(applied.stdout.split())
    assert "each scheduled run: amc_cltv.segmentation over the 7 days before it" in said
    assert "not the 365-day window of 'amc-cltv run'" in said
    assert "parameters at their defaults (threshold_method=mean, threshold_quantile=0.5)" in said
    assert "every advertiser of the instance" in said and "AMC's default timeout" in said
    daily = sandbox.cli("schedule", "apply", "segmentation", "--daily")
    assert daily.code == 0 and "over the day before it" in " ".join(daily.stdout.split())


def test_schedule_apply_refuses_an_instance_whose_advertisers_span_marketplaces(sandbox: Sandbox) -> None:
    """A schedule cannot restrict the advertisers: each run would add dollars to euros. One line, exit 2,
    nothing uploaded or scheduled."""
    sandbox.app.configure(marketplaces=2)
    refused = sandbox.cli("schedule", "apply", "segmentation", "--daily")
    assert refused.code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert "carries no advertisers" in line and "currencies" in line and "amc-cltv run --workflow" in line
    assert sandbox.app.store.all("schedule") == [] and sandbox.app.store.all("workflow") == []

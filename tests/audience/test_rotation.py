"""Rotation deletes only what AMC lets it: a retired audience AMC says is not ``deletable``, or whose DELETE
AMC refuses, is still in DSP; that is reported and the run goes on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import respx

from amc_cltv.audience import activate, refresh_status
from amc_cltv.client import AmcClient
from amc_cltv.clock import FakeClock
from amc_cltv.config import Config
from amc_cltv.ledger import Ledger
from tests.audience.conftest import INSTANCE, FakeAudiences, record_segmentation

LAG = timedelta(hours=48)
Amc = tuple[respx.MockRouter, FakeAudiences]


def _rotate_until_the_old_one_is_due(
    make_config: Callable[..., Config], client: AmcClient, ledger: Ledger, tool_clock: FakeClock
) -> tuple[str, Config]:
    """An old audience retired by a new one, both past their lag; returns the old name and the new config."""
    old_config = make_config(shopping_insights=True)
    record_segmentation(old_config, ledger, 3200)
    old = activate(old_config, client, ledger)
    tool_clock.advance(LAG.total_seconds())
    new_config = make_config(shopping_insights=False)
    record_segmentation(new_config, ledger, 2800)
    assert activate(new_config, client, ledger).retired == [old.name]
    tool_clock.advance(LAG.total_seconds())
    return old.name, new_config


@pytest.mark.parametrize("amc_says", ["deletable false", "400 on delete"])
def test_an_audience_amc_will_not_delete_is_still_in_dsp_not_a_failed_run(
    make_config: Callable[..., Config],
    client: AmcClient,
    ledger: Ledger,
    amc: Amc,
    tool_clock: FakeClock,
    amc_says: str,
) -> None:
    """``deletable: false`` (v1.2): no DELETE is sent. No flag (an older AMC) and a 400: the refusal is read
    the same way. Either way the run succeeds, names the audience still in DSP, keeps it in the ledger as
    retired, and a later run deletes it once AMC lets it."""
    router, fake = amc
    old_name, new_config = _rotate_until_the_old_one_is_due(make_config, client, ledger, tool_clock)
    fake.in_use = amc_says == "deletable false"
    fake.refuse_delete = amc_says == "400 on delete"
    deletes_before = router["delete"].call_count

    outcome = activate(new_config, client, ledger)

    assert outcome.deleted == [] and fake.deleted == []
    expected_deletes = 0 if fake.in_use else 1
    assert router["delete"].call_count - deletes_before == expected_deletes
    said = " ".join(outcome.messages)
    assert f"{old_name} is still in DSP" in said and "move those line items" in said
    row = ledger.audience_by_name(INSTANCE, old_name)
    assert row is not None and row.retired_at is not None and row.deleted_at is None

    fake.in_use = fake.refuse_delete = False
    assert activate(new_config, client, ledger).deleted == [old_name]
    assert old_name not in [view.name for view in refresh_status(new_config, client, ledger)]


def test_audience_status_says_a_retired_audience_amc_will_not_delete_is_still_in_dsp(
    make_config: Callable[..., Config], client: AmcClient, ledger: Ledger, amc: Amc, tool_clock: FakeClock
) -> None:
    """The status of a retired audience AMC says is not deletable carries deletable false and the note of
    what it does in DSP and what to do; the audience that replaced it carries no note."""
    _, fake = amc
    old_name, new_config = _rotate_until_the_old_one_is_due(make_config, client, ledger, tool_clock)
    fake.in_use = True
    views = {view.name: view.as_dict() for view in refresh_status(new_config, client, ledger)}
    old = views.pop(old_name)
    assert old["state"] == "retired" and old["deletable"] is False
    assert old["note"].startswith("still in DSP: AMC will not delete it while a campaign uses it")
    assert [view["note"] for view in views.values()] == [None]


@pytest.mark.parametrize(
    ("status", "said"),
    [("RUNNING", "is RUNNING on AMC (a refresh): a later run deletes it"), ("DEACTIVATED", "is DEACTIVATED")],
)
def test_a_retired_audience_amc_is_refreshing_or_deactivated_is_not_said_to_be_in_a_campaign(
    make_config: Callable[..., Config],
    client: AmcClient,
    ledger: Ledger,
    amc: Amc,
    tool_clock: FakeClock,
    status: str,
    said: str,
) -> None:
    """Not deletable because AMC is refreshing it, or because AMC deactivated it: no DELETE, no claim that a
    campaign uses it, and the run goes on."""
    router, fake = amc
    old_name, new_config = _rotate_until_the_old_one_is_due(make_config, client, ledger, tool_clock)
    old_row = ledger.audience_by_name(INSTANCE, old_name)
    assert old_row is not None and old_row.audience_execution_id is not None
    fake.audiences[old_row.audience_execution_id].update(status=status, deletable=False)
    deletes_before = router["delete"].call_count
    outcome = activate(new_config, client, ledger)
    assert router["delete"].call_count == deletes_before and outcome.deleted == []
    text = " ".join(outcome.messages)
    assert f"{old_name} {said}" in text and "still in DSP" not in text

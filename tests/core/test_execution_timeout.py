"""``[workflows] execution_timeout_s``: AMC's default of 21,600 s unless the profile says otherwise, within
AMC's range of 900 to 86,400 s; anything else is one config error naming the key (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.config import load_config
from amc_cltv.errors import ConfigError
from amc_cltv.workflows import catalog
from tests.core.test_config import MINIMAL, SECRETS, write


def test_every_shipped_workflow_runs_with_amcs_default_timeout_unless_the_profile_sets_one(
    tmp_path: Path,
) -> None:
    default = load_config(write(tmp_path, MINIMAL), environ=SECRETS).profile.workflows
    longest = load_config(
        write(tmp_path, MINIMAL + "[workflows]\nexecution_timeout_s = 86400\n"), environ=SECRETS
    ).profile.workflows
    for name in ("cltv", "cohorts", "segmentation", "segment-conversion-rate", "loyalty-segments"):
        own = catalog.render(name).execution_timeout_s
        assert default.execution_timeout(own) == 21600
        assert longest.execution_timeout(own) == 86400


def test_a_workflows_own_timeout_counts_only_when_the_profile_sets_none(tmp_path: Path) -> None:
    default = load_config(write(tmp_path, MINIMAL), environ=SECRETS).profile.workflows
    set_ = load_config(
        write(tmp_path, MINIMAL + "[workflows]\nexecution_timeout_s = 900\n"), environ=SECRETS
    ).profile.workflows
    assert default.execution_timeout(7200) == 7200
    assert set_.execution_timeout(7200) == 900


@pytest.mark.parametrize("value", ["899", "86401", "0", '"21600"', "21600.0"])
def test_a_timeout_outside_amcs_range_or_not_an_integer_is_one_line_naming_the_key(
    tmp_path: Path, value: str
) -> None:
    path = write(tmp_path, MINIMAL + f"[workflows]\nexecution_timeout_s = {value}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ=SECRETS)
    message = str(raised.value)
    assert "invalid value for 'workflows.execution_timeout_s'" in message and "\n" not in message
    if value in ("899", "86401", "0"):
        assert "900 to 86400 seconds" in message

"""The Airflow 3 provider: ``pip install 'amc-cltv[airflow]'``.

    from amc_cltv.airflow import AmcRunWorkflowOperator, AmcActivateAudienceOperator, AmcAudienceUsableSensor

    hooks          AmcHook: the ``amc`` connection (LwA secrets, profile overrides, test_connection)
    profile        the profile TOML merged with a connection; the copy a trigger carries (no Airflow)
    execution      adopt or submit, look, download, and the submitted run pinned (no Airflow)
    operators      AmcRunWorkflowOperator, AmcActivateAudienceOperator (a segment),
                   AmcLookalikeAudienceOperator
    triggers       AmcExecutionTrigger, AmcAudienceTrigger (poll on the tool's schedule), AmcUntilTrigger
    sensors        AmcAudienceUsableSensor (the DSP lag)
    provider_info  the ``amc`` connection type and its form, for Airflow's provider manager

Importing ``amc_cltv`` never imports Airflow. The names below are loaded on first use, because Airflow
reads ``provider_info`` while it is still configuring itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amc_cltv.airflow.hooks import AmcHook
    from amc_cltv.airflow.operators import (
        AmcActivateAudienceOperator,
        AmcLookalikeAudienceOperator,
        AmcRunWorkflowOperator,
    )
    from amc_cltv.airflow.sensors import AmcAudienceUsableSensor
    from amc_cltv.airflow.triggers import AmcAudienceTrigger, AmcExecutionTrigger, AmcUntilTrigger

_HOMES = {
    "AmcAudienceTrigger": "triggers",
    "AmcActivateAudienceOperator": "operators",
    "AmcAudienceUsableSensor": "sensors",
    "AmcExecutionTrigger": "triggers",
    "AmcHook": "hooks",
    "AmcLookalikeAudienceOperator": "operators",
    "AmcRunWorkflowOperator": "operators",
    "AmcUntilTrigger": "triggers",
}

__all__ = [
    "AmcActivateAudienceOperator",
    "AmcAudienceTrigger",
    "AmcAudienceUsableSensor",
    "AmcExecutionTrigger",
    "AmcHook",
    "AmcLookalikeAudienceOperator",
    "AmcRunWorkflowOperator",
    "AmcUntilTrigger",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)

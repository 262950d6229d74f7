"""What Airflow's provider manager reads (the ``apache_airflow_provider`` entry point): the ``amc``
connection type. Read while Airflow configures itself, so this module imports nothing of Airflow."""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    from amc_cltv import __version__

    return {
        "package-name": "amc-cltv",
        "name": "amc-cltv (Amazon Marketing Cloud)",
        "description": "Run amc-cltv workflows and activate AMC audiences from Airflow.",
        "versions": [__version__],
        "connection-types": [{"hook-class-name": "amc_cltv.airflow.hooks.AmcHook", "connection-type": "amc"}],
    }

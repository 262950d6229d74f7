"""What Airflow's provider manager reads (the ``apache_airflow_provider`` entry point): the ``amc``
connection type and its form. Read while Airflow configures itself, so this module imports nothing of Airflow.

The form is declared here (``hook-name``, ``ui-field-behaviour``, ``conn-fields``), so the UI draws it
without importing the hook; ``AmcHook.get_ui_field_behaviour`` answers from the same declaration for
Airflow releases that still ask the hook.
"""

from __future__ import annotations

from typing import Any

CONNECTION_TYPE = "amc"
HOOK_NAME = "Amazon Marketing Cloud"

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["host", "port", "schema"],
    "relabeling": {"login": "LwA client id", "password": "LwA client secret"},
    "placeholders": {
        "login": "amzn1.application-oa2-client.…",
        "extra": '{"instance_id": "amcxxxxxxxx", "polling.max_wait_s": 43200}',
    },
}

# Stored in the connection's extra under ``extra__amc__refresh_token``; a JSON connection may write the
# bare ``refresh_token`` instead (amc_cltv/airflow/profile.py reads both).
CONN_FIELDS: dict[str, Any] = {
    "refresh_token": {
        "label": "LwA refresh token",
        "description": "The Login with Amazon refresh token of the account that may use the AMC instance.",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
}


def get_provider_info() -> dict[str, Any]:
    from amc_cltv import __version__

    return {
        "package-name": "amc-cltv",
        "name": "amc-cltv (Amazon Marketing Cloud)",
        "description": "Run amc-cltv workflows and activate AMC audiences from Airflow.",
        "versions": [__version__],
        "connection-types": [
            {
                "hook-class-name": "amc_cltv.airflow.hooks.AmcHook",
                "hook-name": HOOK_NAME,
                "connection-type": CONNECTION_TYPE,
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
                "conn-fields": CONN_FIELDS,
            }
        ],
    }

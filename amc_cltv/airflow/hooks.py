"""``AmcHook``: the ``amc`` Airflow connection, turned into an instance profile's ``Config``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow.sdk import BaseHook

from amc_cltv.airflow import provider_info
from amc_cltv.airflow.profile import connection_config, connection_only_config, payload_config
from amc_cltv.config import Config
from amc_cltv.errors import AmcCltvError

INSTANCE_KEYS = ("instance_id", "advertiser_id", "marketplace_id")


class AmcHook(BaseHook):
    """Secrets of an AMC instance: login = LwA client id, password = client secret, extra ``refresh_token``.

    Any other key of the extra overrides a profile key (``instance_id``, ``polling.max_wait_s``), so one
    profile can serve several instances. ``AIRFLOW_CONN_AMC_DEFAULT`` in JSON form works:
    ``{"conn_type": "amc", "login": "...", "password": "...", "extra": {"refresh_token": "..."}}``.
    """

    conn_name_attr = "amc_conn_id"
    default_conn_name = "amc_default"
    conn_type = provider_info.CONNECTION_TYPE
    hook_name = provider_info.HOOK_NAME

    def __init__(self, amc_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.amc_conn_id = amc_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """The form of provider_info, for Airflow releases that ask the hook (before 3.2)."""
        behaviour = provider_info.UI_FIELD_BEHAVIOUR
        return {
            "hidden_fields": list(behaviour["hidden-fields"]),
            "relabeling": dict(behaviour["relabeling"]),
            "placeholders": dict(behaviour["placeholders"]),
        }

    def config(self, profile: str | Path) -> Config:
        """The profile ``profile`` (a TOML path) with this connection's secrets and overrides."""
        connection = self.get_connection(self.amc_conn_id)
        return connection_config(
            profile,
            login=connection.login,
            password=connection.password,
            extra=connection.extra_dejson,
            conn_id=self.amc_conn_id,
        )

    async def aconfig(self, payload: Mapping[str, Any]) -> Config:
        """For a trigger: the profile the task resolved (``profile_payload``) with this connection's
        secrets, the connection read without blocking the event loop."""
        connection = await self.aget_connection(self.amc_conn_id)
        return payload_config(
            payload,
            login=connection.login,
            password=connection.password,
            extra=connection.extra_dejson,
            conn_id=self.amc_conn_id,
        )

    def test_connection(self) -> tuple[bool, str]:
        """The UI's "Test": a Login with Amazon token, then AMC's list of accounts, and the instance when
        the extra names it (``instance_id``, ``advertiser_id``, ``marketplace_id``: what AMC's headers
        need). The message never carries a secret."""
        from amc_cltv.connect import open_client

        try:
            connection = self.get_connection(self.amc_conn_id)
            extra = connection.extra_dejson
            config = connection_only_config(
                login=connection.login, password=connection.password, extra=extra, conn_id=self.amc_conn_id
            )
            with open_client(config) as client:
                accounts = client.accounts.list()
                if all(extra.get(key) for key in INSTANCE_KEYS):
                    client.instances.get(config.instance_id)
                    return True, f"AMC instance {config.instance_id} answers ({len(accounts)} AMC accounts)"
        except AmcCltvError as error:
            return False, str(error)
        return True, f"Login with Amazon and AMC answer ({len(accounts)} AMC accounts)"

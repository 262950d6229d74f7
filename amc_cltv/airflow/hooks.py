"""``AmcHook``: the ``amc`` Airflow connection, turned into an instance profile's ``Config``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.sdk import BaseHook

from amc_cltv.airflow.profile import connection_config
from amc_cltv.config import Config


class AmcHook(BaseHook):
    """Secrets of an AMC instance: login = LwA client id, password = client secret, extra ``refresh_token``.

    Any other key of the extra overrides a profile key (``instance_id``, ``polling.max_wait_s``), so one
    profile can serve several instances. ``AIRFLOW_CONN_AMC_DEFAULT`` in JSON form works:
    ``{"conn_type": "amc", "login": "...", "password": "...", "extra": {"refresh_token": "..."}}``.
    """

    conn_name_attr = "amc_conn_id"
    default_conn_name = "amc_default"
    conn_type = "amc"
    hook_name = "Amazon Marketing Cloud"

    def __init__(self, amc_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.amc_conn_id = amc_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["host", "port", "schema"],
            "relabeling": {"login": "LwA client id", "password": "LwA client secret"},
            "placeholders": {"extra": '{"refresh_token": "Atzr|..."}'},
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

    async def aconfig(self, profile: str | Path) -> Config:
        """``config`` for a trigger: the connection is read without blocking the event loop."""
        connection = await self.aget_connection(self.amc_conn_id)
        return connection_config(
            profile,
            login=connection.login,
            password=connection.password,
            extra=connection.extra_dejson,
            conn_id=self.amc_conn_id,
        )

"""``AmcAudienceUsableSensor``: wait out the DSP lag of an audience, without a worker slot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import BaseSensorOperator, Context

from amc_cltv import clock
from amc_cltv.airflow.hooks import AmcHook
from amc_cltv.airflow.operators import AirflowFailException, AmcProfileTask, task_errors
from amc_cltv.airflow.triggers import AmcUntilTrigger
from amc_cltv.client.status import AudienceStatus

GONE = frozenset({AudienceStatus.FAILED, AudienceStatus.DEACTIVATED})


class AmcAudienceUsableSensor(AmcProfileTask, BaseSensorOperator):
    """Succeeds once Amazon DSP can use the audience: at its ``usable_in_dsp_at`` (AMC's SUCCEEDED plus
    the activation lag, 48 hours by default), provided AMC has not failed, deactivated or deleted it.

    ``audience`` is the ``AmcActivateAudienceOperator`` result (``activate.output``). Deferrable (by
    default ``[operators] default_deferrable``), it waits in ``AmcUntilTrigger`` until that moment, within
    the sensor's ``timeout``; then AMC is asked once more. The result is the audience.
    """

    template_fields: Sequence[str] = ("audience", "config", "amc_conn_id")

    def __init__(
        self,
        *,
        audience: Mapping[str, Any] | str,
        config: str,
        amc_conn_id: str = AmcHook.default_conn_name,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**self.labelled(kwargs))
        self.audience = audience
        self.use_profile(config, amc_conn_id, deferrable)

    def _audience(self) -> Mapping[str, Any]:
        if not isinstance(self.audience, Mapping) or not self.audience.get("audience_execution_id"):
            raise AirflowFailException(
                f"{self.task_id}: audience must be the result of AmcActivateAudienceOperator "
                f"(with an audience_execution_id), got {self.audience!r}"
            )
        return self.audience

    def _usable_in_dsp_at(self) -> datetime:
        audience = self._audience()
        moment = audience.get("usable_in_dsp_at")
        if not moment:
            raise AirflowFailException(
                f"audience {audience.get('name')!r} has no usable_in_dsp_at: AMC has not built it "
                f"(state {audience.get('state')!r}); activate it first"
            )
        return datetime.fromisoformat(str(moment))

    def _check_on_amc(self) -> str | None:
        """AMC's status of the audience; fails the task when AMC failed, deactivated or deleted it."""
        from amc_cltv.connect import open_client
        from amc_cltv.errors import NotFoundError

        audience = self._audience()
        with task_errors(), open_client(self._config()) as client:
            try:
                metadata = client.audiences.get(str(audience["audience_execution_id"]))
            except NotFoundError:
                raise AirflowFailException(
                    f"audience {audience.get('name')!r} ({audience['audience_execution_id']}) is no "
                    "longer on AMC"
                ) from None
        if metadata.status in GONE:
            raise AirflowFailException(
                f"audience {audience.get('name')!r} is {metadata.status} on AMC: "
                f"{metadata.status_reason or 'no reason given'}"
            )
        return metadata.status

    def poke(self, context: Context) -> bool:
        self._check_on_amc()
        usable_at = self._usable_in_dsp_at()
        now = clock.current().now()
        self.log.info("audience usable in DSP from %s (now %s)", usable_at.isoformat(), now.isoformat())
        return now >= usable_at

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            super().execute(context)
            return dict(self._audience())
        if not self.poke(context):
            self.defer(
                trigger=AmcUntilTrigger(moment=self._usable_in_dsp_at().isoformat()),
                method_name="execute_complete",
                timeout=timedelta(seconds=self.timeout),
            )
        return dict(self._audience())

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Back from the wait: AMC is asked once more before the audience is called usable."""
        if not self.poke(context):
            raise AirflowFailException(f"audience {self._audience().get('name')!r} is not usable yet")
        return {**self._audience(), "usable_now": True}

"""Fixtures shared by every test: a clean environment, fresh logging and no remembered secrets."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest
import structlog

from amc_cltv.log import bridge_standard_loggers
from amc_cltv.redact import forget_secrets

# The Airflow provider's tests need Airflow 3, installed only in .venv-airflow (`make test-airflow`).
collect_ignore = [] if importlib.util.find_spec("airflow") else ["airflow_provider"]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's AMC credentials or profile, and none leaks logging config or
    remembered secrets into the next (each client has its own retry budget)."""
    for name in ("AMC_CLTV_CONFIG", "AMC_CLTV_CLIENT_ID", "AMC_CLTV_CLIENT_SECRET", "AMC_CLTV_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    yield
    structlog.reset_defaults()
    bridge_standard_loggers(0)
    forget_secrets()

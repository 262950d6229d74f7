"""The example's monthly DAG: AMC schedules only daily or weekly, so ``cohorts`` runs monthly from Airflow."""

from __future__ import annotations

import importlib.util
from typing import Any

from tests.airflow_provider.conftest import EXAMPLES


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("amc_cltv_nightly", EXAMPLES / "amc_cltv_nightly.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cohorts_runs_on_the_third_of_every_month_for_every_profile(tmp_path: Any, monkeypatch: Any) -> None:
    """One mapped run of the cohorts workflow per profile, at 06:30 UTC on the 3rd (whole months in the
    default window); the nightly DAG does not run cohorts."""
    from amc_cltv.airflow import AmcRunWorkflowOperator

    module = load_example()
    monthly = module.monthly_cohorts
    assert monthly.dag_id == "amc_cltv_monthly_cohorts"
    assert monthly.timetable.expression == "30 6 3 * *"
    (cohorts,) = [t for t in monthly.tasks if t.task_id == "cohorts"]
    assert cohorts.operator_class is AmcRunWorkflowOperator
    assert cohorts.partial_kwargs["workflow"] == "cohorts"
    assert all(getattr(t, "workflow", None) != "cohorts" for t in module.nightly.tasks)

    for name in ("b.toml", "a.toml", "notes.txt"):
        (tmp_path / name).write_text("")
    monkeypatch.setenv("AMC_CLTV_PROFILES", str(tmp_path))
    assert module.profile_paths() == [str(tmp_path / "a.toml"), str(tmp_path / "b.toml")]

"""Every result column the code reads by name is one its workflow's TOML declares: a column renamed or
dropped in ``workflows/<name>.toml`` fails here, not in a report or an audience's size."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import amc_cltv
from amc_cltv import results
from amc_cltv.workflows import catalog

# The sandbox is AMC's stand-in (it reads no result); the Airflow provider needs Airflow installed.
NOT_READERS = ("amc_cltv.sandbox", "amc_cltv.airflow")


def every_module() -> list[str]:
    names = [module.name for module in pkgutil.walk_packages(amc_cltv.__path__, "amc_cltv.")]
    return [name for name in names if not name.startswith(NOT_READERS) and not name.endswith("__main__")]


def undeclared(reads: dict[str, frozenset[str]]) -> list[str]:
    """``workflow.column`` for every recorded read the workflow's TOML does not declare."""
    found = []
    for workflow, columns in sorted(reads.items()):
        declared = catalog.result_columns(workflow)
        found.extend(f"{workflow}.{column}" for column in sorted(columns) if column not in declared)
    return found


def test_every_column_the_code_reads_is_declared_in_its_workflow() -> None:
    for name in every_module():
        importlib.import_module(name)
    reads = results.recorded_reads()
    # The readers this guards: a module that stops recording its reads would leave this test blind.
    assert {"segmentation", "cohorts", "segment-asins", "customer-labels", "cltv", "cltv-ntb"} <= set(reads)
    assert {"cohort_month", "num_users"} <= reads["cohorts"]
    assert undeclared(reads) == []


def test_a_column_missing_from_the_toml_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "_READS", {})
    results.reads("segmentation", "num_users", "num_customers")
    results.reads("cohorts", "cohort_month")
    assert undeclared(results.recorded_reads()) == ["segmentation.num_customers"]

"""customer-labels: one row per customer, labelled by exactly the segmentation rules.

On generated data it agrees with the plain-Python reference of docs/segments.md (every user's label and sums),
its label counts equal segmentation's num_users on the same data and window, and it outputs user_id only
because its metadata marks it synthetic_only (the lint and the sandbox refuse it otherwise).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from amc_cltv.errors import ConfigError, WorkflowLintError
from amc_cltv.sandbox import generate
from amc_cltv.sandbox.engine import Engine, Rejected
from amc_cltv.workflows import catalog
from amc_cltv.workflows.definitions import load_definitions, workflows_dir
from amc_cltv.workflows.lint import find_violations

from . import reference
from .runner import run_workflow

END_DATE = date(2026, 6, 30)
START = datetime(2025, 6, 30)
END = datetime(2026, 6, 30)
DATASETS = [(1500, 5), (3000, 41)]


def close(actual: object, expected: float) -> bool:
    return math.isclose(float(actual), expected, rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=DATASETS, ids=[f"{u}users-seed{s}" for u, s in DATASETS])
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    users, seed = request.param
    out: Path = tmp_path_factory.mktemp(f"labels-{users}-{seed}")
    generate(users, seed, out, end_date=END_DATE)
    return Engine.over_parquet(out)


@pytest.fixture(scope="module")
def tables(dataset: Engine) -> reference.Tables:
    return reference.load_tables(dataset.connection, START, END)


@pytest.mark.parametrize("method", ["mean", "median", "p80"])
def test_every_customer_has_the_reference_label_and_sums(
    dataset: Engine, tables: reference.Tables, method: str
) -> None:
    """One row per customer; label, total_sales, total_spend and cltv equal the reference's for each."""
    rows = run_workflow(dataset, "customer-labels", START, END, parameters={"threshold_method": method})
    people = reference.customers(tables)
    labels = reference.segment_labels(tables, method)
    by_user = {row["user_id"]: row for row in rows}
    assert len(by_user) == len(rows), "one row per user"
    assert set(by_user) == set(people)
    for user_id, row in by_user.items():
        customer = people[user_id]
        assert row["customer_audience_segment"] == labels[user_id], user_id
        assert close(row["total_sales"], customer.total_sales), user_id
        assert close(row["total_spend"], customer.total_spend), user_id
        assert close(row["cltv"], customer.total_sales - customer.total_spend), user_id
    expected_counts = Counter(labels.values())
    assert Counter(row["customer_audience_segment"] for row in rows) == expected_counts
    if method == "mean":
        assert len(expected_counts) == 4, "generated data should populate all four segments"


@pytest.mark.parametrize("method", ["mean", "p35"])
@pytest.mark.parametrize("shopping_insights", [True, False])
def test_label_counts_equal_segmentation_num_users(
    dataset: Engine, method: str, shopping_insights: bool
) -> None:
    """On the same data, window and threshold, customers per label are segmentation's num_users, and the
    per-user sums average to segmentation's per-segment figures."""
    parameters = {"threshold_method": method}
    segments = run_workflow(
        dataset, "segmentation", START, END, shopping_insights=shopping_insights, parameters=parameters
    )
    labelled = run_workflow(
        dataset, "customer-labels", START, END, shopping_insights=shopping_insights, parameters=parameters
    )
    counts = Counter(row["customer_audience_segment"] for row in labelled)
    assert counts == {row["customer_audience_segment"]: row["num_users"] for row in segments}
    for segment in segments:
        members = [
            row
            for row in labelled
            if row["customer_audience_segment"] == segment["customer_audience_segment"]
        ]
        assert close(segment["total_sales"], math.fsum(row["total_sales"] for row in members) / len(members))
        assert close(segment["cltv"], math.fsum(row["cltv"] for row in members) / len(members))


def test_customer_labels_is_synthetic_only_and_reads_the_report_tables() -> None:
    """Its metadata marks it synthetic_only (the rendered workflow carries it); it is a reporting query."""
    rendered = catalog.render("customer-labels")
    assert rendered.synthetic_only and not rendered.audience
    assert [c["name"] for c in rendered.output_columns][:2] == ["user_id", "customer_audience_segment"]
    assert not any(
        catalog.render(name).synthetic_only for name in catalog.names() if name != "customer-labels"
    )
    assert "_for_audiences" not in rendered.sql


def test_the_lint_allows_user_id_output_only_for_a_synthetic_only_workflow() -> None:
    """The same SQL passes with synthetic_only and fails user-id-output without it; other rules still fire."""
    sql = catalog.render("customer-labels").sql
    assert find_violations(sql, audience=False, synthetic_only=True) == []
    assert [v.rule for v in find_violations(sql, audience=False)] == ["user-id-output"]
    with_limit = sql + "\nLIMIT 10"
    assert [v.rule for v in find_violations(with_limit, audience=False, synthetic_only=True)] == ["limit"]


def _copy_workflows(tmp_path: Path) -> Path:
    for path in workflows_dir().iterdir():
        if path.suffix in (".sql", ".toml"):
            (tmp_path / path.name).write_text(path.read_text())
    return tmp_path


def test_without_the_synthetic_only_flag_the_workflow_fails_the_lint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dropping synthetic_only from the metadata makes rendering fail on the user_id line (exit 2)."""
    folder = _copy_workflows(tmp_path)
    toml = folder / "customer-labels.toml"
    toml.write_text(toml.read_text().replace("synthetic_only = true", "synthetic_only = false"))
    monkeypatch.setattr(catalog, "workflows_dir", lambda: folder)
    line = (folder / "customer-labels.sql").read_text().splitlines().index("    user_id,") + 1
    with pytest.raises(WorkflowLintError, match=rf"^workflows/customer-labels\.sql:{line}: user-id-output: "):
        catalog.render("customer-labels")


def test_an_audience_cannot_be_synthetic_only(tmp_path: Path) -> None:
    folder = _copy_workflows(tmp_path)
    toml = folder / "high-value-audience.toml"
    toml.write_text(toml.read_text().replace("audience = true", "audience = true\nsynthetic_only = true"))
    with pytest.raises(
        ConfigError, match=r"^high-value-audience\.toml: .*synthetic_only is for a reporting query"
    ):
        load_definitions(folder)


def test_the_sandbox_rejects_it_with_aggregation_controls_on(dataset: Engine) -> None:
    """Without disableAggregationControls the sandbox, like AMC, refuses user_id in the output."""
    rendered = catalog.render("customer-labels")
    with pytest.raises(Rejected, match="user_id cannot be part of the output"):
        dataset.execute(
            rendered.sql, time_window_start=START, time_window_end=END, parameters=rendered.parameter_values
        )

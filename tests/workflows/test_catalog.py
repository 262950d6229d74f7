"""The catalogue: names, stable workflow ids, the uploaded body, parameters, single-sourced segment rules."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from amc_cltv.errors import ConfigError, UsageError, WorkflowLintError
from amc_cltv.workflows import catalog
from amc_cltv.workflows.definitions import load_definitions, workflows_dir

WORKFLOWS = [
    "segmentation",
    "high-value-audience",
    "growth-potential-audience",
    "revenue-potential-audience",
    "low-value-audience",
    "segment-asins",
    "cltv",
    "cltv-ntb",
    "loyalty-segments",
    "segment-conversion-rate",
    "cohorts",
    "customer-labels",
]
LABELLING = [
    "segmentation",
    "high-value-audience",
    "growth-potential-audience",
    "revenue-potential-audience",
    "low-value-audience",
    "segment-asins",
    "segment-conversion-rate",
    "cohorts",
    "customer-labels",
]


def test_names_are_every_workflow_main_first() -> None:
    assert catalog.names() == WORKFLOWS


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_id_is_derived_from_the_name_and_valid_for_amc(name: str) -> None:
    rendered = catalog.render(name)
    assert rendered.workflow_id == f"amc_cltv.{name}" == catalog.workflow_id(name)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", rendered.workflow_id)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_rendering_is_deterministic_and_hashes_what_is_uploaded(name: str) -> None:
    """The same inputs give the same SQL and hashes; sql_sha256 is the SQL's, definition_sha256 the body's."""
    first, second = catalog.render(name), catalog.render(name)
    assert first == second
    assert first.sql_sha256 == hashlib.sha256(first.sql.encode()).hexdigest()
    body = first.as_workflow_body()
    marks = {"filteredMetricsDiscriminatorColumn", "filteredReasonColumn"}
    expected = {"workflowId", "sqlQuery", "inputParameters"} | (set() if first.audience else marks)
    assert set(body) == expected
    assert body["sqlQuery"] == first.sql and body["workflowId"] == first.workflow_id
    assert first.execution_timeout_s is None  # the profile's ([workflows] execution_timeout_s)
    assert not first.sql.rstrip().endswith(";")


def test_shopping_insights_chooses_the_conversions_table() -> None:
    """conversions_all with shopping insights, conversions without; never both (no double counting)."""
    with_insights = catalog.render("segmentation", shopping_insights=True)
    without = catalog.render("segmentation", shopping_insights=False)
    assert re.search(r"\bFROM conversions_all\b", with_insights.sql)
    assert not re.search(r"\bFROM conversions\b", with_insights.sql)
    assert re.search(r"\bFROM conversions\b", without.sql) and "conversions_all" not in without.sql
    assert with_insights.definition_sha256 != without.definition_sha256


@pytest.mark.parametrize("shopping_insights", [True, False])
def test_audience_reads_only_for_audiences_tables(shopping_insights: bool) -> None:
    rendered = catalog.render("high-value-audience", shopping_insights=shopping_insights)
    assert rendered.audience
    tables = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", rendered.sql)
    read = {t for t in tables if t.endswith("_for_audiences")}
    expected = "conversions_all_for_audiences" if shopping_insights else "conversions_for_audiences"
    assert expected in read
    assert "sponsored_ads_traffic_for_audiences" in read and "dsp_impressions_for_audiences" in read


def _segment_rules(sql: str) -> str:
    start = sql.index("customer_ranks AS (")
    end = sql.index("END AS customer_audience_segment", start)
    return sql[start:end]


def test_segment_rules_are_written_once_and_rendered_into_every_labelling_workflow() -> None:
    """The thresholds and the CASE are one file's text in every labelling workflow; no other file spells a
    label out as a CASE result, and the audience filters a label that CASE produces."""
    rules = {_segment_rules(catalog.render(name).sql) for name in LABELLING}
    assert len(rules) == 1
    folder = workflows_dir()
    spelling = [
        p.name for p in folder.glob("*.sql") if re.search(r"THEN\s+'High Value Customer'", p.read_text())
    ]
    assert spelling == ["_customer_segments.sql"]
    audience = catalog.render("high-value-audience").sql
    assert "WHERE customer_audience_segment = 'High Value Customer'" in audience
    assert "THEN 'High Value Customer'" in _segment_rules(audience) + "END"


@pytest.mark.parametrize(
    ("method", "quantile"),
    [("mean", "0.5"), ("median", "0.5"), ("p75", "0.75"), ("p5", "0.05"), ("p99", "0.99")],
)
def test_threshold_method_is_sent_with_its_derived_quantile(method: str, quantile: str) -> None:
    """Parameters travel as AMC parameterValues; the SQL (and the uploaded body) does not change."""
    default = catalog.render("segmentation")
    rendered = catalog.render("segmentation", parameters={"threshold_method": method})
    assert rendered.parameter_values == {"threshold_method": method, "threshold_quantile": quantile}
    assert rendered.definition_sha256 == default.definition_sha256
    declared = {p["name"]: p for p in rendered.input_parameters}
    assert declared["threshold_method"]["defaultValue"] == "mean"
    assert declared["threshold_method"]["dataType"] == "STRING"
    assert "CUSTOM_PARAMETER('threshold_method')" in rendered.sql


@pytest.mark.parametrize("value", ["average", "p0", "p100", "p7.5", "P75", ""])
def test_an_invalid_threshold_method_is_a_usage_error_listing_the_allowed_values(value: str) -> None:
    with pytest.raises(UsageError, match=r"allowed values are mean, median, pNN \(a percentile, p1 to p99\)"):
        catalog.render("segmentation", parameters={"threshold_method": value})


def test_unknown_and_derived_parameters_are_refused() -> None:
    with pytest.raises(
        UsageError, match=r"has no parameter 'threshold' \(its parameters: threshold_method\)"
    ):
        catalog.render("segmentation", parameters={"threshold": "mean"})
    with pytest.raises(UsageError, match="derived from 'threshold_method'"):
        catalog.render("segmentation", parameters={"threshold_quantile": "0.3"})
    with pytest.raises(UsageError, match="its parameters: none"):
        catalog.render("cltv", parameters={"threshold_method": "mean"})


def test_an_unknown_workflow_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown workflow 'cltv2' .*segmentation, high-value-audience"):
        catalog.render("cltv2")


def test_cltv_ntb_is_cltv_restricted_to_new_to_brand_rows() -> None:
    """One SQL file; the new-to-brand variant only adds the filter and the ntb_customers column."""
    cltv, ntb = catalog.render("cltv").sql, catalog.render("cltv-ntb").sql
    added = [line for line in ntb.splitlines() if line not in cltv.splitlines()]
    assert [line.strip() for line in added] == [
        "WHERE a.ntb_flag = 1",
        "COUNT(DISTINCT user_id) AS ntb_customers,",
    ]


def _copy_workflows(tmp_path: Path) -> Path:
    for path in workflows_dir().iterdir():
        if path.suffix in (".sql", ".toml"):
            (tmp_path / path.name).write_text(path.read_text())
    return tmp_path


def test_invalid_metadata_is_one_config_error_naming_the_file(tmp_path: Path) -> None:
    folder = _copy_workflows(tmp_path)
    (folder / "cltv.toml").write_text(
        (folder / "cltv.toml")
        .read_text()
        .replace("audience = false", "audience = false\nexecution_timeout_s = 60")
    )
    with pytest.raises(ConfigError, match=r"^cltv\.toml: invalid workflow metadata at 'execution_timeout_s'"):
        load_definitions(folder)


def test_an_undeclared_custom_parameter_is_caught_before_upload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AMC rejects a CUSTOM_PARAMETER that inputParameters does not declare; the catalogue says so first."""
    folder = _copy_workflows(tmp_path)
    sql = (
        (folder / "segmentation.sql")
        .read_text()
        .replace(
            "GROUP BY customer_audience_segment",
            "WHERE CUSTOM_PARAMETER('min_users') > 0\nGROUP BY customer_audience_segment",
        )
    )
    (folder / "segmentation.sql").write_text(sql)
    monkeypatch.setattr(catalog, "workflows_dir", lambda: folder)
    with pytest.raises(WorkflowLintError, match=r"undeclared-parameter: CUSTOM_PARAMETER\('min_users'\)"):
        catalog.render("segmentation")


def test_a_lint_violation_in_a_shared_file_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_workflows(tmp_path)
    text = (
        (folder / "_customers.sql")
        .read_text()
        .replace(
            "    GROUP BY user_id\n),\nsponsored", "    GROUP BY user_id\n    ORDER BY user_id\n),\nsponsored"
        )
    )
    (folder / "_customers.sql").write_text(text)
    line = text.splitlines().index("    ORDER BY user_id") + 1
    monkeypatch.setattr(catalog, "workflows_dir", lambda: folder)
    with pytest.raises(
        WorkflowLintError,
        match=rf"^workflows/_customers\.sql:{line} \(rendered into workflows/cltv\.sql\): order-by: ",
    ):
        catalog.render("cltv")


@pytest.mark.parametrize("name", WORKFLOWS)
def test_output_column_types_are_never_sent(name: str) -> None:
    """outputColumns is optional and AMC checks its types against ones it does not document: it is not sent.
    The declared types only say how the tool reads the downloaded CSV."""
    rendered = catalog.render(name)
    assert "outputColumns" not in rendered.as_workflow_body()
    assert all(set(column) == {"name", "description"} for column in rendered.output_columns)
    assert all(column.data_type for column in catalog.definition(name).output_columns)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_reports_ask_amc_to_mark_the_rows_it_filters(name: str) -> None:
    """Every reporting workflow asks AMC to keep rows under an aggregation threshold, marked, with the reason
    (instead of dropping them silently); an audience query has no such output."""
    rendered = catalog.render(name)
    body = rendered.as_workflow_body()
    if rendered.audience:
        assert "filteredMetricsDiscriminatorColumn" not in body
    else:
        assert body["filteredMetricsDiscriminatorColumn"] == catalog.FILTERED_COLUMN == "filtered"
        assert body["filteredReasonColumn"] == catalog.FILTERED_REASON_COLUMN == "filtered_reason"


def test_the_same_sql_is_linted_once_however_many_profiles_render_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fleet renders one workflow per profile: the character-by-character lint runs once per SQL text,
    and another parameter value or table set (another SQL) is linted on its own."""
    calls: list[str] = []
    real = catalog.lint

    def counting(sql: str, **options: object) -> None:
        calls.append(sql)
        real(sql, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(catalog, "lint", counting)
    catalog._lint.cache_clear()
    catalog._rendered.cache_clear()
    for _ in range(3):
        catalog.render("segmentation")
    catalog.render("segmentation", shopping_insights=False)
    assert len(calls) == 2 and calls[0] != calls[1]


def test_a_workflow_is_rendered_once_for_every_profile_and_thread_that_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``run --all`` renders each profile's workflow when it submits and again when it downloads, from a
    pool of threads: the template is rendered once per (workflow, tables, parameters), each caller gets its
    own copy of the parameter values, and other parameters are another render."""
    rendered_sql: list[str] = []
    real = catalog.render_template

    def counting(*args: object, **options: object) -> object:
        result = real(*args, **options)  # type: ignore[arg-type]
        rendered_sql.append(result.sql)
        return result

    monkeypatch.setattr(catalog, "render_template", counting)
    catalog._rendered.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        renders = list(pool.map(lambda _: catalog.render("segmentation"), range(16)))
    assert len(rendered_sql) == 1 and all(r == renders[0] for r in renders)
    renders[0].parameter_values["threshold_method"] = "changed by a caller"
    assert catalog.render("segmentation").parameter_values != renders[0].parameter_values
    catalog.render("segmentation", parameters={"threshold_method": "median"})
    assert len(rendered_sql) == 2

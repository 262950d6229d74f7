"""The local lint: every rendered workflow passes, and each rule catches a bad example."""

from __future__ import annotations

import pytest

from amc_cltv.errors import WorkflowLintError
from amc_cltv.workflows import catalog, lint
from amc_cltv.workflows.lint import RULES, find_violations
from amc_cltv.workflows.rendering import Origin
from amc_cltv.workflows.schema import columns_read

# One bad example per rule: (rule, audience query?, SQL whose line 2 breaks the rule).
BAD_EXAMPLES = [
    ("limit", False, "SELECT campaign_id, SUM(impressions) AS impressions\nFROM dsp_impressions LIMIT 10"),
    ("select-star", False, "SELECT campaign_id\nFROM (SELECT * FROM dsp_impressions) d"),
    ("select-star", False, "SELECT COUNT(*) AS n\n, d.* FROM dsp_impressions d"),
    (
        "right-join",
        False,
        (
            "SELECT a.campaign_id\nFROM dsp_impressions a RIGHT JOIN sponsored_ads_traffic b ON "
            "a.user_id = b.user_id"
        ),
    ),
    (
        "right-join",
        False,
        (
            "SELECT a.campaign_id\nFROM dsp_impressions a RIGHT OUTER JOIN sponsored_ads_traffic b "
            "ON a.user_id = b.user_id"
        ),
    ),
    (
        "order-by",
        False,
        (
            "SELECT campaign_id, SUM(impressions) AS impressions FROM dsp_impressions\nGROUP BY "
            "campaign_id ORDER BY 2"
        ),
    ),
    (
        "order-by",
        False,
        "SELECT campaign_id FROM (SELECT campaign_id FROM dsp_impressions\nORDER BY campaign_id) d",
    ),
    ("user-id-output", False, "SELECT campaign_id,\n  user_id FROM dsp_impressions"),
    ("user-id-output", False, "SELECT campaign_id,\n  d.user_id AS who FROM dsp_impressions d"),
    (
        "user-id-output",
        False,
        "SELECT campaign_id,\n  MAX(user_id) AS user_id FROM dsp_impressions GROUP BY campaign_id",
    ),
    ("audience-table", True, "SELECT user_id\nFROM conversions WHERE event_subtype = 'order'"),
    (
        "audience-table",
        True,
        (
            "WITH x AS (SELECT user_id FROM dsp_impressions_for_audiences)\nSELECT x.user_id FROM x "
            "JOIN sponsored_ads_traffic s ON s.user_id = x.user_id"
        ),
    ),
    (
        "report-audience-table",
        False,
        "SELECT campaign_id, COUNT(DISTINCT user_id) AS users\n"
        "FROM dsp_impressions_for_audiences GROUP BY campaign_id",
    ),
    ("concat-operator", False, "SELECT campaign_id\n, 'c' || campaign_id AS label FROM dsp_impressions"),
    (
        "cast-type",
        False,
        "SELECT SUM(impressions) AS n,\n CAST(campaign_id AS STRING) AS c FROM dsp_impressions d",
    ),
    (
        "cast-type",
        False,
        "SELECT SUM(impressions) AS n,\n CAST(COALESCE(campaign_id, 0) AS varchar) AS c "
        "FROM dsp_impressions d",
    ),
    ("unknown-table", False, "SELECT campaign_id, SUM(impressions) AS n\nFROM dsp_impression GROUP BY 1"),
    (
        "unknown-column",
        False,
        "WITH c AS (SELECT campaign_id, SUM(spend) AS cost FROM sponsored_ads_traffic GROUP BY 1)\n"
        "SELECT c.campaign_id, c.cost, SUM(d.total_costs) AS dsp FROM c JOIN dsp_impressions d "
        "ON d.campaign_id = c.campaign_id GROUP BY 1, 2",
    ),
    (
        "unknown-column",
        False,
        "SELECT campaign_id,\n SUM(purchase) AS p FROM amazon_attributed_events_by_traffic_time",
    ),
    (
        "segment-label",
        True,
        (
            "WITH s AS (SELECT user_id, CASE WHEN 1 = 1 THEN 'High CLTV Customer' ELSE 'Low CLTV "
            "Customer' END AS customer_audience_segment FROM conversions_for_audiences)\nSELECT "
            "user_id FROM s WHERE customer_audience_segment = 'High Value Customer'"
        ),
    ),
]


@pytest.mark.parametrize("name", catalog.names())
@pytest.mark.parametrize("shopping_insights", [True, False])
def test_every_rendered_workflow_passes_the_lint(name: str, shopping_insights: bool) -> None:
    """What would be uploaded has no violation (render lints too; checked again here explicitly)."""
    rendered = catalog.render(name, shopping_insights=shopping_insights)
    assert (
        find_violations(rendered.sql, audience=rendered.audience, synthetic_only=rendered.synthetic_only)
        == []
    )
    lint(rendered.sql, audience=rendered.audience, source=name, synthetic_only=rendered.synthetic_only)


@pytest.mark.parametrize(
    ("rule", "audience", "sql"), BAD_EXAMPLES, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BAD_EXAMPLES)]
)
def test_each_rule_catches_a_bad_example(rule: str, audience: bool, sql: str) -> None:
    """The rule fires on line 2, with exit code 2 and a message naming the file, line and rule."""
    with pytest.raises(WorkflowLintError) as caught:
        lint(sql, audience=audience, source="workflows/bad.sql")
    assert str(caught.value).startswith(f"workflows/bad.sql:2: {rule}: ")
    assert "\n" not in str(caught.value)


def test_every_rule_has_a_bad_example() -> None:
    assert {rule for rule, _, _ in BAD_EXAMPLES} == set(RULES)


@pytest.mark.parametrize(
    "sql",
    [
        (
            "SELECT campaign_id, ROW_NUMBER() OVER (PARTITION BY campaign_id ORDER BY impressions) "
            "AS r FROM dsp_impressions"
        ),
        "SELECT campaign_id -- LIMIT 10, SELECT *, user_id, a || b, ORDER BY\nFROM dsp_impressions",
        "SELECT campaign_id, 'LIMIT || ORDER BY x' AS note FROM dsp_impressions /* RIGHT JOIN */",
        (
            "SELECT campaign_id, COUNT(*) AS n, COUNT(DISTINCT user_id) AS users FROM "
            "dsp_impressions GROUP BY campaign_id"
        ),
        (
            "SELECT CAST(SUM(total_cost) AS DOUBLE) AS cost, CAST(AVG(impressions) AS DECIMAL(38, 4)) AS a, "
            "CAST(campaign_id AS BIGINT) AS c, CAST('x' AS CHAR) AS s FROM dsp_impressions "
            "GROUP BY campaign_id"
        ),
    ],
)
def test_allowed_constructs_pass(sql: str) -> None:
    """Windows may order; comments and string literals are never read as SQL; aggregated user_id is fine."""
    assert find_violations(sql, audience=False) == []


def test_an_audience_query_may_output_user_id() -> None:
    assert find_violations("SELECT user_id FROM conversions_all_for_audiences", audience=True) == []


def test_a_widened_time_window_is_not_read_as_a_table() -> None:
    sql = "SELECT user_id FROM TABLE(EXTEND_TIME_WINDOW('dsp_impressions_for_audiences', 'P14D', 'P1D'))"
    assert find_violations(sql, audience=True) == []


def test_violation_in_a_shared_file_names_that_file_and_line() -> None:
    """With origins, the message names the template line the rendered line came from."""
    origins = [Origin("workflows/segmentation.sql", 1), Origin("workflows/_customers.sql", 7)]
    with pytest.raises(
        WorkflowLintError,
        match=r"^workflows/_customers\.sql:7 \(rendered into workflows/segmentation\.sql\): limit: ",
    ):
        lint(
            "SELECT campaign_id\nFROM dsp_impressions LIMIT 1",
            audience=False,
            source="workflows/segmentation.sql",
            origins=origins,
        )


def test_a_misspelt_column_in_a_real_workflow_is_caught_with_its_line() -> None:
    """The schema rules run on what is uploaded: one wrong letter in the segmentation SQL fails the lint."""
    rendered = catalog.render("segmentation")
    broken = rendered.sql.replace("total_product_sales", "total_product_sale", 1)
    violations = find_violations(broken, audience=False)
    line = broken[: broken.index("total_product_sale")].count("\n") + 1
    assert [(v.rule, v.line) for v in violations] == [("unknown-column", line)]
    assert violations[0].detail.endswith(": total_product_sale")


def test_names_the_query_defines_are_not_unknown() -> None:
    """CTE names and their columns, select aliases, table aliases and lambda parameters are all known."""
    sql = (
        "WITH t (uid, n) AS (SELECT user_id, COUNT(1) FROM conversions GROUP BY 1), "
        "u AS (SELECT uid, n AS orders FROM t) "
        "SELECT orders, COUNT(DISTINCT x.uid) AS users, SUM(orders) AS total FROM u x GROUP BY orders"
    )
    assert find_violations(sql, audience=False) == []


def test_columns_read_lists_documented_columns_per_table() -> None:
    sql = (
        "WITH a AS (SELECT user_id, SUM(spend) AS cost FROM sponsored_ads_traffic s WHERE s.clicks > 0 "
        "GROUP BY user_id) SELECT COUNT(DISTINCT d.user_id) AS users, SUM(a.cost) AS cost "
        "FROM a JOIN dsp_impressions d ON d.user_id = a.user_id WHERE d.impressions > 0"
    )
    assert columns_read(sql) == {
        "sponsored_ads_traffic": frozenset({"user_id", "spend", "clicks"}),
        "dsp_impressions": frozenset({"user_id", "impressions"}),
    }

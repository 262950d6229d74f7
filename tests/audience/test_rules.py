"""The audience query: what AMC is sent reads only audience tables, selects user_id, and carries exactly the
segment rules of the ``segmentation`` report; the rules hash names the audience."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import respx

from amc_cltv.audience import activate
from amc_cltv.audience.rules import SEGMENTS, audience_name, render_rules, rules_sha256, segment_named
from amc_cltv.client import AmcClient
from amc_cltv.config import Config
from amc_cltv.errors import UsageError
from amc_cltv.ledger import Ledger
from amc_cltv.workflows import catalog
from tests.audience.conftest import FakeAudiences, record_segmentation

FINAL_SELECT = re.compile(r"\)\s*SELECT\s+(?P<columns>.*?)\s+FROM\s+(?P<source>\w+)(?P<rest>[^()]*)$", re.S)


def _without_comments(sql: str) -> str:
    lines = (re.sub(r"--.*$", "", line).rstrip() for line in sql.splitlines())
    return "\n".join(line for line in lines if line.strip())


def _base_tables(sql: str) -> set[str]:
    text = _without_comments(sql)
    ctes = set(re.findall(r"(?i)\b(\w+)\s+AS\s*\(", text))
    sources = set(re.findall(r"(?i)\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)", text))
    return sources - ctes


def _rules_block(sql: str) -> str:
    """Everything before the final SELECT: the CTEs that label every customer."""
    text = _without_comments(sql)
    match = FINAL_SELECT.search(text)
    assert match is not None
    return text[: match.start() + 1]


@pytest.mark.parametrize("shopping_insights", [True, False])
def test_the_posted_query_reads_only_audience_tables_selects_user_id_and_has_the_report_rules(
    make_config: Callable[..., Config],
    client: AmcClient,
    ledger: Ledger,
    amc: tuple[respx.MockRouter, FakeAudiences],
    shopping_insights: bool,
) -> None:
    """The query in the POST body: every table it reads ends in _for_audiences, its final SELECT is user_id
    of the 'High Value Customer' label, and its rules are the segmentation report's rules table for table."""
    _, fake = amc
    config = make_config(shopping_insights=shopping_insights)
    record_segmentation(config, ledger, 3000)
    activate(config, client, ledger)
    query = fake.posts[0]["query"]

    tables = _base_tables(query)
    assert tables and all(table.endswith("_for_audiences") for table in tables), tables
    revenue = "conversions_all_for_audiences" if shopping_insights else "conversions_for_audiences"
    assert revenue in tables

    final = FINAL_SELECT.search(_without_comments(query))
    assert final is not None
    assert final["columns"].strip() == "user_id"
    assert "customer_audience_segment = 'High Value Customer'" in final["rest"]

    report = catalog.render("segmentation", shopping_insights=shopping_insights).sql
    assert _rules_block(query).replace("_for_audiences", "") == _rules_block(report)
    assert "'High Value Customer'" in _rules_block(report)


def test_same_rules_same_name_and_changed_rules_new_name() -> None:
    """The name is the segment and 8 hex digits of the rules hash; other rules (here the revenue table)
    give another name, the same rules always the same one."""
    segment = SEGMENTS["high-value"]
    first = render_rules(segment, shopping_insights=True)
    again = render_rules(segment, shopping_insights=True)
    other = render_rules(segment, shopping_insights=False)
    assert first.audience_name == again.audience_name
    assert re.fullmatch(r"amc-cltv high-value [0-9a-f]{8}", first.audience_name)
    assert first.audience_name != other.audience_name
    assert first.rules_sha256 == rules_sha256(first.query, first.parameter_values)


def test_parameter_values_are_part_of_the_rules() -> None:
    """A different threshold is a different rule set, hence a different hash."""
    assert rules_sha256("SELECT 1", {"threshold_method": "mean"}) != rules_sha256(
        "SELECT 1", {"threshold_method": "median"}
    )
    assert audience_name(SEGMENTS["high-value"], "abcdef0123456789") == "amc-cltv high-value abcdef01"


def test_unknown_segment_is_a_usage_error_listing_the_allowed_ones() -> None:
    """--segment lowvalue: exit 2 naming the four segments and all."""
    with pytest.raises(UsageError) as raised:
        segment_named("lowvalue")
    message = str(raised.value)
    assert "high-value, growth-potential, revenue-potential, low-value, or all" in message


def test_audience_input_parameters_carry_only_the_documented_fields() -> None:
    """The rule-based audience schema defines name, dataType, defaultValue and description: no displayName
    (a workflow field) and no columnType are sent."""
    rules = render_rules(segment_named("high-value"), shopping_insights=True)
    assert rules.input_parameters
    for parameter in rules.input_parameters:
        assert set(parameter) == {"name", "dataType", "defaultValue", "description"}

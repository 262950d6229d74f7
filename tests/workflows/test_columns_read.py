"""What each workflow reads, and the comparison with an instance's ``GET dataSources`` answer that
``doctor`` makes before a night (no dry run spent)."""

from __future__ import annotations

from typing import Any

import pytest

from amc_cltv.sandbox.reporting import data_source as sandbox_data_source
from amc_cltv.sandbox.tables import ALL_TABLES
from amc_cltv.workflows import catalog
from amc_cltv.workflows.catalog import MissingColumns, columns_read_by_workflow, missing_from_data_sources


def _answer() -> list[dict[str, Any]]:
    """What the sandbox instance answers to GET dataSources (every emulated table)."""
    return [sandbox_data_source(name) for name in ALL_TABLES]


def test_every_workflow_reads_documented_columns_of_the_tables_it_names() -> None:
    read = columns_read_by_workflow()
    assert set(read) == set(catalog.names())
    segmentation = read["segmentation"]
    assert {"user_id", "spend", "event_date_utc"} <= set(segmentation["sponsored_ads_traffic"])
    assert {"user_id", "total_cost"} <= set(segmentation["dsp_impressions"])
    assert "total_product_sales" in segmentation["conversions_all"]
    audience = read["high-value-audience"]
    assert all(table.endswith("_for_audiences") for table in audience)


def test_without_shopping_insights_the_workflows_read_conversions_instead() -> None:
    read = columns_read_by_workflow(shopping_insights=False)
    assert "conversions_all" not in read["segmentation"]
    assert "conversions" in read["segmentation"]


@pytest.mark.parametrize("shopping_insights", [True, False])
def test_an_instance_listing_every_documented_column_lacks_nothing(shopping_insights: bool) -> None:
    assert missing_from_data_sources(_answer(), shopping_insights=shopping_insights) == []


def test_a_missing_table_and_a_renamed_column_are_reported_per_workflow() -> None:
    """An instance without the paid conversions_all, and one whose spend column was renamed."""
    answer = [source for source in _answer() if source["dataSourceId"] != "conversions_all"]
    for source in answer:
        if source["dataSourceId"] == "sponsored_ads_traffic":
            source["columns"] = [
                {**column, "name": "spend_microcents"} if column["name"] == "spend" else column
                for column in source["columns"]
            ]
    missing = missing_from_data_sources(answer)
    assert MissingColumns("segmentation", "conversions_all") in missing
    assert MissingColumns("segmentation", "sponsored_ads_traffic", ("spend",)) in missing
    assert str(MissingColumns("cltv", "sponsored_ads_traffic", ("spend",))) == (
        "cltv reads sponsored_ads_traffic.{spend}, which the instance lacks"
    )
    assert {m.table for m in missing} == {"conversions_all", "sponsored_ads_traffic"}

"""Reading what AMC filtered: the small-file reader (csv) and the large-file one (DuckDB) agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv import results
from amc_cltv.orchestration import filtered
from amc_cltv.orchestration.filtered import AggregationFiltered, aggregation_filtered, recorded_filtered

RESULT = (
    "segment,users,filtered,filtered_reason\n"
    "High Value,120,false,\n"
    '"Low, Spend",,TRUE,"fewer than 100 users, values removed"\n'
    "Other,, true ,below threshold\n"
    "Other2,,1,\n"
    "Rest,40,0,ignored reason\n"
)


@pytest.fixture(params=["csv", "duckdb"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "duckdb":
        monkeypatch.setattr(results, "SMALL_BYTES", 0)
    return str(request.param)


def test_marked_rows_are_counted_and_their_reasons_listed(tmp_path: Path, reader: str) -> None:
    first, second = tmp_path / "part-0.csv", tmp_path / "part-1.csv"
    first.write_text(RESULT)
    second.write_text("segment,users,filtered,filtered_reason\nX,,True,below threshold\n")
    assert aggregation_filtered([first, second]) == AggregationFiltered(
        4, ("below threshold", "fewer than 100 users, values removed")
    )


def test_a_result_without_the_filtered_column_is_none(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "part-0.csv"
    path.write_text("segment,users\nHigh Value,120\n")
    assert aggregation_filtered([path]) is None


def test_what_the_manifest_recorded_is_read_back(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"aggregation_filtered": {"rows": 3, "reasons": ["why"]}}')
    assert recorded_filtered(tmp_path) == AggregationFiltered(3, ("why",))
    (tmp_path / "manifest.json").write_text('{"aggregation_filtered": null}')
    assert recorded_filtered(tmp_path) is None
    (tmp_path / "manifest.json").write_text("{}")
    assert recorded_filtered(tmp_path) is filtered.UNREAD

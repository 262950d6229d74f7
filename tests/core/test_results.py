"""The one reader of result CSVs: by name, typed as the workflow declares, union of part files, a malformed
file named, and no DuckDB for a small result."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from amc_cltv import results
from amc_cltv.cli.exit_codes import ExitCode, for_error
from amc_cltv.errors import LocalFault, MalformedResult
from amc_cltv.orchestration.filtered import AggregationFiltered, aggregation_filtered
from amc_cltv.results import ResultFiles, ResultTable, read_table

COHORTS = (
    "cohort_month,customer_audience_segment,num_users,total_sales,total_spend,cltv,filtered,filtered_reason\n"
)


@pytest.fixture(params=["csv", "duckdb"])
def path_taken(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each behaviour holds on both paths: a small result (csv module) and a large one (DuckDB)."""
    if request.param == "duckdb":
        monkeypatch.setattr(results, "SMALL_BYTES", 0)
    return str(request.param)


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def test_cells_are_typed_as_the_workflow_declares_not_as_they_look(tmp_path: Path, path_taken: str) -> None:
    """'2026-03' stays text (a sniffer takes it for a day), 40 in a DOUBLE column is 40.0, TRUE is True, an
    empty cell is None, and a column the TOML does not declare stays text."""
    part = write(
        tmp_path / "part-1.csv", COHORTS.replace("\n", ",note\n") + "2026-03,High,3,40,4.5,35.5,TRUE,,7\n"
    )
    table = read_table([part], "cohorts")
    assert table.rows == (
        {
            "cohort_month": "2026-03",
            "customer_audience_segment": "High",
            "num_users": 3,
            "total_sales": 40.0,
            "total_spend": 4.5,
            "cltv": 35.5,
            "filtered": True,
            "filtered_reason": None,
            "note": "7",
        },
    )
    assert [type(value) for value in table.rows[0].values()][2:4] == [int, float]


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path, path_taken: str) -> None:
    part = write(
        tmp_path / "part-1.csv", "customer_audience_segment,num_users\nHigh Value Customer,12\n", bom=True
    )
    table = read_table([part], "segmentation")
    assert table.columns == ("customer_audience_segment", "num_users")
    assert table.rows == ({"customer_audience_segment": "High Value Customer", "num_users": 12},)


def test_part_files_are_joined_by_column_name(tmp_path: Path, path_taken: str) -> None:
    """Columns in another order, or missing from one file (None in its rows), or in upper case."""
    first = write(tmp_path / "part-1.csv", "num_users,customer_audience_segment\n5,Low Value Customer\n")
    second = write(
        tmp_path / "part-2.csv", "CUSTOMER_AUDIENCE_SEGMENT,cltv,num_users\nHigh Value Customer,2.5,7\n"
    )
    table = read_table([first, second], "segmentation")
    assert table.columns == ("num_users", "customer_audience_segment", "cltv")
    assert table.rows == (
        {"num_users": 5, "customer_audience_segment": "Low Value Customer", "cltv": None},
        {"num_users": 7, "customer_audience_segment": "High Value Customer", "cltv": 2.5},
    )
    assert table.missing("num_users", "total_sales") == ["total_sales"]


def test_a_result_with_only_its_header_has_columns_and_no_rows(tmp_path: Path, path_taken: str) -> None:
    part = write(tmp_path / "part-1.csv", "customer_audience_segment,num_users\n")
    assert read_table([part], "segmentation") == ResultTable(("customer_audience_segment", "num_users"), ())
    assert read_table([], "segmentation") == ResultTable((), ())


@pytest.mark.parametrize(
    ("text", "where", "why"),
    [
        ("", r"part-2\.csv, line 1", "no header row"),
        (
            "customer_audience_segment,num_users\nHigh,1,9\n",
            r"part-2\.csv, line 2",
            "3 fields where the header has 2",
        ),
        (
            "customer_audience_segment,num_users\nHigh,12\nLow,secret-7\n",
            r"part-2\.csv, line 3",
            "column num_users is not LONG",
        ),
        ("num_users,num_users\n1,2\n", r"part-2\.csv, line 1", "a column named twice"),
    ],
)
def test_a_malformed_file_is_named_with_its_line_and_never_quoted(
    tmp_path: Path, text: str, where: str, why: str
) -> None:
    """Exit 3 with the file, its line and what is wrong; never the cell itself (customer data, maybe)."""
    good = write(tmp_path / "part-1.csv", "customer_audience_segment,num_users\nHigh,1\n")
    bad = write(tmp_path / "part-2.csv", text)
    with pytest.raises(
        MalformedResult, match=rf"/{where}: not a result CSV the workflow writes \({why}\)"
    ) as caught:
        read_table([good, bad], "segmentation")
    assert for_error(caught.value) == ExitCode.NEEDS_HUMAN
    assert "secret" not in str(caught.value)


def test_text_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "part-1.csv"
    bad.write_bytes("customer_audience_segment,num_users\nCafé,1\n".encode("latin-1"))
    with pytest.raises(MalformedResult, match=r"part-1\.csv, line \d+: .*\(not UTF-8 text\)"):
        read_table([bad], "segmentation")


def test_a_malformed_file_on_the_duckdb_path_is_named_without_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "SMALL_BYTES", 0)
    bad = write(tmp_path / "part-1.csv", "customer_audience_segment,num_users\nHigh,secret-7\n")
    with pytest.raises(MalformedResult, match=r"part-1\.csv: not a result CSV the workflow writes") as caught:
        read_table([bad], "segmentation")
    assert "secret" not in str(caught.value)


def test_a_file_that_cannot_be_opened_is_the_machines_fault(tmp_path: Path) -> None:
    with pytest.raises(LocalFault, match=r"cannot read the result file .*part-1\.csv") as caught:
        read_table([tmp_path / "part-1.csv"], "segmentation")
    assert for_error(caught.value) == ExitCode.LOCAL_FAULT


def test_a_small_result_is_read_without_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A DuckDB connection costs more than reading a result of a few megabytes: none is opened for one."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a small result opened a DuckDB connection")

    monkeypatch.setattr(duckdb, "connect", refuse)
    part = write(tmp_path / "part-1.csv", COHORTS + "2026-03,High,3,40,4,36,false,\n,,9,1,1,0,true,too few\n")
    assert len(read_table([part], "cohorts").rows) == 2
    assert aggregation_filtered([part]) == AggregationFiltered(1, ("too few",))
    monkeypatch.setattr(results, "SMALL_BYTES", 0)
    with pytest.raises(AssertionError, match="opened a DuckDB connection"):
        aggregation_filtered([part])


def test_a_query_runs_over_the_typed_files(tmp_path: Path) -> None:
    first = write(tmp_path / "part-1.csv", "customer_audience_segment,num_users\nHigh,3\n")
    second = write(tmp_path / "part-2.csv", "num_users,customer_audience_segment\n4,High\n,Low\n")
    files = ResultFiles.of([first, second], "segmentation")
    assert files.query("SELECT sum(num_users), typeof(sum(num_users)) FROM result") == [(7, "HUGEINT")]
    assert ResultFiles.of([], "segmentation").query("SELECT 1") == []


def test_select_reads_only_the_named_columns(tmp_path: Path, path_taken: str) -> None:
    """A reader that needs two columns types those two: a column absent from a file is None, and a cell of
    another column is not read at all."""
    first = write(tmp_path / "part-1.csv", "customer_audience_segment,num_users,cltv\nHigh,3,not-a-number\n")
    second = write(tmp_path / "part-2.csv", "num_users,cltv\n4,1.5\n")
    rows = list(
        ResultFiles.of([first, second], "segmentation").select("customer_audience_segment", "num_users")
    )
    assert rows == [
        {"customer_audience_segment": "High", "num_users": 3},
        {"customer_audience_segment": None, "num_users": 4},
    ]

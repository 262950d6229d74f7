"""`amc-cltv sandbox generate` and the benchmark document updater."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.cli import main
from amc_cltv.sandbox import GenerationStats
from bench.__main__ import update_section


def test_generate_writes_parquet_and_reports_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command writes every table and prints the row counts it wrote."""
    out = tmp_path / "data"
    assert (
        main(
            [
                "sandbox",
                "generate",
                "--users",
                "500",
                "--seed",
                "3",
                "--out",
                str(out),
                "--end-date",
                "2026-01-31",
            ]
        )
        == 0
    )
    stats = GenerationStats.read(out)
    assert stats is not None
    assert (stats.users, stats.seed, str(stats.end_date)) == (500, 3, "2026-01-31")
    printed = capsys.readouterr().out
    for table, rows in stats.rows.items():
        assert (out / f"{table}.parquet").is_file()
        assert f"{table}.parquet  {rows:,} rows" in printed


@pytest.mark.parametrize(
    "argv",
    [
        ["sandbox", "generate", "--users", "0", "--out", "x"],
        ["sandbox", "generate", "--users", "10", "--out", "x", "--end-date", "yesterday"],
        ["sandbox", "serve", "--port", "70000"],
    ],
)
def test_bad_input_is_a_one_line_usage_error(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 and no traceback."""
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_benchmark_sections_are_replaced_in_place_or_appended() -> None:
    """Each module rewrites only its own marked section of docs/benchmarks.md."""
    text = "# B\n\n<!-- bench:a:start -->\nold\n<!-- bench:a:end -->\n\ntail\n"
    replaced = update_section(text, "a", "new")
    assert replaced == "# B\n\n<!-- bench:a:start -->\nnew\n<!-- bench:a:end -->\n\ntail\n"
    appended = update_section(replaced, "b", "more")
    assert appended.endswith("<!-- bench:b:start -->\nmore\n<!-- bench:b:end -->\n")
    assert "new" in appended

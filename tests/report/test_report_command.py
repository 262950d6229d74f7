"""``amc-cltv report``: missing inputs, options, bad input, self-containment and start-up cost."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from amc_cltv.cli import main
from amc_cltv.report import ReportInputs, build_sections
from tests.report.conftest import NOW, SEGMENTS, Downloads, figures, populate_every_section, section_text
from tests.stderr import failure


def test_with_nothing_downloaded_every_section_says_what_to_run(
    downloads: Downloads, profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty output folder still gives a report (exit 0) whose sections name the command to run;
    reading creates no ledger."""
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    assert not downloads.state_dir.exists()
    page = out.read_text(encoding="utf-8")
    assert capsys.readouterr().out.strip() == str(out.resolve())
    assert figures(page) == {}
    for key, command in (
        ("segments", "amc-cltv run --workflow segmentation"),
        ("loyalty", "amc-cltv run --workflow loyalty-segments"),
        ("cltv-ntb", "amc-cltv run --workflow cltv-ntb"),
        ("cltv", "amc-cltv run --workflow cltv"),
        ("conversion", "amc-cltv run --workflow segment-conversion-rate"),
        ("history", "amc-cltv run --workflow segmentation"),
        ("audiences", "amc-cltv audience activate --segment all"),
    ):
        assert command in section_text(page, key), key


def test_default_output_is_report_html_in_the_output_dir(downloads: Downloads, profile: Path) -> None:
    """Without --out the report is written to <output_dir>/report.html."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    assert main(["--config", str(profile), "report"]) == 0
    assert "segments" in figures((downloads.output_dir / "report.html").read_text(encoding="utf-8"))


def test_a_missing_column_is_named_and_the_rest_still_drawn(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """A segmentation result without `cltv` keeps its table and chart and says which column is missing."""
    rows = [{key: value for key, value in row.items() if key != "cltv"} for row in SEGMENTS]
    downloads.result("segmentation", "exec-seg", rows)
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "has no column cltv" in section_text(page, "segments")
    assert "segments" in figures(page)


def test_a_result_without_needed_columns_is_explained_not_fatal(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """A conversion result lacking campaign_id gives a note naming it, never a traceback."""
    downloads.result("segment-conversion-rate", "exec-conv", [{"customer_audience_segment": "x", "other": 1}])
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    text = section_text(out.read_text(encoding="utf-8"), "conversion")
    assert "no column campaign_id" in text


def test_out_naming_a_folder_writes_report_html_inside_it_and_leaves_no_partial_file(
    downloads: Downloads, profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out DIR` (an existing folder) writes DIR/report.html; no temporary file is left anywhere."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    folder = tmp_path / "reports"
    folder.mkdir()
    assert main(["--config", str(profile), "report", "--out", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == str((folder / "report.html").resolve())
    assert "segments" in figures((folder / "report.html").read_text(encoding="utf-8"))
    assert [path.name for path in tmp_path.rglob("*partial*")] == []


def test_out_naming_a_folder_not_yet_there_creates_it(
    downloads: Downloads, profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out reports/` (a trailing slash, no such folder): the folder is created with report.html in it,
    never a file named `reports`."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    folder = tmp_path / "nested" / "reports"
    assert main(["--config", str(profile), "report", "--out", f"{folder}/"]) == 0
    assert folder.is_dir() and capsys.readouterr().out.strip() == str((folder / "report.html").resolve())
    assert "segments" in figures((folder / "report.html").read_text(encoding="utf-8"))


def test_an_unwritable_out_is_a_local_fault_exit_7_and_leaves_no_partial_file(
    downloads: Downloads, profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out` below a path that is a file cannot be written: a local fault (exit 7), one line naming the
    path and the file in the way, nothing left over."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    out = blocker / "report.html"
    assert main(["--config", str(profile), "--log-format", "json", "report", "--out", str(out)]) == 7
    error = failure(capsys.readouterr().err)
    assert f"cannot write the report to {out}" in error
    assert f"{blocker} is a file, not a folder" in error
    assert [path.name for path in tmp_path.rglob("*partial*")] == []


def test_results_found_from_manifests_when_the_ledger_has_none(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Downloads not (yet) in the ledger are still reported from their manifests."""
    downloads.result("segmentation", "exec-seg", SEGMENTS, record=False)
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    assert "exec-seg" in section_text(out.read_text(encoding="utf-8"), "segments")


def test_since_leaves_out_windows_that_end_before_it(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """--since keeps only runs whose time window ends on or after the date, in history and latest results."""
    downloads.result("segmentation", "exec-old", SEGMENTS, window_end="2025-11-22")
    downloads.result("segmentation", "exec-new", SEGMENTS, window_end="2026-11-22")
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out), "--since", "2026-01-01"]) == 0
    history = figures(out.read_text(encoding="utf-8"))["history-users"]["data"][0]
    assert history["x"] == ["2026-11-22"]


def test_since_past_every_run_says_it_was_the_filter(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Results exist, but --since leaves them all out: the sections say so instead of "run amc-cltv run"."""
    downloads.result("segmentation", "exec-old", SEGMENTS, window_end="2026-10-22")
    downloads.result("segmentation", "exec-new", SEGMENTS, window_end="2026-11-22")
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out), "--since", "2026-12-01"]) == 0
    page = out.read_text(encoding="utf-8")
    for key in ("segments", "history"):
        text = section_text(page, key)
        assert "No segmentation result has a time window ending on or after 2026-12-01" in text, key
        assert "left out 2 older result(s) (the newest ends 2026-11-22)" in text, key
        assert "amc-cltv run --workflow segmentation" not in text, key
    assert "amc-cltv run --workflow cltv" in section_text(page, "cltv")  # never downloaded: what to run


def test_workflow_option_keeps_only_those_sections(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """--workflow cltv-ntb gives the cltv-ntb section and the audiences, nothing else."""
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out), "--workflow", "cltv-ntb"]) == 0
    sections = re.findall(r'<section id="([^"]+)"', out.read_text(encoding="utf-8"))
    assert sections == ["cltv-ntb", "audiences"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "last-tuesday"], "--since must be a date (YYYY-MM-DD), got 'last-tuesday'"),
        (["--workflow", "nope"], "the report has no section for workflow nope"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    """Bad input is a usage error: exit 2, one stderr line, no report written."""
    out = tmp_path / "report.html"
    assert (
        main(["--config", str(profile), "--log-format", "json", "report", "--out", str(out), *options]) == 2
    )
    assert message in failure(capsys.readouterr().err)
    assert not out.exists()


def test_the_page_is_self_contained_with_plotly_embedded_once(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Plotly's JavaScript is inline exactly once and nothing is loaded from elsewhere."""
    downloads.result("segmentation", "exec-seg", SEGMENTS)
    downloads.result("segmentation", "exec-seg-2", SEGMENTS, window_end="2026-05-22")
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert len(figures(page)) == 3
    assert page.count("plotly.js v") == 1  # the bundle's banner
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)


def test_importing_the_cli_does_not_import_plotly() -> None:
    """Plotting stays out of every other command's start-up: importing the CLI loads no plotly module."""
    code = "import sys, amc_cltv.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'plotly'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_report_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    """`amc-cltv report --help` explains the command with an example."""
    assert main(["report", "--help"]) == 0
    assert "Example: amc-cltv report" in capsys.readouterr().out


def test_every_chart_spec_is_a_valid_plotly_figure_with_titled_axes(downloads: Downloads) -> None:
    """Specs are rendered unvalidated for speed, so each is checked here against plotly's schema."""
    import plotly.graph_objects as go

    expected = populate_every_section(downloads)
    inputs = ReportInputs(downloads.output_dir, downloads.state_dir, downloads.instance_id)
    charts = [chart for section in build_sections(inputs, NOW) for chart in section.charts]
    assert len(charts) == expected
    for chart in charts:
        figure = go.Figure(chart.figure)  # raises ValueError on any unknown property or bad value
        assert figure.layout.title.text == chart.title
        assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text
        assert chart.reading.endswith(".")


def test_a_broken_or_incomplete_download_is_skipped_not_fatal(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """A manifest that is not JSON, or one naming a part file that is gone, is passed over, not fatal."""
    downloads.result("segmentation", "exec-good", SEGMENTS, window_end="2026-05-22", record=False)
    broken = downloads.result("segmentation", "exec-broken", SEGMENTS, window_end="2026-11-22", record=False)
    (broken / "manifest.json").write_text("{not json")
    partial = downloads.result(
        "segmentation", "exec-partial", SEGMENTS, window_end="2026-11-21", record=False
    )
    (partial / "part-2.csv").unlink()
    out = tmp_path / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "execution exec-good" in section_text(page, "segments")
    assert figures(page)["history-users"]["data"][0]["x"] == ["2026-05-22"]

"""Data in the report is shown as text: a segment name carrying a link is not a link in the charts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from amc_cltv.cli import main
from tests.report.conftest import SEGMENTS, Downloads, figures, tables

LINK = '<a href="https://evil.example/">click</a>'


def test_a_segment_name_with_a_link_is_text_in_the_chart_and_the_table(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    rows = [dict(SEGMENTS[0], customer_audience_segment=f"High {LINK} & <b>bold</b>"), *SEGMENTS[1:]]
    downloads.result("segmentation", "exec-seg", rows, parts=1)
    out = tmp_path / "out" / "report.html"
    assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    chart = figures(page)["segments"]
    shown = [label for trace in chart["data"] for label in trace["x"]]
    assert f"High {LINK}" not in str(chart["data"])  # plotly would draw it as a link
    assert 'High &lt;a href="https://evil.example/"&gt;click&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' in shown
    names = [row[0] for row in tables(page)["segments"][1:]]
    assert f"High {LINK} & <b>bold</b>" in names  # the HTML table shows the text (escaped in the page)


def test_the_report_file_is_private_whatever_the_umask(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    downloads.result("segmentation", "exec-seg", SEGMENTS, parts=1)
    out = tmp_path / "new" / "report.html"
    old = os.umask(0o002)
    try:
        assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700

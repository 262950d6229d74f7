"""The report in a real headless browser (Debian's chromium): no JavaScript error, every chart drawn.

Set ``AMC_CLTV_REPORT_SCREENSHOT=docs/report.png`` to keep the screenshot this test takes (the README's).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from amc_cltv.cli import main
from amc_cltv.clock import FakeClock, use_clock
from tests.report.conftest import NOW, Downloads, figures, populate_every_section

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

# First in <head>: records every error thrown while the page loads and draws.
ERROR_RECORDER = """<script>
window.__reportErrors = [];
window.addEventListener("error", function (e) { window.__reportErrors.push(String(e.message)); });
window.addEventListener("unhandledrejection", function (e) { window.__reportErrors.push(String(e.reason)); });
</script>"""

# Last in <body>: after load, writes what it found into the DOM for --dump-dom to show.
DRAW_CHECK = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var charts = document.querySelectorAll(".plotly-graph-div");
    var drawn = [];
    charts.forEach(function (div) {
      var traces = div._fullData ? div._fullData.length : 0;
      if (div.classList.contains("js-plotly-plot") && div.querySelector(".main-svg") && traces > 0) {
        drawn.push(div.id);
      }
    });
    var out = document.createElement("pre");
    out.id = "report-check";
    out.textContent = JSON.stringify({
      errors: window.__reportErrors, charts: charts.length, drawn: drawn,
      width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth
    });
    document.body.appendChild(out);
  }, 200);
});
</script>"""


# Headless chromium will not make a window narrower than 500 px, so a phone's 390 px viewport is an iframe
# (srcdoc: same origin as its host page, which copies the report's check out for --dump-dom to show).
PHONE_HOST = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" style="width:390px;height:2000px;border:0" srcdoc="{report}"></iframe>
<script>
var copy = setInterval(function () {{
  var inner = document.getElementById("phone").contentDocument;
  var check = inner && inner.getElementById("report-check");
  if (check) {{
    clearInterval(copy);
    var out = document.createElement("pre");
    out.id = "report-check";
    out.textContent = check.textContent;
    document.body.appendChild(out);
  }}
}}, 100);
</script></body></html>"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browse(chromium: str, page: Path, profile_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *options, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.browser
def test_report_draws_every_chart_in_headless_chromium_without_errors(
    downloads: Downloads, profile: Path, tmp_path: Path
) -> None:
    """Opened from disk with no network, the report throws no JavaScript error and every chart draws."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed: `make test` installs it with apt-get when run as root")
    expected_charts = populate_every_section(downloads)
    out = tmp_path / "report.html"
    with use_clock(FakeClock(NOW)):
        assert main(["--config", str(profile), "report", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert len(figures(page)) == expected_charts

    checked = page.replace("<head>", "<head>" + ERROR_RECORDER, 1).replace(
        "</body>", DRAW_CHECK + "</body>", 1
    )
    phone = tmp_path / "phone.html"
    phone.write_text(PHONE_HOST.format(report=html.escape(checked, quote=True)), encoding="utf-8")
    dump = _browse(chromium, phone, tmp_path / "chromium-dom", "--virtual-time-budget=15000", "--dump-dom")
    match = re.search(r'<pre id="report-check">(.*?)</pre>', dump.stdout, re.S)
    assert match is not None, f"the page never finished loading: {dump.stderr[-2000:]}"
    found = json.loads(html.unescape(match.group(1)))
    assert found["errors"] == []
    assert found["charts"] == expected_charts
    assert sorted(found["drawn"]) == sorted(f"chart-{key}" for key in figures(page))
    assert {"chart-cohort-mix", "chart-cohort-cltv", "chart-cohort-history-cltv"} <= set(found["drawn"])
    # On a 390 px phone nothing is wider than the screen (wide tables scroll inside the page).
    assert found["width"] == 390
    assert found["scrollWidth"] <= 390

    screenshot = tmp_path / "report.png"
    shot = _browse(
        chromium,
        out,
        tmp_path / "chromium-shot",
        "--virtual-time-budget=10000",
        "--window-size=1280,2400",
        f"--screenshot={screenshot}",
    )
    assert screenshot.is_file(), shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000  # a drawn page, not a blank one
    keep = os.environ.get("AMC_CLTV_REPORT_SCREENSHOT")
    if keep:
        shutil.copyfile(screenshot, keep)

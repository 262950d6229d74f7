"""Packaging: plotly only in the ``report`` extra, one version source, a clear error without the extra."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

import amc_cltv
from amc_cltv.cli import main

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())


def _names(requirements: list[str]) -> set[str]:
    """The distribution names of requirement strings (``plotly>=5.22,<8`` -> ``plotly``)."""
    return {re.split(r"[\[;<>=~! ]", requirement, maxsplit=1)[0] for requirement in requirements}


def test_plotly_is_in_the_report_extra_only() -> None:
    """The default install (what ``make run`` and the nightly job need) carries no plotting library."""
    project = PYPROJECT["project"]
    assert "plotly" not in _names(project["dependencies"])
    assert {"duckdb", "werkzeug"} <= _names(project["dependencies"])  # the embedded sandbox stays in
    assert _names(project["optional-dependencies"]["report"]) == {"plotly"}


def test_the_version_is_written_once() -> None:
    """pyproject.toml reads the version from the package, and the installed metadata agrees with it."""
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "amc_cltv/__init__.py"
    assert importlib.metadata.version("amc-cltv") == amc_cltv.__version__


def test_report_without_plotly_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the extra: one line naming the extra to install, exit 2, no report written."""
    monkeypatch.setitem(sys.modules, "plotly", None)  # what an install without the extra looks like
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "report.html"
    assert main(["report", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'amc-cltv[report]'" in err
    assert not target.exists()

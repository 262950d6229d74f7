"""``amc-cltv workflows list | show``: the real CLI, no credentials needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from amc_cltv.cli import main
from amc_cltv.workflows import catalog
from tests.stderr import failure

PRODUCTION_PROFILE = """
[amc]
api_url        = "https://advertising-api.amazon.com"
instance_id    = "amc1234abcd"
advertiser_id  = "ENTITY1AA1AA11AAA1"
marketplace_id = "ATVPDKIKX0DER"

[workflows]
shopping_insights = false
"""


def test_show_prints_exactly_the_sql_that_would_be_uploaded(capsys: pytest.CaptureFixture[str]) -> None:
    """With no config (the embedded sandbox profile) and no secrets in the environment."""
    assert main(["workflows", "show", "segmentation"]) == 0
    out = capsys.readouterr().out
    assert out == catalog.render("segmentation", shopping_insights=True).sql + "\n"


def test_show_renders_with_the_given_profile_without_its_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real instance's profile is read for [workflows] shopping_insights; its secrets are not needed."""
    profile = tmp_path / "prod.toml"
    profile.write_text(PRODUCTION_PROFILE)
    assert main(["--config", str(profile), "workflows", "show", "high-value-audience"]) == 0
    out = capsys.readouterr().out
    assert out == catalog.render("high-value-audience", shopping_insights=False).sql + "\n"
    assert "conversions_for_audiences" in out and "conversions_all" not in out


def test_show_uses_the_profile_named_by_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "prod.toml"
    profile.write_text(PRODUCTION_PROFILE)
    monkeypatch.setenv("AMC_CLTV_CONFIG", str(profile))
    assert main(["workflows", "show", "cltv"]) == 0
    assert "FROM conversions\n" in capsys.readouterr().out


def test_show_with_a_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    """A valid parameter value renders (the SQL reads it with CUSTOM_PARAMETER at execution time)."""
    assert main(["workflows", "show", "segmentation", "--param", "threshold_method=p75"]) == 0
    assert "CUSTOM_PARAMETER('threshold_method')" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["workflows", "show", "segmentation", "--param", "threshold_method=top"],
            "allowed values are mean, median, pNN",
        ),
        (["workflows", "show", "segmentation", "--param", "threshold_method"], "--param expects key=value"),
        (["workflows", "show", "segmentation", "--param", "colour=red"], "has no parameter 'colour'"),
        (["workflows", "show", "nope"], "unknown workflow 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in failure(captured.err)


def test_a_lint_violation_exits_2_naming_file_line_and_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from amc_cltv.workflows.definitions import workflows_dir

    for path in workflows_dir().iterdir():
        if path.suffix in (".sql", ".toml"):
            (tmp_path / path.name).write_text(path.read_text())
    sql = (tmp_path / "segmentation.sql").read_text() + "\nLIMIT 10"
    (tmp_path / "segmentation.sql").write_text(sql)
    monkeypatch.setattr(catalog, "workflows_dir", lambda: tmp_path)
    line = len(sql.splitlines())
    assert main(["workflows", "show", "segmentation"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert failure(captured.err).startswith(f"workflows/segmentation.sql:{line}: limit: ")


def test_list_names_every_workflow_with_its_id(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["workflows", "list"]) == 0
    out = capsys.readouterr().out
    for name in catalog.names():
        assert name in out and catalog.workflow_id(name) in out
    assert "audience" in out and "threshold_method=mean" in out


@pytest.mark.parametrize("command", [["workflows"], ["workflows", "list"], ["workflows", "show"]])
def test_every_workflows_command_has_help_with_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    assert "Example: amc-cltv workflows" in capsys.readouterr().out

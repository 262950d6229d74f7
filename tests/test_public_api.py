"""The package's top level: what it exports, that importing it stays cheap, and that it ships typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import amc_cltv
from amc_cltv import errors


def test_every_exported_name_resolves_to_the_library_object() -> None:
    for name in amc_cltv.__all__:
        assert getattr(amc_cltv, name) is not None, name
    from amc_cltv.api import run_workflow
    from amc_cltv.client import AsyncAmcClient

    assert amc_cltv.run_workflow is run_workflow and amc_cltv.AsyncAmcClient is AsyncAmcClient


def test_the_whole_error_tree_is_exported() -> None:
    """Every error class of ``amc_cltv.errors`` can be caught from the top level."""
    classes = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.AmcCltvError)
    }
    assert classes <= set(amc_cltv.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        amc_cltv.run_everything  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "run_everything" in str(error)
    else:
        raise AssertionError("an unknown name resolved")


def test_importing_the_package_loads_no_heavy_dependency() -> None:
    """``import amc_cltv`` (and so ``amc-cltv --help``) must not pay for pydantic, httpx or duckdb."""
    heavy = "('pydantic', 'httpx', 'duckdb', 'structlog')"
    code = f"import sys, amc_cltv; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_package_ships_py_typed() -> None:
    assert (Path(amc_cltv.__file__).parent / "py.typed").is_file()


def test_the_cli_reaches_profiles_clients_and_ledgers_only_through_the_public_api() -> None:
    """Every command works in ``amc_cltv.api.open_session`` (or an ``amc_cltv.api`` call), so a profile is
    loaded and checked the same way from the CLI as from the library: none opens one by hand."""
    by_hand = (
        "open_client(",
        "Ledger.open(",
        "load_config(",
        "read_profile(",
        "amc_cltv.connect",
        "run_fleet(config_dir",
    )
    for path in sorted((Path(amc_cltv.__file__).parent / "cli").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert [call for call in by_hand if call in text] == [], path.name

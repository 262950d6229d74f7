"""``amc-cltv doctor``: the checklist over the sandbox (in process and over ``sandbox serve``), and against a
sandbox set up to fail each check: the failing check's line, the right exit code, never a traceback."""

from __future__ import annotations

import pytest

from amc_cltv.clock import use_clock
from amc_cltv.workflows import catalog

from .conftest import LinkedClock, Result, Sandbox

SANDBOX_AMC = (
    '[amc]\napi_url = "embedded"\ninstance_id = "amcsandbox01"\nadvertiser_id = "ENTITYSANDBOX0001"\n'
    'marketplace_id = "ATVPDKIKX0DER"\nsynthetic_data = true\n'
)
FAST_POLLING = "[polling]\ninitial_interval_s = 0.2\nmax_interval_s = 2\n"


def _profile(sandbox: Sandbox, text: str) -> list[str]:
    path = sandbox.cwd / "profile.toml"
    path.write_text(text)
    return ["--config", str(path)]


def _lines(result: Result) -> list[str]:
    """The checklist's lines (after the one that states the budget)."""
    return [line for line in result.stdout.splitlines() if line.strip() and not line.startswith("doctor: ")]


def _problems(result: Result) -> dict[str, str]:
    found = {}
    for line in _lines(result):
        if line.startswith("PROBLEM  "):
            name, _, rest = line.removeprefix("PROBLEM  ").partition(": ")
            found[name] = rest
    return found


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_every_check_passes_on_the_sandbox(sandbox: Sandbox) -> None:
    """One ok line per check, every workflow compiled by the sandbox's dry run, nothing run, exit 0."""
    result = sandbox.cli("doctor")
    assert result.code == 0, result.stdout + result.stderr
    lines = _lines(result)
    assert all(line.startswith("ok       ") for line in lines), lines
    names = [line.removeprefix("ok       ").split(":")[0] for line in lines]
    for expected in (
        "profile",
        "Login with Amazon",
        "AMC account",
        "AMC instance",
        "clock",
        "shopping insights",
    ):
        assert expected in names
    assert "workflow segmentation" in names and "output_dir" in names and "DSP advertiser" in names
    dry_runs = sandbox.executions()
    assert dry_runs and all(e["dryRun"] for e in dry_runs)
    # Each workflow is compiled as it would be uploaded, with its aggregation-threshold marks.
    reporting = [n for n in catalog.names() if not catalog.render(n, shopping_insights=True).audience]
    assert sum(e["filteredColumns"] == ["filtered", "filtered_reason"] for e in dry_runs) == len(reporting)
    assert not any(e.get("files") for e in dry_runs)
    assert not sandbox.app.store.all("workflow")  # ad-hoc dry runs: no saved workflow was changed


def test_doctor_json_lists_every_check(sandbox: Sandbox) -> None:
    result = sandbox.cli("doctor", "--json")
    assert result.code == 0
    payload = result.json
    assert payload["ok"] is True and payload["exit_code"] == 0
    assert {"check", "ok", "detail", "fix", "kind"} <= set(payload["checks"][0])


def test_every_check_passes_over_sandbox_serve(served: Sandbox) -> None:
    result = served.cli("doctor")
    assert result.code == 0, result.stdout + result.stderr
    assert "ok       workflow cltv: compiled by AMC (dry run)" in result.stdout


def test_a_broken_profile_is_one_line_and_exit_2(sandbox: Sandbox) -> None:
    args = _profile(sandbox, "[amc]\ninstance_id = 'x'\n")
    result = sandbox.cli(*args, "doctor")
    assert result.code == 2
    (line,) = _lines(result)
    assert line.startswith("PROBLEM  profile: ") and "advertiser_id" in line
    _no_traceback(result)


def test_a_missing_secret_is_exit_2(sandbox: Sandbox) -> None:
    args = _profile(sandbox, "[amc]\ninstance_id = 'i'\nadvertiser_id = 'a'\nmarketplace_id = 'm'\n")
    result = sandbox.cli(*args, "doctor")
    assert result.code == 2
    assert "AMC_CLTV_" in _problems(result)["profile"]
    _no_traceback(result)


def test_login_with_amazon_refusing_the_grant_says_what_it_said(served: Sandbox) -> None:
    served.faults(
        {"kind": "status", "match": "POST /auth/o2/token", "status": 400, "details": "invalid_grant"}
    )
    result = served.cli("doctor")
    assert result.code == 2
    assert "invalid_grant" in _problems(result)["Login with Amazon"]
    _no_traceback(result)


def test_a_wrong_instance_id_lists_the_instances_that_exist(sandbox: Sandbox) -> None:
    args = _profile(sandbox, SANDBOX_AMC.replace("amcsandbox01", "amcwrong99") + FAST_POLLING)
    result = sandbox.cli(*args, "doctor")
    assert result.code == 2
    assert "amcwrong99" in _problems(result)["AMC instance"]
    assert "amcsandbox01" in _problems(result)["AMC instance"]
    _no_traceback(result)


def test_a_wrong_advertiser_id_lists_the_accounts(sandbox: Sandbox) -> None:
    args = _profile(
        sandbox, SANDBOX_AMC.replace('advertiser_id = "ENTITYSANDBOX0001"', 'advertiser_id = "NOPE"')
    )
    result = sandbox.cli(*args, "doctor")
    assert result.code == 2
    assert "ENTITYSANDBOX0001" in _problems(result)["AMC account"]
    _no_traceback(result)


def test_a_wrong_marketplace_names_the_accounts_one(sandbox: Sandbox) -> None:
    args = _profile(sandbox, SANDBOX_AMC.replace("ATVPDKIKX0DER", "A1PA6795UKMFR9"))
    result = sandbox.cli(*args, "doctor")
    assert result.code == 2
    assert 'marketplace_id = "ATVPDKIKX0DER"' in _problems(result)["marketplace"]
    _no_traceback(result)


def test_an_instance_without_the_shopping_dataset(sandbox: Sandbox) -> None:
    """shopping_insights = true on an instance without the paid dataset: the shopping insights line and each
    workflow reading conversions_all (rejected by AMC's dry run) name the subscription; exit 1."""
    sandbox.app.configure(shopping_insights=False)
    result = sandbox.cli("doctor")
    assert result.code == 1
    problems = _problems(result)
    assert "shopping_insights = false" in problems["shopping insights"]
    assert "Flexible Shopping Insights" in problems["workflow segmentation"]
    assert "Table or view not found: conversions_all." in problems["workflow segmentation"]
    _no_traceback(result)


def test_without_the_dataset_a_profile_that_does_not_assume_it_passes(sandbox: Sandbox) -> None:
    sandbox.app.configure(shopping_insights=False)
    result = sandbox.cli(*_profile(sandbox, SANDBOX_AMC + FAST_POLLING), "doctor")
    assert result.code == 0, result.stdout
    assert "shopping_insights = false is right" in result.stdout


def test_the_sandbox_placeholder_dsp_advertiser_on_a_real_profile(sandbox: Sandbox) -> None:
    args = _profile(sandbox, SANDBOX_AMC.replace("synthetic_data = true", "synthetic_data = false"))
    result = sandbox.cli(*args, "doctor")
    assert result.code == 2
    assert "dsp_advertiser_id" in _problems(result)["DSP advertiser"]
    _no_traceback(result)


def test_an_unwritable_output_dir(sandbox: Sandbox) -> None:
    blocker = sandbox.cwd / "a-file"
    blocker.write_text("not a folder")
    args = _profile(sandbox, SANDBOX_AMC + FAST_POLLING + f'[paths]\noutput_dir = "{blocker / "out"}"\n')
    result = sandbox.cli(*args, "doctor")
    assert result.code == 1
    assert "not writable" in _problems(result)["output_dir"]
    _no_traceback(result)


def test_a_clock_five_minutes_off(sandbox: Sandbox) -> None:
    app = sandbox.app
    behind = LinkedClock(app.clock.advance, lambda: app.clock.offset_s - 300)
    with use_clock(behind):
        result = sandbox.cli("doctor")
    assert result.code == 1
    assert "behind AMC's" in _problems(result)["clock"]
    _no_traceback(result)


def test_amc_unreachable_is_exit_5(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens on the profile's URLs: the token grant gets no answer (after the retries, on the
    test's clock), exit 5."""
    text = (
        '[amc]\napi_url = "http://127.0.0.1:9"\ntoken_url = "http://127.0.0.1:9/auth/o2/token"\n'
        'instance_id = "i"\nadvertiser_id = "a"\nmarketplace_id = "m"\n'
    )
    args = _profile(sandbox, text)
    for name in ("AMC_CLTV_CLIENT_ID", "AMC_CLTV_CLIENT_SECRET", "AMC_CLTV_REFRESH_TOKEN"):
        monkeypatch.setenv(name, "x")
    result = sandbox.cli(*args, "doctor")
    assert result.code == 5
    assert "Login with Amazon did not answer" in _problems(result)["Login with Amazon"]
    _no_traceback(result)

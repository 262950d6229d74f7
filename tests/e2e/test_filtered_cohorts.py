"""A cohorts run on an instance whose aggregation threshold filters some (cohort, segment) rows: the filtered
row reaches no cohort (no cohort named None) and is said apart."""

from __future__ import annotations

import csv

from .conftest import Sandbox


def test_a_cohorts_run_shows_no_cohort_made_of_filtered_rows(sandbox: Sandbox) -> None:
    first = sandbox.cli("run", "--workflow", "cohorts", "--json")
    assert first.code == 0, first.stderr
    with open(first.json["files"][0], newline="") as handle:
        users = sorted(int(row["num_users"]) for row in csv.DictReader(handle))
    sandbox.app.configure(aggregation_threshold=users[len(users) // 2])  # half the rows fall under it

    result = sandbox.cli("--log-format", "console", "run", "--workflow", "cohorts", "--force-rerun")
    assert result.code == 0, result.stderr
    assert "None" not in result.stdout
    assert "AMC filtered 1 row(s) below its aggregation threshold" in result.stdout
    assert "left out of every cohort" in result.stdout

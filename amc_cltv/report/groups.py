"""Runs grouped by what makes their numbers comparable: the window length and the workflow parameters.

Segments from a 90-day window and a 365-day window, or from the mean and the median threshold, are not the
same measure: charts over time draw one group only and name the runs they leave out (docs/report.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass

from amc_cltv.report.results import Result

Key = tuple[int | None, tuple[tuple[str, str], ...] | None]
# Parameters computed from another one say nothing new (threshold_quantile follows threshold_method).
DERIVED = frozenset({"threshold_quantile"})


def group_key(result: Result) -> Key:
    parameters = None
    if result.parameters is not None:
        parameters = tuple((name, value) for name, value in result.parameters if name not in DERIVED)
    return result.window_days, parameters


def describe_key(key: Key) -> str:
    """ "365-day windows, threshold_method mean" (parameters the ledger did not record are said so)."""
    days, parameters = key
    text = f"{days}-day windows" if days is not None else "windows of unknown length"
    if parameters is None:
        return text + ", parameters not recorded"
    return ", ".join([text, *(f"{name} {value}" for name, value in parameters)])


@dataclass(frozen=True)
class Groups:
    """The runs drawn (one group, oldest window first) and how many runs of each other group are left out."""

    drawn: list[Result]
    key: Key
    left_out: dict[Key, int]

    def left_out_note(self, what: str) -> str | None:
        """Names the runs not drawn, or None when every run is."""
        if not self.left_out:
            return None
        others = "; ".join(f"{n} over {describe_key(key)}" for key, n in self.left_out.items())
        return (
            f"{what} draws only the runs over {describe_key(self.key)}: segments from other window lengths "
            f"or parameters are not comparable. Not drawn: {others}."
        )


def main_group(results: list[Result]) -> Groups:
    """Split ``results`` (one per window, oldest first) into the group with the most windows (on a tie, the
    newest run's: a one-off run with other settings does not take over the view) and the rest."""
    if not results:
        return Groups([], (None, None), {})
    sizes: dict[Key, int] = {}
    for result in results:
        sizes[group_key(result)] = sizes.get(group_key(result), 0) + 1
    newest = group_key(results[-1])
    key = max(sizes, key=lambda k: (sizes[k], k == newest))
    left_out = {other: n for other, n in sizes.items() if other != key}
    return Groups([result for result in results if group_key(result) == key], key, left_out)

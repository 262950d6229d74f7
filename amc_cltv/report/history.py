"""The year-over-year view (docs/segments.md §1): segment sizes and CLTV per run, and how customers moved.

Only runs of one group (same window length and parameters, docs/report.md §4) are drawn
together; the others are named in a note and listed in the table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amc_cltv.report.builder import Found, chart, missing_note
from amc_cltv.report.groups import describe_key, group_key, main_group
from amc_cltv.report.model import (
    CLTV_PER_CUSTOMER,
    CURRENCY,
    Section,
    TableSpec,
    colour_for,
    count,
    money,
    percent,
    segment_order,
)
from amc_cltv.report.results import Result
from amc_cltv.report.segments import SEGMENTATION, SegmentRow, segment_rows
from amc_cltv.results import SEGMENT, USER_ID, ResultTable

ABSENT = "(not a customer)"  # a user new in the newer run, or gone from it
Series = list[tuple[Result, dict[str, SegmentRow]]]


def date_axis(results: list[Result]) -> dict[str, Any]:
    """A date axis over the windows' end days (uneven gaps drawn to scale), padded so that one or two close
    points still get day ticks rather than hours."""
    days = [day for result in results if (day := result.window_end_date) is not None]
    if not days:
        return {"type": "date"}
    pad = max(timedelta(days=3), (max(days) - min(days)) / 20)
    return {"type": "date", "tickformat": "%Y-%m-%d", "range": [str(min(days) - pad), str(max(days) + pad)]}


def window_axis(result: Result) -> str:
    days = result.window_days
    return f"End of the {days}-day time window" if days else "End of the time window"


def end_day(result: Result) -> str:
    end = result.window_end_date
    return end.isoformat() if end else result.time_window_end


def history_section(found: Found, points: list[tuple[Result, ResultTable]]) -> Section:
    """Customers and CLTV per customer per segment for each window of the main run group, oldest first."""
    section = Section(key="history", title="Segments over time")
    if not points:
        section.notes.append(missing_note(found, "segment sizes over time"))
        return section
    groups = main_group([result for result, _ in points])
    rows_of = {id(result): {row.segment: row for row in segment_rows(table)} for result, table in points}
    series: Series = [(result, rows_of[id(result)]) for result in groups.drawn]
    labels = segment_order(sorted({label for rows in rows_of.values() for label in rows}))
    if not labels:
        section.notes.append(f"No `{SEGMENTATION}` result has segment rows.")
        return section
    section.source = (
        f"{len(series)} successful `{SEGMENTATION}` run(s) over {describe_key(groups.key)}, "
        "one per time window"
    )
    note = groups.left_out_note("Segments over time")
    if note:
        section.notes.append(note)
    focus = "High Value Customer" if "High Value Customer" in labels else labels[0]
    users_reading, cltv_reading = _readings(series, focus)
    axis = window_axis(series[-1][0])
    for key, column, reading, title, y_title in (
        ("history-users", "num_users", users_reading, "Customers per segment", "Customers"),
        (
            "history-cltv",
            "cltv",
            cltv_reading,
            f"{CLTV_PER_CUSTOMER} by segment",
            f"{CLTV_PER_CUSTOMER} ({CURRENCY})",
        ),
    ):
        section.charts.append(
            chart(
                key,
                reading,
                _lines(series, labels, column),
                title=title,
                x_title=axis,
                y_title=y_title,
                xaxis=date_axis([result for result, _ in series]),
            )
        )
    section.tables.append(_runs_table([(result, rows_of[id(result)]) for result, _ in points], labels))
    return section


def _lines(series: Series, labels: list[str], column: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": label,
            "x": [end_day(result) for result, _ in series],
            "y": [getattr(rows[label], column) if label in rows else None for _, rows in series],
            "marker": {"color": colour_for(label)},
            "line": {"color": colour_for(label)},
        }
        for label in labels
    ]


def _readings(series: Series, focus: str) -> tuple[str, str]:
    """How the focus segment's customers and CLTV per customer moved from the first window to the last."""
    (first_result, first), (last_result, last) = series[0], series[-1]
    if len(series) == 1:
        # Named: the section's migration may compare two windows of another workflow (customer-labels).
        users = last[focus].num_users if focus in last else 0.0
        return (
            f"One `{SEGMENTATION}` run so far (window ending {end_day(last_result)}): {focus} has "
            f"{count(users)} customers. Every later `{SEGMENTATION}` run over another window adds a point.",
            f"One `{SEGMENTATION}` run so far: {focus} {CLTV_PER_CUSTOMER} "
            f"{money(last[focus].cltv if focus in last else None)}.",
        )
    before = first[focus].num_users if focus in first else 0.0
    after = last[focus].num_users if focus in last else 0.0
    change = f" ({'+' if after >= before else ''}{percent((after - before) / before, 1)})" if before else ""
    return (
        f"{focus}: {count(before)} → {count(after)} customers{change} "
        f"from the window ending {end_day(first_result)} to the one ending {end_day(last_result)}.",
        f"{focus}: {CLTV_PER_CUSTOMER} {money(first[focus].cltv if focus in first else None)} → "
        f"{money(last[focus].cltv if focus in last else None)} over {len(series)} runs.",
    )


def _runs_table(series: Series, labels: list[str]) -> TableSpec:
    """Every run, drawn or not, with the group it belongs to and its customers per segment."""
    return TableSpec(
        key="history",
        text_columns=2,
        columns=("Window end", "Runs over", *labels),
        rows=tuple(
            (
                end_day(result),
                describe_key(group_key(result)),
                *(count(rows[label].num_users) if label in rows else "0" for label in labels),
            )
            for result, rows in series
        ),
    )


def migration_pair(per_user: list[Result]) -> tuple[list[Result], str | None]:
    """The last two per-user results of the main run group (oldest first), and a note naming the
    per-user runs of other groups that were passed over."""
    groups = main_group(per_user)
    return groups.drawn[-2:], groups.left_out_note("The migration")


def migration_chart(
    section: Section, older: tuple[Result, ResultTable] | None, newer: tuple[Result, ResultTable] | None
) -> None:
    """Add how customers moved between segments from the older to the newer per-user run."""
    if older is None or newer is None:
        section.notes.append(
            "Migration between segments needs per-user labels (user_id and customer_audience_segment) "
            "from two runs with different windows of the same length; AMC outputs them only on synthetic "
            "data with aggregation controls off, and fewer than two such runs were downloaded: on a sandbox "
            "instance, run `amc-cltv run --workflow customer-labels` over two windows (`--window-end DATE`)."
        )
        return
    moves = _moves(_labels(older[1]), _labels(newer[1]))
    rows = segment_order(sorted({source for source, _ in moves}))
    columns = segment_order(sorted({target for _, target in moves}))
    counts = [[moves.get((source, target), 0) for target in columns] for source in rows]
    # No user is "not a customer" in both runs: that cell is left empty, not drawn as "0 %".
    shares: list[list[float | None]] = [
        [
            None if source == target == ABSENT else n / (sum(line) or 1)
            for n, target in zip(line, columns, strict=True)
        ]
        for line, source in zip(counts, rows, strict=True)
    ]
    old_day, new_day = end_day(older[0]), end_day(newer[0])
    heatmap = {
        "type": "heatmap",
        "x": columns,
        "y": rows,
        "z": shares,
        "zmin": 0,
        "zmax": 1,
        "customdata": counts,
        "text": [["" if share is None else percent(share) for share in line] for line in shares],
        "texttemplate": "%{text}",
        "colorscale": "Blues",
        "reversescale": True,  # plotly's Blues runs dark to light: more customers read darker
        "showscale": False,  # every cell is labelled with its share
        "hovertemplate": "%{y} → %{x}<br>%{customdata:,} users (%{z:.1%} of %{y})<extra></extra>",
    }
    section.charts.append(
        chart(
            "migration",
            _migration_reading(moves),
            [heatmap],
            title=f"Where each segment's customers went, window ending {old_day} → {new_day}",
            x_title=f"Segment in the window ending {new_day}",
            y_title=f"Before (ending {old_day})",
            height=480,
            xaxis={"type": "category", "automargin": True, **_short_ticks(columns)},
            yaxis={"type": "category", "autorange": "reversed", "automargin": True, **_short_ticks(rows)},
        )
    )


def _short_ticks(labels: list[str]) -> dict[str, list[str]]:
    """Tick labels without the trailing " Customer" (hover shows the full name): a phone has no room."""
    return {"tickvals": labels, "ticktext": [label.removesuffix(" Customer") for label in labels]}


def _moves(before: dict[str, str], after: dict[str, str]) -> dict[tuple[str, str], int]:
    moves: dict[tuple[str, str], int] = {}
    for user_id in before.keys() | after.keys():
        key = (before.get(user_id, ABSENT), after.get(user_id, ABSENT))
        moves[key] = moves.get(key, 0) + 1
    return moves


def _migration_reading(moves: dict[tuple[str, str], int]) -> str:
    both = sum(n for (source, target), n in moves.items() if ABSENT not in (source, target))
    kept = sum(n for (source, target), n in moves.items() if source == target != ABSENT)
    changed = [(n, s, t) for (s, t), n in moves.items() if s != t and ABSENT not in (s, t)]
    share = percent(kept / both if both else None)
    reading = f"Of {both:,} customers in both runs, {kept:,} ({share}) kept their segment"
    if changed:
        n, source, target = max(changed)
        reading += f"; the largest move is {source} → {target} ({n:,} users)"
    return reading + "."


def _labels(table: ResultTable) -> dict[str, str]:
    return {
        str(row[USER_ID]): str(row.get(SEGMENT) or "Non-Labeled")
        for row in table.rows
        if row.get(USER_ID) is not None
    }

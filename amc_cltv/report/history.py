"""The year-over-year view (docs/segments.md §1): segment sizes and CLTV per run, and how users moved."""

from __future__ import annotations

from amc_cltv.report.model import (
    Chart,
    Section,
    TableSpec,
    colour_for,
    count,
    figure,
    missing_result,
    money,
    percent,
    segment_order,
)
from amc_cltv.report.results import Result, Table, to_date
from amc_cltv.report.segments import SEGMENTATION, SegmentRow, segment_rows

ABSENT = "(not a customer)"  # a user new in the newer run, or gone from it
# Windows need not all be 365 days (points are labelled with their length when lengths differ).
WINDOW_AXIS = "End of the time window (date)"


def _window_label(result: Result, with_length: bool = False) -> str:
    """The window's end day; with its length in days when windows of different lengths are compared."""
    end = result.window_end_date
    label = end.isoformat() if end else result.time_window_end
    start = to_date(result.time_window_start)
    if with_length and end and start:
        label += f" ({(end - start).days} d)"
    return label


def _lengths_differ(results: list[Result]) -> bool:
    lengths = set()
    for result in results:
        start, end = to_date(result.time_window_start), result.window_end_date
        lengths.add((end - start).days if start and end else None)
    return len(lengths) > 1


def history_section(points: list[tuple[Result, Table]]) -> Section:
    """Users and average CLTV per segment for each run's window, oldest first."""
    section = Section(key="history", title="Segments over time")
    if not points:
        section.notes.append(missing_result(SEGMENTATION, "segment sizes over time"))
        return section
    section.source = f"{len(points)} successful `{SEGMENTATION}` run(s), one per time window"
    mixed = _lengths_differ([result for result, _ in points])
    series: list[tuple[str, dict[str, SegmentRow]]] = [
        (_window_label(result, mixed), {row.segment: row for row in segment_rows(table)})
        for result, table in points
    ]
    windows = [label for label, _ in series]
    labels = segment_order(sorted({segment for _, rows in series for segment in rows}))
    if not labels:
        section.notes.append(f"No `{SEGMENTATION}` result has segment rows.")
        return section

    def traces(column: str) -> list[dict[str, object]]:
        return [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": windows,
                "y": [getattr(rows[label], column) if label in rows else None for _, rows in series],
                "marker": {"color": colour_for(label)},
                "line": {"color": colour_for(label)},
            }
            for label in labels
        ]

    focus = "High Value Customer" if "High Value Customer" in labels else labels[0]
    first_window, first = series[0]
    last_window, last = series[-1]
    if len(series) == 1:
        users = last[focus].num_users if focus in last else 0.0
        reading = (
            f"One run so far (window ending {last_window}): {focus} has {count(users)} users. "
            "Every later run adds a point."
        )
        cltv_reading = (
            f"One run so far: {focus} average CLTV {money(last[focus].cltv if focus in last else None)}."
        )
    else:
        before = first[focus].num_users if focus in first else 0.0
        after = last[focus].num_users if focus in last else 0.0
        change = (
            f" ({'+' if after >= before else ''}{percent((after - before) / before, 1)})" if before else ""
        )
        reading = (
            f"{focus}: {count(before)} → {count(after)} users{change} "
            f"from the window ending {first_window} to the one ending {last_window}."
        )
        cltv_reading = (
            f"{focus}: average CLTV {money(first[focus].cltv if focus in first else None)} → "
            f"{money(last[focus].cltv if focus in last else None)} per user over {len(series)} runs."
        )
    section.charts.append(
        Chart(
            key="history-users",
            title="Users per segment by time window",
            reading=reading,
            figure=figure(
                traces("num_users"),
                title="Users per segment by time window",
                x_title=WINDOW_AXIS,
                y_title="Customers (users)",
                xaxis={"type": "category"},
            ),
        )
    )
    section.charts.append(
        Chart(
            key="history-cltv",
            title="Average CLTV per segment by time window",
            reading=cltv_reading,
            figure=figure(
                traces("cltv"),
                title="Average CLTV per segment by time window",
                x_title=WINDOW_AXIS,
                y_title="Average CLTV per user (currency)",
                xaxis={"type": "category"},
            ),
        )
    )
    section.tables.append(
        TableSpec(
            key="history",
            columns=("Window end", *labels),
            rows=tuple(
                (window, *(count(rows[label].num_users) if label in rows else "0" for label in labels))
                for window, rows in series
            ),
        )
    )
    return section


def migration_chart(
    section: Section, older: tuple[Result, Table] | None, newer: tuple[Result, Table] | None
) -> None:
    """Add how customers moved between segments from the older to the newer per-user run."""
    if older is None or newer is None:
        section.notes.append(
            "Migration between segments needs per-user labels (user_id and customer_audience_segment) from "
            "two runs with different windows; AMC outputs them only on synthetic data with aggregation "
            "controls off, and fewer than two such runs were downloaded: on a sandbox instance, run "
            "`amc-cltv run --workflow customer-labels` over two windows (`--window-end DATE`)."
        )
        return
    before = _labels(older[1])
    after = _labels(newer[1])
    moves: dict[tuple[str, str], int] = {}
    for user_id in before.keys() | after.keys():
        key = (before.get(user_id, ABSENT), after.get(user_id, ABSENT))
        moves[key] = moves.get(key, 0) + 1
    rows = segment_order(sorted({source for source, _ in moves}))
    columns = segment_order(sorted({target for _, target in moves}))
    z = [[moves.get((source, target), 0) for target in columns] for source in rows]
    both = sum(n for (source, target), n in moves.items() if ABSENT not in (source, target))
    kept = sum(n for (source, target), n in moves.items() if source == target != ABSENT)
    changed = [(n, s, t) for (s, t), n in moves.items() if s != t and ABSENT not in (s, t)]
    share = percent(kept / both if both else None)
    reading = f"Of {both:,} customers in both runs, {kept:,} ({share}) kept their segment"
    if changed:
        n, source, target = max(changed)
        reading += f"; the largest move is {source} → {target} ({n:,} users)"
    reading += "."
    old_label, new_label = _window_label(older[0]), _window_label(newer[0])
    section.charts.append(
        Chart(
            key="migration",
            title=f"Segment migration, window ending {old_label} → {new_label}",
            reading=reading,
            figure=figure(
                [
                    {
                        "type": "heatmap",
                        "x": columns,
                        "y": rows,
                        "z": z,
                        "text": [[f"{value:,}" for value in line] for line in z],
                        "texttemplate": "%{text}",
                        "colorscale": "Blues",
                        "colorbar": {"title": {"text": "users"}},
                        "hovertemplate": "%{y} → %{x}: %{z:,} users<extra></extra>",
                    }
                ],
                title=f"Segment migration, window ending {old_label} → {new_label}",
                x_title=f"Segment in the window ending {new_label} (users)",
                y_title=f"Segment in the window ending {old_label} (users)",
                xaxis={"type": "category"},
                yaxis={"type": "category", "autorange": "reversed"},
            ),
        )
    )


def _labels(table: Table) -> dict[str, str]:
    return {
        str(row["user_id"]): str(row.get("customer_audience_segment") or "Non-Labeled")
        for row in table.rows
        if row.get("user_id") is not None
    }

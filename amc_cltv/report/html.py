"""Sections to one self-contained HTML page: plotly's JavaScript embedded once, nothing fetched."""

from __future__ import annotations

import html
import re
from datetime import datetime
from functools import cache
from typing import Any

from amc_cltv.report.model import Chart, Section, TableSpec, chart_text, moment_text

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 1.5rem; color: #222; background: #fff; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .3rem; margin-top: 2.2rem; }
nav a { margin-right: 1rem; } .meta, .source { color: #666; font-size: .9rem; }
.note { background: #fff8e1; border-left: 4px solid #e6ab02; padding: .6rem .9rem; margin: .8rem 0; }
figure.chart { margin: 1rem 0 1.6rem; } figcaption.reading { font-weight: 600; margin-top: .3rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; } .number { text-align: right; }
.text { text-align: left; } th { background: #f4f6f8; } .table-scroll { overflow-x: auto; max-width: 100%; }
code { background: #f1f1f1; padding: 0 .25rem; border-radius: 3px; }
h3.chart-title { font-size: 1.05rem; font-weight: 600; margin: 0 0 .2rem; color: #2a3f5f; }
@media (max-width: 600px) {
  body { padding: .8rem; } h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; }
  table { font-size: .8rem; } th, td { padding: .2rem .35rem; }
}
"""
_PLOT_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}  # a report to read


def _inline(text: str) -> str:
    """Escape text, turning `backticked` words into <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _cell(tag: str, text: str, index: int, spec: TableSpec) -> str:
    kind = "text" if index < spec.text_columns else "number"
    return f'<{tag} class="{kind}">{html.escape(text)}</{tag}>'


def _table(spec: TableSpec) -> str:
    """The table in a wrapper that scrolls sideways on a narrow screen instead of widening the page."""
    head = "".join(_cell("th", column, i, spec) for i, column in enumerate(spec.columns))
    body = "".join(
        "<tr>" + "".join(_cell("td", cell, i, spec) for i, cell in enumerate(row)) + "</tr>"
        for row in spec.rows
    )
    key = html.escape(spec.key)
    return (
        f'<div class="table-scroll"><table data-table="{key}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


@cache
def _template(name: str) -> dict[str, Any]:
    import plotly.io as pio

    return dict(pio.templates[name].to_plotly_json())


# Trace keys whose strings are written by the report itself (plotly's templates), never taken from data.
_AUTHORED = ("template", "type", "mode", "orientation", "textposition", "xaxis", "yaxis", "hoverinfo")
# Layout keys that repeat the data's categories: escaped the same way so that they still match.
_CATEGORY_KEYS = ("tickvals", "ticktext", "categoryarray")


def _data_text(value: Any, key: str = "") -> Any:
    """Every string of a trace that comes from the data passed through ``chart_text``."""
    if isinstance(value, str):
        return value if key.endswith(_AUTHORED) else chart_text(value)
    if isinstance(value, dict):
        return {name: _data_text(item, name) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_data_text(item, key) for item in value]
    return value


def _layout_categories(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            name: _data_text(item) if name in _CATEGORY_KEYS else _layout_categories(item)
            for name, item in value.items()
        }
    return value


def _chart(chart: Chart, *, with_plotlyjs: bool) -> str:
    import plotly.io as pio  # only the report pays for importing plotly

    # Specs are plain dicts checked against plotly's schema by the tests; validating them again here (a
    # Figure per chart) would triple the time the report takes. Named templates are resolved here instead.
    layout = _layout_categories(dict(chart.figure["layout"]))
    if isinstance(layout.get("template"), str):
        layout["template"] = _template(layout["template"])
    # The title is drawn as an HTML heading, which wraps on a phone; in the figure it would be cut off.
    layout.pop("title", None)
    plot = pio.to_html(
        {"data": [_data_text(trace) for trace in chart.figure["data"]], "layout": layout},
        validate=False,
        include_plotlyjs=with_plotlyjs,
        full_html=False,
        div_id=f"chart-{chart.key}",
        config=_PLOT_CONFIG,
        default_height=f"{int(chart.figure['layout'].get('height', 420))}px",
    )
    return (
        f'<figure class="chart" data-chart="{html.escape(chart.key)}">'
        f'<h3 class="chart-title">{_inline(chart.title)}</h3>{plot}'
        f'<figcaption class="reading">{_inline(chart.reading)}</figcaption></figure>'
    )


def render(
    sections: list[Section], *, instance_id: str, generated_at: datetime, time_zone: str = "UTC"
) -> str:
    """The whole report page. Only the first chart carries plotly's JavaScript (no CDN, no network)."""
    parts: list[str] = []
    plotlyjs_written = False
    for section in sections:
        parts.append(f'<section id="{html.escape(section.key)}" data-section="{html.escape(section.key)}">')
        parts.append(f"<h2>{_inline(section.title)}</h2>")
        if section.source:
            parts.append(f'<p class="source">From {_inline(section.source)}.</p>')
        parts.extend(f'<p class="note">{_inline(note)}</p>' for note in section.notes)
        for chart in section.charts:
            parts.append(_chart(chart, with_plotlyjs=not plotlyjs_written))
            plotlyjs_written = True
        parts.extend(_table(table) for table in section.tables)
        parts.append("</section>")
    nav = " ".join(
        f'<a href="#{html.escape(section.key)}">{_inline(section.title)}</a>' for section in sections
    )
    title = f"amc-cltv report: {instance_id}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>Customer lifetime value report</h1>"
        f'<p class="meta">AMC instance <code>{html.escape(instance_id)}</code> · generated '
        f"{html.escape(moment_text(generated_at, time_zone))}</p><nav>{nav}</nav></header>"
        + "\n".join(parts)
        + "</body></html>\n"
    )

"""Running a catalogued workflow on the sandbox engine, the way AMC would receive it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amc_cltv.sandbox.engine import Engine
from amc_cltv.workflows import catalog


def run_workflow(
    engine: Engine,
    name: str,
    start: datetime,
    end: datetime,
    *,
    shopping_insights: bool = True,
    parameters: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The rendered workflow executed over ``[start, end)`` with its parameter values; rows as dicts."""
    rendered = catalog.render(name, shopping_insights=shopping_insights, parameters=parameters)
    result = engine.execute(
        rendered.sql,
        time_window_start=start,
        time_window_end=end,
        parameters=rendered.parameter_values,
        audience=rendered.audience,
        disable_aggregation_controls=rendered.synthetic_only,
    )
    try:
        declared = [column["name"] for column in rendered.output_columns]
        assert result.columns == declared, f"{name}: output {result.columns} != outputColumns {declared}"
        return [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    finally:
        result.close()

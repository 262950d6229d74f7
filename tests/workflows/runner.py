"""Running a catalogued workflow on the sandbox engine, the way AMC would receive it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amc_cltv.sandbox.engine import Engine
from amc_cltv.workflows import catalog

# What the engine returns for each declared data_type of [[output_columns]]: the type the result is read as
# (amc_cltv.results) is the type the query computes.
PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {"STRING": str, "LONG": int, "DOUBLE": float}


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
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    finally:
        result.close()
    for column in catalog.definition(name).output_columns:
        kind = PYTHON_TYPES[column.data_type]
        wrong = {type(row[column.name]).__name__ for row in rows if not isinstance(row[column.name], kind)}
        assert not wrong - {"NoneType"}, f"{name}.{column.name} is declared {column.data_type}, holds {wrong}"
    return rows

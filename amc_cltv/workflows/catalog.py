"""The workflow catalogue: the names, and each workflow rendered into exactly what is uploaded to AMC.

from amc_cltv.workflows import catalog
rendered = catalog.render("segmentation", shopping_insights=True, parameters={"threshold_method": "median"})
body = rendered.as_workflow_body()   # POST/PUT .../workflows
rendered.parameter_values            # parameterValues of the execution (or audience)
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from amc_cltv.errors import UsageError, WorkflowLintError
from amc_cltv.workflows.definitions import WorkflowDefinition, load_definitions, workflows_dir
from amc_cltv.workflows.lint import lint, produced_labels
from amc_cltv.workflows.parameters import resolve_parameters
from amc_cltv.workflows.rendering import TEMPLATE_FLAGS, Origin, render_template, table_names
from amc_cltv.workflows.schema import columns_read

WORKFLOW_ID_PREFIX = "amc_cltv."
# Asked of AMC on every reporting workflow: rows under an aggregation threshold are kept with their values
# removed, marked true in this column, with AMC's reason in the next (docs/amc-api.md §5.2).
FILTERED_COLUMN = "filtered"
FILTERED_REASON_COLUMN = "filtered_reason"
# How those two columns are read, whatever the workflow (they are AMC's, not in its output_columns).
FILTERED_TYPES: Mapping[str, str] = MappingProxyType(
    {FILTERED_COLUMN: "BOOLEAN", FILTERED_REASON_COLUMN: "STRING"}
)
# The mission's order: the main workflow first.
_ORDER = (
    "segmentation",
    "high-value-audience",
    "growth-potential-audience",
    "revenue-potential-audience",
    "low-value-audience",
    "segment-asins",
    "cltv",
    "cltv-ntb",
    "loyalty-segments",
    "segment-conversion-rate",
    "cohorts",
    "customer-labels",
)


@dataclass(frozen=True)
class RenderedWorkflow:
    """One workflow rendered for one instance: the SQL and metadata exactly as uploaded."""

    name: str
    workflow_id: str
    sql: str
    sql_sha256: str
    description: str
    input_parameters: tuple[dict[str, str], ...]
    parameter_values: dict[str, str]
    output_columns: tuple[dict[str, str], ...]  # the result's columns, in order: checked here, not sent
    execution_timeout_s: int | None  # the workflow's own; None: the profile's
    audience: bool
    definition_sha256: str
    # Outputs user_id: executions must be sent with disableAggregationControls (synthetic data only).
    synthetic_only: bool = False

    def as_workflow_body(self) -> dict[str, Any]:
        """The AMC ``Workflow`` JSON for create (POST) and update (PUT)."""
        return _workflow_body(self.workflow_id, self.sql, self.input_parameters, audience=self.audience)


def _workflow_body(
    workflow_id: str, sql: str, input_parameters: tuple[dict[str, str], ...], *, audience: bool
) -> dict[str, Any]:
    """Without ``outputColumns``: optional, and checked by AMC against types it does not document. A
    reporting workflow asks AMC to mark, not drop, the rows its aggregation thresholds filter."""
    body: dict[str, Any] = {
        "workflowId": workflow_id,
        "sqlQuery": sql,
        "inputParameters": [dict(parameter) for parameter in input_parameters],
    }
    if not audience:
        body["filteredMetricsDiscriminatorColumn"] = FILTERED_COLUMN
        body["filteredReasonColumn"] = FILTERED_REASON_COLUMN
    return body


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def names() -> list[str]:
    """Every workflow's name, the main one (segmentation) first."""
    known = load_definitions(workflows_dir())
    return [name for name in _ORDER if name in known] + sorted(set(known) - set(_ORDER))


def result_columns(name: str) -> dict[str, str]:
    """The columns of a workflow's result CSV and the AMC data type each is read as: its declared
    ``[[output_columns]]`` and, for a report, AMC's marks of the rows it filtered (``filtered``,
    ``filtered_reason``). Raises UsageError on an unknown workflow."""
    spec = definition(name)
    columns: dict[str, str] = {column.name: column.data_type for column in spec.output_columns}
    if not spec.audience:
        columns |= FILTERED_TYPES
    return columns


def workflow_id(name: str) -> str:
    """The AMC ``workflowId`` of a workflow: derived from its name, stable across runs."""
    return WORKFLOW_ID_PREFIX + name


def definition(name: str) -> WorkflowDefinition:
    """A workflow's metadata; raises UsageError listing the names on an unknown one."""
    known = load_definitions(workflows_dir())
    if name not in known:
        raise UsageError(f"unknown workflow {name!r} (workflows: {', '.join(names())})")
    return known[name]


def render(
    name: str,
    *,
    shopping_insights: bool = True,
    parameters: Mapping[str, str] | None = None,
) -> RenderedWorkflow:
    """Render, check and lint one workflow.

    Raises UsageError on an unknown workflow or an invalid parameter (listing the allowed values), and
    WorkflowLintError (``file:line: rule: ...``) when the SQL uses a construct AMC rejects.
    """
    chosen = tuple(sorted((parameters or {}).items()))
    # A fleet renders the same workflow for every profile, twice (submit, then download), from a pool of
    # threads: the first render of each (folder, workflow, tables, parameters) is kept, and the others wait
    # for it rather than repeat it (a failure is not kept: it raises again).
    with _RENDER_LOCK:
        rendered = _rendered(workflows_dir(), name, shopping_insights, chosen)
    return replace(rendered, parameter_values=dict(rendered.parameter_values))


_RENDER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=128)
def _rendered(
    folder: Path, name: str, shopping_insights: bool, chosen: tuple[tuple[str, str], ...]
) -> RenderedWorkflow:
    parameters = dict(chosen) or None
    spec = definition(name)
    values = resolve_parameters(spec, parameters)
    tables = table_names(shopping_insights=shopping_insights, audience=spec.audience)
    rendered = render_template(folder, spec.sql, tables, {**TEMPLATE_FLAGS, **spec.render})
    source = f"workflows/{spec.sql}"
    origins = tuple(Origin(f"workflows/{origin.file}", origin.line) for origin in rendered.origins)
    _lint(rendered.sql, spec.audience, source, origins, spec.synthetic_only)
    _check_declarations(spec, rendered.sql, source)
    input_parameters = tuple(parameter.as_input_parameter() for parameter in spec.parameters)
    output_columns = tuple(column.as_output_column() for column in spec.output_columns)
    body = _workflow_body(workflow_id(name), rendered.sql, input_parameters, audience=spec.audience)
    return RenderedWorkflow(
        name=name,
        workflow_id=workflow_id(name),
        sql=rendered.sql,
        sql_sha256=_sha256(rendered.sql),
        description=spec.description,
        input_parameters=input_parameters,
        parameter_values=values,
        output_columns=output_columns,
        execution_timeout_s=spec.execution_timeout_s,
        audience=spec.audience,
        definition_sha256=_sha256(json.dumps(body, sort_keys=True, separators=(",", ":"))),
        synthetic_only=spec.synthetic_only,
    )


@functools.lru_cache(maxsize=64)
def _lint(sql: str, audience: bool, source: str, origins: tuple[Origin, ...], synthetic_only: bool) -> None:
    """``lint``, once per distinct SQL text: it reads the SQL character by character, and a fleet renders
    the same workflow for every profile (a failure is not cached: it raises again)."""
    lint(sql, audience=audience, source=source, origins=origins, synthetic_only=synthetic_only)


def _check_declarations(spec: WorkflowDefinition, sql: str, source: str) -> None:
    """Every CUSTOM_PARAMETER is declared (AMC rejects the execution otherwise), and an audience's
    segment is one the rules produce."""
    declared = {parameter.name for parameter in spec.parameters}
    for used in sorted(set(re.findall(r"CUSTOM_PARAMETER\s*\(\s*'(\w+)'\s*\)", sql, re.IGNORECASE))):
        if used not in declared:
            raise WorkflowLintError(
                f"{source}: undeclared-parameter: CUSTOM_PARAMETER('{used}') is not declared in "
                f"workflows/{spec.name}.toml"
            )
    if spec.segment is not None and spec.segment not in produced_labels(sql):
        raise WorkflowLintError(
            f"{source}: segment-label: workflows/{spec.name}.toml selects {spec.segment!r}, "
            "which no CASE in the query produces"
        )


@dataclass(frozen=True)
class MissingColumns:
    """What one workflow reads that an instance does not list: a table's columns, or (``columns`` empty)
    the whole table."""

    workflow: str
    table: str
    columns: tuple[str, ...] = ()

    def __str__(self) -> str:
        if not self.columns:
            return f"{self.workflow} reads {self.table}, which the instance does not list"
        return f"{self.workflow} reads {self.table}.{{{', '.join(self.columns)}}}, which the instance lacks"


def columns_read_by_workflow(*, shopping_insights: bool = True) -> dict[str, dict[str, tuple[str, ...]]]:
    """The AMC columns each workflow reads, per table, as rendered for a profile (``shopping_insights``).

    ``{workflow: {table: (column, ...)}}``, sorted. Raises WorkflowLintError as :func:`render` does.
    """
    read: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in names():
        rendered = render(name, shopping_insights=shopping_insights)
        tables = columns_read(rendered.sql)
        read[name] = {table: tuple(sorted(tables[table])) for table in sorted(tables)}
    return read


def missing_from_data_sources(
    data_sources: Iterable[Mapping[str, Any]], *, shopping_insights: bool = True
) -> list[MissingColumns]:
    """Every table and column our workflows read that an instance's ``GET dataSources`` answer lacks.

    ``data_sources`` are the answer's ``dataSources`` entries (every page), each with ``dataSourceId`` and
    ``columns[].name``; names compare case-insensitively. An empty list means every workflow can run.
    """
    listed: dict[str, set[str]] = {}
    for entry in data_sources:
        names_listed = {str(column.get("name", "")).lower() for column in entry.get("columns") or []}
        listed[str(entry.get("dataSourceId", "")).lower()] = names_listed
    missing = []
    for workflow, tables in columns_read_by_workflow(shopping_insights=shopping_insights).items():
        for table, columns in tables.items():
            if table not in listed:
                missing.append(MissingColumns(workflow, table))
                continue
            absent = tuple(column for column in columns if column not in listed[table])
            if absent:
                missing.append(MissingColumns(workflow, table, absent))
    return missing

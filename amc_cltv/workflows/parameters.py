"""Workflow parameter values: validated against the metadata, with derived parameters filled in.

Values travel to AMC as ``parameterValues`` (strings) and are read in the SQL with ``CUSTOM_PARAMETER``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from amc_cltv.errors import UsageError
from amc_cltv.workflows.definitions import ParameterSpec, WorkflowDefinition

PERCENTILE = re.compile(r"^p([1-9][0-9]?)$")
ALLOWED_WORDS = {"pNN": "pNN (a percentile, p1 to p99)"}


def threshold_quantile(threshold_method: str) -> float:
    """The percentile (as a fraction) a threshold method stands for; 'mean' uses none (0.5 is sent)."""
    if threshold_method in ("mean", "median"):
        return 0.5
    match = PERCENTILE.match(threshold_method)
    if match is None:
        raise ValueError(f"not a threshold method: {threshold_method!r}")
    return int(match.group(1)) / 100


_DERIVATIONS = {("threshold_quantile", "threshold_method"): lambda value: repr(threshold_quantile(value))}


def _is_allowed(spec: ParameterSpec, value: str) -> bool:
    if not spec.allowed:
        return True
    return any(value == allowed or (allowed == "pNN" and PERCENTILE.match(value)) for allowed in spec.allowed)


def _allowed_text(spec: ParameterSpec) -> str:
    return ", ".join(ALLOWED_WORDS.get(allowed, allowed) for allowed in spec.allowed)


def resolve_parameters(definition: WorkflowDefinition, given: Mapping[str, str] | None) -> dict[str, str]:
    """Every declared parameter's value: the given one, else the default; derived ones computed.

    Raises UsageError naming the workflow, the parameter and the allowed values.
    """
    given = dict(given or {})
    specs = {spec.name: spec for spec in definition.parameters}
    settable = [spec.name for spec in definition.parameters if spec.derived_from is None]
    for name in given:
        if name not in specs:
            names = ", ".join(settable) or "none"
            raise UsageError(
                f"workflow {definition.name} has no parameter {name!r} (its parameters: {names})"
            )
        if specs[name].derived_from is not None:
            raise UsageError(
                f"parameter {name!r} of workflow {definition.name} is derived from "
                f"{specs[name].derived_from!r}; set that one instead"
            )
    values: dict[str, str] = {}
    for spec in definition.parameters:
        if spec.derived_from is not None:
            continue
        value = str(given.get(spec.name, spec.default)).strip()
        if not _is_allowed(spec, value):
            raise UsageError(
                f"invalid value {value!r} for parameter {spec.name} of workflow {definition.name}: "
                f"allowed values are {_allowed_text(spec)}"
            )
        values[spec.name] = value
    for spec in definition.parameters:
        if spec.derived_from is not None:
            derive = _DERIVATIONS[(spec.name, spec.derived_from)]
            values[spec.name] = derive(values[spec.derived_from])
    return values


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """``["key=value", ...]`` from the command line into a dict; raises UsageError on a malformed one."""
    parsed: dict[str, str] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param expects key=value, got {assignment!r}")
        parsed[key.strip()] = value.strip()
    return parsed

"""Which segment becomes which audience, and the hash that names an audience after its segment rules.

The audience SQL is rendered from the same rules as the ``segmentation`` report (the workflow catalogue
includes one rules file in both), so the hash of what is rendered identifies the rules: a change of rules
gives a new hash, hence a new ``audienceName``, hence a new audience.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amc_cltv.errors import UsageError

NAME_PREFIX = "amc-cltv"
SHORT_HASH = 8


@dataclass(frozen=True)
class Segment:
    """A segment of the ``segmentation`` report that can be activated as an audience."""

    key: str  # as typed on the command line
    label: str  # ``customer_audience_segment`` in the report
    workflow: str  # the audience workflow of the catalogue
    action: str  # what a DSP trader does with it, in one word (docs/segments.md §14)
    use: str  # the recommended use, in a sentence
    report_workflow: str = "segmentation"


# The four labels of the revenue x cost grid, in the order a trader reads them (docs/segments.md §14).
SEGMENTS: dict[str, Segment] = {
    segment.key: segment
    for segment in (
        Segment(
            key="high-value",
            label="High Value Customer",
            workflow="high-value-audience",
            action="bid up",
            use="bid up: higher bids to keep them buying; the seed of the lookalike audience",
        ),
        Segment(
            key="growth-potential",
            label="Growth Potential Customer",
            workflow="growth-potential-audience",
            action="nurture",
            use="nurture: conversion-first creatives to grow what they spend per order",
        ),
        Segment(
            key="revenue-potential",
            label="Revenue Potential Customer",
            workflow="revenue-potential-audience",
            action="subscribe",
            use="subscribe: revenue-focused bids toward repeat buys, low-margin ASINs left out",
        ),
        Segment(
            key="low-value",
            label="Low Value Customer",
            workflow="low-value-audience",
            action="suppress",
            use="suppress: exclude from high-cost buys",
        ),
    )
}
ALL = "all"  # --segment all: every segment above, in this order
# A lookalike of a segment: what to do with it (docs/segments.md §14).
LOOKALIKE_ACTION = "prospect"
LOOKALIKE_USE = "prospect: new shoppers who look like the segment's customers; bid as for new-to-brand"


def segment_named(key: str) -> Segment:
    """The segment for ``--segment KEY``; UsageError naming the allowed values otherwise."""
    try:
        return SEGMENTS[key]
    except KeyError:
        allowed = ", ".join(SEGMENTS)
        raise UsageError(f"unknown segment {key!r}; allowed: {allowed}, or {ALL}") from None


def segments_named(key: str) -> list[Segment]:
    """The segments ``--segment KEY`` stands for: one, or every segment for ``all``."""
    return list(SEGMENTS.values()) if key == ALL else [segment_named(key)]


def segment_of_label(label: str) -> Segment | None:
    """The segment whose report label is ``label`` (None for a label no audience is made of)."""
    return next((segment for segment in SEGMENTS.values() if segment.label == label), None)


# The fields of a rule-based audience's inputParameters entry (docs/amc-api.md §4.2). The workflow schema
# also has columnType and displayName; the audience schema does not, so they are not sent.
AUDIENCE_PARAMETER_FIELDS = ("name", "dataType", "defaultValue", "description")


@dataclass(frozen=True)
class AudienceRules:
    """The rendered audience query of a segment and the hash that identifies its rules."""

    segment: Segment
    query: str
    input_parameters: tuple[dict[str, Any], ...]
    parameter_values: dict[str, str]
    rules_sha256: str

    @property
    def audience_name(self) -> str:
        """``audienceName``: names the segment and a short hash of its rules."""
        return audience_name(self.segment, self.rules_sha256)


def rules_sha256(query: str, parameter_values: Mapping[str, str]) -> str:
    """sha256 of the rendered query and its parameter values: the same rules give the same hash."""
    payload = json.dumps({"query": query, "parameter_values": dict(parameter_values)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def audience_name(segment: Segment, rules_hash: str) -> str:
    return f"{NAME_PREFIX} {segment.key} {rules_hash[:SHORT_HASH]}"


def lookalike_sha256(rules_hash: str, reach: str) -> str:
    """The hash that names a lookalike: its seed's rules and its expected reach (another reach, another
    audience)."""
    return hashlib.sha256(f"LOOKALIKE {reach} {rules_hash}".encode()).hexdigest()


def lookalike_name(segment: Segment, lookalike_hash: str, reach: str) -> str:
    """``audienceName`` of a lookalike: the segment, ``lookalike-<reach>``, a short hash."""
    kind = "lookalike-" + reach.lower().replace("_", "-")
    return f"{NAME_PREFIX} {segment.key} {kind} {lookalike_hash[:SHORT_HASH]}"


def render_rules(segment: Segment, *, shopping_insights: bool) -> AudienceRules:
    """Render the segment's audience query from the catalogue (WorkflowLintError if AMC would reject it)."""
    from amc_cltv.workflows import catalog

    rendered = catalog.render(segment.workflow, shopping_insights=shopping_insights)
    parameter_values = {str(k): str(v) for k, v in dict(rendered.parameter_values).items()}
    return AudienceRules(
        segment=segment,
        query=rendered.sql,
        input_parameters=tuple(
            {k: v for k, v in p.items() if k in AUDIENCE_PARAMETER_FIELDS} for p in rendered.input_parameters
        ),
        parameter_values=parameter_values,
        rules_sha256=rules_sha256(rendered.sql, parameter_values),
    )
